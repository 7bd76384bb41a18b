"""Ledger event codes of cases (4000–4999). Codes are stable and never reused."""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

CASE_CREATED = register_event(4001, "case.created", _("Case {number} created ({procedure_label})"))
CASE_ACTION = register_event(4002, "case.action", _("{action_label}"))
APPROVAL_REQUESTED = register_event(4003, "case.approval_requested",
                                    _("Approval requested: {action_label}"))
APPROVAL_DECIDED = register_event(4004, "case.approval_decided",
                                  _("Approval step {step}: {decision_label}"))
APPROVAL_WITHDRAWN = register_event(4005, "case.approval_withdrawn",
                                    _("Approval request withdrawn: {action_label}"))
DEADLINE_RECOMPUTED = register_event(4006, "case.deadline_recomputed",
                                     _("Deadline recomputed: {label} now due {due}"))
OFFICERS_CHANGED = register_event(4007, "case.officers_changed",
                                  _("Case officers changed"))
LADDER_SAVED = register_event(4008, "case.approval_ladder_saved",
                              _("Approval ladder saved for {procedure}"))
CUSTOM_PROCEDURE_SAVED = register_event(4009, "case.custom_procedure_saved",
                                        _("Procedure {code} saved"))
DRAW_MADE = register_event(4010, "case.inspection_draw",
                           _("Random inspection draw for {item_name}: {count} drawn"))
