"""Drafting a publication when a decision document is issued (through the document services,
so that the documents app's listener runs inside the issue): each decision type's record,
masked in every field and the title; the deadline on the real working-day calendar across
the National Day holiday (a decision on 30 September 2026: 7 working days → 15 October, 20 →
3 November); minors and warnings (where the sector does not publish them) withheld at once;
odd data never refuses the issue; drafting once per document."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from types import SimpleNamespace

import pytest

from tests import factories as f
from tests.cases.factories import Agency, agency, company_party, open_case, person_party
from tests.disclosure.pipeline_factories import (
    PERSON_ADDRESS,
    PERSON_PHONE,
    issued_decision,
    ledger_size,
    licensing_granted,
    person,
    summary_decided,
)
from zhifa.cases.models import Case, Party
from zhifa.cases.services import PartyIn
from zhifa.catalog.models import PartyType
from zhifa.disclosure.events import PUBLICATION_DRAFTED, PUBLICATION_WITHHELD
from zhifa.disclosure.models import Category, DisclosurePolicy, Publication, State
from zhifa.disclosure.services import derive
from zhifa.disclosure.services.derive import (
    birth_date_of,
    publication_draft_for_document,
)
from zhifa.documents.events import DOCUMENT_ISSUED
from zhifa.documents.models import Document, DocumentState, ServiceRecord
from zhifa.evidence.models import EvidenceItem
from zhifa.ledger.models import LedgerEntry

D = dt.date
NATIONAL_DAY_EVE = D(2026, 9, 30)


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


def entries(pub: Publication) -> list[tuple[int, dict]]:
    """The case stream's entries after the document was issued: (event code, payload)."""
    rows = LedgerEntry.objects.filter(stream=pub.case.stream).order_by("stream_seq")
    codes = [(e.event_code, json.loads(e.payload)) for e in rows]
    issued = max(i for i, (code, _p) in enumerate(codes) if code == DOCUMENT_ISSUED.code)
    return codes[issued + 1:]


def test_a_penalty_decision_on_a_person(a: Agency) -> None:
    facts = (f"经查，当事人陈小明（电话{PERSON_PHONE}）在{PERSON_ADDRESS}销售不合格电热水壶"
             "12台，其妻王丽丽在场。")
    pub = issued_decision(a, party=person("陈小明"), facts=facts,
                          decided_on=NATIONAL_DAY_EVE, title="陈小明销售不合格产品案")
    doc = pub.document
    assert doc is not None and doc.state == DocumentState.ISSUED
    number = doc.number
    assert number == "芙蓉市监罚〔2026〕1号"
    assert pub.original == {
        "agency": "芙蓉区市场监督管理局", "agency_credit_code": a.body.credit_code,
        "party": "陈小明", "party_type": "自然人", "party_credit_code": "",
        "legal_representative": "", "category": "行政处罚",
        "conclusion": "给予行政处罚（罚款）", "decision_number": number, "facts": facts,
        "basis": "《中华人民共和国产品质量法》第三十九条；《中华人民共和国产品质量法》第五十条",
        "result": "罚款人民币伍仟元整。", "decision_date": "2026-09-30"}
    stars = "*" * len(PERSON_ADDRESS)
    assert pub.public == {**pub.original, "party": "陈**",
                          "facts": f"经查，当事人陈**（电话***********）在{stars}销售不合格"
                                   "电热水壶12台，其妻王丽丽在场。"}
    assert pub.masks == [
        {"field": "party", "kind": "person_name", "start": 0, "end": 3, "replacement": "陈**"},
        {"field": "facts", "kind": "person_name", "start": 6, "end": 9, "replacement": "陈**"},
        {"field": "facts", "kind": "phone", "start": 12, "end": 23,
         "replacement": "*" * 11},
        {"field": "facts", "kind": "address", "start": 25, "end": 25 + len(PERSON_ADDRESS),
         "replacement": stars}]
    assert (pub.state, pub.category, pub.title, pub.party_display, pub.party_credit_code) == (
        State.DRAFT, Category.PENALTY, "陈**销售不合格产品案", "陈**", "")
    assert (pub.fine, pub.confiscation, pub.decision_number, pub.decision_date) == (
        500_000, None, number, NATIONAL_DAY_EVE)
    assert (pub.body, pub.region, pub.sector, pub.case) == (a.body, a.regions["county"],
                                                            a.market, doc.case)
    # 7 working days from 30 September: 8, 9, 10 (a make-up Saturday), 12, 13, 14, 15 October
    assert (pub.due_on, pub.due_rule) == (D(2026, 10, 15), "publicity_decision_7")
    assert (pub.extra_terms, pub.withhold_reason, pub.published_on, pub.ledger_seq) == (
        [], "", None, None)
    [(code, payload)] = entries(pub)
    assert (code, payload) == (PUBLICATION_DRAFTED.code, {
        "publication": str(pub.public_id), "decision_number": number, "category": "penalty",
        "due": "2026-10-15"})
    entry = LedgerEntry.objects.get(stream=pub.case.stream, event_code=PUBLICATION_DRAFTED.code)
    assert (entry.actor_id, entry.body_id) == (a.u_officer.pk, a.body.pk)


def test_an_organisation_is_published_with_its_code_its_representative_partly(
        a: Agency) -> None:
    company = company_party()
    pub = issued_decision(a, party=company, kinds=["fine", "confiscate_gains"], fine="20000",
                          confiscation="3000", decided_on=NATIONAL_DAY_EVE,
                          **{"处罚内容": "罚款人民币贰万元，没收违法所得叁仟元。"})
    assert pub.public == {**pub.original, "legal_representative": "陈*"}
    assert pub.masks == [{"field": "legal_representative", "kind": "person_name",
                          "start": 0, "end": 2, "replacement": "陈*"}]
    assert (pub.public["party"], pub.public["party_type"], pub.public["party_credit_code"],
            pub.original["legal_representative"], pub.public["conclusion"]) == (
        "长沙某某贸易有限公司", "法人及非法人组织", company.credit_code, "陈某",
        "给予行政处罚（罚款、没收违法所得）")
    assert (pub.party_credit_code, pub.fine, pub.confiscation) == (company.credit_code,
                                                                  2_000_000, 300_000)


def test_a_summary_decision(a: Agency) -> None:
    pub = summary_decided(a, party=person_party("刘某某"), decided_on=NATIONAL_DAY_EVE)
    assert (pub.state, pub.category, pub.due_on, pub.fine) == (
        State.DRAFT, Category.PENALTY, D(2026, 10, 15), 5_000)
    assert pub.decision_number == pub.document.number and pub.decision_number.startswith("S-")
    assert {k: pub.public[k] for k in ("party", "category", "conclusion", "facts",
                                       "decision_date")} == {
        "party": "刘**", "category": "行政处罚", "conclusion": "给予行政处罚（罚款）",
        "facts": "当事人占道经营", "decision_date": "2026-09-30"}


def test_a_licence_granted(a: Agency) -> None:
    company = company_party("长沙某某餐饮有限公司")
    pub = licensing_granted(a, party=company, decided_on=NATIONAL_DAY_EVE)
    assert (pub.state, pub.category, pub.due_on, pub.due_rule, pub.fine) == (
        State.DRAFT, Category.LICENSING, D(2026, 10, 15), "publicity_decision_7", None)
    assert pub.decision_number == "芙蓉市监许〔2026〕1号"
    assert {k: pub.public[k] for k in ("party", "party_credit_code", "category",
                                       "conclusion", "facts", "basis", "result")} == {
        "party": "长沙某某餐饮有限公司", "party_credit_code": company.credit_code,
        "category": "行政许可", "conclusion": "准予行政许可", "facts": "食品经营许可申请",
        "basis": "《中华人民共和国食品安全法》第三十五条", "result": "准予食品经营许可。"}


def test_a_no_penalty_decision_is_another_decision_of_20_working_days(a: Agency) -> None:
    pub = issued_decision(a, outcome="no_penalty", decided_on=NATIONAL_DAY_EVE)
    # 20 working days from 30 September, the National Day week and the make-up Saturday
    # (10 October) counted as the calendar says
    assert (pub.state, pub.category, pub.due_on, pub.due_rule) == (
        State.DRAFT, Category.OTHER, D(2026, 11, 3), "publicity_other_20")
    assert (pub.public["conclusion"], pub.public["result"], pub.public["basis"], pub.fine) == (
        "不予行政处罚", "当事人违法行为轻微并及时改正，没有造成危害后果。",
        "《中华人民共和国行政处罚法》第三十三条第一款", None)


def _issued_document(a: Agency, doc_type: str, *, context: dict, number: str = "",
                     parties: bool = True) -> Document:
    case = open_case(a, "coercive", received_on=D(2026, 9, 1), parties=[company_party()])
    if not parties:
        Party.objects.filter(case=case).delete()
    return Document.objects.create(case=case, doc_type=doc_type, state=DocumentState.ISSUED,
                                   number=number, issued_on=NATIONAL_DAY_EVE, context=context)


def test_coercive_decisions_are_other_decisions_dated_by_their_document(a: Agency) -> None:
    seizure = _issued_document(a, "seizure_decision", number="芙蓉市监扣〔2026〕3号", context={
        "措施理由": "涉嫌销售不合格产品", "措施依据": "《产品质量法》第十八条",
        "财物名称数量": "电热水壶120台", "措施期限": "三十日"})
    before = ledger_size()
    pub = publication_draft_for_document(document=seizure)
    assert pub is not None and (pub.category, pub.decision_date, pub.due_on) == (
        Category.OTHER, NATIONAL_DAY_EVE, D(2026, 11, 3))
    assert {k: pub.public[k] for k in ("category", "conclusion", "facts", "basis", "result",
                                       "decision_number")} == {
        "category": "行政强制", "conclusion": "采取查封、扣押行政强制措施",
        "facts": "涉嫌销售不合格产品", "basis": "《产品质量法》第十八条",
        "result": "电热水壶120台\n三十日", "decision_number": "芙蓉市监扣〔2026〕3号"}
    assert ledger_size() == before + 1
    # once per document
    assert publication_draft_for_document(document=seizure) == pub
    assert ledger_size() == before + 1
    execution = _issued_document(a, "execution_decision", number="芙蓉市监强执〔2026〕1号",
                                 context={"执行理由": "逾期不拆除", "执行方式": "强制拆除"})
    pub = publication_draft_for_document(document=execution)
    assert pub is not None and (pub.public["conclusion"], pub.public["result"]) == (
        "行政强制执行", "强制拆除")


def test_odd_data_never_refuses(a: Agency, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="zhifa.disclosure")
    doc = _issued_document(a, "penalty_decision", context={}, parties=False)
    pub = publication_draft_for_document(document=doc)
    assert pub is not None and pub.state == State.DRAFT
    case = doc.case
    assert (pub.decision_number, pub.title, pub.party_display, pub.fine) == (
        case.number, case.title, "", None)
    assert {k: pub.original[k] for k in ("party", "party_type", "facts", "basis", "result",
                                         "conclusion")} == {
        "party": "", "party_type": "", "facts": case.title, "basis": "", "result": "",
        "conclusion": "给予行政处罚"}
    assert caplog.records == []
    # other documents are not published
    assert publication_draft_for_document(document=SimpleNamespace(doc_type="prior_notice",
                                                                   pk=doc.pk)) is None


def test_a_failure_to_draft_refuses_the_issue_and_writes_nothing(
        a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drafting is part of issuing: a fault there rolls the issue back (no number taken, no
    ledger entry), so a decision is never issued without its publication."""
    def broken(document: object) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr(derive, "_draft", broken)
    with pytest.raises(RuntimeError, match="unexpected"):
        issued_decision(a)
    doc = Document.objects.get(doc_type="penalty_decision")
    assert (doc.state, doc.number, doc.verify_code) == (DocumentState.DRAFT, "", "")
    assert not Publication.objects.exists()
    assert not LedgerEntry.objects.filter(event_code__in=[
        DOCUMENT_ISSUED.code, PUBLICATION_DRAFTED.code, PUBLICATION_WITHHELD.code]).exists()


@pytest.mark.parametrize(("birth", "state"), [
    ("20100101", State.WITHHELD),  # 16
    ("20081001", State.WITHHELD),  # 17 on 30 September 2026, 18 the next day
    ("20080930", State.DRAFT),     # 18 on the decision day
])
def test_a_minor_is_withheld(a: Agency, birth: str, state: str) -> None:
    pub = issued_decision(a, party=person("李小华", birth=birth), decided_on=NATIONAL_DAY_EVE,
                          kinds=["warning"], fine="")
    assert pub.state == state
    [(code, payload)] = entries(pub)
    if state == State.WITHHELD:
        assert pub.withhold_reason == "minor"
        assert (code, payload) == (PUBLICATION_WITHHELD.code, {
            "publication": str(pub.public_id), "decision_number": pub.decision_number,
            "category": "penalty", "reason": "minor",
            "reason_label": payload["reason_label"], "automatic": True})
        assert "李小华" not in json.dumps(payload, ensure_ascii=False)
    else:
        assert code == PUBLICATION_DRAFTED.code and pub.withhold_reason == ""


def test_birth_date_from_the_id_number() -> None:
    assert birth_date_of(Party(id_number="430102201001010017")) == D(2010, 1, 1)
    assert birth_date_of(Party(id_number="430102100101001")) == D(1910, 1, 1)
    assert birth_date_of(Party(id_number="43010220101399001X")) is None
    assert birth_date_of(Party(birth_date=D(2000, 2, 29), id_number="x")) == D(2000, 2, 29)


def test_warnings_are_withheld_only_where_the_sector_says_so(a: Agency) -> None:
    assert issued_decision(a, kinds=["warning"], fine="").state == State.DRAFT
    DisclosurePolicy.objects.create(sector=a.market, publish_warnings=False)
    pub = issued_decision(a, kinds=["warning"], fine="")
    assert (pub.state, pub.withhold_reason) == (State.WITHHELD, "warning_only")
    # a warning with a fine is not a warning only
    assert issued_decision(a, kinds=["warning", "fine"]).state == State.DRAFT


def test_the_sector_policy_masks(a: Agency) -> None:
    DisclosurePolicy.objects.create(sector=a.market, mask_person_names=False,
                                    mask_phones=False)
    pub = issued_decision(a, party=person("陈小明"), facts=f"陈小明电话{PERSON_PHONE}。")
    assert (pub.public["party"], pub.public["facts"], pub.masks) == (
        "陈小明", f"陈小明电话{PERSON_PHONE}。", [])


def test_an_individual_business(a: Agency) -> None:
    shop = PartyIn(party_type=PartyType.INDIVIDUAL_BUSINESS, name="长沙市芙蓉区小明便利店",
                   credit_code=f.credit_code("430102"), legal_representative="陈小明",
                   address="长沙市芙蓉区韶山路8号", phone=PERSON_PHONE)
    pub = issued_decision(a, party=shop, facts="经营者陈小明（电话13807311234）在韶山路8号销售。")
    assert {k: pub.public[k] for k in ("party", "party_type", "party_credit_code",
                                       "legal_representative", "facts")} == {
        "party": "长沙市芙蓉区小明便利店", "party_type": "个体工商户",
        "party_credit_code": shop.credit_code, "legal_representative": "陈**",
        "facts": "经营者陈**（电话***********）在*****销售。"}
    assert pub.party_credit_code == shop.credit_code


# --- review findings: control characters, third parties, landlines, health, atomicity --------
CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def test_control_characters_never_reach_a_record(a: Agency) -> None:
    doc = _issued_document(a, "penalty_decision", number="芙蓉市监罚〔2026〕9号", context={
        # (NUL itself is refused by PostgreSQL's JSON: never stored)
        "违法事实": "经查\x01，当事人\x1b[31m销售\r\n过期食品\x07。",
        "处罚内容": "罚款\x0b五千元", "违法依据": "《食品安全法》\x7f第三十四条\x85"})
    Case.objects.filter(pk=doc.case_id).update(title="销售\x08过期\r\n食品案\x1f")
    pub = publication_draft_for_document(document=doc)
    assert pub is not None
    assert {k: pub.original[k] for k in ("facts", "result", "basis")} == {
        "facts": "经查，当事人[31m销售\n过期食品。", "result": "罚款五千元",
        "basis": "《食品安全法》第三十四条"}
    assert pub.title == "销售过期 食品案"
    for value in (*pub.original.values(), *pub.public.values(), pub.title,
                  pub.party_display, pub.decision_number):
        assert not CONTROLS.search(value), repr(value)


def _person_case_with_third_parties(a: Agency) -> Case:
    """A case on 陈小明 (landline 0731-84123456) and a company (represented by 周八) whose
    data names other people: 李四 questioned, 王丽丽 served (a relative), 赵六 witness of
    the service, 孙七 a witness's testimony; the officer 李明 witnessed a service too."""
    company = PartyIn(party_type=PartyType.ORGANISATION, name="长沙某某物流有限公司",
                      credit_code=f.credit_code("430102"), legal_representative="周八")
    case = open_case(a, "coercive", received_on=D(2026, 9, 1),
                     parties=[person("陈小明", phone="0731-84123456"), company])
    questioning = Document.objects.create(case=case, doc_type="questioning_record",
                                          fields={"被询问人": "李四", "询问内容": "……"})
    ServiceRecord.objects.create(document=questioning, method="left",
                                 recipient="王丽丽（同住成年家属）", witness="社区主任赵六")
    ServiceRecord.objects.create(document=questioning, method="direct", recipient="陈小明",
                                 witness="李明")
    EvidenceItem.objects.create(case=case, seq=1, kind="witness", title="证人证言",
                                source="孙七")
    EvidenceItem.objects.create(case=case, seq=2, kind="physical", title="电热水壶",
                                source="当事人仓库")
    return case


def test_third_parties_named_by_the_case_are_masked_whole_officers_never(a: Agency) -> None:
    case = _person_case_with_third_parties(a)
    facts = ("经查，陈小明（84123456）雇用李四销售，其妻王丽丽、邻居赵六、孙七证实，"
             "周八系另一当事人的法定代表人，执法人员李明、张伟在场。")
    doc = Document.objects.create(case=case, doc_type="seizure_decision",
                                  state=DocumentState.ISSUED, number="芙蓉市监扣〔2026〕5号",
                                  issued_on=NATIONAL_DAY_EVE, context={"措施理由": facts})
    assert set(derive.known_for(case).third_party_names) == {"李四", "王丽丽", "赵六", "孙七",
                                                              "周八"}
    pub = publication_draft_for_document(document=doc)
    assert pub is not None
    assert pub.public["facts"] == ("经查，陈**（********）雇用**销售，其妻***、邻居**、**证实，"
                                   "**系另一当事人的法定代表人，执法人员李明、张伟在场。")
    assert pub.public["party"] == "陈**、长沙某某物流有限公司"
    assert [m["kind"] for m in pub.masks if m["field"] == "facts"] == [
        "person_name", "phone", "third_party", "third_party", "third_party", "third_party",
        "third_party"]


def test_a_landline_written_without_its_area_code(a: Agency) -> None:
    facts = "当事人陈小明（0731-84123456，另拨84123456）在店内销售；批号A2026841234567。"
    pub = issued_decision(a, party=person("陈小明", phone="0731-84123456"), facts=facts)
    assert pub.public["facts"] == (
        "当事人陈**（*************，另拨********）在店内销售；批号A2026841234567。")
    assert derive.known_for(pub.case).phones == ("0731-84123456", "84123456")


def test_health_clauses_under_the_default_rules(a: Agency) -> None:
    """The default terms are specific: 病死猪肉 is not health information; a natural
    person's illness is masked, its clause only."""
    facts = "当事人陈小明患有肺结核，仍从事直接入口食品工作，并销售病死猪肉。"
    pub = issued_decision(a, party=person("陈小明"), facts=facts)
    assert pub.public["facts"] == "***********，仍从事直接入口食品工作，并销售病死猪肉。"
    assert [m["kind"] for m in pub.masks if m["field"] == "facts"] == ["health"]
    # an organisation's record: its clauses are masked only where they name a person
    facts = "当事人收购、销售病死猪肉，其员工患有传染病，当事人的病历管理制度不健全。"
    pub = issued_decision(a, facts=facts)
    assert pub.public["facts"] == (
        "当事人收购、销售病死猪肉，********，当事人的病历管理制度不健全。")


def test_drafting_is_atomic_outside_the_issue_transaction(
        a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    """Called on its own (not inside the issue), a failure after the row is written leaves
    no draft without its ledger entry."""
    doc = _issued_document(a, "seizure_decision", number="芙蓉市监扣〔2026〕7号",
                           context={"措施理由": "涉嫌销售不合格产品"})
    before = ledger_size()

    def broken(**kwargs: object) -> None:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(derive, "ledger_append", broken)
    with pytest.raises(RuntimeError, match="ledger down"):
        publication_draft_for_document(document=doc)
    assert not Publication.objects.filter(document=doc).exists()
    assert ledger_size() == before
