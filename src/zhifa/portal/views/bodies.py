"""Public pages of the registry: enforcement bodies, their officers, and the certificate
lookup (亮证) by number or by name within a body."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from django import forms
from django.db.models import OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.catalog.models import Article, ItemCategory
from zhifa.orgs.models import Certificate, CertificateStatus, CertificateStatusChange

from ..http import not_found, public_page
from .registry import (
    ANY,
    STATUS_FILTER_CHOICES,
    PublicFilterForm,
    body_choices,
    count_per_body,
    last_updated,
    newest,
    officers_with_valid_certificate,
    page_of,
    parse_uuid,
    public_bodies,
    public_certificates,
    public_inspection_items,
    public_items,
    region_choices,
    region_filter,
    sector_choices,
    status_word,
    text_query,
    today,
    updated_on,
)

# items listed per category on a body's page; the rest are one link away
ITEMS_PER_CATEGORY = 30


# --- Bodies --------------------------------------------------------------------------------
class BodyFilterForm(PublicFilterForm):
    q = forms.CharField(label=gettext_lazy("Name"), max_length=64)
    region = forms.ChoiceField(label=gettext_lazy("Region"))
    sector = forms.ChoiceField(label=gettext_lazy("Sector"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = ANY + region_choices()  # type: ignore[attr-defined]
        self.fields["sector"].choices = ANY + sector_choices()  # type: ignore[attr-defined]


@public_page
def body_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = BodyFilterForm(request.GET or None)
    f = form.values()
    qs = public_bodies()
    if "q" in f:
        qs = qs.filter(text_query(f["q"], "name", "short_name"))
    qs = region_filter(qs, f.get("region"), "region")
    if "sector" in f:
        qs = qs.filter(sector__code=f["sector"])
    qs = qs.annotate(
        item_count=count_per_body(public_items(day).filter(body=OuterRef("pk"))),
        officer_count=count_per_body(
            officers_with_valid_certificate(day).filter(body=OuterRef("pk"))),
    ).order_by("region__code", "name")
    page, query = page_of(request, qs)
    return render(request, "portal/registry/bodies.html", {
        "form": form, "page": page, "query": query, "today": day,
        "updated": last_updated(qs),
    })


def _remedies(items: list[Any]) -> dict[str, list[dict[str, Any]]]:
    """The remedy channels the body's items name, each with how many items name it."""
    reconsideration = Counter((i.reconsideration_body, i.reconsideration_days) for i in items)
    litigation = Counter((i.litigation_court, i.litigation_months) for i in items)
    return {
        "reconsideration": [
            {"body": b, "days": d, "items": n}
            for (b, d), n in sorted(reconsideration.items(), key=lambda kv: (-kv[1], kv[0]))],
        "litigation": [
            {"court": c, "months": m, "items": n}
            for (c, m), n in sorted(litigation.items(), key=lambda kv: (-kv[1], kv[0]))],
    }


@public_page
def body_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    key = parse_uuid(public_id)
    body = public_bodies().filter(public_id=key).first() if key else None
    if body is None:
        return not_found(request)
    day = today()
    items_qs = public_items(day).filter(body=body)
    items = list(
        items_qs.prefetch_related(Prefetch(
            "legal_basis", queryset=Article.objects.select_related("version__law")
            .order_by("version__law__title", "number")))
        .order_by("code")
    )
    order = {code: n for n, (code, _label) in enumerate(ItemCategory.choices)}
    labels = dict(ItemCategory.choices)
    by_category: dict[str, list[Any]] = {}
    for item in items:
        by_category.setdefault(item.category, []).append(item)
    items_url = reverse("portal:items")
    groups = [
        {"code": code, "label": labels.get(code, code), "count": len(rows),
         "items": rows[:ITEMS_PER_CATEGORY],
         "more_url": f"{items_url}?body={body.public_id}&category={code}"}
        for code, rows in sorted(by_category.items(), key=lambda kv: order.get(kv[0], 99))
    ]
    inspections = public_inspection_items(day).filter(body=body)
    return render(request, "portal/registry/body.html", {
        "body": body, "today": day, "groups": groups, "item_count": len(items),
        "remedies": _remedies(items),
        "officer_count": officers_with_valid_certificate(day).filter(body=body).count(),
        "inspection_count": inspections.count(),
        "updated": newest(updated_on(body), last_updated(items_qs)),
    })


# --- Officers ------------------------------------------------------------------------------
class OfficerFilterForm(PublicFilterForm):
    body = forms.ChoiceField(label=gettext_lazy("Enforcement body"))
    category = forms.ChoiceField(label=gettext_lazy("Enforcement category"))
    status = forms.ChoiceField(label=gettext_lazy("Status today"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = ANY + body_choices()  # type: ignore[attr-defined]
        self.fields["category"].choices = ANY + sector_choices()  # type: ignore[attr-defined]
        self.fields["status"].choices = ANY + STATUS_FILTER_CHOICES  # type: ignore[attr-defined]


@public_page
def officer_list(request: HttpRequest) -> HttpResponse:
    day = today()
    form = OfficerFilterForm(request.GET or None)
    f = form.values()
    qs = public_certificates(day)
    if "body" in f:
        qs = qs.filter(person__body__public_id=f["body"])
    if "category" in f:
        qs = qs.filter(categories__code=f["category"])
    if "status" in f:
        qs = qs.filter(status_on_day=f["status"])  # type: ignore[misc]
    qs = qs.order_by("person__body__region__code", "person__body__name", "person__name",
                     "number")
    page, query = page_of(request, qs)
    for cert in page.object_list:
        cert.word = status_word(cert.status_on_day)
    return render(request, "portal/registry/officers.html", {
        "form": form, "page": page, "query": query, "today": day,
        "updated": last_updated(qs),
    })


# --- Certificate lookup (亮证) ------------------------------------------------------------
_SPACES = re.compile(r"\s+")


def _squeeze(value: str) -> str:
    """Full-width letters and digits as ASCII, no spaces (as typed on a phone)."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or ""))


class LookupForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=40,
                             required=False)
    name = forms.CharField(label=gettext_lazy("Holder's full name"), max_length=64,
                           required=False)
    # checked in ``clean`` only when the name is searched: a stray body beside a number does
    # not stop the number's lookup
    body = forms.CharField(label=gettext_lazy("Enforcement body"), required=False,
                           max_length=40, widget=forms.Select)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.body_options = body_choices()
        self.fields["body"].widget.choices = ANY + self.body_options
        self.fields["number"].widget.attrs.update(
            {"autocomplete": "off", "inputmode": "text", "spellcheck": "false"})
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})

    def clean_number(self) -> str:
        return _squeeze(self.cleaned_data.get("number", ""))

    def clean_name(self) -> str:
        return _squeeze(self.cleaned_data.get("name", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("number"):
            return data
        if not (data.get("name") and data.get("body")):
            raise forms.ValidationError(
                _("Enter a certificate number, or the holder's full name and the body."),
                code="lookup_incomplete")
        if data["body"] not in {key for key, _label in self.body_options}:
            raise forms.ValidationError(_("Choose the body from the list."),
                                        code="lookup_body_unknown")
        return data


def _since(cert: Any, day: Any) -> Any:
    """The day a suspension or revocation shown took effect (the latest change in force)."""
    if cert.status_on_day not in (CertificateStatus.SUSPENDED, CertificateStatus.REVOKED):
        return None
    changes = [c for c in cert.status_changes.all() if c.effective_date <= day]
    return changes[-1].effective_date if changes else None


@public_page
def certificate_lookup(request: HttpRequest) -> HttpResponse:
    day = today()
    form = LookupForm(request.GET or None)
    results: list[Certificate] | None = None
    searched = ""
    if form.is_bound and form.is_valid():
        # the reason of a status change is the agency's internal text: only dates are read
        changes = Prefetch("status_changes", queryset=CertificateStatusChange.objects.only(
            "id", "certificate_id", "effective_date", "to_status").order_by(
            "effective_date", "id"))
        qs = public_certificates(day, issued_only=False).prefetch_related(changes)
        number = form.cleaned_data["number"]
        if number:
            searched = number
            # exact (indexed): as typed, or with its letters in capitals
            qs = qs.filter(number__in={number, number.upper()})
        else:
            # only the exact full name within one body: no listing of people by a partial name
            searched = form.cleaned_data["name"]
            qs = qs.filter(person__name=form.cleaned_data["name"],
                           person__body__public_id=form.cleaned_data["body"])
        results = list(qs.order_by("person__body__name", "person__name", "-issue_date",
                                   "number")[:20])
        for cert in results:
            cert.word = status_word(cert.status_on_day)  # type: ignore[attr-defined]
            cert.since = _since(cert, day)  # type: ignore[attr-defined]
    return render(request, "portal/registry/lookup.html", {
        "form": form, "results": results, "searched": searched, "today": day,
        "valid": CertificateStatus.VALID,
    })

