"""Before enforcement (事前公开): what the public portal reads from the registry and the
catalogues, and the helpers its pages share.

Everything here is computed live from the rows the staff keep, for the day the page is asked
for, so the pages are always current (within the portal's cache time):

- bodies: active ones only (a suspended or dissolved body is not presented as enforcing);
- officers: certificates already issued, held by people still in post at an active body; the
  status is the one in force today (``orgs.selectors.with_status_on``);
- enforcement items: the version in force today whose legality review passed (118号) at an
  active body; random-inspection items, service guides and discretion benchmarks: the version
  in force today.

Nothing here ever reads an ID number, a person's phone or a birth date into a page: people
are selected with their public columns only (``PERSON_PUBLIC``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhifa.catalog.models import (
    AmountUnit,
    DiscretionBenchmark,
    EnforcementItem,
    LegalityReviewStatus,
    RandomInspectionItem,
    ServiceGuide,
)
from zhifa.core.money import fen_to_yuan
from zhifa.orgs.models import (
    NOT_YET_ISSUED,
    BodyStatus,
    Certificate,
    CertificateStatus,
    EnforcementBody,
    Person,
    PersonStatus,
    Region,
    RegionLevel,
    Sector,
)
from zhifa.orgs.selectors import with_status_on

PER_PAGE = 50

# The columns of a person a public page may read: never the ID number, phone or anything
# derived from the ID number (birth date).
PERSON_PUBLIC = ("person__id", "person__public_id", "person__name", "person__body",
                 "person__status")


def today() -> dt.date:
    return timezone.localdate()


def parse_uuid(value: Any) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


# --- What is public -------------------------------------------------------------------------
def public_bodies() -> QuerySet[EnforcementBody]:
    return EnforcementBody.objects.filter(status=BodyStatus.ACTIVE).select_related(
        "region", "sector")


def public_items(day: dt.date) -> QuerySet[EnforcementItem]:
    """Items in force on ``day`` whose legality review passed on or before it (118号: only
    reviewed items are published), at active bodies."""
    qs: QuerySet[EnforcementItem] = EnforcementItem.objects.in_force_on(day)
    return qs.filter(
        legality_review_status=LegalityReviewStatus.PASSED,
        legality_reviewed_on__isnull=False, legality_reviewed_on__lte=day,
        body__status=BodyStatus.ACTIVE,
    ).select_related("body", "body__region", "accepting_office", "deciding_office")


def publishable_item_versions() -> QuerySet[EnforcementItem]:
    """Every version that passed the legality review, in force or not (for dated changes)."""
    return EnforcementItem.objects.filter(
        legality_review_status=LegalityReviewStatus.PASSED,
        legality_reviewed_on__isnull=False, body__status=BodyStatus.ACTIVE,
    )


def public_inspection_items(day: dt.date) -> QuerySet[RandomInspectionItem]:
    qs: QuerySet[RandomInspectionItem] = RandomInspectionItem.objects.in_force_on(day)
    return qs.filter(body__status=BodyStatus.ACTIVE).select_related("body", "body__region")


def public_benchmarks(day: dt.date) -> QuerySet[DiscretionBenchmark]:
    """Benchmarks in force on ``day`` (APL art. 34: they are published). A benchmark is a
    regional normative text; it stays public while in force whoever issued it."""
    qs: QuerySet[DiscretionBenchmark] = DiscretionBenchmark.objects.in_force_on(day)
    return qs.select_related("sector", "region", "issuing_body")


def public_guides(day: dt.date) -> QuerySet[ServiceGuide]:
    qs: QuerySet[ServiceGuide] = ServiceGuide.objects.in_force_on(day)
    return qs


def guide_for(item: EnforcementItem, day: dt.date) -> ServiceGuide | None:
    """The service guide in force for ``item``: its own, else the one still in force that was
    written for an earlier version of the same item (a new item version does not void the
    guide the applicants use)."""
    return (
        public_guides(day)
        .filter(item__body_id=item.body_id, item__code=item.code, item__version__lte=item.version)
        .order_by("-item__version", "-version")
        .first()
    )


def public_certificates(day: dt.date, *, issued_only: bool = True) -> QuerySet[Certificate]:
    """Certificates (already issued, unless ``issued_only`` is false) of people in post at
    active bodies, with ``status_on_day`` (valid / suspended / revoked / expired on ``day``,
    or not yet issued)."""
    qs = Certificate.objects.filter(
        person__status=PersonStatus.ACTIVE, person__body__status=BodyStatus.ACTIVE)
    if issued_only:
        qs = qs.filter(issue_date__lte=day)
    qs = (
        qs
        .select_related("person", "person__body")
        .only("id", "public_id", "number", "issuer", "issue_date", "expiry_date", "status",
              "updated_at", *PERSON_PUBLIC, "person__body__id", "person__body__public_id",
              "person__body__name")
        .prefetch_related("areas", "categories")
    )
    return with_status_on(qs, day)


def officers_with_valid_certificate(day: dt.date) -> QuerySet[Person]:
    """People in post holding a certificate valid on ``day`` (whatever their body's status;
    callers narrow it to a body)."""
    certs = with_status_on(Certificate.objects.filter(person=OuterRef("pk")).order_by(), day)
    valid = certs.filter(status_on_day=CertificateStatus.VALID)  # type: ignore[misc]
    return Person.objects.filter(status=PersonStatus.ACTIVE).filter(Exists(valid))


def count_per_body(qs: QuerySet[Any], body_field: str = "body") -> Coalesce:
    """``qs`` (already filtered on ``body_field=OuterRef("pk")``) counted in one correlated
    subquery, so a list of bodies costs the same number of queries however long it is."""
    counted = qs.order_by().values(body_field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def last_updated(qs: QuerySet[Any]) -> dt.date | None:
    """The day the newest of ``qs`` was last changed (local date), for "updated on"."""
    stamp = qs.order_by().aggregate(m=Max("updated_at"))["m"]
    return timezone.localdate(stamp) if stamp else None


def newest(*days: dt.date | None) -> dt.date | None:
    known = [d for d in days if d is not None]
    return max(known) if known else None


def updated_on(obj: Any) -> dt.date:
    return timezone.localdate(obj.updated_at)


# --- Certificate status words ------------------------------------------------------------------
@dataclass(frozen=True)
class StatusWord:
    code: str
    word: Promise  # short: the big word on the lookup page, the badge in lists
    badge: str  # badge-ok / badge-warn / badge-bad
    meaning: Promise  # one sentence for the public


STATUS_WORDS: dict[str, StatusWord] = {
    CertificateStatus.VALID: StatusWord(
        CertificateStatus.VALID, pgettext_lazy("portal certificate status", "Valid"),
        "badge-ok",
        gettext_lazy("The holder may carry out enforcement with this certificate today.")),
    CertificateStatus.SUSPENDED: StatusWord(
        CertificateStatus.SUSPENDED, pgettext_lazy("portal certificate status", "Suspended"),
        "badge-warn",
        gettext_lazy("The certificate is suspended: the holder may not carry out enforcement "
                     "with it today.")),
    CertificateStatus.REVOKED: StatusWord(
        CertificateStatus.REVOKED, pgettext_lazy("portal certificate status", "Revoked"),
        "badge-bad",
        gettext_lazy("The certificate is revoked: the holder may not carry out enforcement "
                     "with it.")),
    CertificateStatus.EXPIRED: StatusWord(
        CertificateStatus.EXPIRED, pgettext_lazy("portal certificate status", "Expired"),
        "badge-bad",
        gettext_lazy("The certificate has expired: the holder may not carry out enforcement "
                     "with it.")),
    NOT_YET_ISSUED: StatusWord(
        NOT_YET_ISSUED, pgettext_lazy("portal certificate status", "Not yet in force"),
        "badge-warn",
        gettext_lazy("The certificate is not in force yet.")),
}

STATUS_FILTER_CHOICES = [
    (code, STATUS_WORDS[code].word)
    for code in (CertificateStatus.VALID, CertificateStatus.SUSPENDED,
                 CertificateStatus.REVOKED, CertificateStatus.EXPIRED)
]


def status_word(code: str) -> StatusWord:
    return STATUS_WORDS.get(code, STATUS_WORDS[CertificateStatus.EXPIRED])


# --- Amounts -------------------------------------------------------------------------------------
def yuan_text(fen: int) -> str:
    text = fen_to_yuan(fen)
    return text[:-3] if text.endswith(".00") else text


def _trim(value: int, scale: int) -> str:
    whole, rest = divmod(value, scale)
    if not rest:
        return str(whole)
    return f"{whole}.{rest:0{len(str(scale)) - 1}d}".rstrip("0")


def amount_text(value: int | None, unit: str) -> str:
    """A benchmark bound for the public: yuan for fixed amounts (stored in fen), "N times" for
    multiples (thousandths), a percentage (hundredths of a percent)."""
    if value is None:
        return ""
    if unit == AmountUnit.MULTIPLE:
        return _("%(n)s times") % {"n": _trim(value, 1000)}
    if unit == AmountUnit.PERCENT:
        return f"{_trim(value, 100)}%"
    return _("%(n)s yuan") % {"n": yuan_text(value)}


def range_text(low: int | None, high: int | None, unit: str) -> str:
    if low is None and high is None:
        return "—"
    return f"{amount_text(low, unit) or '—'} – {amount_text(high, unit) or '—'}"


# --- Filters and pages ---------------------------------------------------------------------------
ANY: list[tuple[str, Any]] = [("", pgettext_lazy("filter", "Any"))]
_DEPTH: dict[str, int] = {RegionLevel.PROVINCE: 0, RegionLevel.CITY: 1, RegionLevel.COUNTY: 2}


def region_choices() -> list[tuple[str, str]]:
    """Regions with an active body in or under them, indented by level (one query)."""
    below = EnforcementBody.objects.filter(
        status=BodyStatus.ACTIVE, region__path__startswith=OuterRef("path")).order_by()
    regions = Region.objects.filter(Exists(below)).exclude(
        level=RegionLevel.TOWNSHIP).order_by("code")
    return [(r.code, "\u3000" * _DEPTH.get(r.level, 3) + r.name) for r in regions]


def sector_choices() -> list[tuple[str, str]]:
    return [(s.code, s.name) for s in Sector.objects.order_by("sort_order", "code")]


def body_choices() -> list[tuple[str, str]]:
    return [(str(b.public_id), b.name) for b in
            EnforcementBody.objects.filter(status=BodyStatus.ACTIVE)
            .order_by("region__code", "name").only("public_id", "name")]


class PublicFilterForm(forms.Form):
    """A GET filter form; an invalid value is ignored (the page shows everything for it)."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        for field in self.fields.values():
            field.required = False

    def values(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {k: v for k, v in cleaned.items() if v not in (None, "") and k not in self.errors}


def region_filter(qs: QuerySet[Any], code: str | None, field: str) -> QuerySet[Any]:
    """Rows whose ``field`` region is the region ``code`` or lies under it."""
    if not code:
        return qs
    return qs.filter(**{f"{field}__path__contains": f"/{code}/"})


def page_of(request: HttpRequest, qs: Any, per_page: int = PER_PAGE) -> tuple[Page[Any], str]:
    """The requested page (an out-of-range or malformed number gives the nearest page) and
    the query string of the other parameters, for the page links."""
    page = Paginator(qs, per_page).get_page(request.GET.get("page"))
    rest = [(k, v) for k, v in request.GET.items() if k != "page" and v]
    return page, urlencode(rest)


def text_query(value: str | None, *fields: str) -> Q:
    q = Q()
    for f in fields:
        q |= Q(**{f"{f}__icontains": value})
    return q
