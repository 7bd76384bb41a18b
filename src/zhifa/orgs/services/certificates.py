"""Enforcement certificates: issue, corrections, status changes and the expiry sweep. Each
change writes its ledger entry (``orgs.events``) in the same transaction."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput

from .. import events
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
from ._ledger import certificate_facts, certificate_ref, changes, record
from ._scope import require_body_scope


def _clean_number(number: str, *, exclude: int = 0) -> str:
    number = number.strip()
    if not number:
        raise InvalidInput(_("The certificate number is required."), code="certificate_number")
    if Certificate.objects.filter(number=number).exclude(pk=exclude).exists():
        raise InvalidInput(_("A certificate with this number already exists."),
                           code="certificate_duplicate")
    return number


def _require_issuer(issuer: str) -> None:
    if not issuer.strip():
        raise InvalidInput(_("The issuing authority is required."), code="certificate_issuer")


def _require_dates(issue_date: dt.date, expiry_date: dt.date) -> None:
    if expiry_date < issue_date:
        raise InvalidInput(_("The expiry date is before the issue date."),
                           code="certificate_dates")


def _require_scope(actor: Any, person: Person, areas: list[Region],
                   categories: list[Sector]) -> None:
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
    _require_issuer(issuer)
    kinds = {r.kind for r in person.roles.all()}
    if not kinds & _CERTIFIED_ROLE_KINDS:
        # APL art. 42: penalties are enforced by officers holding enforcement certificates;
        # auxiliary staff hold none and may not act alone.
        raise InvalidInput(_("Only enforcement officers, heads, legal reviewers and supervisors "
                             "can hold an enforcement certificate."),
                           code="certificate_holder_role")
    if person.status != PersonStatus.ACTIVE:
        raise InvalidInput(_("The holder is no longer in post."), code="certificate_holder_left")
    number = _clean_number(number)
    _require_dates(issue_date, expiry_date)
    areas, categories = list(areas), list(categories)
    _require_scope(actor, person, areas, categories)
    cert = Certificate.objects.create(
        number=number, person=person, issuer=issuer, issue_date=issue_date,
        expiry_date=expiry_date, status=CertificateStatus.VALID,
    )
    cert.areas.set(areas)
    cert.categories.set(categories)
    record(actor=actor, event=events.CERTIFICATE_ISSUED, body=person.body,
           payload={**certificate_ref(cert),
                    **certificate_facts(cert, areas, categories)})
    return cert


CERTIFICATE_FIELDS = frozenset({
    "number", "issuer", "issue_date", "expiry_date", "areas", "categories",
})


@transaction.atomic
def certificate_update(*, actor: Any, certificate: Certificate, **fields: Any) -> Certificate:
    """Correct what was recorded from the certificate (``CERTIFICATE_FIELDS``: a mistyped
    number, dates, areas or categories). The holder stays; the status changes only through
    ``certificate_status_change``. Dates that would contradict the recorded status history
    are refused."""
    unknown = set(fields) - CERTIFICATE_FIELDS
    if unknown:
        raise TypeError(f"certificate_update() got unknown fields: {sorted(unknown)}")
    cert = Certificate.objects.select_for_update(of=("self",)).select_related(
        "person__body").get(pk=certificate.pk)
    person = cert.person
    if actor is not None:
        require_body_scope(actor, person.body)
    old_areas, old_categories = list(cert.areas.all()), list(cert.categories.all())
    areas = list(fields.pop("areas", old_areas))
    categories = list(fields.pop("categories", old_categories))
    if "number" in fields:
        fields["number"] = _clean_number(fields["number"], exclude=cert.pk)
    if "issuer" in fields:
        _require_issuer(fields["issuer"])
    before = certificate_facts(cert, old_areas, old_categories)
    for key, value in fields.items():
        setattr(cert, key, value)
    _require_dates(cert.issue_date, cert.expiry_date)
    _require_history(cert)
    if not areas or not categories:
        _require_scope(actor, person, areas, categories)
    if sorted(a.code for a in areas) != before["areas"]:
        # Areas recorded earlier (perhaps by a system administrator) are not checked again.
        _require_scope(actor, person, areas, categories)
    changed = changes(before, certificate_facts(cert, areas, categories))
    if not changed:
        return cert
    cert.save()
    if "areas" in changed:
        cert.areas.set(areas)
    if "categories" in changed:
        cert.categories.set(categories)
    record(actor=actor, event=events.CERTIFICATE_UPDATED, body=person.body,
           payload={**certificate_ref(cert), "changes": changed})
    return cert


def _require_history(cert: Certificate) -> None:
    """The recorded status changes must still fit the dates: none before the issue date, and
    an "expired" change on the day after the expiry date."""
    for change in cert.status_changes.all():
        if change.effective_date < cert.issue_date:
            raise InvalidInput(
                _("A status change of %(date)s is recorded before this issue date.")
                % {"date": change.effective_date.isoformat()},
                code="certificate_history_conflict",
            )
        if (change.to_status == CertificateStatus.EXPIRED
                and change.effective_date != cert.expiry_date + dt.timedelta(days=1)):
            raise InvalidInput(
                _("The certificate was recorded as expired on %(date)s; its expiry date "
                  "cannot change.") % {"date": change.effective_date.isoformat()},
                code="certificate_history_conflict",
            )


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
    record(actor=actor, event=events.CERTIFICATE_STATUS_CHANGED, body=cert.person.body,
           payload={**certificate_ref(cert), "from_status": cert.status,
                    "to_status": to_status, "effective_date": effective_date,
                    "reason": reason.strip()})
    cert.status = to_status
    cert.save(update_fields=["status", "updated_at"])
    certificate.status = to_status
    return change


@transaction.atomic
def certificates_expire_due(*, today: dt.date) -> tuple[int, list[str]]:
    """Periodic sweep: mark certificates past their expiry date as expired (``zhifa
    certificates expire``). The validity selector already treats them as expired by date;
    this keeps the status column and the history in step. A certificate whose change is
    refused is reported and skipped (its change rolls back alone), so one bad row never
    stops the sweep. Each change writes its own entry; the sweep adds one that sums it up
    when it changed anything."""
    count, failed, expired = 0, [], []
    due = Certificate.objects.filter(
        status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED], expiry_date__lt=today
    ).select_related("person__body").order_by("number")
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
        expired.append(cert.number)
    if count:
        record(actor=None, event=events.CERTIFICATES_EXPIRED,
               payload={"today": today, "count": count, "certificates": expired,
                        "failed": failed})
    return count, failed
