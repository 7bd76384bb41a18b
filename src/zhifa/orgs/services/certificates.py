"""Enforcement certificates: issue, status changes and the expiry sweep."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from ..models import (
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Person,
    PersonStatus,
    Region,
    RoleKind,
    Sector,
)
from ..permissions import Perm, perms_of
from ._scope import require_body_scope


@transaction.atomic
def certificate_issue(
    *,
    actor: Any,
    person: Person,
    number: str,
    issuer: str,
    areas: Iterable[Region],
    categories: Iterable[Sector],
    issue_date: dt.date,
    expiry_date: dt.date,
) -> Certificate:
    if actor is not None:
        require_body_scope(actor, person.body)
    number = number.strip()
    if not number:
        raise InvalidInput(_("The certificate number is required."), code="certificate_number")
    if not issuer.strip():
        raise InvalidInput(_("The issuing authority is required."), code="certificate_issuer")
    kinds = {r.kind for r in person.roles.all()}
    if not kinds & _CERTIFIED_ROLE_KINDS:
        # APL art. 42: penalties are enforced by officers holding enforcement certificates;
        # auxiliary staff hold none and may not act alone.
        raise InvalidInput(_("Only enforcement officers, heads, legal reviewers and supervisors "
                             "can hold an enforcement certificate."),
                           code="certificate_holder_role")
    if person.status != PersonStatus.ACTIVE:
        raise InvalidInput(_("The holder is no longer in post."), code="certificate_holder_left")
    if Certificate.objects.filter(number=number).exists():
        raise InvalidInput(_("A certificate with this number already exists."),
                           code="certificate_duplicate")
    if expiry_date < issue_date:
        raise InvalidInput(_("The expiry date is before the issue date."),
                           code="certificate_dates")
    areas, categories = list(areas), list(categories)
    if not areas or not categories:
        raise InvalidInput(_("A certificate needs at least one area and one category."),
                           code="certificate_scope")
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        region = person.body.region
        if not all(region.covers(area) for area in areas):
            raise InvalidInput(
                _("A certificate's areas must lie within the body's region."),
                code="certificate_area_outside_body",
            )
    cert = Certificate.objects.create(
        number=number, person=person, issuer=issuer, issue_date=issue_date,
        expiry_date=expiry_date, status=CertificateStatus.VALID,
    )
    cert.areas.set(areas)
    cert.categories.set(categories)
    return cert


_CERTIFIED_ROLE_KINDS = {RoleKind.OFFICER, RoleKind.HEAD, RoleKind.REVIEWER, RoleKind.SUPERVISOR}

_ALLOWED = {
    CertificateStatus.VALID: {CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                              CertificateStatus.EXPIRED},
    CertificateStatus.SUSPENDED: {CertificateStatus.VALID, CertificateStatus.REVOKED,
                                  CertificateStatus.EXPIRED},
    CertificateStatus.EXPIRED: {CertificateStatus.REVOKED},
    CertificateStatus.REVOKED: set(),
}


def allowed_status_changes(status: str) -> list[str]:
    """The statuses a certificate in ``status`` may change to, in the order of
    ``CertificateStatus`` (forms offer these; ``certificate_status_change`` enforces them)."""
    allowed = _ALLOWED.get(status, set())  # type: ignore[call-overload]
    return [value for value in CertificateStatus.values if value in allowed]


@transaction.atomic
def certificate_status_change(
    *,
    actor: Any,
    certificate: Certificate,
    to_status: str,
    effective_date: dt.date,
    reason: str,
) -> CertificateStatusChange:
    """Suspend (暂扣), restore, revoke (注销) or mark expired, with a reason and the date from
    which it applies; the history answers "valid on date D" for later guards."""
    if actor is not None:
        require_body_scope(actor, certificate.person.body)
    if to_status not in CertificateStatus.values:
        raise InvalidInput(_("Unknown certificate status."), code="certificate_status_unknown",
                           detail=to_status)
    cert = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if to_status not in _ALLOWED.get(cert.status, set()):  # type: ignore[call-overload]
        raise InvalidInput(
            _("A certificate cannot go from %(from)s to %(to)s.")
            % {"from": CertificateStatus(cert.status).label,
               "to": CertificateStatus(to_status).label},
            code="certificate_status_transition",
        )
    if not reason.strip():
        raise InvalidInput(_("A reason is required."), code="reason_required")
    if effective_date < cert.issue_date:
        raise InvalidInput(_("The change cannot take effect before the issue date."),
                           code="certificate_dates")
    if effective_date > timezone.localdate():
        raise InvalidInput(_("A status change cannot take effect in the future."),
                           code="certificate_change_future")
    expired_on = cert.expiry_date + dt.timedelta(days=1)
    if to_status == CertificateStatus.EXPIRED and effective_date != expired_on:
        raise InvalidInput(
            _("A certificate expires on the day after its expiry date (%(date)s).")
            % {"date": expired_on.isoformat()},
            code="certificate_expiry_date",
        )
    if to_status in (CertificateStatus.VALID, CertificateStatus.SUSPENDED) and (
        effective_date > cert.expiry_date
    ):
        raise InvalidInput(_("The certificate has expired on that date."),
                           code="certificate_expired")
    last = cert.status_changes.order_by("-effective_date").first()
    if last is not None and effective_date < last.effective_date:
        # The history is read by effective date to answer "valid on date D"; a change dated
        # before the latest one would rewrite that answer for days already recorded.
        raise InvalidInput(
            _("The change cannot take effect before the latest recorded change (%(date)s).")
            % {"date": last.effective_date.isoformat()},
            code="certificate_change_backdated",
        )
    change = CertificateStatusChange.objects.create(
        certificate=cert, from_status=cert.status, to_status=to_status,
        effective_date=effective_date, reason=reason.strip(),
        actor=actor if actor is not None and actor.pk else None,
    )
    cert.status = to_status
    cert.save(update_fields=["status", "updated_at"])
    certificate.status = to_status
    return change


def certificates_expire_due(*, today: dt.date) -> tuple[int, list[str]]:
    """Periodic sweep: mark certificates past their expiry date as expired (``zhifa
    certificates expire``). The validity selector already treats them as expired by date;
    this keeps the status column and the history in step. A certificate whose change is
    refused is reported and skipped, so one bad row never stops the sweep."""
    count, failed = 0, []
    due = Certificate.objects.filter(
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], expiry_date__lt=today
    )
    for cert in due:
        try:
            certificate_status_change(
                actor=None, certificate=cert, to_status=CertificateStatus.EXPIRED,
                effective_date=cert.expiry_date + dt.timedelta(days=1), reason="有效期届满",
            )
        except InvalidInput as exc:
            failed.append(f"{cert.number}: {exc.code}")
            continue
        count += 1
    return count, failed
