"""What the case page shows: header, parties, officers with their certificates, deadlines in
working days, the actions this user may take now (as forms), pending approvals with their
ladder, the ledger timeline with its verification state, and the procedure's flowchart.

The page is drawn the same way after a refused POST, with the refused form filled in as it
was sent and the reasons next to it (see ``cases_act``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhifa.cases.flowchart import procedure_svg
from zhifa.cases.models import (
    ApprovalDecision,
    ApprovalRequest,
    Case,
    CaseDeadline,
    CaseOfficer,
    DeadlineState,
    Party,
)
from zhifa.cases.procedures import Action, Procedure
from zhifa.cases.selectors import case_view_for, may_see_full_id_numbers
from zhifa.core.validators import mask_id_number
from zhifa.ledger.selectors import EntryView, stream_entries
from zhifa.orgs.models import AccountRole, Certificate, CertificateStatusChange
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import VALIDITY_REASON_TEXT, certificate_validity
from zhifa.workdays.calendar import working_days_between

from ..case_forms import ActionForm, ApprovalDecisionForm, action_form, display_value
from .common import render_page
from .reviews import REVIEW_STEPS, review_summary

ARCHIVE_ACTION = "archive"

ENTRY_STATUS_TEXT = {
    "verified": _("Verified"),
    "pending": _("Awaiting a signed checkpoint"),
    "broken": _("Verification failed"),
}


@dataclass(frozen=True)
class PartyRow:
    party: Party
    identifier: str


@dataclass(frozen=True)
class OfficerRow:
    officer: CaseOfficer
    valid: bool
    certificate: str  # number of a certificate valid for the case today
    reasons: list[str]


@dataclass(frozen=True)
class DeadlineRow:
    deadline: CaseDeadline
    running: bool
    days_left: int | None  # working days from today to the due date, negative when overdue
    overdue: bool
    paused: bool
    lapsed: bool = False  # a party's period that has ended: the agency may go on

    @property
    def days_overdue(self) -> int:
        return -(self.days_left or 0)


@dataclass
class LadderStep:
    role: str
    state: str  # done, current, waiting
    by: str = ""
    comment: str = ""


@dataclass
class ApprovalFeedback:
    """Why a decision on a request was refused, and the form as it was sent."""

    form: ApprovalDecisionForm
    error: str = ""
    refusals: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class DecisionText:
    """The decision document a pending ``decide`` is made on, as the approver must see it:
    its three reasons and what is decided, with a link to its PDF preview."""

    doc: Any  # zhifa.documents.models.Document
    title: str
    values: list[tuple[str, str]]  # (label, drafted value)


@dataclass
class ApprovalRow:
    request: ApprovalRequest
    label: str
    steps: list[LadderStep]
    data: list[tuple[str, str]]
    can_decide: bool
    can_withdraw: bool
    form: ApprovalDecisionForm
    error: str = ""
    refusals: list[dict[str, Any]] = field(default_factory=list)
    decision: DecisionText | None = None


# what the approver of a decision reads of its document: the three reasons, then what is
# decided (湖南省行政程序规定; 行政处罚法第五十九条)
DECISION_SHOWN = ("证据采信理由", "依据选择理由", "裁量理由", "处罚内容", "不予处罚理由")


def decision_text(req: ApprovalRequest) -> DecisionText | None:
    """The decision document of a pending ``decide`` request (None for other requests)."""
    if req.action != "decide":
        return None
    from zhifa.documents import doctypes
    from zhifa.documents.services.checks import decision_document_for

    doc = decision_document_for(req.case, str(req.data.get("outcome") or ""))
    if doc is None:
        return None
    t = doctypes.doctype(doc.doc_type)
    labels = {f.name: str(f.label) for f in t.fields}
    values = [(labels[name], str(doc.fields.get(name) or "")) for name in DECISION_SHOWN
              if name in labels]
    return DecisionText(doc=doc, title=t.title, values=values)


def officer_rows(case: Case, officers: list[CaseOfficer], today: dt.date) -> list[OfficerRow]:
    certificates = (Certificate.objects.filter(person__in=[o.person_id for o in officers])
                    .prefetch_related("areas", "categories", Prefetch(
                        "status_changes", queryset=CertificateStatusChange.objects.order_by(
                            "effective_date", "id")))
                    .order_by("-expiry_date", "id"))
    by_person: dict[int, list[Certificate]] = {}
    for cert in certificates:
        by_person.setdefault(cert.person_id, []).append(cert)
    rows = []
    for officer in officers:
        valid_number, reasons = "", []
        for cert in by_person.get(officer.person_id, []):
            v = certificate_validity(cert, day=today, region=case.region, sector=case.sector)
            if v.valid:
                valid_number = cert.number
                break
            reasons += [str(VALIDITY_REASON_TEXT[r]) for r in v.reasons
                        if str(VALIDITY_REASON_TEXT[r]) not in reasons]
        if not valid_number and not by_person.get(officer.person_id):
            reasons = [str(_("No enforcement certificate."))]
        rows.append(OfficerRow(officer=officer, valid=bool(valid_number),
                               certificate=valid_number, reasons=reasons))
    return rows


def deadline_rows(case: Case, proc: Procedure, deadlines: list[CaseDeadline],
                  today: dt.date) -> list[DeadlineRow]:
    paused = any(p.last_day is None for p in case.pauses.all())
    rows = []
    for d in deadlines:
        running = d.state == DeadlineState.RUNNING
        rows.append(DeadlineRow(
            deadline=d, running=running,
            days_left=working_days_between(today, d.due) if running else None,
            overdue=d.overdue_on(today), lapsed=d.lapsed_on(today),
            paused=running and paused and d.rule_code in proc.pausable))
    # running first (soonest due first), then the met and cancelled ones
    rows.sort(key=lambda r: (not r.running, r.deadline.due, r.deadline.pk))
    return rows


def approval_rows(user: Any, proc: Procedure, pending: list[ApprovalRequest],
                  decidable: list[ApprovalRequest],
                  feedback: dict[int, ApprovalFeedback] | None = None) -> list[ApprovalRow]:
    roles = dict(AccountRole.choices)
    decisions: dict[int, list[ApprovalDecision]] = {}
    for d in ApprovalDecision.objects.filter(request__in=pending).select_related(
            "actor__person").order_by("id"):
        decisions.setdefault(d.request_id, []).append(d)
    decidable_ids = {r.pk for r in decidable}
    handles = Perm.HANDLE_CASES in perms_of(user)
    rows = []
    for req in pending:
        action: Action | None = proc.action(req.action)
        done = {d.step: d for d in decisions.get(req.pk, []) if d.approved}
        steps = []
        for i, role in enumerate(req.steps):
            state = "done" if i < req.current else ("current" if i == req.current else "waiting")
            decision = done.get(i)
            by = ""
            if decision is not None:
                person = decision.actor.person
                by = person.name if person is not None else decision.actor.username
            steps.append(LadderStep(role=str(roles.get(role, role)), state=state, by=by,
                                    comment=decision.comment if decision else ""))
        data = [(next((str(f.label) for f in action.fields if f.name == k), k) if action else k,
                 display_value(action, k, v)) for k, v in req.data.items() if v not in ("", [])]
        row = ApprovalRow(
            request=req, label=str(action.label) if action else req.action, steps=steps,
            data=data, can_decide=handles and req.pk in decidable_ids,
            can_withdraw=handles and req.requested_by_id == user.pk,
            form=ApprovalDecisionForm(), decision=decision_text(req))
        given = (feedback or {}).get(req.pk)
        if given is not None:
            row.form, row.error, row.refusals = given.form, given.error, given.refusals
        rows.append(row)
    return rows


def case_page(request: HttpRequest, case: Case, *, bound: ActionForm | None = None,
              approval_feedback: dict[int, ApprovalFeedback] | None = None,
              status: int = 200) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    view = case_view_for(user=user, case=case)
    case, proc = view.case, view.procedure
    full_id = may_see_full_id_numbers(user, case)
    # a step already waiting for approval is shown with its request, not as a form again
    waiting = {r.action for r in view.pending}
    # archiving builds the case-file package: it is done on the archive tab, not by the
    # generic action form
    archive_ready = any(a.code == ARCHIVE_ACTION for a in view.actions)
    # the legal-review steps are taken on the review page, with the package, the opinion
    # over the review points and the discussion record (never as plain steps)
    review_steps = [a for a in view.actions if a.code in REVIEW_STEPS]
    actions = [a for a in view.actions if a.code not in waiting and a.code != ARCHIVE_ACTION
               and a.code not in REVIEW_STEPS]
    forms = [bound if bound is not None and bound.code == a.code else action_form(a, today=today)
             for a in actions]
    stray_error = bound if bound is not None and bound.code not in {a.code for a in actions} \
        else None
    entries: list[EntryView] = stream_entries(stream=case.stream)
    deadlines = deadline_rows(case, proc, view.deadlines, today)
    approvals = approval_rows(user, proc, view.pending, view.decidable, approval_feedback)
    context = {
        "case": case,
        "procedure": proc,
        "stage": proc.stage(case.stage),
        "parties": [PartyRow(party=p, identifier=p.credit_code or (
            p.id_number if full_id else mask_id_number(p.id_number))) for p in view.parties],
        "officers": officer_rows(case, view.officers, today),
        "deadlines": deadlines,
        "has_provisional": any(r.running and r.deadline.provisional for r in deadlines),
        "action_forms": forms,
        "stray_error": stray_error,
        "approvals": approvals,
        # a refusal about a request that is no longer pending (decided meanwhile)
        "stray_approval": next((f for pk, f in (approval_feedback or {}).items()
                                if pk not in {a.request.pk for a in approvals}), None),
        "entries": entries,
        "entry_status_text": {k: str(v) for k, v in ENTRY_STATUS_TEXT.items()},
        "archive_ready": archive_ready,
        "review_steps": review_steps,
        "review": review_summary(case),
        "flowchart": procedure_svg(proc, current=case.stage),
        "today": today,
    }
    return render_page(request, "web/cases/detail.html", context, status=status)
