"""Dated changes to the before-enforcement information: the item, inspection-item, benchmark
and service-guide versions that took effect (or were listed after their legality review), the
versions that ended without a successor, and certificates issued, suspended, revoked,
restored or expired. Each source is one query over a date window; the lists are merged in
Python and cut at ``CAP`` rows per source."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.functions import Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhifa.catalog.models import DiscretionBenchmark, RandomInspectionItem, ServiceGuide
from zhifa.orgs.models import (
    BodyStatus,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    PersonStatus,
)

from ..http import public_page
from .registry import (
    ANY,
    PublicFilterForm,
    body_choices,
    page_of,
    publishable_item_versions,
    today,
)

CAP = 500  # rows per source and window; the page says when a list was cut
DAYS_CHOICES = [("30", gettext_lazy("Last 30 days")), ("90", gettext_lazy("Last 90 days")),
                ("365", gettext_lazy("Last 12 months"))]
DEFAULT_DAYS = 90

ITEMS, INSPECTIONS, BENCHMARKS, GUIDES, CERTIFICATES = (
    "items", "inspections", "benchmarks", "guides", "certificates")
WHAT_CHOICES = [
    (ITEMS, gettext_lazy("Enforcement items")),
    (INSPECTIONS, gettext_lazy("Random-inspection items")),
    (BENCHMARKS, gettext_lazy("Discretion benchmarks")),
    (GUIDES, gettext_lazy("Service guides")),
    (CERTIFICATES, gettext_lazy("Enforcement certificates")),
]

NEW, CHANGED, ENDED = "new", "changed", "ended"
EVENTS: dict[str, Promise] = {
    NEW: pgettext_lazy("change", "New"),
    CHANGED: pgettext_lazy("change", "New version"),
    ENDED: pgettext_lazy("change", "No longer in force"),
}
CERT_EVENT = {
    "issued": pgettext_lazy("change", "Certificate issued"),
    CertificateStatus.SUSPENDED: pgettext_lazy("change", "Certificate suspended"),
    CertificateStatus.REVOKED: pgettext_lazy("change", "Certificate revoked"),
    CertificateStatus.VALID: pgettext_lazy("change", "Certificate valid again"),
    CertificateStatus.EXPIRED: pgettext_lazy("change", "Certificate expired"),
}


@dataclass(frozen=True)
class Change:
    day: dt.date
    area: str  # one of WHAT_CHOICES
    code: str  # new / changed / ended / issued / suspended / revoked / valid / expired
    title: str
    body: str
    url: str
    version: int | None = None

    @property
    def area_label(self) -> Any:
        return dict(WHAT_CHOICES)[self.area]

    @property
    def event(self) -> Promise:
        return EVENTS.get(self.code) or CERT_EVENT[self.code]

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        return (self.day, self.area, self.title)


class ChangeFilterForm(PublicFilterForm):
    days = forms.ChoiceField(label=pgettext_lazy("changes list", "Period"), choices=DAYS_CHOICES,
                             initial=str(DEFAULT_DAYS))
    what = forms.ChoiceField(label=gettext_lazy("Information"), choices=ANY + WHAT_CHOICES)
    body = forms.ChoiceField(label=gettext_lazy("Enforcement body"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = ANY + body_choices()  # type: ignore[attr-defined]


def _capped(qs: QuerySet[Any]) -> tuple[list[Any], bool]:
    """The first ``CAP`` rows of ``qs`` and whether there were more."""
    rows = list(qs[:CAP + 1])
    return rows[:CAP], len(rows) > CAP


def _versioned(qs: QuerySet[Any], *, key: tuple[str, ...], since: dt.date, day: dt.date,
               date_field: str = "effective_from", successors: QuerySet[Any] | None = None,
               ) -> tuple[list[Any], list[Any], bool]:
    """Versions that started in the window, versions that ended in it without a successor
    (in ``successors``, same ``key``, starting the day the version ended), and whether
    either list was cut."""
    started, more = _capped(qs.filter(**{f"{date_field}__gte": since, f"{date_field}__lte": day})
                            .order_by(f"-{date_field}", "-id"))
    nxt = (successors if successors is not None else qs.model.objects.all()).filter(
        effective_from=OuterRef("effective_to"), **{k: OuterRef(k) for k in key})
    ended, more_ended = _capped(qs.filter(effective_to__gte=since, effective_to__lte=day)
                                .exclude(Exists(nxt)).order_by("-effective_to", "-id"))
    return started, ended, more or more_ended


def _item_changes(since: dt.date, day: dt.date, body: str | None) -> tuple[list[Change], bool]:
    # an item is listed when its version is in force AND its legality review passed: the later
    qs = publishable_item_versions().annotate(
        listed_on=Greatest(F("effective_from"), F("legality_reviewed_on"))
    ).select_related("body")
    if body:
        qs = qs.filter(body__public_id=body)
    started, ended, cut = _versioned(qs, key=("body", "code"), since=since, day=day,
                                     date_field="listed_on",
                                     successors=publishable_item_versions())
    out = [Change(i.listed_on, ITEMS, NEW if i.version == 1 else CHANGED, i.name, i.body.name,
                  reverse("portal:item", args=[i.public_id]), i.version) for i in started]
    out += [Change(i.effective_to, ITEMS, ENDED, i.name, i.body.name, "", i.version)
            for i in ended]
    return out, cut


def _inspection_changes(since: dt.date, day: dt.date,
                        body: str | None) -> tuple[list[Change], bool]:
    qs = RandomInspectionItem.objects.filter(body__status=BodyStatus.ACTIVE).select_related(
        "body")
    if body:
        qs = qs.filter(body__public_id=body)
    started, ended, cut = _versioned(qs, key=("body", "code"), since=since, day=day)
    url = reverse("portal:inspections")
    out = [Change(i.effective_from, INSPECTIONS, NEW if i.version == 1 else CHANGED, i.name,
                  i.body.name, f"{url}?{urlencode({'body': i.body.public_id})}", i.version)
           for i in started]
    out += [Change(i.effective_to, INSPECTIONS, ENDED, i.name, i.body.name, "", i.version)
            for i in ended]
    return out, cut


def _benchmark_changes(since: dt.date, day: dt.date,
                       body: str | None) -> tuple[list[Change], bool]:
    qs = DiscretionBenchmark.objects.select_related("issuing_body", "region")
    if body:
        qs = qs.filter(issuing_body__public_id=body)
    started, ended, cut = _versioned(qs, key=("region", "code"), since=since, day=day)

    def issuer(b: DiscretionBenchmark) -> str:
        return b.issuing_body.name if b.issuing_body else b.region.name

    out = [Change(b.effective_from, BENCHMARKS, NEW if b.version == 1 else CHANGED,
                  b.violation, issuer(b), reverse("portal:benchmark", args=[b.public_id]),
                  b.version) for b in started]
    out += [Change(b.effective_to, BENCHMARKS, ENDED, b.violation, issuer(b), "", b.version)
            for b in ended]
    return out, cut


def _guide_changes(since: dt.date, day: dt.date, body: str | None) -> tuple[list[Change], bool]:
    qs = ServiceGuide.objects.filter(
        item__in=publishable_item_versions(), effective_from__gte=since, effective_from__lte=day,
    ).select_related("item", "item__body")
    if body:
        qs = qs.filter(item__body__public_id=body)
    rows, cut = _capped(qs.order_by("-effective_from", "-id"))
    out = [Change(g.effective_from, GUIDES, NEW if g.version == 1 else CHANGED, g.item.name,
                  g.item.body.name, reverse("portal:guide", args=[g.item.public_id]), g.version)
           for g in rows]
    return out, cut


def _certificate_changes(since: dt.date, day: dt.date,
                         body: str | None) -> tuple[list[Change], bool]:
    people: dict[str, str] = {"person__status": PersonStatus.ACTIVE,
                              "person__body__status": BodyStatus.ACTIVE}
    if body:
        people["person__body__public_id"] = body
    certs = Certificate.objects.filter(**people).select_related("person", "person__body").only(
        "id", "number", "issue_date", "expiry_date", "person__id", "person__name",
        "person__body", "person__body__id", "person__body__name")
    lookup = reverse("portal:certificate_lookup")

    def change(c: Certificate, when: dt.date, event: str) -> Change:
        return Change(when, CERTIFICATES, event, f"{c.person.name} · {c.number}",
                      c.person.body.name, f"{lookup}?{urlencode({'number': c.number})}")

    issued, cut_issued = _capped(certs.filter(issue_date__gte=since, issue_date__lte=day)
                                 .order_by("-issue_date", "-id"))
    # expired on the day after the expiry date (the certificate is valid through it)
    expired, cut_expired = _capped(certs.filter(
        expiry_date__gte=since - dt.timedelta(days=1), expiry_date__lt=day,
    ).order_by("-expiry_date", "-id"))
    status, cut_status = _capped(
        CertificateStatusChange.objects.filter(
            effective_date__gte=since, effective_date__lte=day,
            **{f"certificate__{k}": v for k, v in people.items()})
        .select_related("certificate", "certificate__person", "certificate__person__body")
        .only("id", "effective_date", "to_status", "certificate__id", "certificate__number",
              "certificate__person__id", "certificate__person__name",
              "certificate__person__body", "certificate__person__body__id",
              "certificate__person__body__name")
        .order_by("-effective_date", "-id"))
    out = [change(c, c.issue_date, "issued") for c in issued]
    out += [change(c, c.expiry_date + dt.timedelta(days=1), CertificateStatus.EXPIRED)
            for c in expired]
    out += [change(s.certificate, s.effective_date, s.to_status) for s in status
            if s.to_status in CERT_EVENT]
    return out, cut_issued or cut_expired or cut_status


SOURCES = {
    ITEMS: _item_changes,
    INSPECTIONS: _inspection_changes,
    BENCHMARKS: _benchmark_changes,
    GUIDES: _guide_changes,
    CERTIFICATES: _certificate_changes,
}


def changes_between(*, since: dt.date, day: dt.date, what: str | None = None,
                    body: str | None = None) -> tuple[list[Change], bool]:
    """Every change from ``since`` to ``day`` (both included), newest first, and whether a
    source had more than ``CAP`` of them."""
    rows: list[Change] = []
    cut = False
    for area, source in SOURCES.items():
        if what and area != what:
            continue
        found, more = source(since, day, body)
        rows += found
        cut = cut or more
    rows.sort(key=lambda c: c.sort_key, reverse=True)
    return rows, cut


@public_page
def change_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = ChangeFilterForm(request.GET or None)
    f = form.values()
    days = int(f.get("days") or DEFAULT_DAYS)
    since = day - dt.timedelta(days=days - 1)
    rows, cut = changes_between(since=since, day=day, what=f.get("what"), body=f.get("body"))
    page, query = page_of(request, rows)
    return render(request, "portal/registry/changes.html", {
        "form": form, "page": page, "query": query, "today": day, "since": since,
        "cut": cut, "cap": CAP, "days": days,
        "updated": rows[0].day if rows else None,
    })
