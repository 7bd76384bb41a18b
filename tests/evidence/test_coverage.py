"""The coverage algorithm (pure functions, no database): the union of recordings against a
step's on-site interval, with a tolerance for short gaps, and the list conditions."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhifa.cases.hooks import when_matches
from zhifa.evidence.coverage import (
    STATUTORY,
    MatterBook,
    record_span,
    span_text,
    uncovered,
)
from zhifa.evidence.models import RecordedMatter

BJ = ZoneInfo("Asia/Shanghai")
S = dt.timedelta(seconds=1)


def t(hms: str, day: int = 2) -> dt.datetime:
    h, m, s = (int(x) for x in hms.split(":"))
    return dt.datetime(2026, 9, day, h, m, s, tzinfo=BJ)


STEP = (t("09:30:00"), t("10:40:00"))


def test_nothing_recorded_leaves_the_whole_interval() -> None:
    assert uncovered(STEP, []) == [STEP]


def test_one_recording_spanning_the_interval_covers_it() -> None:
    assert uncovered(STEP, [(t("09:28:00"), t("10:45:00"))]) == []
    # exactly the interval
    assert uncovered(STEP, [STEP]) == []


def test_touching_recordings_leave_no_gap() -> None:
    spans = [(t("09:30:00"), t("10:00:00")), (t("10:00:00"), t("10:40:00"))]
    assert uncovered(STEP, spans) == []


def test_overlapping_recordings_in_any_order_cover_together() -> None:
    spans = [(t("10:10:00"), t("10:41:00")), (t("09:29:00"), t("09:50:00")),
             (t("09:45:00"), t("10:20:00")), (t("09:50:00"), t("09:55:00"))]
    assert uncovered(STEP, spans) == []


def test_the_gaps_are_named_in_order() -> None:
    spans = [(t("09:35:00"), t("10:00:00")), (t("10:05:30"), t("10:30:00"))]
    assert uncovered(STEP, spans) == [
        (t("09:30:00"), t("09:35:00")), (t("10:00:00"), t("10:05:30")),
        (t("10:30:00"), t("10:40:00"))]


def test_recordings_outside_the_interval_do_not_count() -> None:
    before, after = (t("08:00:00"), t("09:30:00")), (t("10:40:00"), t("11:00:00"))
    assert uncovered(STEP, [before, after]) == [STEP]
    # a recording on another day at the same hour
    assert uncovered(STEP, [(t("09:00:00", day=3), t("11:00:00", day=3))]) == [STEP]


def test_gaps_up_to_the_tolerance_are_allowed() -> None:
    spans = [(t("09:30:05"), t("10:00:00")), (t("10:00:05"), t("10:39:55"))]
    assert uncovered(STEP, spans, 5 * S) == []
    assert uncovered(STEP, spans, 4 * S) == [
        (t("09:30:00"), t("09:30:05")), (t("10:00:00"), t("10:00:05")),
        (t("10:39:55"), t("10:40:00"))]
    # only the gaps longer than the tolerance are named
    spans = [(t("09:30:02"), t("10:00:00")), (t("10:01:00"), t("10:40:00"))]
    assert uncovered(STEP, spans, 5 * S) == [(t("10:00:00"), t("10:01:00"))]
    # however long the tolerance, it never excuses a step with no recording at all
    assert uncovered(STEP, [], 10_000 * S) == [STEP]
    assert uncovered(STEP, [(t("08:00:00"), t("09:30:00"))], 10_000 * S) == [STEP]


def test_a_recording_has_a_span_only_when_start_and_end_are_known() -> None:
    start = t("09:00:00")
    assert record_span(start, t("10:00:00"), None) == (start, t("10:00:00"))
    # no end given: the analysed duration gives it
    assert record_span(start, None, 90_500) == (start, t("09:01:30") + dt.timedelta(
        milliseconds=500))
    # the end given wins over the duration
    assert record_span(start, t("09:10:00"), 90_500) == (start, t("09:10:00"))
    assert record_span(start, None, None) is None
    assert record_span(None, t("10:00:00"), 1000) is None
    assert record_span(start, start, None) is None  # empty
    assert record_span(start, t("08:00:00"), None) is None  # reversed


def test_times_are_shown_in_local_time_with_the_date_only_when_it_differs() -> None:
    utc = dt.UTC
    span = (dt.datetime(2026, 9, 2, 1, 30, tzinfo=utc), dt.datetime(2026, 9, 2, 2, 40, 5,
                                                                    tzinfo=utc))
    assert span_text(span, dt.date(2026, 9, 2)) == "09:30:00–10:40:05"
    late = (t("23:50:00"), t("00:20:00", day=3))
    assert span_text(late, dt.date(2026, 9, 2)) == "23:50:00–2026-09-03 00:20:00"


@pytest.mark.parametrize(("when", "data", "expected"), [
    ({}, {"measure": "seal"}, True),
    ({"measure": ["seal", "seize"]}, {"measure": "seize"}, True),
    ({"measure": ["seal", "seize"]}, {"measure": "freeze"}, False),
    ({"measure": ["seal"]}, {}, False),
    ({"measure": "seal"}, {"measure": "seal"}, True),  # a single value
    ({"kinds": ["fine"]}, {"kinds": ["warning", "fine"]}, True),  # multiple choice
    ({"kinds": ["fine"]}, {"kinds": ["warning"]}, False),
    ({"paid_on_spot": True}, {"paid_on_spot": True}, True),
    ({"paid_on_spot": True}, {"paid_on_spot": False}, False),
    ({"paid_on_spot": False}, {}, True),
    ({"measure": ["seal"], "party_absent": True}, {"measure": "seal"}, False),
])
def test_list_conditions_on_the_step_data(when: dict, data: dict, expected: bool) -> None:  # type: ignore[type-arg]
    assert when_matches(when, data) is expected


def line(body: int | None, action: str, requirement: str, when: dict | None = None,  # type: ignore[type-arg]
         procedure: str = "general", active: bool = True) -> RecordedMatter:
    return RecordedMatter(body_id=body, matter=f"{body}:{action}:{requirement}",
                          procedure=procedure, action=action, when=when or {},
                          requirement=requirement, active=active)


def test_a_bodys_lines_replace_the_defaults_for_that_step_only() -> None:
    book = MatterBook([
        line(None, "hold_hearing", "as_needed"),
        line(None, "preserve_evidence", "as_needed"),
        line(7, "hold_hearing", "mandatory"),
        line(8, "hold_hearing", "as_needed", active=False),
    ])
    assert book.match(7, "general", "hold_hearing", {}).matter == "7:hold_hearing:mandatory"
    # another body keeps the default
    assert book.match(9, "general", "hold_hearing", {}).matter == "None:hold_hearing:as_needed"
    # an inactive own line removes the default
    assert book.match(8, "general", "hold_hearing", {}) is None
    assert book.match(7, "general", "preserve_evidence", {}).matter == (
        "None:preserve_evidence:as_needed")
    assert book.match(7, "general", "register", {}) is None
    assert [r.matter for r in book.in_force(8)] == ["None:preserve_evidence:as_needed"]


def test_sealing_and_impoundment_are_in_full_whatever_the_lists_say() -> None:
    book = MatterBook([line(7, "apply_measure", "mandatory", {"measure": ["freeze"]},
                            procedure="coercive")])
    rule = book.match(7, "coercive", "apply_measure", {"measure": "seal"})
    assert rule is not None and rule.statutory and rule.mandatory
    assert rule.matter == "查封、扣押财产"
    assert book.match(7, "coercive", "apply_measure", {"measure": "freeze"}).matter == (
        "7:apply_measure:mandatory")
    assert book.match(9, "coercive", "apply_measure", {"measure": "freeze"}) is None
    assert [(r.matter, r.procedure, r.action) for r in STATUTORY] == [
        ("查封、扣押财产", "coercive", "apply_measure"),
        ("强制拆除", "general", "direct_execution")]


def test_a_mandatory_line_wins_over_an_as_needed_one() -> None:
    book = MatterBook([line(None, "serve_notice", "as_needed", {"method": ["left"]}),
                       line(None, "serve_notice", "mandatory", {"method": ["left", "mail"]})])
    assert book.match(1, "general", "serve_notice", {"method": "left"}).mandatory
    assert book.match(1, "general", "serve_notice", {"method": "direct"}) is None
