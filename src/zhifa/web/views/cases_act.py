"""Taking a step on a case, and deciding or withdrawing an approval request. Each POST calls
one service; a refusal draws the case page again with the form as it was sent and every
reason the service gave (each guard's message with its legal source), and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhifa.cases.models import ApprovalRequest, Case
from zhifa.cases.procedures import procedure_get
from zhifa.cases.selectors import approval_get_for_user, case_get_for_user
from zhifa.cases.services import approval_decide, approval_withdraw, case_act
from zhifa.cases.services.act import GuardRefused
from zhifa.core.errors import ApplicationError, NotFound
from zhifa.orgs.permissions import Perm

from ..case_forms import LATE_FIELD, ApprovalDecisionForm, action_form, action_raw
from .cases_page import ApprovalFeedback, case_page
from .common import found, staff_view
from .reviews import REVIEW_STEPS


def _to_case(case: Case, anchor: str = "") -> HttpResponse:
    url = reverse("web:case_detail", kwargs={"public_id": case.public_id})
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refusals(exc: ApplicationError) -> list[dict[str, Any]]:
    if isinstance(exc, GuardRefused) and isinstance(exc.detail, list):
        return [r for r in exc.detail if isinstance(r, dict)]
    return []


def _warn(request: HttpRequest, warnings: Any) -> None:
    for w in warnings:
        messages.warning(request, _("%(message)s (%(source)s)") % {
            "message": w.message, "source": w.source})


@require_POST
@staff_view(Perm.HANDLE_CASES)
def case_action(request: HttpRequest, public_id: Any, action: str) -> HttpResponse:
    case = found(case_get_for_user, user=request.user, key=public_id)
    proc = procedure_get(case.procedure, body=case.body)
    act = proc.action(action)
    if act is None:
        raise Http404
    if action in REVIEW_STEPS:
        messages.info(request, _("Legal review is submitted, given and discussed on the case's "
                                 "legal review page."))
        return redirect(reverse("web:review_case", kwargs={"public_id": case.public_id}))
    raw = action_raw(act, request.POST)
    late_reason = str(request.POST.get(LATE_FIELD, ""))
    try:
        result = case_act(actor=request.user, case=case, action=action, data=raw,
                          late_reason=late_reason)
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        form = action_form(act, today=timezone.localdate(), post=request.POST,
                           errors={k: str(v) for k, v in detail.items()})
        form.refusals = _refusals(exc)
        if exc.code == "late_reason_required":
            form.show_late, form.late_error = True, exc.message
        elif not form.refusals:
            form.error = exc.message
        return case_page(request, case, bound=form, status=exc.status)
    _warn(request, result.warnings)
    if result.step is None:
        messages.success(request, _("“%(action)s” was sent for approval.") % {
            "action": act.label})
        return _to_case(case, "approvals")
    messages.success(request, _("“%(action)s” was recorded.") % {"action": act.label})
    return _to_case(case)


def _request(request: HttpRequest, public_id: Any, request_id: Any) -> tuple[Case,
                                                                           ApprovalRequest]:
    case = found(case_get_for_user, user=request.user, key=public_id)
    approval = found(approval_get_for_user, user=request.user, public_id=request_id)
    if approval.case_id != case.pk:
        raise Http404
    return case, approval


def _approval_error(request: HttpRequest, case: Case, approval: ApprovalRequest,
                    exc: ApplicationError, form: ApprovalDecisionForm) -> HttpResponse:
    """The case page with this request's panel showing why the decision was refused."""
    refusals = _refusals(exc)
    feedback = ApprovalFeedback(form=form, refusals=refusals,
                                error="" if refusals else exc.message)
    return case_page(request, case, approval_feedback={approval.pk: feedback},
                     status=exc.status)


@require_POST
@staff_view(Perm.HANDLE_CASES)
def approval_decision(request: HttpRequest, public_id: Any, request_id: Any) -> HttpResponse:
    case, approval = _request(request, public_id, request_id)
    decision = request.POST.get("decision")
    if decision not in {"approve", "reject"}:
        return HttpResponseBadRequest()
    form = ApprovalDecisionForm(request.POST)
    form.is_valid()
    comment = form.cleaned_data.get("comment", "") if hasattr(form, "cleaned_data") else ""
    try:
        result = approval_decide(actor=request.user, request=approval,
                                 approve=decision == "approve", comment=comment)
    except ApplicationError as exc:
        if isinstance(exc.detail, dict) and "comment" in exc.detail:
            form.add_error("comment", str(exc.detail["comment"]))
        return _approval_error(request, case, approval, exc, form)
    if decision == "reject":
        messages.success(request, _("The request was sent back."))
    elif result.step is not None:
        _warn(request, result.warnings)
        messages.success(request, _("Approved: “%(action)s” was recorded.") % {
            "action": result.step.label})
    else:
        messages.success(request, _("Approved; the request goes to the next step."))
    return _to_case(case)


@require_POST
@staff_view(Perm.HANDLE_CASES)
def approval_withdrawal(request: HttpRequest, public_id: Any, request_id: Any) -> HttpResponse:
    case, approval = _request(request, public_id, request_id)
    try:
        approval_withdraw(actor=request.user, request=approval)
    except ApplicationError as exc:
        return _approval_error(request, case, approval, exc, ApprovalDecisionForm())
    messages.success(request, _("The request was withdrawn."))
    return _to_case(case)
