"""``certificate_status_change``: allowed and forbidden transitions, reason, actor scope."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.orgs.models import AccountRole, Certificate, CertificateStatusChange
from zhifa.orgs.services import certificate_status_change

pytestmark = pytest.mark.django_db

D = dt.date
JAN_1 = D(2025, 1, 1)


@pytest.fixture
def cert() -> Certificate:
    r = f.regions()
    market = f.sector()
    return f.certificate(f.person(f.body(r["county"], market)), [r["city"]], [market])


def move(cert: Certificate, to: str, day: dt.date = JAN_1, **kwargs):  # type: ignore[no-untyped-def]
    return certificate_status_change(actor=kwargs.pop("actor", None), certificate=cert,
                                     to_status=to, effective_date=day,
                                     reason=kwargs.pop("reason", "依规处理"))


def snapshot(cert: Certificate) -> tuple[str, int]:
    return (Certificate.objects.get(pk=cert.pk).status,
            CertificateStatusChange.objects.filter(certificate=cert).count())


@pytest.mark.parametrize(
    "path",
    [["suspended"], ["suspended", "valid"], ["suspended", "revoked"], ["revoked"],
     ["suspended", "valid", "suspended"]],
)
def test_allowed_transitions_record_history(cert: Certificate, path: list[str]) -> None:
    before = "valid"
    for i, to in enumerate(path):
        change = move(cert, to, D(2025, 1, 1) + dt.timedelta(days=i))
        assert (change.from_status, change.to_status) == (before, to)
        assert change.effective_date == D(2025, 1, 1) + dt.timedelta(days=i)
        assert change.reason == "依规处理"
        before = to
    assert snapshot(cert) == (path[-1], len(path))
    assert list(
        CertificateStatusChange.objects.filter(certificate=cert).order_by("id")
        .values_list("to_status", flat=True)
    ) == path


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [([], "valid"), (["suspended"], "suspended"),
     (["revoked"], "valid"), (["revoked"], "suspended"), (["revoked"], "expired")],
)
def test_forbidden_transitions_change_nothing(cert: Certificate, path: list[str],
                                              forbidden: str) -> None:
    for to in path:
        move(cert, to)
    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, forbidden, D(2025, 6, 1))
    assert exc.value.code == "certificate_status_transition"
    assert exc.value.status == 400
    assert snapshot(cert) == before


def test_unknown_status_is_an_invalid_input(cert: Certificate) -> None:
    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, "lost")
    assert exc.value.code == "certificate_status_unknown"
    assert snapshot(cert) == before


@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_is_required(cert: Certificate, reason: str) -> None:
    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, "suspended", reason=reason)
    assert exc.value.code == "reason_required"
    assert snapshot(cert) == before


def test_change_cannot_predate_issue(cert: Certificate) -> None:
    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, "suspended", cert.issue_date - dt.timedelta(days=1))
    assert exc.value.code == "certificate_dates"
    assert snapshot(cert) == before


def test_actor_scope() -> None:
    w = f.scoping_world()
    before = snapshot(w.cert_a)
    for actor in (w.u_officer_a, w.u_admin_b, w.u_supervisor, w.u_no_person, w.u_inactive):
        with pytest.raises(PermissionDenied) as exc:
            move(w.cert_a, "suspended", actor=actor)
        assert exc.value.code == "body_out_of_scope"
        assert snapshot(w.cert_a) == before
    change = move(w.cert_a, "suspended", actor=w.u_admin_a)
    assert change.actor == w.u_admin_a
    assert snapshot(w.cert_a) == ("suspended", 1)
    change = move(w.cert_a, "valid", D(2025, 2, 1), actor=w.u_sysadmin)
    assert change.actor == w.u_sysadmin
    assert snapshot(w.cert_a) == ("valid", 2)
    assert AccountRole.BODY_ADMIN in w.u_admin_a.roles


def test_backdated_change_is_refused_and_changes_nothing(cert: Certificate) -> None:
    move(cert, "suspended", D(2025, 3, 1))
    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, "valid", D(2025, 2, 1))
    assert exc.value.code == "certificate_change_backdated"
    assert snapshot(cert) == before
    # The same day as the latest change is allowed (a correction made that day).
    move(cert, "valid", D(2025, 3, 1))
    assert snapshot(cert) == ("valid", 2)


@pytest.fixture
def old_cert() -> Certificate:
    """Issued 2020-01-01, expired after 2024-12-31."""
    r = f.regions()
    market = f.sector()
    return f.certificate(f.person(f.body(r["county"], market)), [r["city"]], [market],
                         issue=D(2020, 1, 1), expiry=D(2024, 12, 31))


def test_expiry_is_recorded_on_the_day_after_the_expiry_date(old_cert: Certificate) -> None:
    move(old_cert, "suspended", D(2024, 6, 1))
    change = move(old_cert, "expired", D(2025, 1, 1))
    assert (change.from_status, change.to_status) == ("suspended", "expired")
    assert snapshot(old_cert) == ("expired", 2)
    move(old_cert, "revoked", D(2025, 2, 1))
    assert snapshot(old_cert) == ("revoked", 3)


@pytest.mark.parametrize("forbidden", ["valid", "suspended"])
def test_an_expired_certificate_cannot_be_restored_or_suspended(
    old_cert: Certificate, forbidden: str
) -> None:
    move(old_cert, "expired", D(2025, 1, 1))
    before = snapshot(old_cert)
    with pytest.raises(InvalidInput) as exc:
        move(old_cert, forbidden, D(2025, 6, 1))
    assert exc.value.code == "certificate_status_transition"
    assert snapshot(old_cert) == before


def test_expiry_on_another_day_is_refused(old_cert: Certificate) -> None:
    before = snapshot(old_cert)
    with pytest.raises(InvalidInput) as exc:
        move(old_cert, "expired", D(2025, 1, 2))
    assert exc.value.code == "certificate_expiry_date"
    assert snapshot(old_cert) == before


def test_no_restoration_dated_after_expiry(old_cert: Certificate) -> None:
    move(old_cert, "suspended", D(2024, 6, 1))
    before = snapshot(old_cert)
    with pytest.raises(InvalidInput) as exc:
        move(old_cert, "valid", D(2025, 1, 5))
    assert exc.value.code == "certificate_expired"
    assert snapshot(old_cert) == before


def test_future_dated_change_is_refused(cert: Certificate) -> None:
    from django.utils import timezone

    before = snapshot(cert)
    with pytest.raises(InvalidInput) as exc:
        move(cert, "suspended", timezone.localdate() + dt.timedelta(days=1))
    assert exc.value.code == "certificate_change_future"
    assert snapshot(cert) == before


def test_sweep_expires_due_certificates_and_skips_none(old_cert: Certificate) -> None:
    from zhifa.orgs.services import certificates_expire_due

    move(old_cert, "suspended", D(2024, 6, 1))
    assert certificates_expire_due(today=D(2025, 1, 1)) == (1, [])
    assert snapshot(old_cert) == ("expired", 2)
    last = CertificateStatusChange.objects.filter(certificate=old_cert).order_by("id").last()
    assert last is not None and last.effective_date == D(2025, 1, 1)
    assert certificates_expire_due(today=D(2025, 1, 2)) == (0, [])
