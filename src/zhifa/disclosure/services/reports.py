"""The annual enforcement statistics report (行政执法统计年报; 国办发〔2018〕118号: each body
publishes the previous year's figures by 31 January).

- ``report_compute``: creates the body's draft report for a year, or computes it again, from
  the records (``reports.compute``); a published report is never recomputed;
- ``report_enter``: the figures the platform does not record — reconsiderations and suits —
  entered by the publicity clerk, with the report's notes;
- ``report_publish``: freezes the figures and publishes the report; its digest (the ledger's
  hash over the canonical JSON of ``{"entered", "figures"}``) is recorded in the ledger entry.
  Figures computed before the year ended (before 1 January of the next year, Beijing time)
  are stale and must be computed again first. Publishing after 31 January of the next year
  is allowed and marked late;
- ``reports_alert``: from 1 February, every active body without a published report for the
  previous year gets one alert (``ReportAlert``) and one ledger entry, once. Run daily with
  the publication alerts (``services.alerts.disclosure_alerts``: the command ``zhifa
  disclosure alerts`` and the task ``disclosure.alerts``).

Who: a publicity clerk or a head (``Perm.PUBLISH``) of the report's body; a system
administrator for any body. Another body's report is "not found".

Which bodies owe a report: every active enforcement body, supervisory justice bureaus
included — a justice bureau is itself an administrative enforcement organ (lawyers, notaries,
legal services) and 118号 applies to every one. Suspended and dissolved bodies owe none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.services.append import ledger_append, lock_head
from zhifa.orgs.models import BodyStatus, EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from ..events import (
    REPORT_COMPUTED,
    REPORT_ENTERED,
    REPORT_MISSING,
    REPORT_PUBLISHED,
    REPORTS_STREAM,
)
from ..models import AnnualReport, ReportAlert, ReportState
from ..reports.compute import compute_figures
from ..reports.layout import ENTERED_KEYS, ENTERED_PARTS
from ..reports.text import xml_text

FIRST_YEAR = 2000
NOTES_MAX = 2000
# a count entered by hand above this is a typing error, not a figure
ENTERED_MAX = 1_000_000
# the year of a report ends at midnight Beijing time
REPORT_TZ = ZoneInfo("Asia/Shanghai")


def report_deadline(year: int) -> dt.date:
    """The day the report of ``year`` is due: 31 January of the next year (118号)."""
    return dt.date(year + 1, 1, 31)


def report_is_late(report: AnnualReport) -> bool:
    """Published after its deadline."""
    return (report.published_on is not None
            and report.published_on > report_deadline(report.year))


def year_end(year: int) -> dt.datetime:
    """The moment ``year`` ends: 1 January of the next year, 00:00 Beijing time."""
    return dt.datetime(year + 1, 1, 1, tzinfo=REPORT_TZ)


def report_is_stale(report: AnnualReport) -> bool:
    """A draft whose figures were computed before its year ended (or never): the records
    of the rest of the year are missing from them."""
    return (report.state != ReportState.PUBLISHED
            and (report.computed_at is None or report.computed_at < year_end(report.year)))


def report_content(report: AnnualReport) -> dict[str, Any]:
    """What the digest covers: the computed figures and the entered ones."""
    return {"entered": dict(report.entered or {}), "figures": dict(report.figures or {})}


def ledger_algorithm() -> str:
    """The ledger's hash algorithm (fixed when the ledger was started), for pages that show a
    published report's digest."""
    from zhifa.ledger import conf
    from zhifa.ledger.models import LedgerHead

    head = LedgerHead.objects.filter(pk=1).only("algorithm").first()
    return head.algorithm if head is not None else conf.hash_algorithm()


def report_digest(report: AnnualReport, *, algorithm: str) -> str:
    """Hex digest of ``canonical_json(report_content(report))`` with the ledger's hash."""
    data = canonical_json(report_content(report)).encode()
    return hasher(algorithm).digest(data).hex()


# --- Who may act ------------------------------------------------------------------------------
def may_manage(actor: Any, body: EnforcementBody) -> bool:
    """A publicity clerk or head of ``body``, or a system administrator."""
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return Perm.PUBLISH in perms and actor.person.body_id == body.pk


def _authorize(actor: Any, body: EnforcementBody, *, missing: str) -> None:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.PUBLISH not in perms:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_publish")
    if actor.person.body_id != body.pk:
        # another body's report (or body) is not found, whatever the user's role
        if missing == "report":
            raise NotFound(_("Annual report not found."), code="report_not_found")
        raise NotFound(_("Enforcement body not found."), code="body_not_found")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def local_today() -> dt.date:
    """Today in Beijing: the day the missing-report sweep may not run ahead of (a function
    of its own so that a test can set the clock)."""
    return timezone.localdate()


def _algorithm() -> str:
    return lock_head().algorithm


def _payload(report: AnnualReport, digest: str, algorithm: str) -> dict[str, Any]:
    return {"report": str(report.public_id), "body": str(report.body.public_id),
            "year": report.year, "content_digest": digest, "algorithm": algorithm}


def _locked(report: AnnualReport) -> AnnualReport:
    return (AnnualReport.objects.select_for_update().select_related("body")
            .get(pk=report.pk))


# --- Compute ------------------------------------------------------------------------------
def _valid_year(year: Any, today: dt.date) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        value = 0
    if isinstance(year, bool) or not FIRST_YEAR <= value <= today.year:
        message = _("Choose a year from %(first)s to %(last)s.") % {
            "first": FIRST_YEAR, "last": today.year}
        raise InvalidInput(message, code="invalid_year", detail={"year": message})
    return value


@transaction.atomic
def report_compute(*, actor: Any, body: EnforcementBody, year: Any,
                   today: dt.date | None = None) -> AnnualReport:
    """Create the body's draft report of ``year`` from the records, or compute its figures
    again (the entered figures and notes are kept). The current year may be computed as a
    preview; it can be published once the year has ended."""
    _authorize(actor, body, missing="body")
    year = _valid_year(year, _today(today))
    report = (AnnualReport.objects.select_for_update().select_related("body")
              .filter(body=body, year=year).first())
    if report is not None and report.state == ReportState.PUBLISHED:
        raise ApplicationError(_("The report is published: its figures can no longer change."),
                               code="report_published")
    figures = compute_figures(body=body, year=year)
    now = timezone.now()
    if report is None:
        report = AnnualReport.objects.create(body=body, year=year, figures=figures,
                                             computed_at=now, is_demo=body.is_demo)
    else:
        report.figures, report.computed_at = figures, now
        report.save(update_fields=["figures", "computed_at", "updated_at"])
    algorithm = _algorithm()
    ledger_append(actor=actor, event=REPORT_COMPUTED, stream=REPORTS_STREAM, body=body,
                  payload=_payload(report, report_digest(report, algorithm=algorithm),
                                   algorithm))
    return report


# --- Enter --------------------------------------------------------------------------------
def clean_entered(entered: Any) -> dict[str, int]:
    """The entered figures, each a whole number from 0, every one present, a part ("of
    which") at most its whole; else ``InvalidInput`` with a message per field."""
    if not isinstance(entered, Mapping):
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={})
    errors: dict[str, str] = {}
    out: dict[str, int] = {}
    for key in sorted(set(entered) - set(ENTERED_KEYS)):
        errors[str(key)] = _("Unknown figure.")
    for key in ENTERED_KEYS:
        value = entered.get(key)
        if value is None or value == "":
            errors[key] = _("Enter a number (0 if there were none).")
        elif (isinstance(value, bool) or not isinstance(value, int)
              or not 0 <= value <= ENTERED_MAX):
            errors[key] = _("Enter a whole number from 0 to %(max)s.") % {"max": ENTERED_MAX}
        else:
            out[key] = value
    for part, whole in ENTERED_PARTS.items():
        if part in out and whole in out and out[part] > out[whole]:
            errors[part] = _("This cannot be more than the total above it.")
    if errors:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=errors)
    return out


@transaction.atomic
def report_enter(*, actor: Any, report: AnnualReport, entered: Any,
                 notes: str = "") -> AnnualReport:
    """Set the figures the platform does not record and the report's notes (draft only),
    with a ``disclosure.report_entered`` entry holding the figures as entered."""
    _authorize(actor, report.body, missing="report")
    report = _locked(report)
    if report.state == ReportState.PUBLISHED:
        raise ApplicationError(_("The report is published: its figures can no longer change."),
                               code="report_published")
    values = clean_entered(entered)
    text = xml_text(str(notes or "")).strip()
    if len(text) > NOTES_MAX:
        message = _("At most %(max)s characters.") % {"max": NOTES_MAX}
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail={"notes": message})
    report.entered, report.notes = values, text
    report.save(update_fields=["entered", "notes", "updated_at"])
    ledger_append(actor=actor, event=REPORT_ENTERED, stream=REPORTS_STREAM, body=report.body,
                  payload={"report": str(report.public_id), "body": str(report.body.public_id),
                           "year": report.year, "entered": values, "notes": text})
    return report


# --- Publish ------------------------------------------------------------------------------
@transaction.atomic
def report_publish(*, actor: Any, report: AnnualReport,
                   today: dt.date | None = None) -> AnnualReport:
    """Publish the draft as it stands: the figures are frozen and their digest recorded.
    Allowed after 31 January of the next year too, marked late (``"late": true`` in the
    ledger entry, a badge on the pages)."""
    _authorize(actor, report.body, missing="report")
    day = _today(today)
    report = _locked(report)
    if report.state == ReportState.PUBLISHED:
        raise ApplicationError(_("The report is already published."), code="report_published")
    if report.year >= day.year:
        raise ApplicationError(_("A year's report can be published once the year has ended."),
                               code="report_year_not_ended")
    if report_is_stale(report):
        raise ApplicationError(
            _("The figures were computed before the year ended: compute them again from the "
              "records before publishing."), code="report_stale")
    if set(ENTERED_KEYS) - set(report.entered or {}):
        raise ApplicationError(
            _("Enter the reconsideration and litigation figures first (0 if there were none)."),
            code="report_entered_missing")
    algorithm = _algorithm()
    digest = report_digest(report, algorithm=algorithm)
    deadline = report_deadline(report.year)
    report.state, report.published_on, report.published_by = (
        ReportState.PUBLISHED, day, actor)
    report.content_digest = digest
    entry = ledger_append(
        actor=actor, event=REPORT_PUBLISHED, stream=REPORTS_STREAM, body=report.body,
        payload={**_payload(report, digest, algorithm), "published_on": day.isoformat(),
                 "deadline": deadline.isoformat(), "late": day > deadline})
    report.ledger_seq = entry.seq
    report.save(update_fields=["state", "published_on", "published_by", "content_digest",
                               "ledger_seq", "updated_at"])
    return report


# --- Alert --------------------------------------------------------------------------------
def reports_alert(*, today: dt.date | None = None) -> int:
    """From 1 February: each active body without a published report for the previous year
    gets a ``ReportAlert`` and a ``REPORT_MISSING`` ledger entry, once per body and year.
    Returns the number of alerts recorded now. Idempotent; each body in its own
    transaction. ``today`` (default: today) cannot run ahead of the clock."""
    day = min(today or local_today(), local_today())
    year = day.year - 1
    if day < dt.date(day.year, 2, 1):
        return 0
    published = AnnualReport.objects.filter(year=year, state=ReportState.PUBLISHED)
    alerted = ReportAlert.objects.filter(year=year)
    bodies = (EnforcementBody.objects.filter(status=BodyStatus.ACTIVE)
              .exclude(pk__in=published.values("body_id"))
              .exclude(pk__in=alerted.values("body_id")).order_by("pk"))
    count = 0
    for body in bodies:
        count += _alert(body, year, day)
    return count


@transaction.atomic
def _alert(body: EnforcementBody, year: int, day: dt.date) -> int:
    # locked and checked again: a concurrent sweep or a publication since the query above
    body = EnforcementBody.objects.select_for_update().get(pk=body.pk)
    if (ReportAlert.objects.filter(body=body, year=year).exists()
            or AnnualReport.objects.filter(body=body, year=year,
                                           state=ReportState.PUBLISHED).exists()):
        return 0
    entry = ledger_append(actor=None, event=REPORT_MISSING, stream=REPORTS_STREAM, body=body,
                          payload={"body": str(body.public_id), "year": year,
                                   "deadline": report_deadline(year).isoformat(),
                                   "recorded_on": day.isoformat()})
    ReportAlert.objects.create(body=body, year=year, recorded_on=day, ledger_seq=entry.seq)
    AnnualReport.objects.filter(body=body, year=year, alerted_on__isnull=True).update(
        alerted_on=day)
    return 1

