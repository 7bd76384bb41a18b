"""Reading cases through the API: the list and its filters, the case page (masked ID numbers,
provisional deadlines, steps, approvals, the actions allowed now), the timeline with its
verification state, procedure definitions, provisional deadlines."""

import datetime as dt
from typing import Any

import pytest

from tests.api.cases_helpers import API, CaseWorld, case_world, client, zh
from tests.api.helpers import error, masked
from tests.cases.factories import act, company_party, open_case, person_party
from zhifa.cases.models import Case, CaseDeadline
from zhifa.cases.procedures import builtin_codes, procedure_get
from zhifa.cases.services.act import available_actions, role_allows
from zhifa.ledger.services.checkpoints import checkpoint_sign

pytestmark = pytest.mark.django_db


def numbers(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [c["number"] for c in response.json()["items"]]


def more_cases(w: CaseWorld) -> dict[str, Case]:
    """An inspection, a summary case on a person, and a general case registered late in the
    year (its 90-day decision deadline reaches 2027, a year without calendar data)."""
    inspection = open_case(w.a, "inspection", received_on=dt.date(2026, 10, 1),
                           title="例行检查")
    summary = open_case(w.a, "summary", received_on=dt.date(2026, 10, 2), title="占道经营",
                        parties=[person_party("赵某")])
    late = open_case(w.a, received_on=dt.date(2026, 11, 20), title="虚假宣传案",
                     parties=[company_party("长沙某某广告有限公司")])
    act(w.a, late, "register", acted_on=dt.date(2026, 11, 20), act_date=dt.date(2026, 11, 1),
        grounds="涉嫌虚假宣传")
    return {"inspection": inspection, "summary": summary, "late": late}


# -- the list -------------------------------------------------------------------------------

def test_list_and_filters() -> None:
    w = case_world()
    more = more_cases(w)
    c = client(w.a.u_officer)
    everything = numbers(c.get(API + "/cases"))
    # newest first by the day received
    assert everything == [more["late"].number, more["summary"].number,
                          more["inspection"].number, w.case.number]
    assert numbers(c.get(API + "/cases?procedure=general")) == [more["late"].number,
                                                               w.case.number]
    assert numbers(c.get(API + "/cases?stage=notified")) == [w.case.number]
    assert numbers(c.get(API + "/cases?status=open")) == everything
    assert numbers(c.get(API + "/cases?status=closed")) == []
    assert numbers(c.get(API + "/cases?q=广告")) == [more["late"].number]
    assert numbers(c.get(API + "/cases?q=G202600001")) == [w.case.number]
    # the party's statement period of the notified case ended on 2026-09-28: not overdue
    assert numbers(c.get(API + "/cases?overdue=true")) == []
    CaseDeadline.objects.filter(case=w.case, rule_code="apl_decision_90").update(
        due=dt.date(2026, 10, 9))
    assert numbers(c.get(API + "/cases?overdue=true")) == [w.case.number]
    assert numbers(c.get(API + "/cases?overdue=false")) == everything[:3]
    assert numbers(c.get(f"{API}/cases?body={w.a.body.public_id}")) == everything
    assert numbers(c.get(f"{API}/cases?body={w.a.other_body.public_id}")) == []
    paged = c.get(API + "/cases?page=2&page_size=3").json()
    assert (paged["count"], [i["number"] for i in paged["items"]]) == (4, [w.case.number])


def test_list_item() -> None:
    w = case_world()
    item = client(w.a.u_officer).get(API + "/cases").json()["items"][0]
    assert item == {
        "public_id": str(w.case.public_id), "number": w.case.number,
        "title": "销售不合格产品案", "procedure": "general",
        "procedure_label": zh("General penalty procedure"), "stage": "notified",
        "stage_label": zh("Prior notice served"), "status": "open",
        "body": {"public_id": str(w.a.body.public_id), "name": "芙蓉区市场监督管理局"},
        "sector": {"code": "market", "name": "市场监管"},
        "handler": {"public_id": str(w.a.officer.public_id), "name": "李明"},
        "received_on": "2026-09-01", "registered_on": "2026-09-02", "decided_on": None,
        "closed_on": None, "outcome": "", "final_fine_fen": None, "overdue": False,
    }


def test_bad_filters_are_422() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    for query, loc in (("status=lost", ["query", "status"]),
                       ("overdue=sometimes", ["query", "overdue"]),
                       ("body=nope", ["query", "body"]), ("page=0", ["query", "page"]),
                       ("q=a%00b", ["query", "q"])):
        body = error(c.get(f"{API}/cases?{query}"), 422, "invalid_payload")
        assert body["detail"][0]["loc"] == loc, query


def allowed(w: CaseWorld, user: Any) -> list[str]:
    """The engine's own answer: the actions of the case's stage that the user's role may
    take, in the procedure's order."""
    case = Case.objects.get(pk=w.case.pk)
    proc = procedure_get(case.procedure)
    return [a.code for a in available_actions(case, proc) if role_allows(user, case, a)]


# -- the case page --------------------------------------------------------------------------

def test_case_page() -> None:
    w = case_world()
    detail = client(w.a.u_officer).get(f"{API}/cases/{w.case.public_id}").json()
    assert detail["number"] == w.case.number
    assert (detail["notice_served_on"], detail["proposed_kinds"], detail["proposed_fine_fen"]) \
        == ("2026-09-22", ["fine"], 500000)
    assert [(o["name"], o["role"]) for o in detail["officers"]] == [
        ("李明", "lead"), ("张伟", "assistant")]
    assert [(d["rule_code"], d["due"], d["state"], d["provisional"], d["overdue"],
             d["lapsed"]) for d in detail["deadlines"]] == [
        ("apl_statement_3", "2026-09-28", "running", False, False, True),
        ("apl_decision_90", "2026-12-01", "running", False, False, False)]
    assert detail["deadlines"][1]["source"] == "行政处罚法第六十条"
    assert [s["action"] for s in detail["steps"]] == [
        "register", "start_investigation", "submit_report", "serve_notice"]
    report = detail["steps"][2]["data"]
    assert (report["fine_fen"], "fine" in report) == (500000, False)
    [pending] = detail["pending_approvals"]
    assert (pending["action"], pending["action_label"], pending["current_role"],
            pending["data"], pending["can_decide"], pending["can_withdraw"]) == (
        "suspend", zh("Suspend the case (中止)"), "head",
        {"kind": "testing", "reason": "抽样检验"}, False, True)
    actions = {a["code"]: a for a in detail["actions"]}
    # what the procedure allows from this stage to this officer; guards are checked when an
    # action is taken
    assert list(actions) == allowed(w, w.a.u_officer)
    assert {"suspend", "record_defence", "waive_defence", "request_hearing", "decide"} <= set(
        actions)
    assert actions["suspend"]["pending_approval"] is True
    decide = actions["decide"]
    assert (decide["approval"], decide["deciding"], decide["target"], decide["source"]) == (
        True, True, "decided", "行政处罚法第五十七条、第五十九条")
    fine = next(fl for fl in decide["fields"] if fl["name"] == "fine")
    assert fine == {"name": "fine", "kind": "money", "label": zh("Fine"), "required": False,
                    "choices": [], "help": ""}
    outcome = next(fl for fl in decide["fields"] if fl["name"] == "outcome")
    assert [ch["value"] for ch in outcome["choices"]] == ["penalty", "no_penalty", "transfer"]


def test_actions_depend_on_the_user() -> None:
    w = case_world()

    def codes(user: Any) -> list[str]:
        return sorted(a["code"] for a in client(user).get(
            f"{API}/cases/{w.case.number}").json()["actions"])

    assert codes(w.a.u_head) == sorted(allowed(w, w.a.u_head))
    assert {"decide", "record_defence", "waive_defence"} <= set(codes(w.a.u_head))
    # auxiliaries assist on their cases but never decide; they are not on this case
    assert codes(w.a.u_auxiliary) == []
    assert codes(w.a.u_reviewer) == []
    assert codes(w.u_colleague) == []
    assert codes(w.a.u_supervisor) == []
    head_pending = client(w.a.u_head).get(f"{API}/cases/{w.case.number}").json()
    assert [p["can_decide"] for p in head_pending["pending_approvals"]] == [True]


@pytest.mark.parametrize(("who", "full"), [
    ("a.u_officer", True), ("a.u_officer2", True), ("a.u_head", True), ("a.u_reviewer", True),
    ("a.u_sysadmin", True), ("u_colleague", False), ("a.u_supervisor", False),
])
def test_party_id_numbers_are_masked_unless_the_user_handles_the_case(who: str,
                                                                     full: bool) -> None:
    w = case_world()
    case = open_case(w.a, received_on=dt.date(2026, 11, 2), parties=[person_party("陈某")])
    id_number = case.parties.get().id_number
    user: Any = w
    for part in who.split("."):
        user = getattr(user, part)
    [party] = client(user).get(f"{API}/cases/{case.number}").json()["parties"]
    assert (party["id_number"], party["id_number_masked"], party["birth_date"]) == (
        (id_number, False, "1985-03-15") if full else (masked(id_number), True, None))


def test_provisional_deadline_on_the_case_page_and_for_administrators() -> None:
    w = case_world()
    late = more_cases(w)["late"]
    d90 = CaseDeadline.objects.get(case=late, rule_code="apl_decision_90")
    assert d90.provisional  # 2027 has no calendar data
    page = client(w.a.u_officer).get(f"{API}/cases/{late.number}").json()
    assert [(d["rule_code"], d["due"], d["provisional"]) for d in page["deadlines"]] == [
        ("apl_decision_90", d90.due.isoformat(), True)]
    listed = client(w.a.u_sysadmin).get(API + "/deadlines/provisional").json()
    assert listed == {"count": 1, "items": [{
        "case": {"public_id": str(late.public_id), "number": late.number, "title": "虚假宣传案",
                 "body": {"public_id": str(w.a.body.public_id), "name": "芙蓉区市场监督管理局"}},
        "rule_code": "apl_decision_90", "label": d90.label, "source": "行政处罚法第六十条",
        "start": "2026-11-20", "due": d90.due.isoformat(), "provisional": True,
        "state": "running"}]}


# -- the timeline ---------------------------------------------------------------------------

def test_timeline_with_verification_state(tmp_path: Any, settings: Any) -> None:
    w = case_world()
    c = client(w.a.u_supervisor)
    timeline = c.get(f"{API}/cases/{w.case.number}/timeline").json()
    assert [(e["stream_seq"], e["event_name"], e["status"]) for e in timeline] == [
        (0, "case.created", "pending"), (1, "case.approval_requested", "pending"),
        (2, "case.approval_decided", "pending"), (3, "case.action", "pending"),
        (4, "case.action", "pending"), (5, "case.action", "pending"),
        (6, "case.action", "pending"), (7, "case.approval_requested", "pending")]
    first = timeline[0]
    assert first["payload"]["number"] == w.case.number
    assert first["text"] == zh("Case {number} created ({procedure_label})").format(
        number=w.case.number, procedure_label=first["payload"]["procedure_label"])
    assert len(first["leaf_hash"]) == 64
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path)
    checkpoint_sign(actor=None)
    signed = c.get(f"{API}/cases/{w.case.number}/timeline").json()
    assert {e["status"] for e in signed} == {"verified"}


# -- procedures -----------------------------------------------------------------------------

def test_procedures() -> None:
    w = case_world()
    c = client(w.a.u_officer)
    listed = c.get(API + "/procedures").json()
    assert [p["code"] for p in listed] == builtin_codes()
    assert all(p["builtin"] for p in listed)
    general = c.get(API + "/procedures/general").json()
    proc = procedure_get("general")
    assert (general["initial"], general["pausable"], general["source"]) == (
        "source", ["apl_decision_90"], "行政处罚法第五十四条至第六十五条")
    assert [s["code"] for s in general["stages"]] == [s.code for s in proc.stages]
    assert [a["code"] for a in general["actions"]] == [a.code for a in proc.actions]
    register = general["actions"][0]
    assert (register["sources"], register["target"], register["guards"],
            register["starts"]) == (["source"], "registered", ["limitation"],
                                    [{"rule": "apl_decision_90", "anchor": "", "when": ""}])
    rules = {r["code"]: r for r in general["deadlines"]}
    assert rules["apl_decision_90"]["n"] == 90
    assert rules["apl_decision_90"]["unit"] == "calendar_day"
    assert rules["apl_decision_90"]["source"] == "行政处罚法第六十条"
    assert {"apl_service_7", "apl_payment_15", "apl_statement_3",
            "apl_hearing_request_5", "acl_reminder_10"} <= set(rules)


def test_procedure_labels_follow_the_language(settings: Any) -> None:
    w = case_world()
    c = client(w.a.u_officer)
    zh_doc = c.get(API + "/procedures/summary").json()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en_doc = c.get(API + "/procedures/summary").json()
    assert en_doc["label"] == "Summary penalty procedure"
    assert zh_doc["label"] == zh("Summary penalty procedure")
    en_field = en_doc["actions"][0]["fields"][0]
    zh_field = zh_doc["actions"][0]["fields"][0]
    assert (en_field["name"], en_field["label"]) == ("acted_on", "Date of the step")
    assert zh_field["label"] == zh("Date of the step")


def test_an_agencys_own_procedure() -> None:
    from zhifa.cases.procedures import BUILTIN
    from zhifa.cases.services import custom_procedure_save

    w = case_world()
    definition = {k: v for k, v in BUILTIN["generic"].items() if k not in ("code", "label")}
    definition = {**definition, "stages": [{**s, "label": str(s["label"])}
                                           for s in definition["stages"]],
                  "actions": [_plain(a) for a in definition["actions"]]}
    custom_procedure_save(actor=w.a.u_sysadmin, body=w.a.body, code="tobacco",
                          name="烟草专卖程序", definition=definition)
    c = client(w.a.u_officer)
    listed = c.get(API + "/procedures").json()
    assert [(p["code"], p["label"], p["builtin"]) for p in listed][-1] == (
        "tobacco", "烟草专卖程序", False)
    assert c.get(API + "/procedures/tobacco").json()["label"] == "烟草专卖程序"
    # another body does not run it
    other = client(w.a.u_other)
    assert "tobacco" not in [p["code"] for p in other.get(API + "/procedures").json()]
    error(other.get(API + "/procedures/tobacco"), 404, "procedure_not_found")


def _plain(value: Any) -> Any:
    """Lazy translations of a built-in definition as plain text (a stored definition is
    JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str | int | bool) or value is None:
        return value
    return str(value)


def test_system_administrator_without_a_body_sees_the_built_in_procedures() -> None:
    w = case_world()
    c = client(w.a.u_sysadmin)
    assert [p["code"] for p in c.get(API + "/procedures").json()] == builtin_codes()
    assert c.get(f"{API}/procedures?body={w.a.other_body.public_id}").status_code == 200

