"""Extending a review's time limit: the assigned reviewer asks, a head (not the one who asked)
decides. Once per round, by at most the catalogue's ``extension_days`` working days (3 by
default); an approved extension moves the ``review_7`` deadline and the round's due date."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.procedures import procedure_get
from zhifa.cases.services._access import require_handling
from zhifa.cases.services.deadlines import deadline_refresh
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole

from ..events import REVIEW_EXTENSION_DECIDED, REVIEW_EXTENSION_REQUESTED
from ..models import ExtensionState, RequestState, ReviewExtension, ReviewRequest
from .requests import RULE, case_due, running_deadline

DEFAULT_EXTENSION_DAYS = 3


def extension_limit(request: ReviewRequest) -> int:
    """The most working days one extension may add."""
    if request.catalogue is not None:
        return int(request.catalogue.extension_days)
    return DEFAULT_EXTENSION_DAYS


@transaction.atomic
def extension_request(*, actor: Any, request: ReviewRequest, reason: str,
                      days: int | None = None) -> ReviewExtension:
    request = (ReviewRequest.objects.select_for_update(of=("self",))
               .select_related("case__body", "catalogue").get(pk=request.pk))
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
    # the request first, as every review service locks it, then the extension: an opinion
    # given meanwhile is seen, and two heads do not decide the same extension
    request_id = ReviewExtension.objects.filter(pk=extension.pk).values_list(
        "round__request_id", flat=True).get()
    request = (ReviewRequest.objects.select_for_update(of=("self",))
               .select_related("case__body").get(pk=request_id))
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
        deadline = running_deadline(case, (RULE,))
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
    with translation.override("zh-hans"):
        decision_label = str(extension.get_state_display())
    ledger_append(actor=actor, event=REVIEW_EXTENSION_DECIDED, stream=case.stream,
                  body=case.body, payload={"case": case.number, "round": rnd.number,
                                           "days": extension.days,
                                           "decision": str(extension.state),
                                           "decision_label": decision_label,
                                           "comment": comment, "due": rnd.due,
                                           "extension": str(extension.public_id)})
    return extension
