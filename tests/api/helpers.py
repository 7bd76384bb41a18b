"""Expected payload fragments built from the rows, for exact comparisons."""

from typing import Any

from zhifa.orgs.models import Certificate, EnforcementBody, Person, Region, Sector


def body_ref(b: EnforcementBody) -> dict[str, Any]:
    return {"public_id": str(b.public_id), "name": b.name}


def region_ref(r: Region) -> dict[str, Any]:
    return {"code": r.code, "name": r.name, "level": r.level}


def sector_ref(s: Sector) -> dict[str, Any]:
    return {"code": s.code, "name": s.name}


def masked(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


def body_out(b: EnforcementBody) -> dict[str, Any]:
    return {
        "public_id": str(b.public_id), "name": b.name, "short_name": b.short_name,
        "credit_code": b.credit_code, "kind": b.kind, "level": b.level, "status": b.status,
        "is_supervisory": b.is_supervisory, "region": region_ref(b.region),
        "sector": sector_ref(b.sector),
    }


def person_out(p: Person, id_number: str) -> dict[str, Any]:
    return {
        "public_id": str(p.public_id), "name": p.name, "id_number": id_number,
        "body": body_ref(p.body), "department": None, "post": p.post, "status": p.status,
        "role_kinds": sorted(r.kind for r in p.roles.all()),
        "legal_qualification": {"number": p.legal_qualification_number or None,
                                "date": (p.legal_qualification_date.isoformat()
                                         if p.legal_qualification_date else None)},
    }


def certificate_out(c: Certificate, *, status_today: str | None = None) -> dict[str, Any]:
    """The list payload; ``status_today`` is the stored status unless the test says which
    status today differs from it."""
    c = Certificate.objects.get(pk=c.pk)
    return {
        "public_id": str(c.public_id), "number": c.number,
        "holder": {"public_id": str(c.person.public_id), "name": c.person.name},
        "body": body_ref(c.person.body), "issuer": c.issuer,
        "issue_date": c.issue_date.isoformat(), "expiry_date": c.expiry_date.isoformat(),
        "status": c.status, "status_today": status_today or c.status,
        "areas": [region_ref(r) for r in c.areas.order_by("code")],
        "categories": [sector_ref(s) for s in c.categories.order_by("code")],
    }


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert the envelope and return it."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "detail"}
    assert body["code"] == code
    assert isinstance(body["message"], str) and body["message"]
    return body  # type: ignore[no-any-return]
