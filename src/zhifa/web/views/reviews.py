"""The legal review pages (重大执法决定法制审核; APL art. 58, 国办发〔2018〕118号).

- ``/cases/<id>/review/``: whether the case's decision needs review and exactly which rules
  said so; the review's state and time limit; every round (the package with its materials,
  the opinion over the nine review points, the opinion document); extensions; collective
  discussions. The forms shown are those the user's role may use now: submitting the package
  (its checklist follows the typing, HTMX), assigning a reviewer or taking the review, the
  opinion (saved as a draft or given), extensions, contesting an opinion, the discussion.
- ``/reviews/``: the queue of the reviewers and heads of a body.
- ``/reviews/kpis/``: per body, review coverage of major decisions, the on-time rate, rounds
  per case, open and overdue reviews, the reviewer ratio.

Each POST calls one service of ``zhifa.reviews.services``; a refusal draws the page again with
the form as it was sent and the service's message, and changes nothing. Another body's case
is "not found"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from zhifa.cases.models import Case, CaseOfficer
from zhifa.cases.procedures import procedure_get
from zhifa.cases.selectors import case_get_for_user
from zhifa.cases.services._access import may_handle
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound
from zhifa.orgs.models import AccountRole, Person, PersonStatus, RoleKind
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.reviews import selectors
from zhifa.reviews.models import (
    CollectiveDiscussion,
    DiscussionState,
    ExtensionState,
    Finding,
    Outcome,
    RequestState,
    ReviewExtension,
    ReviewRequest,
    ReviewRound,
    RoundState,
)
from zhifa.reviews.points import BY_CODE, MATERIALS_BY_CODE
from zhifa.reviews.services.assign import eligible_reviewers, review_assign, reviewer_problems
from zhifa.reviews.services.determine import current_determination
from zhifa.reviews.services.discussions import (
    discussion_open,
    discussion_record,
    review_contest,
)
from zhifa.reviews.services.extensions import (
    extension_decide,
    extension_limit,
    extension_request,
)
from zhifa.reviews.services.opinions import opinion_save, opinion_submit
from zhifa.reviews.services.requests import (
    may_submit,
    review_draft_save,
    review_package,
    review_submit,
)
from zhifa.reviews.triggers import hearing_held_on, label, source

from ..reviews_forms import (
    AssignForm,
    ContestForm,
    DiscussionForm,
    DiscussionOpenForm,
    ExtensionDecisionForm,
    ExtensionForm,
    OpinionForm,
    SubmitForm,
    refuse,
)
from .common import found, render_page, staff_view

# the case steps that are taken on this page, through the review services only
REVIEW_STEPS = ("submit_legal_review", "record_review_opinion", "collective_discussion")
# states in which the handler prepares (again) and submits the package: a passed review is
# submitted again when a hearing was held after it or the decision changed (the gate says so)
SUBMITTABLE = (RequestState.DRAFT, RequestState.RETURNED, RequestState.WITHDRAWN,
               RequestState.PASSED, RequestState.DISCUSSED)
CONTESTABLE = (Outcome.AGREE_WITH_CHANGES, Outcome.DO_NOT_DECIDE, Outcome.TRANSFER)
LICENSING_REVIEW_STAGE = "reviewing"


# --- What the page shows ----------------------------------------------------------------------
@dataclass(frozen=True)
class ReasonView:
    label: str
    source: str
    kind: str


@dataclass(frozen=True)
class MaterialView:
    code: str
    label: str
    required: bool
    present: bool
    refs: list[dict[str, Any]]


@dataclass(frozen=True)
class PointView:
    code: str
    label: str
    finding: str
    finding_label: str
    comment: str


@dataclass
class RoundView:
    round: ReviewRound
    materials: list[MaterialView]
    points: list[PointView]
    reasons: list[ReasonView]
    extensions: list[ReviewExtension]


@dataclass(frozen=True)
class Who:
    """What the user is to this case (the services decide; the page only offers)."""

    person: Person | None
    handle: bool  # handling rights in the case's body, not an auxiliary
    on_case: bool  # an officer on the case, or its handler
    head: bool
    reviewer: bool


@dataclass
class Summary:
    """The review as the case page shows it."""

    required: bool
    reasons: list[str]
    state: str
    state_label: str


@dataclass
class Forms:
    submit: SubmitForm | None = None
    next_round: int = 1
    may_volunteer: bool = False
    package: Any = None
    assign: AssignForm | None = None
    take: bool = False
    take_error: str = ""
    take_problems: list[str] = field(default_factory=list)
    again: bool = False  # submitting again after the review passed
    after_hearing: bool = False  # ... because a hearing was held after it passed
    opinion: OpinionForm | None = None
    late: bool = False
    extension: ExtensionForm | None = None
    contest: ContestForm | None = None
    open: DiscussionOpenForm | None = None
    decide: dict[int, ExtensionDecisionForm] = field(default_factory=dict)
    discussion: dict[int, DiscussionForm] = field(default_factory=dict)


def reason_views(reasons: Any) -> list[ReasonView]:
    return [ReasonView(label=label(r), source=source(r), kind=str(r.get("kind", "")))
            for r in reasons or []]


def material_views(rows: Any) -> list[MaterialView]:
    """A package's materials (``review_package`` rows or a round's snapshot of them)."""
    out = []
    for row in rows or []:
        get = row.get if isinstance(row, dict) else (lambda k, d=None, r=row: getattr(r, k, d))
        code = str(get("code", ""))
        known = MATERIALS_BY_CODE.get(code)
        out.append(MaterialView(code=code, label=str(known.label) if known else
                                str(get("label", code)),
                                required=bool(get("required", True)),
                                present=bool(get("present", False)),
                                refs=list(get("refs", None) or [])))
    return out


def point_views(points: Any) -> list[PointView]:
    findings = dict(Finding.choices)
    out = []
    for p in points or []:
        code = str(p.get("code", ""))
        known = BY_CODE.get(code)
        finding = str(p.get("finding", ""))
        out.append(PointView(code=code, label=str(known.label) if known else code,
                             finding=finding, finding_label=str(findings.get(finding, "—")),
                             comment=str(p.get("comment", ""))))
    return out


def who(user: Any, case: Case) -> Who:
    person = user.person if getattr(user, "person_id", None) else None
    roles = set(user.roles or [])
    on_case = person is not None and (
        case.handler_id == person.pk
        or CaseOfficer.objects.filter(case=case, person=person).exists())
    return Who(person=person,
               handle=may_handle(user, case.body) and AccountRole.AUXILIARY not in roles,
               on_case=on_case, head=AccountRole.HEAD in roles,
               reviewer=AccountRole.REVIEWER in roles)


def review_summary(case: Case) -> Summary:
    """Whether review is required, as the gate sees it now, and the review's state (the case
    page's panel)."""
    det = current_determination(case)
    rq = ReviewRequest.objects.filter(case=case).first()
    return Summary(
        required=det.required,
        reasons=[label(r) for r in det.reasons],
        state=rq.state if rq is not None else "",
        state_label=rq.get_state_display() if rq is not None else "")


def heads_of(case: Case) -> list[Person]:
    return list(Person.objects.filter(body=case.body, status=PersonStatus.ACTIVE,
                                      roles__kind=RoleKind.HEAD).distinct().order_by("name"))


def _stage_allows_submit(case: Case) -> bool:
    proc = procedure_get(case.procedure, body=case.body)
    act = proc.action("submit_legal_review")
    if act is None:
        return case.stage == LICENSING_REVIEW_STAGE
    return case.stage in act.sources


def request_or_none(user: Any, case: Case) -> ReviewRequest | None:
    """The case's review with its rounds (None when the case has none)."""
    try:
        return selectors.request_for_case(user, case)
    except NotFound:
        return None


class Reviewers:
    """The case's eligible reviewers, looked up once per request (the submit and assign forms
    and the take-over all offer them)."""

    def __init__(self, case: Case) -> None:
        self.case = case
        self._people: list[Person] | None = None

    def __call__(self) -> list[Person]:
        if self._people is None:
            self._people = eligible_reviewers(case=self.case)
        return self._people


def page_forms(user: Any, case: Case, rq: ReviewRequest | None, rounds: list[ReviewRound],
               discussions: list[CollectiveDiscussion], w: Who, required_by_rule: bool,
               today: dt.date, bound: dict[str, Any], reviewers: Reviewers) -> Forms:
    """The forms this user may use now (bound ones: as they were sent)."""
    forms = Forms(take_error=bound.get("take", ""))
    state = rq.state if rq is not None else RequestState.DRAFT
    latest = next((r for r in reversed(rounds) if r.state != RoundState.DRAFT), None)
    draft = next((r for r in rounds if r.state == RoundState.DRAFT), None)
    handler_side = may_submit(user, case)
    if handler_side and state in SUBMITTABLE and _stage_allows_submit(case):
        forms.submit = bound.get("submit") or SubmitForm(people=reviewers(), initial={
            "handling_opinion": draft.handling_opinion if draft else "",
            "changes": draft.changes if draft else "",
            "voluntary": bool(rq and rq.voluntary)})
        forms.next_round = len([r for r in rounds if r.state != RoundState.DRAFT]) + 1
        forms.again = state in (RequestState.PASSED, RequestState.DISCUSSED)
        # the latest hearing as its steps record it (a new report clears the case's date)
        heard = hearing_held_on(case) if forms.again and rq is not None else None
        forms.after_hearing = rq is not None and heard is not None \
            and (rq.passed_on is None or rq.passed_on < heard)
        forms.may_volunteer = not required_by_rule
        typed = forms.submit["handling_opinion"].value() or ""
        forms.package = review_package(case=case, handling_opinion=str(typed))
    if latest is not None and state in (RequestState.SUBMITTED, RequestState.IN_REVIEW) \
            and latest.state == RoundState.SUBMITTED and w.handle:
        if w.head:
            forms.assign = bound.get("assign") or AssignForm(
                people=reviewers(),
                initial={"reviewer": str(latest.reviewer.public_id) if latest.reviewer
                         else ""})
        elif w.reviewer and w.person is not None and state == RequestState.SUBMITTED \
                and latest.reviewer_id is None:
            # a reviewer takes a submission nobody has taken; a head reassigns
            if w.person in reviewers():
                forms.take = True
            else:
                forms.take_problems = [p["message"] for p in
                                       reviewer_problems(case=case, person=w.person)]
    mine = latest is not None and w.person is not None and latest.reviewer_id == w.person.pk
    if mine and state == RequestState.IN_REVIEW and latest is not None and rq is not None:
        forms.opinion = bound.get("opinion") or OpinionForm.from_round(latest)
        forms.late = latest.due is not None and today > latest.due
        extensions = list(latest.extensions.all())
        if not any(e.state in (ExtensionState.PENDING, ExtensionState.APPROVED)
                   for e in extensions):
            forms.extension = bound.get("extension") or ExtensionForm(
                limit=extension_limit(rq))
    if w.head and w.handle:
        for r in rounds:
            for e in r.extensions.all():
                if e.state == ExtensionState.PENDING and e.requested_by_id != user.pk:
                    forms.decide[e.pk] = bound.get(f"decide-{e.pk}") or ExtensionDecisionForm()
    if handler_side and w.on_case and state == RequestState.RETURNED and latest is not None \
            and latest.outcome in CONTESTABLE:
        forms.contest = bound.get("contest") or ContestForm()
    pending = [d for d in discussions if d.state == DiscussionState.PENDING]
    if handler_side and case.is_complex and case.discussed_on is None and not pending:
        forms.open = bound.get("open") or DiscussionOpenForm()
    if w.head and w.handle and pending:
        heads = heads_of(case)
        for d in pending:
            forms.discussion[d.pk] = bound.get(f"discussion-{d.pk}") or DiscussionForm(
                people=heads, initial={"held_on": today, "agenda": d.agenda})
    return forms


def review_page(request: HttpRequest, case: Case, *, bound: dict[str, Any] | None = None,
                status: int = 200, reviewers: Reviewers | None = None) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    rq = request_or_none(user, case)
    det = current_determination(case)  # what the gate uses: a voluntary draft does not count
    rounds = list(rq.rounds.all()) if rq is not None else []
    discussions = list(CollectiveDiscussion.objects.filter(case=case)
                       .select_related("presided_by", "record_document", "round",
                                       "raised_by__person", "recorded_by__person")
                       .prefetch_related("attendees__person").order_by("created_at", "id"))
    w = who(user, case)
    required_by_rule = any(r["kind"] != "voluntary" for r in det.reasons)
    views = [RoundView(round=r, materials=material_views(r.materials),
                       points=point_views(r.points), reasons=reason_views(r.determination),
                       extensions=list(r.extensions.all())) for r in rounds]
    submitted = [v for v in views if v.round.state != RoundState.DRAFT]
    context = {
        "case": case, "tab": "review", "rq": rq, "det": det,
        "reasons": reason_views(det.reasons), "notes": det.notes,
        "catalogue": det.catalogue, "rounds": submitted,
        "current": submitted[-1] if submitted else None,
        "discussions": discussions,
        "forms": page_forms(user, case, rq, rounds, discussions, w, required_by_rule, today,
                            bound or {}, reviewers or Reviewers(case)),
        "today": today,
    }
    return render_page(request, "web/reviews/case.html", context, status=status)


# --- Shared helpers ---------------------------------------------------------------------------
def _case(request: HttpRequest, public_id: Any) -> Case:
    return found(case_get_for_user, user=request.user, key=public_id)


def _request(request: HttpRequest, case: Case) -> ReviewRequest:
    return found(selectors.request_for_case, user=request.user, case=case)


def body_person(case: Case, public_id: Any) -> Person | None:
    """A person of the case's body chosen in a form (the service says whether eligible)."""
    try:
        return Person.objects.filter(body=case.body, public_id=str(public_id or "")).first()
    except ValidationError:
        return None


def _to_page(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("web:review_case", kwargs={"public_id": case.public_id})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refused(request: HttpRequest, case: Case, key: str, form: Any, exc: ApplicationError,
             reviewers: Reviewers | None = None) -> HttpResponse:
    if isinstance(exc, NotFound):
        raise Http404
    refuse(form, exc)
    return _again(request, case, key, form, exc.status, reviewers)


def _again(request: HttpRequest, case: Case, key: str, form: Any, status: int,
           reviewers: Reviewers | None = None) -> HttpResponse:
    """The page drawn again with ``form`` as it was sent (refused, or not valid)."""
    case.refresh_from_db()
    return review_page(request, case, bound={key: form}, status=status, reviewers=reviewers)


# --- The case's review page -------------------------------------------------------------------
@require_safe
@staff_view(Perm.VIEW_CASES)
def review_case(request: HttpRequest, public_id: Any) -> HttpResponse:
    return review_page(request, _case(request, public_id))


@require_POST
@staff_view(Perm.HANDLE_CASES)
def package_check(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The package checklist for the handling opinion being typed (HTMX); writes nothing."""
    case = _case(request, public_id)
    package = review_package(case=case,
                             handling_opinion=str(request.POST.get("handling_opinion", "")))
    return render_page(request, "web/reviews/_package.html", {"package": package})


@require_POST
@staff_view(Perm.HANDLE_CASES)
def submit(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    reviewers = Reviewers(case)
    form = SubmitForm(request.POST, people=reviewers())
    form.is_valid()
    data = form.cleaned_data
    try:
        if request.POST.get("intent") == "draft":
            review_draft_save(actor=request.user, case=case,
                              handling_opinion=data.get("handling_opinion", ""),
                              changes=data.get("changes", ""),
                              voluntary=bool(data.get("voluntary")))
            messages.success(request, _("The package was saved."))
            return _to_page(case, "submit")
        result = review_submit(actor=request.user, case=case,
                               handling_opinion=data.get("handling_opinion", ""),
                               changes=data.get("changes", ""),
                               voluntary=bool(data.get("voluntary")),
                               reviewer=form.person("reviewer"))
    except ApplicationError as exc:
        return _refused(request, case, "submit", form, exc, reviewers)
    for warning in result.warnings:
        messages.warning(request, str(warning.get("message", "")))
    messages.success(request, _("Submitted for legal review (round %(round)s), due %(due)s.")
                     % {"round": result.round.number,
                        "due": result.round.due.isoformat() if result.round.due else "—"})
    return _to_page(case)


@require_POST
@staff_view(Perm.HANDLE_CASES)
def assign(request: HttpRequest, public_id: Any) -> HttpResponse:
    """A head assigns a reviewer; a reviewer takes the review (``take``)."""
    case = _case(request, public_id)
    rq = _request(request, case)
    take = request.POST.get("intent") == "take"
    reviewers = Reviewers(case)
    form = AssignForm(request.POST, people=reviewers())
    person = getattr(request.user, "person", None) if take else \
        body_person(case, request.POST.get("reviewer"))
    try:
        if person is None:
            raise InvalidInput(_("Choose the legal reviewer."), code="reviewer_required")
        rnd = review_assign(actor=request.user, request=rq, reviewer=person)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        if take:
            case.refresh_from_db()
            return review_page(request, case, bound={"take": exc.message}, status=exc.status,
                               reviewers=reviewers)
        return _refused(request, case, "assign", form, exc, reviewers)
    reviewer = rnd.reviewer.name if rnd.reviewer else ""
    messages.success(request, _("Legal reviewer assigned: %(name)s.") % {"name": reviewer})
    return _to_page(case, "opinion" if take else "")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def opinion(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    rq = _request(request, case)
    form = OpinionForm(request.POST)
    kwargs: dict[str, Any] = {"points": form.points(), "outcome": form.value("outcome"),
              "opinion": form.value("opinion"),
              "changes_required": form.value("changes_required")}
    try:
        if request.POST.get("intent") == "draft":
            opinion_save(actor=request.user, request=rq, **kwargs)
            messages.success(request, _("The draft opinion was saved."))
            return _to_page(case, "opinion")
        rnd = opinion_submit(actor=request.user, request=rq,
                             late_reason=form.value("late_reason"), **kwargs)
    except ApplicationError as exc:
        return _refused(request, case, "opinion", form, exc)
    messages.success(request, _("The legal review opinion was given: %(outcome)s.")
                     % {"outcome": rnd.get_outcome_display()})
    return _to_page(case, f"round-{rnd.number}")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def extension_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    rq = _request(request, case)
    form = ExtensionForm(request.POST, limit=extension_limit(rq))
    if not form.is_valid():  # days that are not a whole number
        return _again(request, case, "extension", form, 400)
    try:
        extension_request(actor=request.user, request=rq,
                          reason=str(request.POST.get("reason", "")).strip(),
                          days=form.cleaned_data.get("days"))
    except ApplicationError as exc:
        return _refused(request, case, "extension", form, exc)
    messages.success(request, _("The extension was requested."))
    return _to_page(case, "extensions")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def extension_decision(request: HttpRequest, public_id: Any, extension_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    rq = _request(request, case)
    ext = ReviewExtension.objects.filter(round__request=rq, public_id=extension_id).first()
    decision = request.POST.get("decision")
    if ext is None or decision not in ("approve", "refuse"):
        raise Http404
    form = ExtensionDecisionForm(request.POST)
    try:
        extension_decide(actor=request.user, extension=ext, approve=decision == "approve",
                         comment=str(request.POST.get("comment", "")).strip())
    except ApplicationError as exc:
        return _refused(request, case, f"decide-{ext.pk}", form, exc)
    messages.success(request, _("The extension was approved.") if decision == "approve"
                     else _("The extension was refused."))
    return _to_page(case, "extensions")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def contest(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    rq = _request(request, case)
    form = ContestForm(request.POST)
    try:
        review_contest(actor=request.user, request=rq,
                       grounds=str(request.POST.get("grounds", "")).strip())
    except ApplicationError as exc:
        return _refused(request, case, "contest", form, exc)
    messages.success(request, _("The opinion was contested: the heads will discuss the case."))
    return _to_page(case, "discussions")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def discussion_new(request: HttpRequest, public_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    form = DiscussionOpenForm(request.POST)
    try:
        discussion_open(actor=request.user, case=case,
                        agenda=str(request.POST.get("agenda", "")).strip())
    except ApplicationError as exc:
        return _refused(request, case, "open", form, exc)
    messages.success(request, _("The collective discussion was put on the agenda."))
    return _to_page(case, "discussions")


@require_POST
@staff_view(Perm.HANDLE_CASES)
def discussion(request: HttpRequest, public_id: Any, discussion_id: Any) -> HttpResponse:
    case = _case(request, public_id)
    d = CollectiveDiscussion.objects.filter(case=case, public_id=discussion_id).first()
    if d is None:
        raise Http404
    form = DiscussionForm(request.POST, people=heads_of(case))
    form.is_valid()
    data = form.cleaned_data
    try:
        held_on = data.get("held_on")
        presided_by = form.person("presided_by")
        if held_on is None or presided_by is None:
            raise InvalidInput(
                _("Give the date of the discussion and who presided over it."),
                code="discussion_incomplete")
        discussion_record(actor=request.user, discussion=d, held_on=held_on,
                          presided_by=presided_by, attendees=form.attendees(),
                          conclusion=data.get("conclusion", ""),
                          conclusion_text=data.get("conclusion_text", ""),
                          place=data.get("place", ""), agenda=data.get("agenda", ""))
    except ApplicationError as exc:
        return _refused(request, case, f"discussion-{d.pk}", form, exc)
    messages.success(request, _("The collective discussion was recorded."))
    return _to_page(case, "discussions")


# --- The queue and the indicators -------------------------------------------------------------
def _roles(user: Any) -> set[str]:
    return set(user.roles or [])


@require_safe
@staff_view(Perm.HANDLE_CASES)
def queue(request: HttpRequest) -> HttpResponse:
    if not _roles(request.user) & {AccountRole.REVIEWER, AccountRole.HEAD}:
        raise PermissionDenied
    today = timezone.localdate()
    q = selectors.review_queue(request.user, today=today)
    return render_page(request, "web/reviews/queue.html", {"queue": q, "today": today})


@require_safe
@staff_view(Perm.VIEW_CASES)
def kpis(request: HttpRequest) -> HttpResponse:
    roles = _roles(request.user)
    if not (roles & {AccountRole.REVIEWER, AccountRole.HEAD}
            or Perm.SUPERVISE in perms_of(request.user)):
        raise PermissionDenied
    today = timezone.localdate()
    start, end = _period(request, today)
    bodies = selectors.kpi_scope_bodies(request.user)
    rows = [KpiRow(kpi=k, coverage=percent(k.coverage), on_time=percent(k.on_time_rate),
                   rounds_per_case="—" if k.rounds_per_case is None
                   else f"{k.rounds_per_case:.1f}", ratio=percent(k.ratio.ratio))
            for k in selectors.review_kpis(bodies=bodies, start=start, end=end, today=today)]
    return render_page(request, "web/reviews/kpis.html",
                       {"rows": rows, "start": start, "end": end, "today": today})


@dataclass(frozen=True)
class KpiRow:
    kpi: selectors.BodyKpi
    coverage: str
    on_time: str
    rounds_per_case: str
    ratio: str


def percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


def _period(request: HttpRequest, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period asked for (``start``, ``end``; default: this year up to today)."""

    def day(name: str, default: dt.date) -> dt.date:
        try:
            return dt.date.fromisoformat(str(request.GET.get(name, "")))
        except ValueError:
            return default

    start, end = day("start", dt.date(today.year, 1, 1)), day("end", today)
    return (start, end) if start <= end else (end, start)


urlpatterns: list[URLPattern] = [
    path("cases/<uuid:public_id>/review/", review_case, name="review_case"),
    path("cases/<uuid:public_id>/review/package/", package_check, name="review_package"),
    path("cases/<uuid:public_id>/review/submit/", submit, name="review_submit"),
    path("cases/<uuid:public_id>/review/assign/", assign, name="review_assign"),
    path("cases/<uuid:public_id>/review/opinion/", opinion, name="review_opinion"),
    path("cases/<uuid:public_id>/review/extensions/", extension_new, name="review_extension"),
    path("cases/<uuid:public_id>/review/extensions/<uuid:extension_id>/decide/",
         extension_decision, name="review_extension_decide"),
    path("cases/<uuid:public_id>/review/contest/", contest, name="review_contest"),
    path("cases/<uuid:public_id>/review/discussions/", discussion_new,
         name="review_discussion_open"),
    path("cases/<uuid:public_id>/review/discussions/<uuid:discussion_id>/", discussion,
         name="review_discussion"),
    path("reviews/", queue, name="review_queue"),
    path("reviews/kpis/", kpis, name="review_kpis"),
]
