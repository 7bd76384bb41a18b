"""Who reviews: the legal reviewers of the body's legal-review office, never one of the case's
handlers, and for a penalty decision not someone reviewing for the first time without the
legal professional qualification (APL art. 58 §2). A head assigns; a reviewer may take a
case himself. ``reviewer_ratio``: the reviewers against the officers (国办发〔2018〕118号: in
principle not below 5 %)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseOfficer
from zhifa.cases.procedures import BUILTIN, procedure_get
from zhifa.cases.services._access import require_handling
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole, EnforcementBody, Person, PersonStatus, RoleKind

from ..events import REVIEW_ASSIGNED
from ..models import OPEN_STATES, RequestState, ReviewRequest, ReviewRound, RoundState

PENALTY = "penalty"
RATIO_TARGET = 0.05


def _is_penalty(case: Case) -> bool:
    return procedure_get(case.procedure, body=case.body).category == PENALTY


def _has_reviewed_penalty(person: Person) -> bool:
    """Whether the person has given an opinion on a penalty decision before."""
    decided = ReviewRound.objects.filter(reviewer=person, state=RoundState.DECIDED)
    builtin = [code for code, p in BUILTIN.items() if p.get("category") == PENALTY]
    if decided.filter(request__case__procedure__in=builtin).exists():
        return True
    cases = (Case.objects.filter(review__rounds__in=decided).exclude(procedure__in=list(BUILTIN))
             .select_related("body").distinct())
    return any(_is_penalty(c) for c in cases)


def reviewer_problems(*, case: Case, person: Person) -> list[dict[str, str]]:
    """Why ``person`` cannot review ``case`` ([] when he can)."""
    out: list[dict[str, str]] = []

    def add(code: str, message: str) -> None:
        out.append({"code": code, "message": message})

    if person.body_id != case.body_id:
        add("reviewer_other_body", _("The reviewer must belong to the case's enforcement body."))
    if person.status != PersonStatus.ACTIVE:
        add("reviewer_inactive", _("%(name)s is no longer in post.") % {"name": person.name})
    if not person.roles.filter(kind=RoleKind.REVIEWER).exists():
        add("reviewer_not_reviewer", _("%(name)s is not a legal reviewer.")
            % {"name": person.name})
    office_id = case.body.legal_review_office_id
    if office_id is not None and person.department_id != office_id:
        add("reviewer_not_in_office", _("%(name)s does not work in the legal review office.")
            % {"name": person.name})
    if person.pk == case.handler_id or CaseOfficer.objects.filter(case=case,
                                                                  person=person).exists():
        add("reviewer_is_handler", _("The legal reviewer may not be one of the case's "
                                     "handlers."))
    if _is_penalty(case) and not person.has_legal_qualification \
            and not _has_reviewed_penalty(person):
        add("reviewer_unqualified",
            _("A first legal review of a penalty decision needs the legal professional "
              "qualification (行政处罚法第五十八条第二款)."))
    return out


def eligible_reviewers(*, case: Case) -> list[Person]:
    people = (Person.objects.filter(body_id=case.body_id, status=PersonStatus.ACTIVE,
                                    roles__kind=RoleKind.REVIEWER)
              .distinct().order_by("name", "id"))
    return [p for p in people if not reviewer_problems(case=case, person=p)]


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
    """Record the assignment (the caller checked it with ``require_assign``)."""
    previous = rnd.reviewer.name if rnd.reviewer is not None else ""
    rnd.reviewer = reviewer
    rnd.assigned_by = actor
    rnd.assigned_at = timezone.now()
    rnd.save(update_fields=["reviewer", "assigned_by", "assigned_at", "updated_at"])
    request.state = RequestState.IN_REVIEW
    request.save(update_fields=["state", "updated_at"])
    case = request.case
    ledger_append(actor=actor, event=REVIEW_ASSIGNED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": rnd.number, "reviewer": reviewer.name,
                           "reviewer_id": str(reviewer.public_id), "previous": previous})


@transaction.atomic
def review_assign(*, actor: Any, request: ReviewRequest, reviewer: Person) -> ReviewRound:
    """Assign (or reassign, before the opinion) the reviewer of the open round."""
    request = (ReviewRequest.objects.select_for_update(of=("self",))
               .select_related("case__body").get(pk=request.pk))
    case = request.case
    require_assign(actor, case, reviewer)
    if request.state not in OPEN_STATES:
        raise ApplicationError(_("The review is not waiting for a reviewer or an opinion."),
                               code="review_not_open")
    rnd = request.rounds.select_related("reviewer").get(number=request.current_round)
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
