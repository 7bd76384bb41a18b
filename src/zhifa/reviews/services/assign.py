"""Who reviews: the legal reviewers of the body's legal-review office, never one of the case's
handlers, and for a penalty decision not someone reviewing for the first time without the
legal professional qualification (APL art. 58 §2). A head assigns; a reviewer may take a
case himself. ``reviewer_ratio``: the reviewers against the officers (国办发〔2018〕118号: in
principle not below 5 %)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseOfficer, CustomProcedure
from zhifa.cases.procedures import BUILTIN, procedure_from_row, procedure_get
from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import (
    AccountRole,
    EnforcementBody,
    Person,
    PersonRole,
    PersonStatus,
    RoleKind,
)

from ..events import REVIEW_ASSIGNED
from ..models import OPEN_STATES, RequestState, ReviewRequest, ReviewRound, RoundState

PENALTY = "penalty"
RATIO_TARGET = 0.05


def _is_penalty(case: Case) -> bool:
    return procedure_get(case.procedure, body=case.body).category == PENALTY


def _experienced(person_ids: Iterable[int]) -> set[int]:
    """Those of ``person_ids`` who have given an opinion on a penalty decision before (at
    most three queries whatever their number)."""
    ids = list(person_ids)
    decided = ReviewRound.objects.filter(reviewer_id__in=ids, state=RoundState.DECIDED)
    builtin = [code for code, p in BUILTIN.items() if p.get("category") == PENALTY]
    out = set(decided.filter(request__case__procedure__in=builtin)
              .values_list("reviewer_id", flat=True))
    custom = set(decided.exclude(reviewer_id__in=out)
                 .exclude(request__case__procedure__in=list(BUILTIN))
                 .values_list("reviewer_id", "request__case__body_id",
                              "request__case__procedure"))
    if custom:
        rows = CustomProcedure.objects.filter(body_id__in={b for _p, b, _c in custom},
                                              code__in={c for _p, _b, c in custom})
        penalty = {(row.body_id, row.code) for row in rows
                   if procedure_from_row(row).category == PENALTY}
        out |= {p for p, b, c in custom if (b, c) in penalty}
    return out


@dataclass(frozen=True)
class _CaseFacts:
    """What the eligibility of any reviewer for one case depends on, read once."""

    case: Case
    handlers: frozenset[int]
    reviewers: frozenset[int]
    experienced: frozenset[int]
    penalty: bool


def _case_facts(case: Case, people: list[Person]) -> _CaseFacts:
    """The case's handlers, which of ``people`` are legal reviewers and (for a penalty
    decision) which have reviewed one before: a fixed number of queries for any number of
    people."""
    ids = [p.pk for p in people]
    handlers = set(CaseOfficer.objects.filter(case=case).values_list("person_id", flat=True))
    if case.handler_id is not None:
        handlers.add(case.handler_id)
    reviewers = PersonRole.objects.filter(person_id__in=ids, kind=RoleKind.REVIEWER)
    penalty = _is_penalty(case)
    unqualified = [p.pk for p in people if not p.has_legal_qualification]
    return _CaseFacts(
        case=case, handlers=frozenset(handlers),
        reviewers=frozenset(reviewers.values_list("person_id", flat=True)),
        experienced=frozenset(_experienced(unqualified) if penalty and unqualified else ()),
        penalty=penalty)


def _problems(facts: _CaseFacts, person: Person) -> list[dict[str, str]]:
    case = facts.case
    out: list[dict[str, str]] = []

    def add(code: str, message: str) -> None:
        out.append({"code": code, "message": message})

    if person.body_id != case.body_id:
        add("reviewer_other_body", _("The reviewer must belong to the case's enforcement body."))
    if person.status != PersonStatus.ACTIVE:
        add("reviewer_inactive", _("%(name)s is no longer in post.") % {"name": person.name})
    if person.pk not in facts.reviewers:
        add("reviewer_not_reviewer", _("%(name)s is not a legal reviewer.")
            % {"name": person.name})
    office_id = case.body.legal_review_office_id
    if office_id is not None and person.department_id != office_id:
        add("reviewer_not_in_office", _("%(name)s does not work in the legal review office.")
            % {"name": person.name})
    if person.pk in facts.handlers:
        add("reviewer_is_handler", _("The legal reviewer may not be one of the case's "
                                     "handlers."))
    if facts.penalty and not person.has_legal_qualification \
            and person.pk not in facts.experienced:
        add("reviewer_unqualified",
            _("A first legal review of a penalty decision needs the legal professional "
              "qualification (行政处罚法第五十八条第二款)."))
    return out


def reviewer_problems(*, case: Case, person: Person) -> list[dict[str, str]]:
    """Why ``person`` cannot review ``case`` ([] when he can)."""
    return _problems(_case_facts(case, [person]), person)


def eligible_reviewers(*, case: Case) -> list[Person]:
    """The body's reviewers who may review ``case``, in a fixed number of queries."""
    people = list(Person.objects.filter(body_id=case.body_id, status=PersonStatus.ACTIVE,
                                        roles__kind=RoleKind.REVIEWER)
                  .distinct().order_by("name", "id"))
    if not people:
        return []
    facts = _case_facts(case, people)
    return [p for p in people if not _problems(facts, p)]


def require_assign(actor: Any, case: Case, reviewer: Person) -> None:
    """A head of the case's body assigns any eligible reviewer; a legal reviewer only
    himself. Refused with the first problem of the reviewer otherwise."""
    require_handling(actor, case.body)
    roles = actor.roles or []
    if AccountRole.HEAD not in roles:
        if AccountRole.REVIEWER not in roles:
            raise PermissionDenied(_("Only a head or a legal reviewer can assign the review."),
                                   code="review_assign_forbidden")
        if actor.person_id != reviewer.pk:
            raise PermissionDenied(_("A legal reviewer can only take a review himself."),
                                   code="review_assign_self_only")
    problems = reviewer_problems(case=case, person=reviewer)
    if problems:
        raise InvalidInput(problems[0]["message"], code=problems[0]["code"], detail=problems)


def assign_round(actor: Any, request: ReviewRequest, rnd: ReviewRound,
                 reviewer: Person) -> None:
    """Record the assignment (the caller checked it with ``require_assign``). A reviewer
    taking over from another starts from a blank opinion: the previous one's draft is not
    his."""
    previous = rnd.reviewer.name if rnd.reviewer is not None else ""
    fields = ["reviewer", "assigned_by", "assigned_at", "updated_at"]
    if rnd.reviewer_id is not None and rnd.reviewer_id != reviewer.pk:
        rnd.points, rnd.outcome, rnd.opinion, rnd.changes_required = [], "", "", ""
        rnd.opinion_saved_at = None
        fields += ["points", "outcome", "opinion", "changes_required", "opinion_saved_at"]
    rnd.reviewer = reviewer
    rnd.assigned_by = actor
    rnd.assigned_at = timezone.now()
    rnd.save(update_fields=fields)
    request.state = RequestState.IN_REVIEW
    request.save(update_fields=["state", "updated_at"])
    case = request.case
    ledger_append(actor=actor, event=REVIEW_ASSIGNED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": rnd.number, "reviewer": reviewer.name,
                           "reviewer_id": str(reviewer.public_id), "previous": previous})


@transaction.atomic
def review_assign(*, actor: Any, request: ReviewRequest, reviewer: Person) -> ReviewRound:
    """Assign (or, a head, reassign before the opinion) the reviewer of the open round. A
    legal reviewer takes only a round nobody has taken yet."""
    request = (ReviewRequest.objects.select_for_update(of=("self",))
               .select_related("case__body").get(pk=request.pk))
    case = request.case
    require_assign(actor, case, reviewer)
    if request.state not in OPEN_STATES:
        raise ApplicationError(_("The review is not waiting for a reviewer or an opinion."),
                               code="review_not_open")
    rnd = request.rounds.select_related("reviewer").get(number=request.current_round)
    if AccountRole.HEAD not in (actor.roles or []) and (
            request.state != RequestState.SUBMITTED or rnd.reviewer_id is not None):
        raise ApplicationError(_("This review has already been taken: only a head can "
                                 "assign it to another reviewer."),
                               code="review_already_assigned")
    assign_round(actor, request, rnd, reviewer)
    return rnd


@dataclass(frozen=True, kw_only=True)
class Ratio:
    reviewers: int
    officers: int
    ratio: float | None
    target: float = RATIO_TARGET
    meets: bool


def reviewer_ratio(*, body: EnforcementBody) -> Ratio:
    """Active legal reviewers ÷ active enforcement officers of the body."""
    active = Person.objects.filter(body=body, status=PersonStatus.ACTIVE)
    reviewers = active.filter(roles__kind=RoleKind.REVIEWER).distinct().count()
    officers = active.filter(roles__kind=RoleKind.OFFICER).distinct().count()
    ratio = reviewers / officers if officers else None
    return Ratio(reviewers=reviewers, officers=officers, ratio=ratio,
                 meets=ratio is not None and ratio >= RATIO_TARGET)
