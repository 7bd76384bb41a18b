"""The publicity clerk's pages (行政执法公示; 国办发〔2018〕118号, APL art. 48).

- ``/disclosure/``: the queue: drafts overdue, due within two working days and the others
  (each with its deadline), withheld, published and closed records, with filters and counts.
- ``/disclosure/<id>/``: one publication side by side: the original record with every masked
  span highlighted and its kind named, and the public record as the portal shows it; the
  deadline and the publicity period; the actions its state allows (terms to mask, approve,
  withhold; withdraw or end early once published); the portal page; its ledger entries.
  A draft also shows whether its masking is stale (the rules, terms or case data in force
  would publish another record: approval is refused until the masking is refreshed, one
  button) or whether the rules in force withhold it, and the names that look unmasked
  after words such as 员工、证人 (``masking.possible_names``), each added to the terms to
  mask with one click.
- ``/disclosure/policies/``: the masking and period rules in force.

Supervisors read the publications of the bodies under their region and change nothing. Each
POST calls one service of ``zhifa.disclosure.services``; a refusal draws the page again with
the form as it was sent and the service's message, and changes nothing. A publication outside
the user's scope is "not found". Forms post plainly (the answer redirects back to the page)
or through HTMX (the answer is the page's body, refusals included, as HTMX swaps no 4xx)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST, require_safe

from zhifa.core.errors import ApplicationError, NotFound
from zhifa.disclosure import staff_selectors as sel
from zhifa.disclosure.masking import possible_names
from zhifa.disclosure.models import DisclosurePolicy, Publication, State, WithholdReason
from zhifa.disclosure.services import (
    publication_approve,
    publication_end_early,
    publication_mask_update,
    publication_withdraw,
    publication_withhold,
)
from zhifa.disclosure.services.publish import DraftCheck, draft_check
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from ..disclosure_forms import (
    ApproveForm,
    EndForm,
    MaskForm,
    PublicationFilterForm,
    WithdrawForm,
    WithholdForm,
    refuse,
)
from .common import found, htmx_target, render_page, staff_view

PAGE = "publication-page"  # the element an HTMX form swaps: the page's body
RESULTS = "results"  # the queue's results under its filters
BUCKET_TITLES: dict[str, Any] = {
    "overdue": gettext_lazy("Overdue"),
    "due_soon": gettext_lazy("Due within two working days"),
    "drafts": gettext_lazy("Other drafts awaiting approval"),
    "withheld": gettext_lazy("Not published"),
    "published": pgettext_lazy("publications", "Published"),
    "closed": gettext_lazy("Ended, withdrawn, expired or cancelled"),
}


def _may_read(user: Any) -> bool:
    return bool(perms_of(user) & {Perm.PUBLISH, Perm.SUPERVISE, Perm.ADMINISTER_SYSTEM})


def _pub(request: HttpRequest, public_id: Any) -> Publication:
    return found(sel.publication_get_for_user, user=request.user, public_id=public_id)


# --- The queue --------------------------------------------------------------------------------
@require_safe
@staff_view()
def publication_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _may_read(user):
        raise PermissionDenied
    today = timezone.localdate()
    form = PublicationFilterForm(request.GET or None, user=user, bodies=visible_bodies(user))
    f = form.filters()
    queue = sel.publication_queue(user, today=today, state=f.get("state", ""),
                                  category=f.get("category", ""), q=f.get("q", ""),
                                  body=f.get("body"))
    context = {"form": form, "queue": queue, "today": today, "titles": BUCKET_TITLES,
               "show_body": "body" in form.fields,
               "results_template": "web/disclosure/_queue_results.html"}
    return render_page(request, "web/disclosure/queue.html", context,
                       partials={RESULTS: "web/disclosure/_queue_results.html"})


# --- One publication --------------------------------------------------------------------------
@dataclass
class Forms:
    mask: MaskForm | None = None
    approve: ApproveForm | None = None
    late: bool = False  # the deadline has passed: approval needs a reason
    withhold: WithholdForm | None = None
    withdraw: WithdrawForm | None = None
    end: EndForm | None = None

    @property
    def any(self) -> bool:
        return any((self.mask, self.approve, self.withhold, self.withdraw, self.end))


def page_forms(user: Any, pub: Publication, today: dt.date, bound: dict[str, Any]) -> Forms:
    """The forms this user may use on the publication now (bound ones: as they were sent)."""
    forms = Forms()
    if not sel.may_act(user, pub):
        return forms
    if pub.state == State.DRAFT:
        forms.mask = bound.get("mask") or MaskForm.of(list(pub.extra_terms or []))
        forms.approve = bound.get("approve") or ApproveForm()
        forms.late = today > pub.due_on or bool(forms.approve.errors.get("late_reason"))
        forms.withhold = bound.get("withhold") or WithholdForm()
    elif pub.state == State.PUBLISHED:  # also one the nightly expiry has not reached yet
        forms.withdraw = bound.get("withdraw") or WithdrawForm(initial={"event_on": today})
        forms.end = bound.get("end") or EndForm()
    return forms


# examples of the words after which a name is looked for (record language: data)
NAME_CUES = "员工、证人、消费者、其妻……"


@dataclass
class NameHint:
    name: str
    terms: str  # the clerk's terms with this name added (the mask form's value)


def name_hints(pub: Publication) -> list[NameHint]:
    """Names that look unmasked in a draft's public record and title (a warning)."""
    if pub.state != State.DRAFT:
        return []
    terms = [t for t in (pub.extra_terms or []) if isinstance(t, str)]
    texts = [pub.title, *(str(v) for v in (pub.public or {}).values())]
    return [NameHint(name, "\n".join([*terms, name])) for name in possible_names(texts)
            if name not in terms]


def portal_url(pub: Publication) -> str:
    """The publication's portal page (its content while public, else the reason it is not),
    for a record that was published."""
    if pub.published_on is None:
        return ""
    return reverse("portal:publication", args=[pub.public_id])


def detail_page(request: HttpRequest, pub: Publication, *, bound: dict[str, Any] | None = None,
                status: int = 200, notice: str = "", refusal: str = "") -> HttpResponse:
    """The page; ``refusal``: a service's message, shown at the top when the form it answers
    is no longer offered (the publication changed state meanwhile)."""
    user = request.user
    today = timezone.localdate()
    bound = bound or {}
    forms = page_forms(user, pub, today, bound)
    if any(getattr(forms, key, None) is form for key, form in bound.items()):
        refusal = ""  # the form shows it
    fields = sel.record_fields(pub)
    check = draft_check(pub) if pub.state == State.DRAFT else DraftCheck()
    kinds = sorted({s.kind for f in fields for s in f.segments if s.kind})
    context = {
        "pub": pub, "fields": fields, "today": today,
        "kind_labels": {k: sel.mask_kind_label(k) for k in [*kinds, *sel.MASK_KINDS]},
        "kinds_used": [(k, sel.mask_kind_label(k)) for k in kinds],
        "mask_count": sum(1 for f in fields for s in f.segments if s.kind),
        "forms": forms,
        "may_act": sel.may_act(user, pub),
        "late": pub.state == State.DRAFT and today > pub.due_on,
        "period": sel.publication_period(pub, today=today),
        "portal_url": portal_url(pub),
        "entries": sel.publication_entries(pub),
        "notice": notice, "refusal": refusal,
        "stale": check.stale,
        "must_withhold": (WithholdReason(check.withhold_reason).label
                          if check.withhold_reason else ""),
        "name_hints": name_hints(pub),
        "name_cues": NAME_CUES,
        "current_terms": "\n".join(pub.extra_terms or []),
    }
    return render_page(request, "web/disclosure/detail.html", context,
                       partials={PAGE: "web/disclosure/_page.html"}, status=status)


@require_safe
@staff_view()
def publication_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    if not _may_read(request.user):
        raise PermissionDenied
    return detail_page(request, _pub(request, public_id))


def _refused(request: HttpRequest, pub: Publication, key: str, form: Any,
             exc: ApplicationError) -> HttpResponse:
    """The page drawn again with ``form`` as it was sent and the service's message."""
    if isinstance(exc, NotFound):
        raise Http404
    refuse(form, exc)
    pub.refresh_from_db()
    status = 200 if htmx_target(request) == PAGE else exc.status
    return detail_page(request, pub, bound={key: form}, status=status, refusal=exc.message)


def _done(request: HttpRequest, pub: Publication, message: str, anchor: str = "") -> HttpResponse:
    if htmx_target(request) == PAGE:
        pub.refresh_from_db()
        return detail_page(request, pub, notice=message)
    messages.success(request, message)
    url = reverse("web:publication_detail", args=[pub.public_id])
    return redirect(url + (f"#{anchor}" if anchor else ""))


@require_POST
@staff_view(Perm.PUBLISH)
def mask(request: HttpRequest, public_id: Any) -> HttpResponse:
    pub = _pub(request, public_id)
    form = MaskForm(request.POST)
    try:
        publication_mask_update(actor=request.user, publication=pub, extra_terms=form.terms())
    except ApplicationError as exc:
        return _refused(request, pub, "mask", form, exc)
    return _done(request, pub, _("The masking was updated."), "side-by-side")


@require_POST
@staff_view(Perm.PUBLISH)
def approve(request: HttpRequest, public_id: Any) -> HttpResponse:
    pub = _pub(request, public_id)
    form = ApproveForm(request.POST)
    try:
        pub = publication_approve(actor=request.user, publication=pub,
                                  late_reason=form.value("late_reason"))
    except ApplicationError as exc:
        return _refused(request, pub, "approve", form, exc)
    return _done(request, pub, _("Published until %(day)s.") % {
        "day": pub.offline_on.isoformat() if pub.offline_on else "—"})


@require_POST
@staff_view(Perm.PUBLISH)
def withhold(request: HttpRequest, public_id: Any) -> HttpResponse:
    pub = _pub(request, public_id)
    form = WithholdForm(request.POST)
    try:
        publication_withhold(actor=request.user, publication=pub, reason=form.value("reason"),
                             note=form.value("note"))
    except ApplicationError as exc:
        return _refused(request, pub, "withhold", form, exc)
    return _done(request, pub, _("The decision will not be published."))


@require_POST
@staff_view(Perm.PUBLISH)
def withdraw(request: HttpRequest, public_id: Any) -> HttpResponse:
    pub = _pub(request, public_id)
    form = WithdrawForm(request.POST)
    try:
        publication_withdraw(actor=request.user, publication=pub, kind=form.value("kind"),
                             reason=form.value("reason"),
                             # a missing or unreadable date is the service's refusal
                             event_on=form.day("event_on"),  # type: ignore[arg-type]
                             late_reason=form.value("late_reason"))
    except ApplicationError as exc:
        return _refused(request, pub, "withdraw", form, exc)
    return _done(request, pub, _("The publication was withdrawn."))


@require_POST
@staff_view(Perm.PUBLISH)
def end(request: HttpRequest, public_id: Any) -> HttpResponse:
    pub = _pub(request, public_id)
    form = EndForm(request.POST)
    try:
        publication_end_early(actor=request.user, publication=pub, reason=form.value("reason"),
                              ended_on=form.day("ended_on"))
    except ApplicationError as exc:
        return _refused(request, pub, "end", form, exc)
    return _done(request, pub, _("The publicity was ended early."))


# --- The rules --------------------------------------------------------------------------------
@require_safe
@staff_view()
def publication_policies(request: HttpRequest) -> HttpResponse:
    if not _may_read(request.user):
        raise PermissionDenied
    policies = list(DisclosurePolicy.objects.select_related("sector")
                    .order_by("sector__code", "id"))
    policies.sort(key=lambda p: p.sector_id is not None)  # the default first
    return render_page(request, "web/disclosure/policies.html", {"policies": policies})


urlpatterns: list[URLPattern] = [
    path("disclosure/", publication_queue, name="publication_queue"),
    path("disclosure/policies/", publication_policies, name="publication_policies"),
    path("disclosure/<uuid:public_id>/", publication_detail, name="publication_detail"),
    path("disclosure/<uuid:public_id>/mask/", mask, name="publication_mask"),
    path("disclosure/<uuid:public_id>/approve/", approve, name="publication_approve"),
    path("disclosure/<uuid:public_id>/withhold/", withhold, name="publication_withhold"),
    path("disclosure/<uuid:public_id>/withdraw/", withdraw, name="publication_withdraw"),
    path("disclosure/<uuid:public_id>/end/", end, name="publication_end"),
]
