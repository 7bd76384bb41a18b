"""Publicity for staff (行政执法公示; 国办发〔2018〕118号, APL art. 48): the publications of the
bodies in scope, each with its original (unmasked) fields, its masks and its public fields,
and the publicity clerk's decisions on them: more terms masked, approved (published),
withheld; once published, withdrawn or ended early.

Reads need ``publish`` (publicity clerks and heads: their body's publications) or
``supervise`` (supervisors: the bodies under their region; read only). Every change goes
through its service (``zhifa.disclosure.services``), which checks ``publish`` in the
publication's own body and writes the ledger entry in the same transaction; a refusal
changes nothing. A publication outside the user's scope is 404 ``publication_not_found``.

Error codes: 401 ``not_authenticated``; 403 ``missing_publish``; 404
``publication_not_found``; 400 ``invalid_fields`` (detail: field -> message),
``late_reason_required``, ``reason_required``, ``note_required``, ``event_on_invalid``; 409
``publication_state`` (the publication's state does not allow it; detail: ``state``,
``allowed``); 422 ``invalid_payload``.
"""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from zhifa.core.errors import PermissionDenied
from zhifa.disclosure import staff_selectors as sel
from zhifa.disclosure.models import Publication, State
from zhifa.disclosure.services import (
    publication_approve,
    publication_end_early,
    publication_mask_update,
    publication_withdraw,
    publication_withhold,
)
from zhifa.ledger.services import actor_label
from zhifa.orgs.permissions import Perm, perms_of, require_perm

from .common import DENIED, DENIED_OR_MISSING, REJECTED, paginated, today
from .disclosure_schemas import (
    ApproveIn,
    EndIn,
    MaskIn,
    PublicationDetailOut,
    PublicationListIn,
    PublicationOut,
    WithdrawIn,
    WithholdIn,
)

router = Router(tags=["publicity"])

CHANGED = {200: PublicationDetailOut, **DENIED_OR_MISSING, **REJECTED}


def _require_reader(user: Any) -> None:
    if not perms_of(user) & {Perm.PUBLISH, Perm.SUPERVISE, Perm.ADMINISTER_SYSTEM}:
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_publish")


def _get(user: Any, public_id: str) -> Publication:
    return sel.publication_get_for_user(user=user, public_id=public_id)


def detail_out(user: Any, pub: Publication) -> dict[str, Any]:
    day = today()
    period = sel.publication_period(pub, today=day)
    masks = [m for m in (pub.masks or []) if isinstance(m, dict)]
    return {
        **summary_out(pub, day),
        "original": {k: str(v) for k, v in (pub.original or {}).items()},
        "public": {k: str(v) for k, v in (pub.public or {}).items()},
        "masks": [{"field": str(m.get("field", "")), "kind": str(m.get("kind", "")),
                   "kind_label": sel.mask_kind_label(str(m.get("kind", ""))),
                   "start": int(m.get("start", 0)), "end": int(m.get("end", 0)),
                   "replacement": str(m.get("replacement", ""))} for m in masks],
        "extra_terms": list(pub.extra_terms or []),
        "fine": pub.fine, "confiscation": pub.confiscation, "due_rule": pub.due_rule,
        "late_reason": pub.late_reason,
        "period": {"months": period.months, "basis": period.basis, "starts": period.starts,
                   "offline_on": period.offline_on, "expected": period.expected},
        "approved_by": actor_label(pub.approved_by) if pub.approved_by is not None else None,
        "content_digest": pub.content_digest, "ledger_seq": pub.ledger_seq,
        "withhold_reason": pub.withhold_reason, "withhold_note": pub.withhold_note,
        "end_reason": pub.end_reason, "withdrawal_kind": pub.withdrawal_kind,
        "withdrawal_reason": pub.withdrawal_reason,
        "withdrawal_event_on": pub.withdrawal_event_on, "withdrawal_due": pub.withdrawal_due,
        "may_act": sel.may_act(user, pub),
        "entries": [{"seq": e.seq, "event_code": e.event_code, "text": e.text,
                     "actor_name": e.actor_name, "recorded_at": e.recorded_at}
                    for e in sel.publication_entries(pub)],
    }


def summary_out(pub: Publication, day: Any) -> dict[str, Any]:
    return {
        "public_id": pub.public_id, "state": pub.state, "state_label": pub.get_state_display(),
        "category": pub.category, "category_label": pub.get_category_display(),
        "decision_number": pub.decision_number, "decision_date": pub.decision_date,
        "title": pub.title, "party_display": pub.party_display,
        "body": {"public_id": pub.body.public_id, "name": pub.body.name},
        "case": {"public_id": pub.case.public_id, "number": pub.case.number},
        "due_on": pub.due_on, "overdue": pub.state == State.DRAFT and pub.due_on < day,
        "published_on": pub.published_on, "offline_on": pub.offline_on,
        "withdrawn_on": pub.withdrawn_on, "ended_on": pub.ended_on,
    }


def _answer(user: Any, pub: Publication) -> dict[str, Any]:
    return detail_out(user, _get(user, str(pub.public_id)))


# -- reads ----------------------------------------------------------------------------------

@router.get("/publications", response={200: list[PublicationOut], **DENIED},
            operation_id="visible_publications",
            summary="The publications of the bodies in scope",
            description="Publicity clerks and heads see their body's, supervisors those of "
                        "the bodies under their region. Drafts first by deadline, then the "
                        "latest decisions. `overdue`: drafts past their deadline.")
@paginated
def publications_list(request: HttpRequest, filters: Query[PublicationListIn]) -> Any:
    user = request.user
    _require_reader(user)
    qs = sel.publications_filtered(
        sel.visible_publications(user), state=filters.state or "",
        category=filters.category or "", q=filters.q or "", body=filters.body)
    if filters.overdue is not None:
        late = {"state": State.DRAFT, "due_on__lt": today()}
        qs = qs.filter(**late) if filters.overdue else qs.exclude(**late)
    return (qs.defer("original", "public", "masks", "extra_terms")
            .order_by("-decision_date", "-id"))


@router.get("/publications/{public_id}",
            response={200: PublicationDetailOut, **DENIED_OR_MISSING},
            operation_id="publication_get_for_user",
            summary="One publication: original and public fields, masks, period, entries",
            description="`original` holds the fields as derived from the decision (staff "
                        "only); `masks` each masked span of them (field, kind, offsets); "
                        "`public` the fields as published. For a draft, `period` is the one "
                        "approval today would give (`expected`).")
def publication_get(request: HttpRequest, public_id: str) -> Any:
    _require_reader(request.user)
    return detail_out(request.user, _get(request.user, public_id))


# -- changes --------------------------------------------------------------------------------

@router.post("/publications/{public_id}/mask", response=CHANGED,
             operation_id="publication_mask_update",
             summary="Mask additional terms in a draft",
             description="The list replaces the previous one and the record is masked again "
                         "from its original fields (at most 50 terms of 100 characters: 400 "
                         "invalid_fields). 409 publication_state (not a draft).")
def mask_post(request: HttpRequest, public_id: str, payload: MaskIn) -> Any:
    user = request.user
    require_perm(user, Perm.PUBLISH)
    pub = publication_mask_update(actor=user, publication=_get(user, public_id),
                                  extra_terms=payload.extra_terms)
    return _answer(user, pub)


@router.post("/publications/{public_id}/approve", response=CHANGED,
             operation_id="publication_approve",
             summary="Approve a draft: published today for its period",
             description="After the deadline a reason is required (400 "
                         "late_reason_required). The `disclosure.published` ledger entry "
                         "records the published record's digest. 409 publication_state.")
def approve_post(request: HttpRequest, public_id: str, payload: ApproveIn) -> Any:
    user = request.user
    require_perm(user, Perm.PUBLISH)
    pub = publication_approve(actor=user, publication=_get(user, public_id),
                              late_reason=payload.late_reason)
    return _answer(user, pub)


@router.post("/publications/{public_id}/withhold", response=CHANGED,
             operation_id="publication_withhold",
             summary="Do not publish a draft",
             description="400 invalid_fields (an unknown reason), note_required (secrets or "
                         "privacy, another reason); 409 publication_state.")
def withhold_post(request: HttpRequest, public_id: str, payload: WithholdIn) -> Any:
    user = request.user
    require_perm(user, Perm.PUBLISH)
    pub = publication_withhold(actor=user, publication=_get(user, public_id),
                               reason=payload.reason, note=payload.note)
    return _answer(user, pub)


@router.post("/publications/{public_id}/withdraw", response=CHANGED,
             operation_id="publication_withdraw",
             summary="Withdraw a published decision (changed, revoked, illegal or void)",
             description="Within 3 working days of `event_on`, later with a reason (400 "
                         "late_reason_required). The public reason replaces the record on "
                         "the portal, in feeds and exports. 400 reason_required, "
                         "event_on_invalid, invalid_fields; 409 publication_state.")
def withdraw_post(request: HttpRequest, public_id: str, payload: WithdrawIn) -> Any:
    user = request.user
    require_perm(user, Perm.PUBLISH)
    pub = publication_withdraw(actor=user, publication=_get(user, public_id),
                               kind=payload.kind, reason=payload.reason,
                               event_on=payload.event_on, late_reason=payload.late_reason)
    return _answer(user, pub)


@router.post("/publications/{public_id}/end", response=CHANGED,
             operation_id="publication_end_early",
             summary="End a publication early (credit restoration)",
             description="The record goes offline at once. 400 reason_required, "
                         "invalid_fields (a date in the future or before the publication); "
                         "409 publication_state.")
def end_post(request: HttpRequest, public_id: str, payload: EndIn) -> Any:
    user = request.user
    require_perm(user, Perm.PUBLISH)
    pub = publication_end_early(actor=user, publication=_get(user, public_id),
                                reason=payload.reason, ended_on=payload.ended_on)
    return _answer(user, pub)
