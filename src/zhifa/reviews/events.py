"""Ledger event codes of legal review (7000–7999). Codes are stable and never reused.

Every entry is about one case and goes to the case's stream (``case.stream``): the review is in
the case's hash chain and its archive package, with who submitted, reviewed, disagreed and
decided, and when (APL art. 58; 国办发〔2018〕118号: responsibility of the handler for the
materials, the reviewer for the opinion, the head for the decision)."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

REVIEW_DETERMINED = register_event(7001, "review.determined",
                                   _("Legal review {required_label}: {reasons_text}"))
REVIEW_SUBMITTED = register_event(7002, "review.submitted",
                                  _("Submitted for legal review (round {round}), due {due}"))
REVIEW_ASSIGNED = register_event(7003, "review.assigned",
                                 _("Legal reviewer assigned: {reviewer}"))
REVIEW_OPINION = register_event(7004, "review.opinion",
                                _("Legal review opinion (round {round}): {outcome_label}"))
REVIEW_EXTENSION_REQUESTED = register_event(
    7005, "review.extension_requested",
    _("Extension of the legal review requested: {days} working days"))
REVIEW_EXTENSION_DECIDED = register_event(
    7006, "review.extension_decided", _("Extension of the legal review {decision_label}"))
REVIEW_CONTESTED = register_event(7007, "review.contested",
                                  _("Legal review opinion contested: to collective discussion"))
DISCUSSION_RECORDED = register_event(7008, "review.discussion_recorded",
                                     _("Collective discussion recorded: {conclusion_label}"))
REVIEW_WITHDRAWN = register_event(7009, "review.withdrawn", _("Legal review request withdrawn"))
REVIEW_DRAFT_SAVED = register_event(7010, "review.package_saved",
                                    _("Legal review package saved (round {round})"))
REVIEW_OVERDUE = register_event(7011, "review.overdue",
                                _("Legal review overdue since {due} (round {round})"))
DISCUSSION_OPENED = register_event(7012, "review.discussion_opened",
                                   _("Collective discussion requested: {agenda}"))
