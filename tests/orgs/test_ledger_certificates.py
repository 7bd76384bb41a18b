"""Certificates: issue, corrections, status changes and the expiry sweep each write their
ledger entry; a refused change writes nothing and changes nothing."""

import datetime as dt
import json
import string
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Certificate, CertificateStatusChange
from zhifa.orgs.services import (
    certificate_issue,
    certificate_status_change,
    certificate_update,
    certificates_expire_due,
)

pytestmark = pytest.mark.django_db

D = dt.date


def entries(since: int) -> list[tuple[Any, ...]]:
    """The entries from leaf ``since`` on; each template's fields are in its payload."""
    found = []
    for e in LedgerEntry.objects.filter(seq__gte=since).order_by("seq"):
        payload = json.loads(e.payload)
        fields = {name for _text, name, _spec, _conv
                  in string.Formatter().parse(str(event_get(e.event_code).template)) if name}
        assert fields <= payload.keys(), (e.event_code, fields - payload.keys())
        found.append((e.event_code, e.stream, e.body_id, e.actor_id, payload))
    return found


def mark() -> int:
    return LedgerEntry.objects.count()


def certificates() -> list[tuple[Any, ...]]:
    return sorted(
        (c.pk, c.number, c.person_id, c.issuer, c.issue_date, c.expiry_date, c.status,
         tuple(sorted(a.code for a in c.areas.all())),
         tuple(sorted(s.code for s in c.categories.all())))
        for c in Certificate.objects.all()
    ) + sorted(CertificateStatusChange.objects.values_list("certificate_id", "to_status",
                                                           "effective_date"))


@pytest.fixture
def w() -> Any:
    class W:
        regions = f.regions()
        market = f.sector()
        env = f.sector("environment", "生态环境")
        body_a = f.body(regions["city"], market, name="长沙市市场监督管理局")
        body_b = f.body(regions["other_county"], market, name="荷塘区市场监督管理局")
        officer = f.person(body_a, "李明")
        auxiliary = f.person(body_a, "张辅", roles=("auxiliary",))
        admin_a = f.user(f.person(body_a, "王芳", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_a")
        admin_b = f.user(f.person(body_b, "陈静", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_b")
    return W


def _ref(cert: Certificate, holder: Any) -> dict[str, Any]:
    return {"certificate": str(cert.public_id), "number": cert.number, "holder": holder.name,
            "person": str(holder.public_id)}


def test_certificate_issued(w: Any) -> None:
    start = mark()
    cert = certificate_issue(
        actor=w.admin_a, person=w.officer, number=" 43010200001 ", issuer="长沙市人民政府",
        areas=[w.regions["county"], w.regions["city"]], categories=[w.market, w.env],
        issue_date=D(2024, 1, 1), expiry_date=D(2029, 12, 31),
    )
    assert entries(start) == [(1050, "orgs", w.body_a.pk, w.admin_a.pk, {
        **_ref(cert, w.officer), "number": "43010200001", "issuer": "长沙市人民政府",
        "issue_date": "2024-01-01", "expiry_date": "2029-12-31",
        "areas": ["430100", "430102"], "categories": ["environment", "market"],
    })]


def test_refused_issue_writes_nothing(w: Any) -> None:
    existing = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1")
    before, start = certificates(), mark()
    refusals: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"person": w.auxiliary}, InvalidInput, "certificate_holder_role"),
        ({"number": existing.number}, InvalidInput, "certificate_duplicate"),
        ({"expiry_date": D(2023, 1, 1)}, InvalidInput, "certificate_dates"),
        ({"areas": [w.regions["province"]]}, InvalidInput, "certificate_area_outside_body"),
        ({"actor": w.admin_b}, PermissionDenied, "body_out_of_scope"),
    ]
    for overrides, error, code in refusals:
        data: dict[str, Any] = {
            "actor": w.admin_a, "person": w.officer, "number": "N-2", "issuer": "长沙市人民政府",
            "areas": [w.regions["county"]], "categories": [w.market],
            "issue_date": D(2024, 1, 1), "expiry_date": D(2029, 12, 31)}
        data.update(overrides)
        with pytest.raises(error) as exc:
            certificate_issue(**data)
        assert exc.value.code == code
    assert (certificates(), entries(start)) == (before, [])


def test_certificate_corrected(w: Any) -> None:
    cert = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1")
    start = mark()
    certificate_update(actor=w.admin_a, certificate=cert, number="N-01",
                       expiry_date=D(2030, 6, 30), areas=[w.regions["county"],
                                                          w.regions["city"]])
    certificate_update(actor=w.admin_a, certificate=cert, issuer="湖南省人民政府")  # unchanged
    assert entries(start) == [(1051, "orgs", w.body_a.pk, w.admin_a.pk, {
        **_ref(cert, w.officer), "number": "N-01", "changes": {
            "number": ["N-1", "N-01"], "expiry_date": ["2029-12-31", "2030-06-30"],
            "areas": [["430102"], ["430100", "430102"]]},
    })]
    cert.refresh_from_db()
    assert (cert.number, cert.expiry_date, sorted(a.code for a in cert.areas.all())) == (
        "N-01", D(2030, 6, 30), ["430100", "430102"])


def test_refused_corrections_change_nothing(w: Any) -> None:
    cert = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1",
                         issue=D(2020, 1, 1), expiry=D(2024, 12, 31))
    other = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-2")
    certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                              effective_date=D(2021, 3, 1), reason="暂扣")
    certificate_status_change(actor=None, certificate=cert, to_status="expired",
                              effective_date=D(2025, 1, 1), reason="有效期届满")
    before, start = certificates(), mark()
    refusals: list[tuple[Any, dict[str, Any], type[Exception], str]] = [
        (w.admin_a, {"number": other.number}, InvalidInput, "certificate_duplicate"),
        (w.admin_a, {"issuer": " "}, InvalidInput, "certificate_issuer"),
        (w.admin_a, {"issue_date": D(2021, 6, 1)}, InvalidInput,
         "certificate_history_conflict"),
        (w.admin_a, {"expiry_date": D(2025, 12, 31)}, InvalidInput,
         "certificate_history_conflict"),
        (w.admin_a, {"categories": []}, InvalidInput, "certificate_scope"),
        (w.admin_a, {"areas": [w.regions["other_county"]]}, InvalidInput,
         "certificate_area_outside_body"),
        (w.admin_b, {"issuer": "荷塘区人民政府"}, PermissionDenied, "body_out_of_scope"),
    ]
    for actor, fields, error, code in refusals:
        with pytest.raises(error) as exc:
            certificate_update(actor=actor, certificate=cert, **fields)
        assert exc.value.code == code
    assert (certificates(), entries(start)) == (before, [])


def test_status_change_recorded(w: Any) -> None:
    cert = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1")
    start = mark()
    certificate_status_change(actor=w.admin_a, certificate=cert, to_status="suspended",
                              effective_date=D(2025, 3, 1), reason=" 涉嫌违纪，暂扣 ")
    assert entries(start) == [(1052, "orgs", w.body_a.pk, w.admin_a.pk, {
        **_ref(cert, w.officer), "from_status": "valid", "to_status": "suspended",
        "effective_date": "2025-03-01", "reason": "涉嫌违纪，暂扣"})]


def test_refused_status_change_writes_nothing(w: Any) -> None:
    cert = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    before, start = certificates(), mark()
    with pytest.raises(InvalidInput) as exc:
        certificate_status_change(actor=w.admin_a, certificate=cert, to_status="suspended",
                                  effective_date=tomorrow, reason="暂扣")
    assert exc.value.code == "certificate_change_future"
    with pytest.raises(PermissionDenied):
        certificate_status_change(actor=w.admin_b, certificate=cert, to_status="revoked",
                                  effective_date=D(2025, 1, 1), reason="注销")
    assert (certificates(), entries(start)) == (before, [])


def test_expiry_sweep_records_each_change_and_a_summary(w: Any) -> None:
    second = f.person(w.body_b, "赵强")
    due_a = f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-1",
                          issue=D(2019, 1, 1), expiry=D(2024, 6, 30))
    due_b = f.certificate(second, [w.regions["other_county"]], [w.market], number="N-2",
                          issue=D(2019, 1, 1), expiry=D(2024, 12, 31))
    stuck = f.certificate(second, [w.regions["other_county"]], [w.market], number="N-3",
                          issue=D(2019, 1, 1), expiry=D(2024, 3, 31))
    # A change recorded after the expiry date: the sweep cannot backdate before it.
    CertificateStatusChange.objects.create(certificate=stuck, from_status="valid",
                                           to_status="suspended",
                                           effective_date=D(2024, 2, 1), reason="暂扣")
    CertificateStatusChange.objects.create(certificate=stuck, from_status="suspended",
                                           to_status="suspended",
                                           effective_date=D(2024, 5, 1), reason="更正")
    f.certificate(w.officer, [w.regions["county"]], [w.market], number="N-4")  # not due
    start = mark()
    failed = ["N-3: certificate_change_backdated"]
    assert certificates_expire_due(today=D(2025, 1, 2)) == (2, failed)
    reason = "有效期届满"
    assert entries(start) == [
        (1052, "orgs", w.body_a.pk, None, {
            **_ref(due_a, w.officer), "from_status": "valid", "to_status": "expired",
            "effective_date": "2024-07-01", "reason": reason}),
        (1052, "orgs", w.body_b.pk, None, {
            **_ref(due_b, second), "from_status": "valid", "to_status": "expired",
            "effective_date": "2025-01-01", "reason": reason}),
        (1053, "orgs", None, None, {
            "today": "2025-01-02", "count": 2, "certificates": ["N-1", "N-2"],
            "failed": failed}),
    ]
    # Nothing left to do: no entry at all.
    again = mark()
    assert certificates_expire_due(today=D(2025, 1, 2)) == (0, failed)
    assert entries(again) == []
