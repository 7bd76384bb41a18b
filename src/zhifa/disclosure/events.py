"""Ledger event codes of publicity (8000–8999). Codes are stable and never reused.

A publication's entries go to its case's stream (``case.stream``): publishing is part of the
case's whole-process record. Their payloads hold only what the public may see (the published
record's digest, never the original fields), because the portal shows the publication's
entry with its inclusion proof. Annual reports go to ``disclosure.reports``; policy changes to
``disclosure.config``."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

PUBLICATION_DRAFTED = register_event(
    8001, "disclosure.drafted", _("Publication drafted ({category}), publish by {due}"))
PUBLICATION_MASK_CHANGED = register_event(
    8002, "disclosure.masking_changed", _("Publication masking changed by the publicity clerk"))
PUBLICATION_PUBLISHED = register_event(
    8003, "disclosure.published",
    _("Decision {decision_number} published until {offline_on} (digest {content_digest})"))
PUBLICATION_WITHHELD = register_event(
    8004, "disclosure.withheld", _("Decision {decision_number} not published: {reason_label}"))
PUBLICATION_WITHDRAWN = register_event(
    8005, "disclosure.withdrawn",
    _("Publication of {decision_number} withdrawn: {reason}"))
PUBLICATION_ENDED = register_event(
    8006, "disclosure.ended", _("Publicity of {decision_number} ended early: {reason}"))
PUBLICATION_EXPIRED = register_event(
    8007, "disclosure.expired",
    _("Publicity period of {decision_number} ended on {offline_on}"))
PUBLICATION_DUE_SOON = register_event(
    8008, "disclosure.due_soon", _("Publication of {decision_number} due on {due}"))
PUBLICATION_OVERDUE = register_event(
    8009, "disclosure.overdue", _("Publication of {decision_number} overdue since {due}"))
PUBLICATION_CANCELLED = register_event(
    8010, "disclosure.cancelled",
    _("Publication draft of {decision_number} cancelled: the decision document was voided"))
REPORT_COMPUTED = register_event(
    8011, "disclosure.report_computed", _("Annual enforcement report {year} computed"))
REPORT_PUBLISHED = register_event(
    8012, "disclosure.report_published",
    _("Annual enforcement report {year} published (digest {content_digest})"))
REPORT_MISSING = register_event(
    8013, "disclosure.report_missing",
    _("Annual enforcement report {year} not published by 31 January"))
POLICY_CHANGED = register_event(
    8014, "disclosure.policy_changed", _("Publicity rules changed: {scope}"))
REPORT_ENTERED = register_event(
    8015, "disclosure.report_entered",
    _("Annual enforcement report {year}: reconsideration and litigation figures entered"))

REPORTS_STREAM = "disclosure.reports"
CONFIG_STREAM = "disclosure.config"
