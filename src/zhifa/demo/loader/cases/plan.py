"""Which demo cases each body has: recipe names (``recipes.RECIPES``) with who works on them.

The accounts' body (芙蓉区市场监督管理局) has the most, so that every demo login finds work:
``L`` marks a case the demo officer leads, ``A`` one she assists on, ``X`` one on which an
auxiliary assists too; other cases go to the body's other officers in turn. Random
inspection draws (双随机) pick their targets and officers themselves (``cases.services.draw``).
"""

from typing import NamedTuple


class Draw(NamedTuple):
    """A random-inspection draw ``back`` days ago among ``candidates`` parties; the drawn
    cases follow ``recipes`` in the order the draw returns them."""

    back: int
    candidates: int
    recipes: tuple[str, ...]


PLAN: dict[str, list[tuple[str, str]]] = {
    "fr-market": [
        # general procedure
        ("g_source", "L"), ("g_source_pending", "L"), ("g_source_pending", ""),
        ("g_register_resubmitted", ""), ("g_declined", ""), ("g_registered", "A"),
        ("g_investigating", "L"), ("g_investigating", "X"), ("g_due90", "L"),
        ("g_over90", "L"), ("g_over90", ""), ("g_preserve_due", "L"),
        ("g_preserve_pending", ""), ("g_suspended", "A"), ("g_resumed", ""),
        ("g_reported", "A"), ("g_reported_complex", ""), ("g_review_unassigned", ""),
        ("g_review_due", "L"), ("g_review_due", ""), ("g_review_extended", ""),
        ("g_review_over", "A"),
        ("g_review_supplement", ""), ("g_review_changes", "L"), ("g_review_contested", ""),
        ("g_review_twice", "A"), ("g_review_discussed", ""), ("g_discussed", ""),
        ("g_notified", "L"), ("g_defence", "A"),
        ("g_decide_pending", ""), ("g_decide_pending_head", "L"),
        ("g_hearing_requested", ""), ("g_hearing_scheduled", "L"), ("g_hearing_held", ""),
        ("g_hearing_review", ""),
        ("g_decided_due", "L"), ("g_decided_over", "L"), ("g_served_due", "A"),
        ("g_served_over", "L"), ("g_instalments", ""), ("g_reminder", "L"),
        ("g_court_pending", ""), ("g_close_pending", "A"), ("g_archived", "L"),
        ("g_archived_major", ""), ("g_no_penalty_closed", "X"), ("g_limitation", ""),
        # summary procedure
        ("s_on_site", "L"), ("s_unpaid", ""), ("s_paid", "L"), ("s_filed", ""),
        ("s_filed", ""), ("s_paid_later", ""), ("s_closed", "L"), ("s_closed", ""),
        ("s_archived", ""), ("s_archived", ""), ("s_archived", ""),
        # coercive measures
        ("c_proposed", ""), ("c_pending", "L"), ("c_due", "L"), ("c_over", "L"),
        ("c_testing", ""), ("c_tested", "A"), ("c_extend_pending", ""), ("c_extended", ""),
        ("c_handled", ""), ("c_closed", ""),
        # inspections (and the draws below)
        ("i_inspecting", "L"), ("i_case", ""), ("i_case_registered", "L"),
        # licensing
        ("l_applied_due", ""), ("l_applied_over", "L"), ("l_materials", "L"),
        ("l_resupplied", ""), ("l_not_accepted", ""), ("l_reviewing_due", "L"),
        ("l_paused", ""), ("l_extended", ""), ("l_grant_pending", ""),
        ("l_granted_due", "L"), ("l_denied", ""), ("l_certified", ""), ("l_closed", ""),
        ("l_archived", ""),
        # generic procedure
        ("x_opened", ""), ("x_handling", "L"), ("x_decide_pending", ""), ("x_decided", ""),
        ("x_closed", ""), ("x_archived", ""),
    ],
    "fr-urban": [
        ("g_investigating", ""), ("g_notified", ""), ("g_decided_due", ""),
        ("g_served_over", ""), ("g_closed", ""), ("g_minor", ""),
        ("s_on_site", ""), ("s_unpaid", ""), ("s_paid", ""), ("s_filed", ""), ("s_filed", ""),
        ("s_closed", ""), ("s_closed", ""), ("s_archived", ""), ("s_archived", ""),
        ("s_minor", ""),
        ("l_applied_due", ""), ("l_materials", ""), ("l_reviewing_due", ""),
        ("l_granted_due", ""), ("l_certified", ""), ("l_archived", ""),
        ("x_opened", ""), ("x_handling", ""), ("x_decide_pending", ""), ("x_closed", ""),
        ("x_archived", ""),
    ],
    "yl-ecology": [
        ("g_source", ""), ("g_review_due", ""), ("g_discussed", ""), ("g_hearing_held", ""),
        ("g_transfer", ""), ("g_archived", ""),
        ("c_due", ""), ("c_testing", ""), ("c_handled", ""), ("c_archived", ""),
        ("i_inspecting", ""), ("i_no_finding", ""), ("i_case_registered", ""),
        ("i_archived", ""), ("i_order", ""),
    ],
    "yl-emergency": [
        ("g_registered", ""), ("g_notified", ""), ("g_decide_pending", ""), ("g_partial", ""),
        ("c_pending", ""), ("c_extended", ""), ("c_closed", ""),
        ("i_case", ""),
    ],
    "yl-culture-team": [
        ("g_investigating", ""), ("g_no_penalty", ""),
        ("s_paid", ""), ("s_filed", ""), ("s_archived", ""),
        ("i_no_finding", ""), ("i_order", ""), ("i_closed", ""), ("i_archived", ""),
    ],
    "xt-resources": [
        ("g_over90", ""), ("g_review_over", ""), ("g_court", ""),
        ("l_reviewing_over", ""), ("l_paused", ""), ("l_denied", ""), ("l_closed", ""),
        ("i_inspecting", ""), ("i_case", ""), ("i_closed", ""), ("i_no_finding", ""),
    ],
    "xt-highway": [
        ("g_reminder", ""), ("g_closed_court", ""),
        ("s_paid", ""), ("s_filed", ""), ("s_closed", ""), ("s_archived", ""),
        ("s_archived", ""),
        ("l_applied_over", ""), ("l_pause_ended", ""), ("l_extended", ""),
        ("i_no_finding", ""), ("i_order", ""), ("i_archived", ""),
    ],
    "xx-agriculture-team": [
        ("g_preserve_due", ""), ("g_preserved", ""),
        ("i_inspecting", ""), ("i_no_finding", ""), ("i_case", ""), ("i_closed", ""),
    ],
    "cs-ecology": [
        ("g_reported_complex", ""), ("g_reviewed", ""),
        ("l_applied_due", ""), ("l_resupplied", ""), ("l_not_accepted", ""),
        ("l_grant_pending", ""), ("l_certified", ""), ("l_archived", ""),
    ],
    "yh-market": [
        ("g_source_pending", ""), ("g_due90", ""), ("g_served_due", ""),
        ("s_unpaid", ""), ("s_filed", ""), ("s_closed", ""), ("s_archived", ""),
        ("s_archived", ""),
        ("l_reviewing_due", ""), ("l_granted_due", ""), ("l_closed", ""),
        ("x_suspended", ""), ("x_closed", ""),
        ("c_over", ""),
    ],
}

DRAWS: dict[str, list[Draw]] = {
    "fr-market": [
        Draw(6, 8, ("i_planned", "i_planned", "i_inspecting")),
        Draw(45, 10, ("i_no_finding", "i_order", "i_closed", "i_archived")),
    ],
    "fr-urban": [Draw(30, 6, ("i_planned", "i_no_finding", "i_order", "i_closed"))],
    "yl-emergency": [Draw(25, 8, ("i_planned", "i_inspecting", "i_no_finding", "i_order",
                                  "i_closed", "i_no_finding"))],
}
