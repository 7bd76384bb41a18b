"""Whether a decision needs legal review, and which rule says so (``reviews.triggers``): the
statutory triggers of APL art. 58 §1, the body's catalogue (amount thresholds per party type,
inclusive or exclusive, at their boundaries; category triggers; benchmark tiers), the version
of the catalogue in force on the day, and a voluntary submission."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import translation

from tests import factories as f
from tests.cases.factories import act, company_party, open_case, person_party, reported
from zhifa.cases.models import Case, SourceKind
from zhifa.cases.services import PartyIn
from zhifa.catalog.models import PartyType, ReviewCatalogue
from zhifa.catalog.services import ThresholdIn, TierIn, review_catalogue_create
from zhifa.reviews.triggers import Determination, evaluate, label, source

from .factories import ReviewAgency

pytestmark = pytest.mark.django_db

D = dt.date
TITLE = "芙蓉区市场监督管理局重大执法决定法制审核目录清单"
NATURAL, ORG, INDIVIDUAL = (PartyType.NATURAL_PERSON, PartyType.ORGANISATION,
                            PartyType.INDIVIDUAL_BUSINESS)


def catalogue(a: ReviewAgency, *thresholds: ThresholdIn, triggers: tuple[str, ...] = (),
              effective_from: dt.date = dt.date(2024, 1, 1),
              body: Any = None) -> ReviewCatalogue:
    return review_catalogue_create(actor=None, body=body or a.body, title=TITLE,
                                   effective_from=effective_from, thresholds=thresholds,
                                   triggers=triggers)


def meta(version: int = 1) -> dict[str, Any]:
    return {"catalogue": "review-catalogue", "version": version, "catalogue_title": TITLE}


def individual() -> PartyIn:
    return PartyIn(party_type=INDIVIDUAL, name="芙蓉区陈记小吃店",
                   id_number=f.id_number("430102", "19800101"), address="长沙市芙蓉区某街3号")


def party_of(party_type: str) -> PartyIn:
    return {NATURAL: person_party, ORG: company_party, INDIVIDUAL: individual}[party_type]()


def codes(det: Determination) -> list[str]:
    return [r["code"] for r in det.reasons]


def en(fn: Any, *args: Any) -> Any:
    with translation.override("en"):
        return fn(*args)


# --- statutory triggers (APL art. 58 §1) -----------------------------------------------------

def test_a_plain_penalty_without_a_catalogue_needs_no_review(a: ReviewAgency) -> None:
    case = reported(a, parties=[person_party()], fine="5000")
    det = evaluate(case, day=D(2026, 9, 21))
    assert (det.required, det.reasons, det.catalogue, det.notes) == (False, (), None, ())
    assert det.basis.as_dict() == {
        "procedure": "general", "outcome": "penalty", "kinds": ["fine"], "fine": 500_000,
        "confiscation": 0, "party_types": ["natural_person"], "hearing_held": False,
        "public_interest": False, "several_relations": False, "law_requires": "",
        "benchmark": "", "tier": "", "voluntary": False, "day": "2026-09-21"}


STATED = " (stated by 李明 in the investigation report)"


@pytest.mark.parametrize(("report", "reason", "text", "cited"), [
    ({"major": True},
     {"code": "public_interest", "kind": "statutory", "params": {"stated_by": "李明"}},
     f"Involves a major public interest{STATED}", "行政处罚法第五十八条第一款第一项"),
    ({"several_relations": True},
     {"code": "several_relations", "kind": "statutory", "params": {"stated_by": "李明"}},
     f"Difficult and complex, involving several legal relationships{STATED}",
     "行政处罚法第五十八条第一款第三项"),
    ({"law_requires": "  《湖南省行政程序规定》第八十一条 "},
     {"code": "by_law", "kind": "statutory",
      "params": {"law": "《湖南省行政程序规定》第八十一条", "stated_by": "李明"}},
     f"Required by law or regulation: 《湖南省行政程序规定》第八十一条{STATED}",
     "行政处罚法第五十八条第一款第四项"),
])
def test_each_statutory_trigger_stated_in_the_report(a: ReviewAgency, report: dict[str, Any],
                                                     reason: dict[str, Any], text: str,
                                                     cited: str) -> None:
    case = reported(a, **report)
    det = evaluate(case)
    assert (det.required, det.reasons) == (True, (reason,))
    assert en(label, reason) == text
    assert source(reason) == cited
    assert en(det.labels) == [text]


def test_the_judgement_names_who_stated_it_in_the_latest_report(a: ReviewAgency) -> None:
    """The officer who submitted the latest report answers for the judgement; another officer
    stating the same judgement does not change the result (its fingerprint)."""
    case = reported(a, major=True, law_requires="《某条例》第十条")
    first = evaluate(case)
    assert [r["params"]["stated_by"] for r in first.reasons] == ["李明", "李明"]
    act(a, case, "submit_report", actor=a.u_officer2, acted_on=D(2026, 9, 22),
        facts="经查，当事人销售不合格产品。", kinds=["fine"], fine="5000", major=True,
        law_requires="《某条例》第十条")
    again = evaluate(case)
    assert [r["params"]["stated_by"] for r in again.reasons] == ["张伟", "张伟"]
    assert en(label, again.reasons[0]) == (
        "Involves a major public interest (stated by 张伟 in the investigation report)")
    assert again.fingerprint == first.fingerprint
    # the judgement itself is the result
    act(a, case, "submit_report", actor=a.u_officer2, acted_on=D(2026, 9, 23),
        facts="经查，当事人销售不合格产品。", kinds=["fine"], fine="5000", major=True,
        law_requires="《某条例》第十一条")
    assert evaluate(case).fingerprint != first.fingerprint


def test_a_reason_without_anyone_named_reads_as_before(a: ReviewAgency) -> None:
    reason = {"code": "public_interest", "kind": "statutory", "params": {"stated_by": ""}}
    assert en(label, reason) == "Involves a major public interest"
    hearing = {"code": "hearing_held", "kind": "statutory", "params": {}}
    assert en(label, hearing) == "Concerns major rights and a hearing was held"


def test_blank_law_text_and_unticked_boxes_are_no_trigger(a: ReviewAgency) -> None:
    case = reported(a, major=False, several_relations=False, law_requires="   ")
    assert evaluate(case).reasons == ()


def heard(a: ReviewAgency, case: Case) -> Case:
    """The case's prior notice served and the hearing the party asked for held on 12
    October (the hearing right: an organisation's fine of 20,000 yuan and more)."""
    f.hearing_threshold(a.regions["province"], ORG, 2_000_000)
    act(a, case, "serve_notice", acted_on=D(2026, 9, 22), served_on=D(2026, 9, 22),
        method="direct")
    act(a, case, "request_hearing", acted_on=D(2026, 9, 24), requested_on=D(2026, 9, 24))
    act(a, case, "schedule_hearing", acted_on=D(2026, 9, 24), hearing_on=D(2026, 10, 12),
        place="第一会议室")
    act(a, case, "hold_hearing", acted_on=D(2026, 10, 12), presiding="赵敏",
        record="当事人到场陈述")
    assert case.hearing_held_on == D(2026, 10, 12)
    return case


def test_a_hearing_held_is_a_statutory_trigger_and_a_category_of_the_catalogue(
        a: ReviewAgency) -> None:
    case = reported(a, fine="30000")
    assert evaluate(case).required is False
    heard(a, case)
    statutory = {"code": "hearing_held", "kind": "statutory", "params": {}}
    assert evaluate(case).reasons == (statutory,)
    assert en(label, statutory) == "Concerns major rights and a hearing was held"
    assert source(statutory) == "行政处罚法第五十八条第一款第二项"
    catalogue(a, triggers=("hearing_held",))
    category = {"code": "hearing_held", "kind": "category", "params": meta()}
    assert evaluate(case).reasons == (statutory, category)
    assert en(label, category) == "A hearing was held"
    assert en(source, category) == f"{TITLE}（version 1）"


def test_every_statutory_trigger_at_once_in_order(a: ReviewAgency) -> None:
    case = reported(a, fine="30000", major=True, several_relations=True,
                    law_requires="《某条例》第十条")
    heard(a, case)
    case.refresh_from_db()
    det = evaluate(case)
    assert codes(det) == ["public_interest", "hearing_held", "several_relations", "by_law"]
    # the hearing is known from the case: nobody states it
    assert [r["params"].get("stated_by") for r in det.reasons] == ["李明", None, "李明", "李明"]


def test_voluntary_submission_is_its_own_reason(a: ReviewAgency) -> None:
    case = reported(a)
    det = evaluate(case, voluntary=True)
    reason = {"code": "voluntary", "kind": "voluntary", "params": {}}
    assert (det.required, det.reasons, det.basis.voluntary) == (True, (reason,), True)
    assert en(label, reason) == "Sent to review voluntarily by the handler"
    assert source(reason) == ""


# --- amount thresholds ------------------------------------------------------------------------

@pytest.mark.parametrize(("party_type", "comparator", "threshold", "hit", "miss"), [
    # inclusive (含本数): exactly the amount triggers, one fen less does not
    (NATURAL, "gte", 500_000, "5000", "4999.99"),
    (ORG, "gte", 10_000_000, "100000", "99999.99"),
    # exclusive (不含本数): exactly the amount does not, one fen more does
    (NATURAL, "gt", 500_000, "5000.01", "5000"),
    (ORG, "gt", 10_000_000, "100000.01", "100000"),
])
def test_threshold_boundaries_for_both_comparators_and_party_types(
        a: ReviewAgency, party_type: str, comparator: str, threshold: int, hit: str,
        miss: str) -> None:
    catalogue(a, ThresholdIn(party_type, threshold, comparator))
    below = reported(a, parties=[party_of(party_type)], fine=miss)
    det = evaluate(below)
    assert (det.required, det.reasons, det.catalogue.version) == (False, (), 1)
    above = reported(a, parties=[party_of(party_type)], fine=hit)
    det = evaluate(above)
    amount = above.proposed_fine
    assert amount in (threshold, threshold + 1)
    assert det.reasons == ({"code": f"threshold:{party_type}", "kind": "threshold",
                            "params": {"party_type": party_type, "amount": amount,
                                       "confiscation": 0, "threshold": threshold,
                                       "comparator": comparator, "counts_confiscation": True,
                                       **meta()}},)
    assert det.required is True


def test_threshold_label_and_source(a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"), ThresholdIn(ORG, 10_000_000, "gt"))
    reason = evaluate(reported(a, parties=[person_party()], fine="5000")).reasons[0]
    assert en(label, reason) == ("Fine 5,000.00 yuan: Natural person threshold of the catalogue "
                                 "at least (inclusive, 含本数) 5,000.00 yuan")
    assert en(source, reason) == f"{TITLE}（version 1）"
    reason = evaluate(reported(a, parties=[company_party()], fine="100000.01")).reasons[0]
    assert en(label, reason) == (
        "Fine 100,000.01 yuan: Legal person or other organisation threshold of the catalogue "
        "more than (exclusive, 不含本数) 100,000.00 yuan")


def test_the_other_party_types_threshold_does_not_apply(a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"))
    assert evaluate(reported(a, parties=[company_party()], fine="1000000")).reasons == ()
    catalogue(a, ThresholdIn(ORG, 500_000, "gte"), effective_from=D(2025, 1, 1))
    assert evaluate(reported(a, parties=[person_party()], fine="1000000")).reasons == ()


def test_an_individual_business_uses_the_natural_person_threshold_unless_it_has_its_own(
        a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"), ThresholdIn(ORG, 10_000_000, "gte"))
    assert evaluate(reported(a, parties=[individual()], fine="4999.99")).reasons == ()
    det = evaluate(reported(a, parties=[individual()], fine="5000"))
    assert det.reasons == ({"code": "threshold:individual_business", "kind": "threshold",
                            "params": {"party_type": INDIVIDUAL, "amount": 500_000,
                                       "confiscation": 0, "threshold": 500_000, "comparator": "gte",
                                       "counts_confiscation": True, **meta()}},)
    # a later version with a threshold of its own for individual businesses
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"), ThresholdIn(INDIVIDUAL, 800_000, "gt"),
              effective_from=D(2025, 1, 1))
    assert evaluate(reported(a, parties=[individual()], fine="8000")).reasons == ()
    det = evaluate(reported(a, parties=[individual()], fine="8000.01"))
    assert det.reasons[0]["params"]["threshold"] == 800_000
    assert det.reasons[0]["params"]["comparator"] == "gt"


def test_every_party_is_measured_against_its_own_threshold(a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"), ThresholdIn(ORG, 10_000_000, "gte"))
    case = reported(a, parties=[company_party(), person_party()], fine="5000")
    assert codes(evaluate(case)) == ["threshold:natural_person"]


@pytest.mark.parametrize(("counts", "required"), [(True, True), (False, False)])
def test_the_confiscated_value_counts_where_the_catalogue_says(
        a: ReviewAgency, counts: bool, required: bool) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte", counts_confiscation=counts))
    case = reported(a, parties=[person_party()], kinds=["fine", "confiscate_gains"],
                    fine="3000", confiscation="2000")
    det = evaluate(case)
    assert det.required is required
    if counts:
        reason = det.reasons[0]
        assert (reason["params"]["amount"], reason["params"]["confiscation"]) == (500_000,
                                                                                  200_000)
        assert en(label, reason) == (
            "Fine and confiscation 5,000.00 yuan: Natural person threshold of the catalogue "
            "at least (inclusive, 含本数) 5,000.00 yuan")


@pytest.mark.parametrize(("counts", "required"), [(True, True), (False, False)])
def test_a_confiscation_alone_reaches_the_threshold_only_when_it_counts(
        a: ReviewAgency, counts: bool, required: bool) -> None:
    catalogue(a, ThresholdIn(NATURAL, 500_000, "gte", counts_confiscation=counts))
    case = reported(a, parties=[person_party()], kinds=["confiscate_gains"], fine="",
                    confiscation="5000")
    det = evaluate(case)
    assert det.required is required
    if counts:
        assert en(label, det.reasons[0]) == (
            "Confiscation 5,000.00 yuan: Natural person threshold of the catalogue at least "
            "(inclusive, 含本数) 5,000.00 yuan")


def test_thresholds_and_penalty_categories_concern_penalties_only(a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(NATURAL, 0, "gte"), ThresholdIn(ORG, 100, "gte"),
              triggers=("all_general_procedure", "revoke_licence", "mitigated"))
    case = reported(a, kinds=[], fine="", tier="mitigated")  # proposes no penalty
    det = evaluate(case)
    assert (det.basis.outcome, det.required) == ("no_penalty", False)
    case = reported(a, kinds=["fine", "revoke_licence"], fine="5000", tier="mitigated")
    assert codes(evaluate(case)) == ["threshold:organisation", "all_general_procedure",
                                     "mitigated", "revoke_licence"]
    for outcome in ("no_penalty", "transfer"):
        decision = {"outcome": outcome, "kinds": [], "fine": None}
        assert evaluate(case, action="decide", decision=decision).reasons == ()
    # the decision being made, not the report, is what is measured
    decision = {"outcome": "penalty", "kinds": ["warning"], "fine": None}
    assert codes(evaluate(case, action="decide", decision=decision)) == [
        "all_general_procedure", "mitigated"]


# --- category triggers -----------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["revoke_licence", "stop_production", "closure",
                                  "restrict_practice", "lower_qualification"])
def test_each_penalty_kind_of_the_catalogue(a: ReviewAgency, kind: str) -> None:
    case = reported(a, kinds=["warning", kind], fine="")
    assert evaluate(case).reasons == ()  # no catalogue
    others = {"revoke_licence", "stop_production", "closure", "restrict_practice",
              "lower_qualification"} - {kind}
    catalogue(a, triggers=tuple(sorted(others)))
    assert evaluate(case).reasons == ()  # the catalogue does not list this kind
    catalogue(a, triggers=(kind,), effective_from=D(2025, 1, 1))
    reason = {"code": kind, "kind": "category", "params": meta(2)}
    assert evaluate(case).reasons == (reason,)
    assert en(source, reason) == f"{TITLE}（version 2）"
    assert evaluate(reported(a, kinds=["warning"], fine="")).reasons == ()


def test_category_labels(a: ReviewAgency) -> None:
    expected = {"revoke_licence": "Licence revocation",
                "stop_production": "Order to stop production or business",
                "closure": "Order to close", "restrict_practice": "Practice restriction",
                "lower_qualification": "Qualification lowering",
                "all_general_procedure": "Every general-procedure penalty",
                "mitigated": "Mitigated penalty",
                "licensing_refusal": "Refusal, withdrawal or revocation of a licence"}
    for code, text in expected.items():
        assert en(label, {"code": code, "kind": "category", "params": meta()}) == text


def test_every_general_procedure_penalty(a: ReviewAgency) -> None:
    catalogue(a, triggers=("all_general_procedure",))
    det = evaluate(reported(a, kinds=["warning"], fine=""))
    assert det.reasons == ({"code": "all_general_procedure", "kind": "category",
                            "params": meta()},)


@pytest.mark.parametrize(("tier", "required"), [("mitigated", True), ("lighter", False),
                                                ("", False)])
def test_a_mitigated_penalty(a: ReviewAgency, tier: str, required: bool) -> None:
    catalogue(a, triggers=("mitigated",))
    report = {"tier": tier} if tier else {}
    assert evaluate(reported(a, fine="300", **report)).required is required


# --- benchmark tiers ---------------------------------------------------------------------------

LIGHTER = TierIn(tier="lighter", conditions="初次违法且及时改正", min_value=500_000,
                 max_value=1_500_000, penalty_kinds=["fine"])
ORDINARY = TierIn(tier="ordinary", conditions="一般情形", min_value=1_500_001,
                  max_value=3_500_000, penalty_kinds=["fine"])


@pytest.mark.parametrize(("fine", "expected"), [
    ("4999.99", "below_benchmark"), ("5000", None), ("15000", None),
    ("15000.01", "above_benchmark"),
])
def test_a_fine_below_or_above_its_benchmark_tier(a: ReviewAgency, fine: str,
                                                  expected: str | None) -> None:
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", tiers=(LIGHTER, ORDINARY))
    catalogue(a, triggers=("below_benchmark", "above_benchmark"))
    case = reported(a, fine=fine, benchmark="BM-CPZL-50", tier="lighter")
    det = evaluate(case)
    assert det.notes == ()
    if expected is None:
        assert det.reasons == ()
        return
    params = {"fine": case.proposed_fine, "min": 500_000, "max": 1_500_000, **meta()}
    assert det.reasons == ({"code": expected, "kind": "category", "params": params},)
    text = en(label, det.reasons[0])
    assert text == {
        "below_benchmark": "Penalty below the benchmark tier (fine 4,999.99 yuan, tier "
                           "5,000.00–15,000.00 yuan)",
        "above_benchmark": "Penalty above the benchmark tier (fine 15,000.01 yuan, tier "
                           "5,000.00–15,000.00 yuan)"}[expected]


def test_only_the_listed_benchmark_trigger_applies(a: ReviewAgency) -> None:
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", tiers=(LIGHTER, ORDINARY))
    catalogue(a, triggers=("above_benchmark",))
    assert evaluate(reported(a, fine="4000", benchmark="BM-CPZL-50",
                             tier="lighter")).reasons == ()


def test_a_tier_without_a_maximum_is_never_exceeded(a: ReviewAgency) -> None:
    heavier = TierIn(tier="heavier", conditions="情节严重", min_value=3_500_001,
                     max_value=None, penalty_kinds=["fine"])
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", statutory_max=None,
                tiers=(LIGHTER, ORDINARY, heavier))
    catalogue(a, triggers=("below_benchmark", "above_benchmark"))
    assert evaluate(reported(a, fine="900000", benchmark="BM-CPZL-50",
                             tier="heavier")).reasons == ()
    det = evaluate(reported(a, fine="35000", benchmark="BM-CPZL-50", tier="heavier"))
    assert en(label, det.reasons[0]) == ("Penalty below the benchmark tier (fine 35,000.00 "
                                         "yuan, tier from 35,000.01 yuan)")


def test_the_most_specific_region_s_benchmark_applies(a: ReviewAgency) -> None:
    province = TierIn(tier="lighter", conditions="初次违法", min_value=100_000,
                      max_value=1_000_000, penalty_kinds=["fine"])
    f.benchmark(a.regions["province"], a.market, code="BM-CPZL-50", statutory_min=None,
                tiers=(province,))
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", tiers=(LIGHTER, ORDINARY))
    # another county's benchmark of the same code is not on the case's region path
    f.benchmark(a.regions["other_county"], a.market, code="BM-CPZL-50", statutory_min=None,
                tiers=(TierIn(tier="lighter", conditions="x", min_value=0, max_value=100,
                              penalty_kinds=["fine"]),))
    catalogue(a, triggers=("below_benchmark", "above_benchmark"))
    det = evaluate(reported(a, fine="4000", benchmark="BM-CPZL-50", tier="lighter"))
    assert [(r["code"], r["params"]["min"], r["params"]["max"]) for r in det.reasons] == [
        ("below_benchmark", 500_000, 1_500_000)]


def test_benchmark_notes_when_the_fine_cannot_be_compared(a: ReviewAgency) -> None:
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", tiers=(LIGHTER, ORDINARY))
    f.benchmark(a.regions["city"], a.market, code="BM-BEI-3", amount_unit="multiple",
                statutory_min=1_000, statutory_max=5_000,
                tiers=(TierIn(tier="lighter", conditions="初次违法", min_value=1_000,
                              max_value=2_000, penalty_kinds=["fine"]),))
    f.benchmark(a.regions["city"], a.market, code="BM-LATER", effective_from=D(2027, 1, 1),
                tiers=(LIGHTER,))
    catalogue(a, triggers=("below_benchmark", "above_benchmark"))
    cases = {
        "BM-BEI-3": ("lighter", "Benchmark BM-BEI-3 is not in fixed amounts: compare the fine "
                                "with the tier by hand."),
        "BM-NONE": ("lighter", "No discretion benchmark BM-NONE is in force here: compare "
                               "the fine with the benchmark by hand."),
        "BM-LATER": ("lighter", "No discretion benchmark BM-LATER is in force here: compare "
                                "the fine with the benchmark by hand."),
        "BM-CPZL-50": ("heavier", "Benchmark BM-CPZL-50 has no tier “Heavier”: compare the "
                                  "fine with the benchmark by hand."),
    }
    for code, (tier, note) in cases.items():
        case = reported(a, fine="100", benchmark=code, tier=tier)
        det = en(evaluate, case)
        assert (det.required, det.notes) == (False, (note,)), code


def test_no_benchmark_comparison_without_a_fine_a_code_or_a_tier(a: ReviewAgency) -> None:
    f.benchmark(a.regions["city"], a.market, code="BM-CPZL-50", tiers=(LIGHTER, ORDINARY))
    catalogue(a, triggers=("below_benchmark", "above_benchmark"))
    for kwargs in ({"kinds": ["warning"], "fine": "", "benchmark": "BM-CPZL-50",
                    "tier": "lighter"},
                   {"fine": "100", "tier": "lighter"},
                   {"fine": "100", "benchmark": "BM-CPZL-50"}):
        det = evaluate(reported(a, **kwargs))
        assert (det.reasons, det.notes) == ((), ()), kwargs


# --- licensing -----------------------------------------------------------------------------------

def licensing(a: ReviewAgency) -> Case:
    case = open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    return case


def test_a_licensing_refusal(a: ReviewAgency) -> None:
    case = licensing(a)
    catalogue(a, ThresholdIn(ORG, 0, "gte"),
              triggers=("licensing_refusal", "all_general_procedure"))
    reason = {"code": "licensing_refusal", "kind": "category", "params": meta()}
    deny = {"acted_on": D(2026, 9, 20), "reason": "不符合法定条件"}
    assert evaluate(case, action="deny", decision=deny).reasons == (reason,)
    grant = {"acted_on": D(2026, 9, 20), "licence_number": "JY1"}
    assert evaluate(case, action="grant", decision=grant).reasons == ()
    assert evaluate(case).reasons == ()  # before a decision: nothing to measure
    assert en(label, reason) == "Refusal, withdrawal or revocation of a licence"


# --- the catalogue in force on the day ---------------------------------------------------------

def test_the_catalogue_version_in_force_on_the_day(a: ReviewAgency) -> None:
    first = catalogue(a, ThresholdIn(NATURAL, 500_000, "gte"))
    second = catalogue(a, ThresholdIn(NATURAL, 1_000_000, "gte"),
                       effective_from=D(2026, 10, 1))
    catalogue(a, ThresholdIn(NATURAL, 100, "gte"), body=a.other_body)
    case = reported(a, parties=[person_party()], fine="6000")
    det = evaluate(case, day=D(2026, 9, 30))
    assert (det.catalogue, det.reasons[0]["params"]["version"]) == (first, 1)
    det = evaluate(case, day=D(2026, 10, 1))
    assert (det.catalogue, det.reasons) == (second, ())
    assert evaluate(case, day=D(2023, 12, 31)).catalogue is None
    # a version announced for later does not apply before it takes effect
    catalogue(a, ThresholdIn(NATURAL, 100, "gte"), effective_from=D(2027, 1, 1))
    det = evaluate(case, day=D(2026, 12, 31))
    assert (det.catalogue, det.required) == (second, False)
    assert evaluate(case, day=D(2027, 1, 1)).reasons[0]["params"]["version"] == 3


# --- procedures by their category ----------------------------------------------------------------

DATE = {"name": "acted_on", "kind": "date", "label": "办理日期"}


def custom(a: ReviewAgency, category: str, code: str = "own") -> str:
    """An agency's own procedure of ``category``: its deciding step lists no guard."""
    from zhifa.cases.services import custom_procedure_save

    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code=code, name="自定义程序",
                          definition={
        "category": category,
        "stages": [{"code": "opened", "label": "已受理"},
                   {"code": "decided", "label": "已决定"},
                   {"code": "done", "label": "已办结", "terminal": True, "status": "closed"}],
        "actions": [{"code": "decide", "label": "作出决定", "from": "opened", "to": "decided",
                     "deciding": True, "fields": [DATE]},
                    {"code": "finish", "label": "办结", "from": "decided", "to": "done",
                     "fields": [DATE]}]})
    return code


@pytest.mark.parametrize(("category", "decision", "expected"), [
    ("penalty", {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000},
     ["threshold:organisation", "all_general_procedure"]),
    ("penalty", {"outcome": "no_penalty", "kinds": []}, []),
    ("licensing", {}, ["licensing_refusal"]),
    ("other", {"outcome": "penalty", "kinds": ["fine"], "fine": 500_000}, []),
    ("inspection", {}, []),
])
def test_an_agency_s_own_procedure_is_measured_by_its_category(
        a: ReviewAgency, category: str, decision: dict[str, Any], expected: list[str]) -> None:
    catalogue(a, ThresholdIn(ORG, 100, "gte"),
              triggers=("all_general_procedure", "licensing_refusal"))
    case = open_case(a, custom(a, category), received_on=D(2026, 9, 1))
    assert codes(evaluate(case, action="decide", decision=decision)) == expected


def test_a_custom_licensing_decision_is_a_refusal_unless_it_grants(a: ReviewAgency) -> None:
    catalogue(a, triggers=("licensing_refusal",))
    case = open_case(a, custom(a, "licensing"), received_on=D(2026, 9, 1))
    assert codes(evaluate(case, action="grant", decision={})) == []
    assert codes(evaluate(case, action="refuse", decision={})) == ["licensing_refusal"]
    assert evaluate(case).reasons == ()  # before a decision: nothing to measure


def test_the_summary_procedure_is_below_the_catalogue(a: ReviewAgency) -> None:
    catalogue(a, ThresholdIn(ORG, 0, "gte"), triggers=("all_general_procedure",))
    case = open_case(a, "summary", received_on=D(2026, 9, 1))
    decision = {"kinds": ["fine"], "fine": 20_000}
    assert evaluate(case, action="decide_on_spot", decision=decision).reasons == ()
