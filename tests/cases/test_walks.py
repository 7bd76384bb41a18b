"""Every built-in procedure walked from its first stage to the archive through the services,
with its branches."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.cases.models import Case, CaseStatus, DeadlineState, SourceKind
from zhifa.cases.procedures import procedure_get
from zhifa.cases.procedures.other import ACL18_STEPS
from zhifa.cases.services.act import available_actions
from zhifa.catalog.models import PartyType
from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import stream_entries

from .factories import Agency, act, company_party, open_case, person_party, refused, reported

pytestmark = pytest.mark.django_db

D = dt.date


def steps(case: Case) -> list[str]:
    return list(case.steps.order_by("id").values_list("action", flat=True))


def running(case: Case) -> list[str]:
    return sorted(case.deadlines.filter(state=DeadlineState.RUNNING)
                  .values_list("rule_code", flat=True))


def assert_archived(case: Case) -> None:
    """Archived, nothing left to do or running, one intact ledger entry per step."""
    case.refresh_from_db()
    assert (case.stage, case.status) == ("archived", CaseStatus.ARCHIVED)
    assert available_actions(case, procedure_get(case.procedure, body=case.body)) == []
    assert running(case) == []
    entries = stream_entries(stream=case.stream)
    assert {e.status for e in entries} == {"pending"}
    assert [e.event_code for e in entries].count(4002) == case.steps.count()
    assert [e.seq for e in entries if e.event_code == 4002] == list(
        case.steps.order_by("id").values_list("ledger_seq", flat=True))
    assert entries[0].event_code == 4001


# --- general procedure ---------------------------------------------------------------------------

def test_general_procedure_with_review_discussion_hearing_and_court_enforcement(
        a: Agency) -> None:
    f.hearing_threshold(a.regions["province"], PartyType.ORGANISATION, 2_000_000)
    case = open_case(a, received_on=D(2026, 7, 1))
    assert (case.stage, case.status, case.number) == ("source", "open", "芙蓉市监G202600001")
    act(a, case, "register", acted_on=D(2026, 7, 2), act_date=D(2026, 6, 20),
        grounds="举报核实，涉嫌销售不合格产品")
    act(a, case, "start_investigation", acted_on=D(2026, 7, 3))
    act(a, case, "record_investigation", acted_on=D(2026, 7, 6), kind="inspection",
        summary="现场检查，发现不合格产品")
    act(a, case, "preserve_evidence", acted_on=D(2026, 7, 6), items="不合格产品120件")
    assert case.deadlines.get(rule_code="apl_preservation_7").due == D(2026, 7, 15)
    act(a, case, "decide_preservation", acted_on=D(2026, 7, 10), handling="予以没收")
    act(a, case, "submit_report", acted_on=D(2026, 7, 20), facts="经查，当事人销售不合格产品",
        kinds=["fine", "confiscate_property"], fine="30000", confiscation="2000", major=True,
        complex=True)
    act(a, case, "submit_legal_review", acted_on=D(2026, 7, 21))
    assert case.stage == "legal_review"
    act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 7, 23),
        outcome="agree", opinion="同意")
    act(a, case, "collective_discussion", actor=a.u_head, acted_on=D(2026, 7, 24),
        attendees="王芳、李明、张伟", conclusion="同意")
    act(a, case, "serve_notice", acted_on=D(2026, 7, 27), served_on=D(2026, 7, 27),
        method="direct")
    assert case.hearing_right is True
    act(a, case, "request_hearing", acted_on=D(2026, 7, 29), requested_on=D(2026, 7, 29))
    act(a, case, "schedule_hearing", acted_on=D(2026, 7, 29), hearing_on=D(2026, 8, 10),
        place="第一听证室")
    act(a, case, "hold_hearing", acted_on=D(2026, 8, 10), presiding="赵敏",
        record="当事人陈述申辩")
    act(a, case, "record_defence", acted_on=D(2026, 8, 10), statement="初次违法",
        assessment="不予采纳")
    # after the hearing the decision needs a legal review again (APL art. 58 §1(2))
    act(a, case, "submit_legal_review", acted_on=D(2026, 8, 11))
    act(a, case, "record_review_opinion", actor=a.u_reviewer, acted_on=D(2026, 8, 12),
        outcome="agree", opinion="听证后复核，同意")
    assert (case.stage, case.review_passed_on) == ("notified", D(2026, 8, 12))
    act(a, case, "decide", acted_on=D(2026, 8, 13), outcome="penalty",
        kinds=["fine", "confiscate_property"], fine="30000", confiscation="2000",
        reasons="事实清楚，证据确凿")
    assert (case.stage, case.decided_on, case.final_fine) == ("decided", D(2026, 8, 13),
                                                              3_000_000)
    assert running(case) == ["apl_service_7"]  # the party's periods ended with the decision
    act(a, case, "serve_decision", acted_on=D(2026, 8, 14), served_on=D(2026, 8, 14),
        method="direct")
    assert case.deadlines.get(rule_code="apl_payment_15").due == D(2026, 8, 31)
    act(a, case, "record_payment", acted_on=D(2026, 8, 20), amount="10000", receipt="R1")
    act(a, case, "send_reminder", acted_on=D(2026, 9, 7), served_on=D(2026, 9, 7))
    # ten working days, the make-up Sunday 20 September the tenth
    assert case.deadlines.get(rule_code="acl_reminder_10").due == D(2026, 9, 20)
    act(a, case, "apply_court_enforcement", acted_on=D(2026, 9, 21), court="芙蓉区人民法院")
    act(a, case, "close", acted_on=D(2026, 9, 22), summary="已申请法院强制执行")
    assert (case.status, running(case)) == (CaseStatus.CLOSED, [])
    act(a, case, "archive", acted_on=D(2026, 9, 23), archive_number="2026-G-001")
    assert steps(case) == [
        "register", "start_investigation", "record_investigation", "preserve_evidence",
        "decide_preservation", "submit_report", "submit_legal_review",
        "record_review_opinion", "collective_discussion", "serve_notice", "request_hearing",
        "schedule_hearing", "hold_hearing", "record_defence", "submit_legal_review",
        "record_review_opinion", "decide", "serve_decision", "record_payment",
        "send_reminder", "apply_court_enforcement", "close", "archive"]
    assert case.flags == {"review_from": "notified", "archive_number": "2026-G-001"}
    d90 = case.deadlines.get(rule_code="apl_decision_90")
    assert (d90.state, d90.met_on) == (DeadlineState.MET, D(2026, 8, 13))
    assert_archived(case)


def test_general_procedure_with_no_penalty(a: Agency) -> None:
    case = reported(a, kinds=[], fine="")
    act(a, case, "decide", acted_on=D(2026, 9, 22), outcome="no_penalty",
        no_penalty_reason="first_offence", reasons="初次违法且危害后果轻微并及时改正")
    act(a, case, "serve_decision", acted_on=D(2026, 9, 23), served_on=D(2026, 9, 23),
        method="direct")
    assert not case.deadlines.filter(rule_code="apl_payment_15").exists()
    act(a, case, "close", acted_on=D(2026, 9, 24), summary="不予处罚")
    act(a, case, "archive", acted_on=D(2026, 9, 25), archive_number="2026-G-002")
    assert case.outcome == "no_penalty"
    assert_archived(case)


def test_general_procedure_with_a_transfer_to_judicial_organs(a: Agency) -> None:
    case = reported(a, kinds=[], fine="")
    act(a, case, "decide", acted_on=D(2026, 9, 22), outcome="transfer",
        reasons="涉嫌生产、销售伪劣产品罪，移送公安机关")
    act(a, case, "close", acted_on=D(2026, 9, 24), summary="已移送")
    act(a, case, "archive", acted_on=D(2026, 9, 25), archive_number="2026-G-003")
    assert case.outcome == "transfer"
    assert_archived(case)


def test_general_procedure_not_registered(a: Agency) -> None:
    case = open_case(a, received_on=D(2026, 9, 1))
    act(a, case, "decline", acted_on=D(2026, 9, 2), reason="不属于本机关管辖")
    assert (case.stage, case.status) == ("not_registered", CaseStatus.CLOSED)
    assert available_actions(case, procedure_get("general")) == []
    assert running(case) == []


def test_a_decision_needs_its_outcome_fields(a: Agency) -> None:
    case = reported(a, kinds=[], fine="")
    exc = refused(a, case, "decide", "invalid_fields", acted_on=D(2026, 9, 22),
                  outcome="no_penalty", reasons="轻微")
    assert exc.detail == {"no_penalty_reason": "请说明不予处罚的理由。"}
    exc = refused(a, case, "decide", "invalid_fields", acted_on=D(2026, 9, 22),
                  outcome="transfer", kinds=["warning"], reasons="移送")
    assert exc.detail == {"kinds": "此类决定不得设定处罚。"}


# --- summary procedure ---------------------------------------------------------------------------

def test_summary_procedure(a: Agency) -> None:
    case = open_case(a, "summary", received_on=D(2026, 9, 1),
                     officers=[a.officer, a.officer2], parties=[person_party()])
    assert (case.stage, case.number) == ("on_site", "芙蓉市监S202600001")
    act(a, case, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
        facts="占道经营", kinds=["warning", "fine"], fine="50", serial="HN-0001")
    assert running(case) == ["apl_payment_15"]  # not paid on the spot
    refused(a, case, "close", "action_not_available", acted_on=D(2026, 9, 2), summary="结案")
    act(a, case, "record_payment", acted_on=D(2026, 9, 2), amount="50", receipt="R1")
    assert running(case) == []
    act(a, case, "file_with_agency", acted_on=D(2026, 9, 3))
    act(a, case, "close", acted_on=D(2026, 9, 3), summary="已缴纳")
    act(a, case, "archive", acted_on=D(2026, 9, 4), archive_number="2026-S-001")
    assert (case.outcome, case.final_kinds, case.paid) == ("penalty", ["warning", "fine"], 5_000)
    assert_archived(case)


def test_summary_fine_collected_on_the_spot(a: Agency) -> None:
    case = open_case(a, "summary", received_on=D(2026, 9, 1),
                     officers=[a.officer, a.officer2], parties=[person_party()])
    act(a, case, "decide_on_spot", acted_on=D(2026, 9, 1), act_date=D(2026, 9, 1),
        facts="占道经营", kinds=["fine"], fine="20", serial="HN-0002", paid_on_spot=True)
    assert (case.paid, running(case)) == (2_000, [])
    act(a, case, "file_with_agency", acted_on=D(2026, 9, 1))
    act(a, case, "close", acted_on=D(2026, 9, 1), summary="当场收缴")
    act(a, case, "archive", acted_on=D(2026, 9, 2), archive_number="2026-S-002")
    assert_archived(case)


# --- coercive measures ---------------------------------------------------------------------------

def test_coercive_measure_with_testing_and_extension(a: Agency) -> None:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1))
    assert (case.stage, case.number) == ("proposed", "芙蓉市监C202600001")
    act(a, case, "apply_measure", acted_on=D(2026, 9, 2), measure="seal", items="设备3台",
        place="某厂车间", steps=[s for s, _l in ACL18_STEPS],
        onsite_from="2026-09-02T09:30", onsite_until="2026-09-02T10:40")
    assert (case.stage, case.flags) == ("in_force", {"measure": "seal"})
    act(a, case, "start_testing", acted_on=D(2026, 9, 10), reason="送检")
    refused(a, case, "start_testing", "action_not_available", acted_on=D(2026, 9, 11),
            reason="重复")
    act(a, case, "end_testing", acted_on=D(2026, 9, 20))
    act(a, case, "extend_measure", acted_on=D(2026, 10, 9), days=30, reason="案情复杂")
    assert case.deadlines.get(rule_code="acl_seizure_30").due == D(2026, 11, 11)
    act(a, case, "handle", acted_on=D(2026, 11, 2), handling="confiscate",
        reason="依法没收")
    assert (case.stage, case.outcome, case.decided_on) == ("handled", "measure_handled",
                                                           D(2026, 11, 2))
    d = case.deadlines.get(rule_code="acl_seizure_30")
    assert (d.state, d.met_on) == (DeadlineState.MET, D(2026, 11, 2))
    act(a, case, "close", acted_on=D(2026, 11, 3), summary="处理完毕")
    act(a, case, "archive", acted_on=D(2026, 11, 4), archive_number="2026-C-001")
    assert steps(case) == ["apply_measure", "start_testing", "end_testing", "extend_measure",
                           "handle", "close", "archive"]
    assert_archived(case)


# --- inspection ----------------------------------------------------------------------------------

def test_inspection_that_opens_a_penalty_case(a: Agency) -> None:
    case = open_case(a, "inspection", received_on=D(2026, 9, 1),
                     source_kind=SourceKind.RANDOM_DRAW)
    assert (case.stage, case.number) == ("planned", "芙蓉市监I202600001")
    act(a, case, "start_inspection", acted_on=D(2026, 9, 2), place="某超市",
        findings="发现过期食品")
    result = act(a, case, "conclude", acted_on=D(2026, 9, 3), result="case",
                 conclusion="涉嫌经营过期食品，立案查处", case_title="某超市经营过期食品案")
    child = Case.objects.get(parent=case)
    assert child.title == "某超市经营过期食品案"
    assert (child.procedure, child.stage, child.received_on, child.number) == (
        "general", "source", D(2026, 9, 3), "芙蓉市监G202600001")
    assert child.source_kind == SourceKind.INSPECTION
    assert list(child.parties.values_list("name", "credit_code")) == list(
        case.parties.values_list("name", "credit_code"))
    assert sorted(child.officers.values_list("person__name", flat=True)) == ["张伟", "李明"]
    assert case.outcome == "case_opened"
    entry = LedgerEntry.objects.get(seq=result.step.ledger_seq)
    assert '"opened_case":"芙蓉市监G202600001"' in entry.payload
    assert stream_entries(stream=child.stream)[0].payload["parent"] == case.number
    act(a, case, "close", acted_on=D(2026, 9, 4), summary="已立案")
    act(a, case, "archive", acted_on=D(2026, 9, 5), archive_number="2026-I-001")
    assert_archived(case)


@pytest.mark.parametrize(("result", "outcome"), [("no_finding", "no_finding"),
                                                 ("order_to_correct", "order_to_correct")])
def test_inspection_without_a_case(a: Agency, result: str, outcome: str) -> None:
    case = open_case(a, "inspection", received_on=D(2026, 9, 1))
    act(a, case, "start_inspection", acted_on=D(2026, 9, 2), place="某超市", findings="检查")
    act(a, case, "conclude", acted_on=D(2026, 9, 3), result=result, conclusion="结论",
        correct_by=D(2026, 10, 3))
    assert case.outcome == outcome
    assert not Case.objects.filter(parent=case).exists()
    act(a, case, "close", acted_on=D(2026, 9, 4), summary="结束")
    act(a, case, "archive", acted_on=D(2026, 9, 5), archive_number="2026-I-002")
    assert_archived(case)


# --- licensing -----------------------------------------------------------------------------------

def licensing(a: Agency) -> Case:
    return open_case(a, "licensing", received_on=D(2026, 9, 1), parties=[company_party()],
                     source_kind=SourceKind.APPLICATION, title="食品经营许可申请")


def test_licensing_with_missing_materials_extension_grant_and_certificate(a: Agency) -> None:
    case = licensing(a)
    assert (case.stage, case.number) == ("applied", "芙蓉市监L202600001")
    act(a, case, "request_materials", acted_on=D(2026, 9, 3), missing="营业执照、场所证明")
    assert (case.stage, running(case)) == ("awaiting_materials", [])
    act(a, case, "materials_supplied", acted_on=D(2026, 9, 10))
    assert (case.stage, running(case)) == ("applied", ["all_acceptance_5"])
    assert case.deadlines.get(rule_code="all_acceptance_5", state="running").due == D(2026, 9, 17)
    act(a, case, "accept", acted_on=D(2026, 9, 14))
    act(a, case, "extend_decision", acted_on=D(2026, 10, 9), reason="需现场核查")
    act(a, case, "grant", acted_on=D(2026, 10, 20), licence_number="JY14301020000001",
        valid_until=D(2031, 10, 19))
    assert (case.stage, case.outcome) == ("decided", "granted")
    act(a, case, "issue_certificate", acted_on=D(2026, 10, 22))
    d = case.deadlines.get(rule_code="all_certificate_10")
    assert (d.state, d.met_on) == (DeadlineState.MET, D(2026, 10, 22))
    act(a, case, "close", acted_on=D(2026, 10, 23), summary="已发证")
    act(a, case, "archive", acted_on=D(2026, 10, 24), archive_number="2026-L-001")
    assert steps(case) == ["request_materials", "materials_supplied", "accept",
                           "extend_decision", "grant", "issue_certificate", "close", "archive"]
    assert_archived(case)


def test_licensing_denied_gets_no_certificate(a: Agency) -> None:
    case = licensing(a)
    act(a, case, "accept", acted_on=D(2026, 9, 2))
    act(a, case, "deny", acted_on=D(2026, 9, 20), reason="不符合法定条件")
    assert case.outcome == "denied"
    exc = refused(a, case, "issue_certificate", "licence_not_granted", acted_on=D(2026, 9, 21))
    assert exc.detail == [{"code": "licence_not_granted",
                           "message": "只有准予行政许可的，才颁发许可证件。",
                           "source": "行政许可法第三十九条"}]
    act(a, case, "close", acted_on=D(2026, 9, 21), summary="不予许可")
    act(a, case, "archive", acted_on=D(2026, 9, 22), archive_number="2026-L-002")
    assert_archived(case)


def test_licensing_not_accepted(a: Agency) -> None:
    case = licensing(a)
    act(a, case, "refuse_acceptance", acted_on=D(2026, 9, 2), reason="不属于本机关职权范围")
    assert (case.stage, case.status, running(case)) == ("not_accepted", "closed", [])


# --- generic -------------------------------------------------------------------------------------

def test_generic_procedure(a: Agency) -> None:
    case = open_case(a, "generic", received_on=D(2026, 9, 1), title="行政确认")
    assert (case.stage, case.number) == ("opened", "芙蓉市监X202600001")
    act(a, case, "start", acted_on=D(2026, 9, 2))
    act(a, case, "record_step", acted_on=D(2026, 9, 3), summary="核查材料")
    act(a, case, "suspend", acted_on=D(2026, 9, 4), kind="suspension", reason="等待材料")
    act(a, case, "resume", acted_on=D(2026, 9, 8))
    act(a, case, "decide", acted_on=D(2026, 9, 9), decision="予以确认")
    act(a, case, "close", acted_on=D(2026, 9, 10), summary="办结")
    act(a, case, "archive", acted_on=D(2026, 9, 11), archive_number="2026-X-001")
    assert_archived(case)


