"""Submitting a case for legal review (送审): the package (送审材料), its completeness, the
case step ``submit_legal_review`` that starts the review's time limit, and a package kept
while it is prepared.

The handler is responsible for the materials (国办发〔2018〕118号): a package that lacks a
required material is refused, listing what is missing. The review's time limit is the
catalogue's (``review_days`` working days, 7 by default) and should end before the case's
own deadline; when it does not, the submission goes through with a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhifa.cases.guards import actor_is_auxiliary
from zhifa.cases.models import Case, CaseDeadline, CaseOfficer, CaseStep, DeadlineState
from zhifa.cases.procedures import Procedure, procedure_get
from zhifa.cases.services import case_act
from zhifa.cases.services._access import require_handling, require_not_archived
from zhifa.cases.services.act import available_actions
from zhifa.cases.services.deadlines import deadline_refresh, deadline_start
from zhifa.catalog.models import ReviewCatalogue, default_review_materials
from zhifa.core.errors import ApplicationError, InvalidInput, PermissionDenied
from zhifa.documents import doctypes
from zhifa.documents.models import Document, DocumentState
from zhifa.evidence.models import EvidenceItem, EvidenceKind, ItemState
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole, Person
from zhifa.workdays.calendar import rule_get

from ..events import REVIEW_DRAFT_SAVED, REVIEW_SUBMITTED
from ..hooks import decision_draft_digest, review_service_step
from ..models import RequestState, ReviewRequest, ReviewRound, RoundState
from ..points import MATERIALS
from ..triggers import SCOPE_LICENSING, basis_for, catalogue_for, evaluate, review_scope
from .assign import assign_round, require_assign
from .determine import LICENSING_DECISIONS, PENALTY_DECISIONS, review_determine

STEP = "submit_legal_review"
RULE = "review_7"
# the case's own time limit the review should fit inside
CASE_RULES = ("apl_decision_90", "all_decision_20")
# states in which a new submission is refused: the review (or its discussion) is under way
BUSY_STATES = (RequestState.SUBMITTED, RequestState.IN_REVIEW, RequestState.CONTESTED)
# the stage a licensing case is reviewed at (the procedure has no review step of its own)
LICENSING_STAGE = "reviewing"


@dataclass
class MaterialRow:
    code: str
    label: str
    required: bool
    present: bool
    # {"kind": "document" | "evidence" | "step", "id": public id or step pk, "title": ...}
    refs: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Package:
    materials: list[MaterialRow]
    missing: list[str]


@dataclass
class SubmitResult:
    request: ReviewRequest
    round: ReviewRound
    warnings: list[dict[str, Any]]


# --- the package ------------------------------------------------------------------------------

def required_materials(case: Case, day: dt.date | None = None) -> list[str]:
    """The material codes the body's catalogue in force requires (the default list when
    there is no catalogue or it lists none)."""
    catalogue = catalogue_for(case.body, day or timezone.localdate())
    if catalogue is not None and catalogue.materials:
        return list(catalogue.materials)
    return default_review_materials()


def _doc_ref(doc: Document) -> dict[str, Any]:
    title = doctypes.doctype(doc.doc_type).title
    return {"kind": "document", "id": str(doc.public_id),
            "title": f"{title} {doc.number}" if doc.number else title}


def _step_ref(step: CaseStep) -> dict[str, Any]:
    return {"kind": "step", "id": step.pk, "title": f"{step.label} {step.acted_on.isoformat()}"}


def _evidence_ref(item: EvidenceItem) -> dict[str, Any]:
    return {"kind": "evidence", "id": str(item.public_id), "title": item.title}


def _reasons_filled(doc: Document) -> bool:
    if not doctypes.doctype(doc.doc_type).reasons:
        return True
    return all(str(doc.fields.get(name) or "").strip()
               for name in doctypes.REASONS_ELEMENT.placeholders)


def _found(case: Case, handling_opinion: str) -> dict[str, list[dict[str, Any]] | bool]:
    """Per material code, the case's items that make it present (or a bool for the
    handling opinion, which is typed at submission)."""
    docs = list(Document.objects.filter(case=case).exclude(state=DocumentState.VOIDED)
                .order_by("created_at", "id"))
    decision_types = (LICENSING_DECISIONS if review_scope(case) == SCOPE_LICENSING
                      else PENALTY_DECISIONS)
    items = list(EvidenceItem.objects.filter(case=case, state=ItemState.ACTIVE)
                 .order_by("seq", "id"))
    steps = list(CaseStep.objects.filter(case=case, action__in=("submit_report", "hold_hearing"))
                 .order_by("id"))

    def docs_of(*types: str) -> list[dict[str, Any]]:
        return [_doc_ref(d) for d in docs if d.doc_type in types]

    def steps_of(action: str) -> list[dict[str, Any]]:
        return [_step_ref(s) for s in steps if s.action == action]

    return {
        "draft_decision": [_doc_ref(d) for d in docs
                           if d.doc_type in decision_types and _reasons_filled(d)],
        "evidence_list": [_evidence_ref(i) for i in items],
        "investigation_report": steps_of("submit_report") + docs_of("investigation_report"),
        "hearing_record": steps_of("hold_hearing") + docs_of("hearing_record"),
        "appraisal_reports": [_evidence_ref(i) for i in items
                              if i.kind == EvidenceKind.EXPERT_OPINION],
        "handling_opinion": bool(handling_opinion.strip()),
    }


def _applies(code: str, case: Case, proc: Procedure,
             found: dict[str, list[dict[str, Any]] | bool]) -> bool:
    """Whether the case can have the material at all: the investigation report only in a
    procedure that has one (a licensing review has none), the hearing record only after a
    hearing — one its ``hold_hearing`` step records (a new investigation report clears the
    case's date, not the hearing held: ``triggers.hearing_held_on``) or the case's date."""
    if code == "investigation_report":
        return proc.action("submit_report") is not None
    if code == "hearing_record":
        refs = found["hearing_record"]
        held = isinstance(refs, list) and any(r["kind"] == "step" for r in refs)
        return held or case.hearing_held_on is not None
    return True


def review_package(*, case: Case, handling_opinion: str = "") -> Package:
    """The case's review package as it stands (a pure read): every material that is required
    or present, and the codes of the required ones that are missing."""
    required = set(required_materials(case))
    proc = procedure_get(case.procedure, body=case.body)
    found = _found(case, handling_opinion)
    rows: list[MaterialRow] = []
    for m in MATERIALS:
        refs = found[m.code]
        present = bool(refs)
        needed = (m.code in required and m.when != "optional"
                  and _applies(m.code, case, proc, found))
        if needed or present:
            rows.append(MaterialRow(code=m.code, label=str(m.label), required=needed,
                                    present=present,
                                    refs=list(refs) if isinstance(refs, list) else []))
    return Package(materials=rows, missing=[r.code for r in rows if r.required and not r.present])


# --- who may submit ---------------------------------------------------------------------------

def require_submitter(actor: Any, case: Case) -> None:
    """Handling rights in the case's body, and one of the case's officers or a head; never
    auxiliary staff (the submission is the handler's responsibility for the materials)."""
    require_handling(actor, case.body)
    if actor_is_auxiliary(actor):
        raise PermissionDenied(_("Auxiliary staff may not submit a case for legal review."),
                               code="not_auxiliary")
    if AccountRole.HEAD in (actor.roles or []):
        return
    person_id = getattr(actor, "person_id", None)
    if person_id is None or not CaseOfficer.objects.filter(case=case,
                                                           person_id=person_id).exists():
        raise PermissionDenied(_("Only the case's officers or a head can submit it for legal "
                                 "review."), code="review_submit_forbidden")


def may_submit(actor: Any, case: Case) -> bool:
    """The yes/no form of ``require_submitter``, for pages and API answers."""
    try:
        require_submitter(actor, case)
    except ApplicationError:
        return False
    return True


# --- helpers ------------------------------------------------------------------------------

def _locked(case: Case) -> Case:
    return Case.objects.select_for_update(of=("self",)).select_related("body").get(pk=case.pk)


def _request_locked(case: Case) -> ReviewRequest | None:
    return ReviewRequest.objects.select_for_update().filter(case=case).first()


def _require_not_busy(request: ReviewRequest | None) -> None:
    if request is not None and request.state in BUSY_STATES:
        raise ApplicationError(_("This case is already under legal review."),
                               code="review_already_open")


def _draft_round(request: ReviewRequest | None) -> ReviewRound | None:
    if request is None:
        return None
    return request.rounds.filter(number=request.current_round + 1,
                                 state=RoundState.DRAFT).first()


def _subject(case: Case) -> dict[str, Any]:
    """What the review is asked about, as ``triggers`` takes it: the investigation report's
    proposal; for a licensing case, the denial (the decision a review concerns there)."""
    if review_scope(case) == SCOPE_LICENSING:
        return {"action": "deny", "decision": {}}
    return {}


def proposal_of(case: Case) -> dict[str, Any]:
    """The proposal the review is asked about (the investigation report's)."""
    b = basis_for(case, **_subject(case))
    report = (case.data or {}).get("submit_report", {}) or {}
    return {"outcome": b.outcome, "kinds": list(b.kinds), "fine": b.fine,
            "confiscation": b.confiscation, "facts": str(report.get("facts") or "")}


def _step_allowed(case: Case, proc: Procedure) -> bool:
    if proc.action(STEP) is not None:
        return any(a.code == STEP for a in available_actions(case, proc))
    return review_scope(case) == SCOPE_LICENSING and case.stage == LICENSING_STAGE


def _check_submitted_on(case: Case, on: dt.date) -> None:
    """The submission is dated as a case step is: not ahead of today, nor before the case's
    previous step (or its receipt) — for a procedure without the case step too."""
    if on > timezone.localdate():
        raise InvalidInput(_("The date of submission cannot be in the future."),
                           code="submitted_on_future",
                           detail={"submitted_on": _("The date cannot be in the future.")})
    floor = case.received_on
    last = case.steps.order_by("-id").values_list("acted_on", flat=True).first()
    if last is not None and last > floor:
        floor = last
    if on < floor:
        message = _("The submission cannot be dated before %(day)s, the date of the case's "
                    "previous step (or of its receipt).") % {"day": floor.isoformat()}
        raise InvalidInput(message, code="submitted_on_too_early",
                           detail={"submitted_on": message})


def running_deadline(case: Case, rules: tuple[str, ...]) -> CaseDeadline | None:
    return (CaseDeadline.objects.filter(case=case, rule_code__in=rules,
                                        state=DeadlineState.RUNNING)
            .order_by("-id").first())


def case_due(case: Case) -> dt.date | None:
    d = running_deadline(case, CASE_RULES)
    return d.due if d is not None else None


def exceeds_warning(due: dt.date, case_due_on: dt.date) -> dict[str, Any]:
    return {"code": "review_exceeds_case_deadline",
            "message": _("The legal review is due on %(due)s, after the case's own time limit "
                         "(%(case_due)s): the decision may be late.")
            % {"due": due.isoformat(), "case_due": case_due_on.isoformat()},
            "due": due.isoformat(), "case_due": case_due_on.isoformat()}


def _start_clock(actor: Any, case: Case, proc: Procedure, on: dt.date,
                 catalogue: ReviewCatalogue | None) -> CaseDeadline:
    """Take the case step (or, for a procedure without one, start the time limit) and set
    the catalogue's number of days; the running ``review_7`` deadline."""
    if proc.action(STEP) is not None:
        with review_service_step():
            case_act(actor=actor, case=case, action=STEP, data={"acted_on": on.isoformat()})
        case.refresh_from_db()
        deadline = running_deadline(case, (RULE,))
        assert deadline is not None  # the step starts it
    else:
        deadline = deadline_start(case, proc, RULE, on)
    if catalogue is not None:
        extra = catalogue.review_days - rule_get(RULE).n
        if extra != deadline.extra:
            deadline.extra = extra
            deadline_refresh(deadline, case, proc)
    return deadline


# --- the services -------------------------------------------------------------------------

@transaction.atomic
def review_submit(*, actor: Any, case: Case, handling_opinion: str, changes: str = "",
                  voluntary: bool = False, reviewer: Person | None = None,
                  submitted_on: dt.date | None = None) -> SubmitResult:
    """Submit the case's package for legal review (a new round)."""
    case = _locked(case)
    require_submitter(actor, case)
    require_not_archived(case)
    request = _request_locked(case)
    _require_not_busy(request)
    proc = procedure_get(case.procedure, body=case.body)
    if not _step_allowed(case, proc):
        raise ApplicationError(
            _("The case cannot be submitted for legal review at its present stage."),
            code="review_stage", detail={"stage": case.stage})
    voluntary = voluntary or bool(request is not None and request.voluntary)
    det = evaluate(case, voluntary=voluntary, **_subject(case))
    if not det.required:
        raise ApplicationError(
            _("No rule requires legal review of this decision: submit it voluntarily if you "
              "want a review."), code="review_not_required")
    number = (request.current_round if request is not None else 0) + 1
    changes = changes.strip()
    if number >= 2 and not changes:
        raise InvalidInput(_("Describe what was changed since the last opinion."),
                           code="review_changes_missing",
                           detail={"changes": _("This field is required.")})
    handling_opinion = handling_opinion.strip()
    package = review_package(case=case, handling_opinion=handling_opinion)
    if package.missing:
        labels = [r.label for r in package.materials if r.code in package.missing]
        raise InvalidInput(_("The review package is incomplete: %(missing)s.")
                           % {"missing": "、".join(labels)}, code="review_package_incomplete",
                           detail={"missing": package.missing, "labels": labels})
    if reviewer is not None:
        require_assign(actor, case, reviewer)
    on = submitted_on or timezone.localdate()
    _check_submitted_on(case, on)
    origin = case.stage
    # what the review reads: the proposal, and the drafted decision text it is given
    proposal = {**proposal_of(case), "document_digest": decision_draft_digest(case)}
    deadline = _start_clock(actor, case, proc, on, det.catalogue)
    due_case = case_due(case)
    fits = due_case is None or deadline.due <= due_case
    warnings = [] if fits or due_case is None else [exceeds_warning(deadline.due, due_case)]

    if request is None:
        request = ReviewRequest.objects.create(case=case, body=case.body, created_by=actor)
    rnd = _draft_round(request) or ReviewRound(request=request, number=number)
    rnd.state = RoundState.SUBMITTED
    rnd.proposal = proposal
    rnd.materials = [{k: v for k, v in asdict(r).items() if k != "label"}
                     for r in package.materials]
    rnd.handling_opinion = handling_opinion
    rnd.changes = changes
    rnd.determination = list(det.reasons)
    rnd.submitted_by = actor
    rnd.submitted_at = timezone.now()
    rnd.submitted_on = on
    rnd.due = deadline.due
    rnd.review_days = det.catalogue.review_days if det.catalogue else rule_get(RULE).n
    rnd.case_due = due_case
    rnd.fits = fits
    rnd.save()
    request.state = RequestState.SUBMITTED
    request.current_round = number
    request.origin_stage = origin
    request.voluntary = voluntary
    request.catalogue = det.catalogue
    request.save()
    ledger_append(actor=actor, event=REVIEW_SUBMITTED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": number, "due": deadline.due,
                           "case_due": due_case, "fits": fits,
                           "materials": [r.code for r in package.materials],
                           "proposal": proposal, "reasons": list(det.reasons),
                           "voluntary": voluntary, "handling_opinion": handling_opinion,
                           "changes": changes})
    if reviewer is not None:
        assign_round(actor, request, rnd, reviewer)
    review_determine(case=case, actor=actor)
    return SubmitResult(request=request, round=rnd, warnings=warnings)


@transaction.atomic
def review_draft_save(*, actor: Any, case: Case, handling_opinion: str, changes: str = "",
                      voluntary: bool = False) -> ReviewRound:
    """Keep the package being prepared (the next round, not yet submitted)."""
    case = _locked(case)
    require_submitter(actor, case)
    require_not_archived(case)
    request = _request_locked(case)
    _require_not_busy(request)
    if request is None:
        request = ReviewRequest.objects.create(case=case, body=case.body, created_by=actor)
    rnd = _draft_round(request) or ReviewRound(request=request,
                                               number=request.current_round + 1,
                                               state=RoundState.DRAFT)
    rnd.handling_opinion = handling_opinion.strip()
    rnd.changes = changes.strip()
    rnd.proposal = proposal_of(case)
    rnd.save()
    if voluntary and not request.voluntary:
        request.voluntary = True
        request.save(update_fields=["voluntary", "updated_at"])
    ledger_append(actor=actor, event=REVIEW_DRAFT_SAVED, stream=case.stream, body=case.body,
                  payload={"case": case.number, "round": rnd.number,
                           "handling_opinion": rnd.handling_opinion, "changes": rnd.changes,
                           "voluntary": request.voluntary})
    return rnd
