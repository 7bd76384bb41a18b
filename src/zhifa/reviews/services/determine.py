"""Keep each case's determination current: evaluated again whenever the proposed decision or
the hearing changes (a step listener, in the step's transaction), and on demand. A change of
result (required or not, or the reasons) is a ledger entry on the case's stream.

``current_determination`` is the live answer every page, the API and the stored row share:
a voluntary request counts once it is sent (as the gate counts it), and a licensing case is
measured by the decision a review concerns there, the refusal (as the submission is)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import pgettext

from zhifa.ledger.services import ledger_append

from ..events import REVIEW_DETERMINED
from ..models import RequestState, ReviewDetermination, ReviewRequest
from ..triggers import SCOPE_LICENSING, Determination, evaluate, label, review_scope, source

# steps after which the determination is evaluated again: the proposal (the investigation
# report), the hearing, and the steps that follow them
REEVALUATE_ON = ("submit_report", "hold_hearing", "register", "accept")
# the decision documents: a package's draft decision, and those whose issue the gate
# checks again
PENALTY_DECISIONS = ("penalty_decision", "no_penalty_decision")
LICENSING_DECISIONS = ("licensing_decision",)
DECISION_DOCUMENTS = PENALTY_DECISIONS + LICENSING_DECISIONS


def sent_voluntarily(request: ReviewRequest | None) -> bool:
    """A voluntary request counts once it is sent: a package being prepared (or withdrawn)
    does not make the decision wait."""
    return request is not None and request.voluntary and request.state not in (
        RequestState.DRAFT, RequestState.WITHDRAWN)


def current_determination(case: Any) -> Determination:
    """Whether the case's decision needs review now: its proposal (a licensing case: a
    refusal), its hearing, the catalogue in force today and a voluntary request once sent."""
    request = ReviewRequest.objects.filter(case=case).only("voluntary", "state").first()
    subject: dict[str, Any] = (
        {"action": "deny", "decision": {}} if review_scope(case) == SCOPE_LICENSING else {})
    return evaluate(case, voluntary=sent_voluntarily(request), **subject)


def reasons_text(det: Determination) -> str:
    return "；".join(f"{label(r)}（{source(r)}）" if source(r) else label(r)
                    for r in det.reasons)


@transaction.atomic
def review_determine(*, case: Any, actor: Any) -> tuple[ReviewDetermination, Determination]:
    """Evaluate and store; the ledger entry only when the result (required, the reasons)
    changed, or a first result requires review (a first "not required" is stored without
    one)."""
    det = current_determination(case)
    row, created = ReviewDetermination.objects.get_or_create(case=case)
    fingerprint = det.fingerprint
    changed = not created and (row.fingerprint != fingerprint or row.required != det.required)
    # the row is the latest evaluation (what it looked at, the catalogue in force), whether or
    # not its result changed
    row.required = det.required
    row.reasons = list(det.reasons)
    row.catalogue = det.catalogue
    row.basis = det.basis.as_dict()
    row.fingerprint = fingerprint
    row.save()
    # the entry records a change of the result, and a first result that requires review
    # (a first "not required" is nothing to record: no review was ever required)
    if changed or (created and det.required):
        with translation.override("zh-hans"):
            text = reasons_text(det)
            required_label = str(pgettext("legal review", "required") if det.required
                                 else pgettext("legal review", "not required"))
        ledger_append(actor=actor, event=REVIEW_DETERMINED, stream=case.stream, body=case.body,
                      payload={"case": case.number, "required": det.required,
                               "required_label": required_label,
                               "reasons": list(det.reasons), "reasons_text": text or "—",
                               "catalogue": [det.catalogue.code, det.catalogue.version]
                               if det.catalogue else None,
                               "basis": det.basis.as_dict()})
    return row, det
