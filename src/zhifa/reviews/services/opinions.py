"""The legal reviewer's opinion (法制审核意见): a finding on each of the nine review points, an
outcome and the written opinion, given by the reviewer assigned to the round.

``opinion_save`` keeps a draft of the opinion (not an act: no ledger entry); ``opinion_submit``
gives it: the case step ``record_review_opinion`` is taken (its effect sends the case back to
where it was submitted from, or to the investigation), the round is closed, the request passes
("agree") or goes back to the handler (any other outcome), the 法制审核意见书 is drafted from
the opinion, and the ledger records the opinion with its reviewer; an extension of the
round still waiting for a head is closed as refused (there is no time limit left to extend).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseDeadline, CaseStep, DeadlineState
from zhifa.cases.procedures import procedure_get
from zhifa.cases.services import case_act
from zhifa.cases.services._access import require_handling, require_not_archived
from zhifa.catalog.models import PenaltyKind
from zhifa.core.errors import ApplicationError, InvalidInput, NotFound, PermissionDenied
from zhifa.documents.render.chinese import date_zh, money_figures
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from ..events import REVIEW_OPINION
from ..hooks import review_service_step
from ..models import Finding, Outcome, RequestState, ReviewRequest, ReviewRound, RoundState
from ..points import BY_CODE, POINT_CODES, POINTS
from .assign import reviewer_problems
from .extensions import extensions_close

OPINION_DOCUMENT = "legal_review_opinion"
REVIEW_RULE = "review_7"
NUMERALS = "一二三四五六七八九"
# the comment left on an extension still waiting when the opinion is given (a record, in
# Chinese like the other texts of the file)
EXTENSIONS_CLOSED = "审核意见已出具，延期申请不再处理。"
# what the review passed or returned, as the opinion document names the proposal
PROPOSED = {"penalty": "给予行政处罚", "no_penalty": "不予行政处罚", "transfer": "移送司法机关",
            "deny": "不予行政许可", "grant": "准予行政许可"}


# --- access -----------------------------------------------------------------------------------

def require_in_body(actor: Any, body_id: int, *, code: str = "review_not_found") -> None:
    """Casework rights in the body; another body's review is not found (404), not
    forbidden."""
    if Perm.ADMINISTER_SYSTEM in perms_of(actor):
        return
    person = getattr(actor, "person", None)
    if person is None or person.body_id != body_id:
        raise NotFound(_("Legal review not found."), code=code)
    require_handling(actor, person.body)


def locked_request(actor: Any, request: ReviewRequest) -> ReviewRequest:
    """The request read again under its row lock, its case with it, if the actor may act in
    its body. The case's row is locked first: a case step locks the case, then (in the
    review's hooks) the request, and every review service takes them in that order too."""
    require_in_body(actor, request.body_id)
    case = (Case.objects.select_for_update(of=("self",))
            .select_related("body", "body__legal_review_office").get(pk=request.case_id))
    locked = (ReviewRequest.objects.select_for_update(of=("self",))
              .select_related("body", "body__legal_review_office").get(pk=request.pk))
    locked.case = case
    return locked


def latest_round(request: ReviewRequest) -> ReviewRound | None:
    """The round last submitted (not a next package being prepared)."""
    return (request.rounds.select_related("reviewer").filter(number=request.current_round)
            .first())


def _assigned_round(actor: Any, request: ReviewRequest) -> ReviewRound:
    """The round under review, if the actor is its reviewer."""
    rnd = latest_round(request)
    person_id = getattr(actor, "person_id", None)
    if rnd is None or rnd.reviewer_id is None or rnd.reviewer_id != person_id:
        raise PermissionDenied(_("Only the legal reviewer assigned to this review can give "
                                 "its opinion."), code="review_not_assignee")
    if request.state != RequestState.IN_REVIEW or rnd.state != RoundState.SUBMITTED:
        raise ApplicationError(_("This review is not open for an opinion."),
                               code="review_not_open")
    return rnd


def _require_still_eligible(rnd: ReviewRound, case: Case) -> None:
    """The assigned reviewer may still review the case: he may since have become one of its
    officers, left the office or lost the role (not every procedure's step checks it)."""
    assert rnd.reviewer is not None
    problems = reviewer_problems(case=case, person=rnd.reviewer)
    if problems:
        raise PermissionDenied(problems[0]["message"], code=problems[0]["code"],
                               detail=problems)


# --- validation -------------------------------------------------------------------------------

def _clean_points(points: Any, *, complete: bool) -> tuple[list[dict[str, str]], dict[str, str]]:
    """The points in their fixed order as ``{"code", "finding", "comment"}``, and the problems
    per point code. ``complete``: every point once, with a finding, a comment on a problem."""
    given: dict[str, dict[str, str]] = {}
    errors: dict[str, str] = {}
    for raw in points if isinstance(points, list | tuple) else [points]:
        if not isinstance(raw, Mapping):
            errors["_"] = _("Each review point is given as its code, finding and comment.")
            continue
        code = str(raw.get("code") or "")
        finding = str(raw.get("finding") or "")
        comment = str(raw.get("comment") or "").replace("\r\n", "\n").strip()
        if code not in BY_CODE:
            errors[code or "_"] = _("There is no review point with this code.")
        elif code in given:
            errors[code] = _("This review point is given more than once.")
        elif finding and finding not in Finding.values:
            errors[code] = _("Choose one of the findings.")
        else:
            given[code] = {"code": code, "finding": finding, "comment": comment}
    if complete:
        for code in POINT_CODES:
            point = given.get(code)
            if code in errors:
                continue
            if point is None or not point["finding"]:
                errors[code] = _("Give a finding on this point.")
            elif point["finding"] == Finding.PROBLEM and not point["comment"]:
                errors[code] = _("Explain the problem found.")
    return [given[c] for c in POINT_CODES if c in given], errors


def _invalid(errors: dict[str, Any]) -> InvalidInput:
    return InvalidInput(_("The opinion is not complete: please correct the highlighted "
                          "fields."), code="review_opinion_invalid", detail=errors)


def _contradiction(outcome: str, points: list[dict[str, str]]) -> str:
    problems = [p for p in points if p["finding"] == Finding.PROBLEM]
    if outcome == Outcome.AGREE and problems:
        return _("An opinion that agrees cannot find a problem on a review point: choose "
                 "another outcome or change the findings.")
    if outcome != Outcome.AGREE and not problems:
        return _("Only an opinion that agrees may find no problem: name the problem on the "
                 "review points.")
    return ""


# --- the opinion document ---------------------------------------------------------------------

def proposal_text(case: Case, proposal: Mapping[str, Any]) -> str:
    """The decision submitted, in the words of the document: 拟给予行政处罚：罚款5,000.00元."""
    outcome = str(proposal.get("outcome") or "")
    parts = []
    for kind in proposal.get("kinds") or []:
        label = str(PenaltyKind(kind).label) if kind in PenaltyKind.values else kind
        if kind == "fine" and proposal.get("fine"):
            label += money_figures(int(proposal["fine"]))
        elif kind.startswith("confiscate") and proposal.get("confiscation"):
            label += f"（价值{money_figures(int(proposal['confiscation']))}）"
        parts.append(label)
    what = PROPOSED.get(outcome, "")
    if what and parts:
        what = f"{what}：{'、'.join(parts)}"
    return f"{case.title}（{case.number}）" + (f"，拟{what}" if what else "")


def points_text(points: list[dict[str, str]]) -> str:
    """One line per point: 一、主体合法、执法人员具备资格：无问题。说明."""
    findings = {p["code"]: p for p in points}
    lines = []
    for numeral, point in zip(NUMERALS, POINTS, strict=True):
        given = findings.get(point.code, {})
        finding = str(Finding(given["finding"]).label) if given.get("finding") else ""
        comment = given.get("comment", "")
        lines.append(f"{numeral}、{point.label}：{finding}。{comment}".rstrip())
    return "\n".join(lines)


def reviewer_text(rnd: ReviewRound) -> str:
    person = rnd.reviewer
    if person is None:
        return ""
    if person.legal_qualification_number:
        return f"{person.name}（法律职业资格证书编号：{person.legal_qualification_number}）"
    return person.name


def office_text(body: EnforcementBody) -> str:
    office = body.legal_review_office
    return f"{body.name}{office.name}" if office is not None else body.name


def opinion_fields(case: Case, rnd: ReviewRound) -> dict[str, str]:
    """The 法制审核意见书's values, in Chinese."""
    with translation.override("zh-hans"):
        return {
            "送审事项": proposal_text(case, rnd.proposal or {}),
            "送审日期": date_zh(rnd.submitted_on) if rnd.submitted_on else "",
            "审核要点": points_text(rnd.points),
            "审核结论": str(Outcome(rnd.outcome).label),
            "审核意见": rnd.opinion,
            "修改意见": rnd.changes_required,
            "审核人员": reviewer_text(rnd),
            "法制审核机构": office_text(case.body),
        }


# --- services ---------------------------------------------------------------------------------

@transaction.atomic
def opinion_save(*, actor: Any, request: ReviewRequest, points: list[dict[str, Any]],
                 outcome: str = "", opinion: str = "", changes_required: str = "") -> ReviewRound:
    """Keep the assigned reviewer's draft opinion (only codes and choices are checked). A draft
    is not an act of the review: no ledger entry."""
    request = locked_request(actor, request)
    rnd = _assigned_round(actor, request)
    cleaned, errors = _clean_points(points, complete=False)
    out: dict[str, Any] = {"points": errors} if errors else {}
    if outcome and outcome not in Outcome.values:
        out["outcome"] = _("Choose one of the outcomes.")
    if out:
        raise _invalid(out)
    rnd.points = cleaned
    rnd.outcome = outcome
    rnd.opinion = opinion.strip()
    rnd.changes_required = changes_required.strip()
    rnd.opinion_saved_at = timezone.now()
    rnd.save(update_fields=["points", "outcome", "opinion", "changes_required",
                            "opinion_saved_at", "updated_at"])
    return rnd


def _validate(rnd: ReviewRound, points: Any, outcome: str, opinion: str, changes_required: str,
              decided_on: dt.date) -> list[dict[str, str]]:
    cleaned, point_errors = _clean_points(points, complete=True)
    errors: dict[str, Any] = {"points": point_errors} if point_errors else {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose one of the outcomes.")
    if not opinion:
        errors["opinion"] = _("Write the opinion.")
    if outcome == Outcome.AGREE_WITH_CHANGES and not changes_required:
        errors["changes_required"] = _("State the changes the decision needs.")
    if decided_on > timezone.localdate():
        errors["decided_on"] = _("The date of the opinion cannot be in the future.")
    elif rnd.submitted_on is not None and decided_on < rnd.submitted_on:
        errors["decided_on"] = _("The opinion cannot be dated before the submission (%(day)s).") \
            % {"day": rnd.submitted_on.isoformat()}
    if errors:
        raise _invalid(errors)
    contradiction = _contradiction(outcome, cleaned)
    if contradiction:
        raise InvalidInput(contradiction, code="review_points_contradict",
                           detail={"outcome": contradiction})
    return cleaned


def _take_step(actor: Any, case: Case, rnd: ReviewRound, day: dt.date,
               late_reason: str) -> CaseStep | None:
    """The case step ``record_review_opinion`` where the procedure has it; otherwise the
    review's time limit is marked met here. ``late_reason``: given when the opinion is
    late ("" otherwise)."""
    proc = procedure_get(case.procedure, body=case.body)
    if proc.action("record_review_opinion") is None:
        for d in CaseDeadline.objects.filter(case=case, rule_code=REVIEW_RULE,
                                             state=DeadlineState.RUNNING):
            d.state, d.met_on = DeadlineState.MET, day
            d.late_reason = late_reason
            d.save(update_fields=["state", "met_on", "late_reason"])
        return None
    with review_service_step():
        result = case_act(actor=actor, case=case, action="record_review_opinion",
                          data={"acted_on": day.isoformat(), "outcome": rnd.outcome,
                                "opinion": rnd.opinion},
                          late_reason=late_reason)
    if late_reason:
        # given after the time limit though dated within it: the step met the deadline on
        # its date without a reason; the deadline row keeps the reason all the same
        CaseDeadline.objects.filter(case=case, rule_code=REVIEW_RULE, state=DeadlineState.MET,
                                    met_on=day, late_reason="").update(late_reason=late_reason)
    return result.step


@transaction.atomic
def opinion_submit(*, actor: Any, request: ReviewRequest, points: list[dict[str, Any]],
                   outcome: str, opinion: str, changes_required: str = "",
                   decided_on: dt.date | None = None, late_reason: str = "") -> ReviewRound:
    """Give the opinion of the round under review. Only "agree" passes the review; any other
    outcome returns the case to the handler, who changes it and submits again (or contests
    the opinion)."""
    from zhifa.documents.services import document_draft

    request = locked_request(actor, request)
    rnd = _assigned_round(actor, request)
    case = request.case
    require_not_archived(case)
    _require_still_eligible(rnd, case)
    opinion, changes_required = opinion.strip(), changes_required.strip()
    late_reason = late_reason.strip()
    day = decided_on or timezone.localdate()
    cleaned = _validate(rnd, points, outcome, opinion, changes_required, day)
    # late by the calendar, not by the date typed: an opinion given after the time limit
    # states why, however it is dated
    late = rnd.due is not None and timezone.localdate() > rnd.due
    if late and not late_reason:
        assert rnd.due is not None
        raise ApplicationError(
            _("The legal review was due on %(due)s: record the reason for the delay.")
            % {"due": rnd.due.isoformat()}, code="late_reason_required",
            detail={"due": rnd.due.isoformat()})
    rnd.points, rnd.outcome, rnd.opinion = cleaned, outcome, opinion
    rnd.changes_required = changes_required
    rnd.decided_by, rnd.decided_at, rnd.decided_on = actor, timezone.now(), day
    rnd.late, rnd.late_reason = late, late_reason if late else ""
    rnd.state = RoundState.DECIDED
    step = _take_step(actor, case, rnd, day, late_reason if late else "")
    case = Case.objects.select_related("body", "body__legal_review_office").get(pk=case.pk)
    doc = document_draft(actor=actor, case=case, doc_type=OPINION_DOCUMENT, step=step,
                         fields=opinion_fields(case, rnd))
    rnd.opinion_document = doc
    rnd.save()
    if outcome == Outcome.AGREE:
        request.state = RequestState.PASSED
        request.passed_proposal, request.passed_on = dict(rnd.proposal or {}), day
    else:
        request.state = RequestState.RETURNED
        request.passed_proposal, request.passed_on = {}, None
    request.save(update_fields=["state", "passed_proposal", "passed_on", "updated_at"])
    with translation.override("zh-hans"):
        outcome_label = str(Outcome(outcome).label)
    ledger_append(actor=actor, event=REVIEW_OPINION, stream=case.stream, body=case.body,
                  payload={"case": case.number, "request": str(request.public_id),
                           "round": rnd.number, "outcome": outcome,
                           "outcome_label": outcome_label, "points": cleaned,
                           "opinion": opinion, "changes_required": changes_required,
                           "reviewer": rnd.reviewer.name if rnd.reviewer else "",
                           "decided_on": day.isoformat(),
                           "due": rnd.due.isoformat() if rnd.due else None, "late": late,
                           "late_reason": rnd.late_reason, "document": str(doc.public_id),
                           "state": request.state})
    extensions_close(actor=actor, case=case, rnd=rnd, comment=EXTENSIONS_CLOSED)
    return rnd
