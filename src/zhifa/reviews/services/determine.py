"""Keep each case's determination current: evaluated again whenever the proposed decision or
the hearing changes (a step listener, in the step's transaction), and on demand. A change of
result (required or not, or the reasons) is a ledger entry on the case's stream."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import translation

from zhifa.ledger.services import ledger_append

from ..events import REVIEW_DETERMINED
from ..models import ReviewDetermination, ReviewRequest
from ..triggers import Determination, evaluate, label, source

# steps after which the determination is evaluated again: the proposal (the investigation
# report), the hearing, and the steps that follow them
REEVALUATE_ON = ("submit_report", "hold_hearing", "register", "accept")
# the decision documents whose issue the gate checks again
DECISION_DOCUMENTS = ("penalty_decision", "no_penalty_decision", "licensing_decision")


def reasons_text(det: Determination) -> str:
    return "；".join(f"{label(r)}（{source(r)}）" if source(r) else label(r)
                    for r in det.reasons)


@transaction.atomic
def review_determine(*, case: Any, actor: Any) -> tuple[ReviewDetermination, Determination]:
    """Evaluate and store; the ledger entry only when the result changed (a first result
    of "not required" is stored without one)."""
    request = ReviewRequest.objects.filter(case=case).only("voluntary", "state").first()
    det = evaluate(case, voluntary=bool(request and request.voluntary))
    row, created = ReviewDetermination.objects.get_or_create(case=case)
    fingerprint = det.fingerprint
    if created or row.fingerprint != fingerprint or row.required != det.required:
        row.required = det.required
        row.reasons = list(det.reasons)
        row.catalogue = det.catalogue
        row.basis = det.basis.as_dict()
        row.fingerprint = fingerprint
        row.save()
        if created and not det.required:
            return row, det  # nothing to record: no review was ever required
        with translation.override("zh-hans"):
            text = reasons_text(det)
            required_label = str(translation.gettext("required") if det.required
                                 else translation.gettext("not required"))
        ledger_append(actor=actor, event=REVIEW_DETERMINED, stream=case.stream, body=case.body,
                      payload={"case": case.number, "required": det.required,
                               "required_label": required_label,
                               "reasons": list(det.reasons), "reasons_text": text or "—",
                               "catalogue": [det.catalogue.code, det.catalogue.version]
                               if det.catalogue else None,
                               "basis": det.basis.as_dict()})
    return row, det
