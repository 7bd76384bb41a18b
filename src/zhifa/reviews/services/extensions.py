"""Extending a review's time limit: the assigned reviewer asks, a head (not the one who asked)
decides. Once per round, by at most the catalogue's ``extension_days`` working days (3 by
default); an approved extension moves the ``review_7`` deadline and the round's due date."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseDeadline, DeadlineState
from zhifa.cases.procedures import procedure_get
from zhifa.cases.services._access import require_handling
from zhifa.cases.services.deadlines import deadline_refresh
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole

from ..events import REVIEW_EXTENSION_DECIDED, REVIEW_EXTENSION_REQUESTED
from ..models import ExtensionState, RequestState, ReviewExtension, ReviewRequest, ReviewRound
from .requests import RULE, case_due

DEFAULT_EXTENSION_DAYS = 3


def extension_limit(request: ReviewRequest) -> int:
    """The most working days one extension may add."""
    if request.catalogue is not None:
        return int(request.catalogue.extension_days)
    return DEFAULT_EXTENSION_DAYS


def _locked(request_id: int) -> ReviewRequest:
    """The request under its row lock, its case's row locked first: the order of the case
    steps (the case, then the review in its hooks) and of every review service."""
    case_id = ReviewRequest.objects.filter(pk=request_id).values_list("case_id", flat=True).get()
    case = Case.objects.select_for_update(of=("self",)).select_related("body").get(pk=case_id)
    request = (ReviewRequest.objects.select_for_update(of=("self",))
               .select_related("catalogue").get(pk=request_id))
    request.case = case
    return request


def _decided(actor: Any, case: Case, rnd: ReviewRound, extension: ReviewExtension) -> None:
    """The ledger entry of an extension decided (or closed)."""
    with translation.override("zh-hans"):
        decision_label = str(extension.get_state_display())
    ledger_append(actor=actor, event=REVIEW_EXTENSION_DECIDED, stream=case.stream,
                  body=case.body, payload={"case": case.number, "round": rnd.number,
                                           "days": extension.days,
                                           "decision": str(extension.state),
                                           "decision_label": decision_label,
                                           "comment": extension.comment, "due": rnd.due,
                                           "extension": str(extension.public_id)})


@transaction.atomic
def extension_request(*, actor: Any, request: ReviewRequest, reason: str,
                      days: int | None = None) -> ReviewExtension:
    request = _locked(request.pk)
    case = request.case
    require_handling(actor, case.body)
    rnd = request.rounds.get(number=request.current_round) if request.current_round else None
    if rnd is None or rnd.reviewer_id is None or rnd.reviewer_id != actor.person_id:
        raise PermissionDenied(_("Only the assigned legal reviewer can ask for more time."),
                               code="review_not_assignee")
    if request.state != RequestState.IN_REVIEW:
        raise ApplicationError(_("The review is not under way."), code="review_not_open")
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the extension."), code="reason_required",
                           detail={"reason": _("This field is required.")})
    limit = extension_limit(request)
    days = limit if days is None else days
    if days < 1 or days > limit:
        raise InvalidInput(_("An extension is 1 to %(limit)d working days.") % {"limit": limit},
                           code="review_extension_too_long", detail={"days": days,
                                                                     "limit": limit})
    states = set(rnd.extensions.values_list("state", flat=True))
    if ExtensionState.APPROVED in states:
        raise ApplicationError(_("This round's time limit has already been extended once."),
                               code="review_extension_used")
    if ExtensionState.PENDING in states:
        raise ApplicationError(_("An extension is already waiting for approval."),
                               code="review_extension_pending")
    extension = ReviewExtension.objects.create(round=rnd, days=days, reason=reason,
                                               requested_by=actor)
    ledger_append(actor=actor, event=REVIEW_EXTENSION_REQUESTED, stream=case.stream,
                  body=case.body, payload={"case": case.number, "round": rnd.number,
                                           "days": days, "reason": reason,
                                           "extension": str(extension.public_id)})
    return extension


@transaction.atomic
def extension_decide(*, actor: Any, extension: ReviewExtension, approve: bool,
                     comment: str = "") -> ReviewExtension:
    # the case and the request first, as every review service locks them, then the
    # extension: an opinion given meanwhile is seen, and two heads do not decide the same
    # extension
    request = _locked(ReviewExtension.objects.filter(pk=extension.pk).values_list(
        "round__request_id", flat=True).get())
    extension = (ReviewExtension.objects.select_for_update(of=("self",))
                 .select_related("round").get(pk=extension.pk))
    rnd = extension.round
    case = request.case
    require_handling(actor, case.body)
    if AccountRole.HEAD not in (actor.roles or []) or actor.pk == extension.requested_by_id:
        raise PermissionDenied(_("A head other than the one who asked decides on the "
                                 "extension."), code="extension_decide_forbidden")
    if extension.state != ExtensionState.PENDING:
        raise ApplicationError(_("This extension has already been decided."),
                               code="review_extension_decided")
    if request.state != RequestState.IN_REVIEW or rnd.number != request.current_round:
        raise ApplicationError(_("The review is not under way."), code="review_not_open")
    comment = comment.strip()
    if not approve and not comment:
        raise InvalidInput(_("Give the reason for refusing."), code="comment_required",
                           detail={"comment": _("This field is required.")})
    if approve:
        # under its row lock: the days are added to the value the row holds now
        deadline = (CaseDeadline.objects.select_for_update()
                    .filter(case=case, rule_code=RULE, state=DeadlineState.RUNNING)
                    .order_by("-id").first())
        if deadline is None:
            raise ApplicationError(_("There is no running time limit to extend."),
                                   code="nothing_to_extend")
        deadline.extra += extension.days
        deadline_refresh(deadline, case, procedure_get(case.procedure, body=case.body))
        rnd.due = deadline.due
        rnd.extended_days += extension.days
        rnd.case_due = case_due(case)
        rnd.fits = rnd.case_due is None or rnd.due <= rnd.case_due
        # a round alerted as overdue is alerted again if it misses the extended date too
        rnd.overdue_alerted = False
        rnd.save(update_fields=["due", "extended_days", "case_due", "fits", "overdue_alerted",
                                "updated_at"])
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by = actor
    extension.decided_at = timezone.now()
    extension.comment = comment
    extension.save(update_fields=["state", "decided_by", "decided_at", "comment", "updated_at"])
    _decided(actor, case, rnd, extension)
    return extension


def extensions_close(*, actor: Any, case: Case, rnd: ReviewRound, comment: str) -> None:
    """The round's extensions still waiting for a head, closed as refused with ``comment``
    by nobody's decision (the opinion was given: there is no time limit left to extend);
    each a ledger entry by ``actor``. Part of the caller's transaction, which holds the
    request's row lock."""
    now = timezone.now()
    for extension in (ReviewExtension.objects.select_for_update(of=("self",))
                      .filter(round=rnd, state=ExtensionState.PENDING).order_by("id")):
        extension.state = ExtensionState.REFUSED
        extension.decided_by, extension.decided_at = None, now
        extension.comment = comment
        extension.save(update_fields=["state", "decided_by", "decided_at", "comment",
                                      "updated_at"])
        _decided(actor, case, rnd, extension)
