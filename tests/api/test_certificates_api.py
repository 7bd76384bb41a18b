"""Certificates: list, detail, lookup by number, validity on a date, status changes."""

import datetime as dt

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from tests.api.conftest import API, ApiWorld
from tests.api.helpers import certificate_out, error
from zhifa.orgs.models import Certificate, CertificateStatusChange
from zhifa.orgs.services import certificate_status_change


def get(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(API + url)
    assert response.status_code == 200, response.content
    return response.json()


def state(cert: Certificate) -> tuple[str, int]:
    return (Certificate.objects.get(pk=cert.pk).status,
            CertificateStatusChange.objects.filter(certificate=cert).count())


def test_list_by_role(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    assert get(client_for(w.u_officer_a), "/certificates") == {
        "count": 1, "items": [certificate_out(w.cert_a)]}
    assert get(client_for(w.u_officer_b), "/certificates") == {
        "count": 1, "items": [certificate_out(w.cert_b)]}
    numbers = sorted([w.cert_a.number, w.cert_city.number])
    assert [c["number"] for c in get(client_for(w.u_supervisor), "/certificates")["items"]] == (
        numbers)
    assert get(client_for(w.u_sysadmin), "/certificates")["count"] == 4


def test_list_filters(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    certificate_status_change(actor=None, certificate=w.cert_city, to_status="suspended",
                              effective_date=dt.date(2025, 1, 1), reason="暂扣")
    c = client_for(w.u_sysadmin)

    def numbers(query: str) -> set[str]:
        return {x["number"] for x in get(c, "/certificates?" + query)["items"]}

    assert numbers("status=suspended") == {w.cert_city.number}
    assert numbers("area=430200") == {w.cert_b.number}
    assert numbers("area=430100") == {w.cert_a.number, w.cert_city.number}
    assert numbers("category=market") == {w.cert_a.number, w.cert_b.number, w.cert_city.number,
                                          w.cert_province.number}
    assert numbers("category=environment") == set()
    assert numbers("q=赵强") == {w.cert_b.number}
    assert numbers(f"q={w.cert_a.number[-5:]}") == {w.cert_a.number}
    assert numbers(f"person={w.officer_a.public_id}") == {w.cert_a.number}
    assert numbers(f"body={w.body_b.public_id}") == {w.cert_b.number}
    error(c.get(API + "/certificates?status=lost"), 422, "invalid_payload")


def test_detail_and_lookup_by_number(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    certificate_status_change(actor=None, certificate=w.cert_a, to_status="suspended",
                              effective_date=dt.date(2025, 3, 1), reason="涉嫌违规执法")
    certificate_status_change(actor=None, certificate=w.cert_a, to_status="valid",
                              effective_date=dt.date(2025, 4, 1), reason="核查后恢复")
    changes = list(CertificateStatusChange.objects.filter(certificate=w.cert_a).order_by("id"))
    c = client_for(w.u_officer_a)
    detail = get(c, f"/certificates/{w.cert_a.public_id}")
    # Recording times are serialised to the millisecond (Django's JSON encoder).
    recorded = [dt.datetime.fromisoformat(h.pop("recorded_at").replace("Z", "+00:00"))
                for h in detail["history"]]
    assert [abs((r - ch.created_at).total_seconds()) < 0.001
            for r, ch in zip(recorded, changes, strict=True)] == [True, True]
    assert detail == {
        **certificate_out(w.cert_a),
        "history": [
            {"from_status": "valid", "to_status": "suspended", "effective_date": "2025-03-01",
             "reason": "涉嫌违规执法"},
            {"from_status": "suspended", "to_status": "valid", "effective_date": "2025-04-01",
             "reason": "核查后恢复"},
        ],
    }
    by_number = get(c, f"/certificates/by-number/{w.cert_a.number}")
    assert by_number["public_id"] == str(w.cert_a.public_id)
    assert [h["reason"] for h in by_number["history"]] == ["涉嫌违规执法", "核查后恢复"]
    error(c.get(f"{API}/certificates/by-number/{w.cert_b.number}"), 404, "certificate_not_found")
    error(c.get(f"{API}/certificates/by-number/NOPE"), 404, "certificate_not_found")


def test_validity(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    base = f"/certificates/{w.cert_a.public_id}/validity"
    common = {"certificate": str(w.cert_a.public_id), "number": w.cert_a.number}
    assert get(c, base + "?date=2025-06-01&region=430102&sector=market") == {
        **common, "date": "2025-06-01", "region": "430102", "sector": "market",
        "valid": True, "status": "valid", "reasons": [],
    }
    assert get(c, base + "?date=2025-06-01&region=430202&sector=environment") == {
        **common, "date": "2025-06-01", "region": "430202", "sector": "environment",
        "valid": False, "status": "valid",
        "reasons": [
            {"code": "area_not_covered", "message": "执法证的执法区域不包括该行政区划。"},
            {"code": "category_not_covered", "message": "执法证的执法类别不包括该类别。"},
        ],
    }
    assert get(c, base + "?date=2030-01-01")["reasons"] == [
        {"code": "expired", "message": "该日期执法证已过期。"}]
    assert get(c, base + "?date=2023-12-31")["reasons"][0]["code"] == "not_yet_issued"
    today = get(c, base)
    assert (today["date"], today["region"], today["sector"]) == (
        timezone.localdate().isoformat(), None, None)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the user chose English
    english = c.get(API + base + "?date=2030-01-01").json()
    del c.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert english["reasons"] == [{"code": "expired",
                                   "message": "The certificate had expired on that date."}]
    error(c.get(API + base + "?region=999999"), 404, "region_not_found")
    error(c.get(API + base + "?sector=space"), 404, "sector_not_found")
    error(c.get(API + base + "?date=2025-02-30"), 422, "invalid_payload")


def test_validity_follows_the_status_history(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    certificate_status_change(actor=None, certificate=w.cert_a, to_status="suspended",
                              effective_date=dt.date(2025, 3, 1), reason="暂扣")
    c = client_for(w.u_officer_a)
    base = f"/certificates/{w.cert_a.public_id}/validity?date="
    assert (get(c, base + "2025-02-28")["valid"], get(c, base + "2025-02-28")["status"]) == (
        True, "valid")
    v = get(c, base + "2025-03-01")
    assert (v["valid"], v["status"], [r["code"] for r in v["reasons"]]) == (
        False, "suspended", ["suspended"])


def post_status(client: Client, cert: Certificate, **payload):  # type: ignore[no-untyped-def]
    body = {"to_status": "suspended", "effective_date": "2025-05-01", "reason": "涉嫌违规执法"}
    body.update(payload)
    return client.post(f"{API}/certificates/{cert.public_id}/status", body,
                       content_type="application/json")


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [("anonymous", 401, "not_authenticated"), ("u_inactive", 401, "not_authenticated"),
     ("u_no_person", 403, "missing_manage_people"),
     ("u_officer_a", 403, "missing_manage_people"),
     ("u_supervisor", 403, "missing_manage_people"),
     ("u_admin_b", 404, "certificate_not_found")],
)
def test_status_change_denials_change_nothing(w: ApiWorld, client_for, who: str, status: int,
                                              code: str) -> None:  # type: ignore[no-untyped-def]
    before = state(w.cert_a)
    user = None if who == "anonymous" else getattr(w, who)
    error(post_status(client_for(user), w.cert_a), status, code)
    assert state(w.cert_a) == before == ("valid", 0)


def test_status_change_by_the_bodys_administrator(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    response = post_status(client_for(w.u_admin_a), w.cert_a)
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: v for k, v in body.items() if k != "history"} == {
        **certificate_out(w.cert_a), "status": "suspended"}
    assert [(h["from_status"], h["to_status"], h["effective_date"], h["reason"])
            for h in body["history"]] == [("valid", "suspended", "2025-05-01", "涉嫌违规执法")]
    assert state(w.cert_a) == ("suspended", 1)
    change = CertificateStatusChange.objects.get(certificate=w.cert_a)
    assert change.actor_id == w.u_admin_a.pk
    # A system administrator may act on any body's certificate.
    response = post_status(client_for(w.u_sysadmin), w.cert_b, to_status="revoked")
    assert (response.status_code, response.json()["status"]) == (200, "revoked")
    assert state(w.cert_b) == ("revoked", 1)


@pytest.mark.parametrize(
    ("setup", "payload", "status", "code"),
    [
        ("revoked", {"to_status": "valid"}, 400, "certificate_status_transition"),
        ("revoked", {"to_status": "suspended"}, 400, "certificate_status_transition"),
        (None, {"to_status": "valid"}, 400, "certificate_status_transition"),
        (None, {"reason": "   "}, 400, "reason_required"),
        (None, {"effective_date": "2020-01-01"}, 400, "certificate_dates"),
        (None, {"to_status": "lost"}, 422, "invalid_payload"),
        (None, {"to_status": "expired"}, 422, "invalid_payload"),
        (None, {"effective_date": "2999-01-01"}, 400, "certificate_change_future"),
        (None, {"effective_date": "2025-13-01"}, 422, "invalid_payload"),
        (None, {"reason": None}, 422, "invalid_payload"),
    ],
)
def test_status_change_rejections_change_nothing(w: ApiWorld, client_for, setup, payload,
                                                 status, code) -> None:  # type: ignore[no-untyped-def]
    if setup:
        certificate_status_change(actor=None, certificate=w.cert_a, to_status=setup,
                                  effective_date=dt.date(2025, 1, 1), reason="调离")
    before = state(w.cert_a)
    body = error(post_status(client_for(w.u_admin_a), w.cert_a, **payload), status, code)
    assert state(w.cert_a) == before
    if code == "certificate_status_transition":
        assert body["message"].startswith("执法证状态不能从")


def test_missing_field_is_422(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_admin_a)
    response = c.post(f"{API}/certificates/{w.cert_a.public_id}/status",
                      {"to_status": "suspended"}, content_type="application/json")
    body = error(response, 422, "invalid_payload")
    assert {tuple(e["loc"]) for e in body["detail"]} == {
        ("body", "payload", "effective_date"), ("body", "payload", "reason")}
    assert state(w.cert_a) == ("valid", 0)


def test_csrf_is_enforced_for_unsafe_methods(w: ApiWorld) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.u_admin_a)
    # Reads need no token.
    assert c.get(f"{API}/certificates/{w.cert_a.public_id}").status_code == 200
    error(post_status(c, w.cert_a), 403, "csrf_failed")
    assert state(w.cert_a) == ("valid", 0)
    token = _get_new_csrf_string()
    c.cookies["csrftoken"] = token
    response = c.post(f"{API}/certificates/{w.cert_a.public_id}/status",
                      {"to_status": "suspended", "effective_date": "2025-05-01",
                       "reason": "暂扣"}, content_type="application/json",
                      HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert state(w.cert_a) == ("suspended", 1)
