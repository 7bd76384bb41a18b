"""The masking engine on its own (pure Python, no database): names partly masked with simple
and compound surnames; ID numbers, phones, bank accounts and addresses found by pattern and
from the case's known values (also written with spaces, hyphens and full-width digits);
health sentences; third parties and the clerk's terms; public identifiers left alone; each
rule switched off; overlapping masks merged; every mask's position is in the original."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from zhifa.disclosure.masking import (
    Known,
    Mask,
    MaskRules,
    clean_terms,
    landline_local,
    mask_fields,
    mask_text,
    partial_name,
    person_names_in,
    possible_names,
    strip_controls,
)

RULES = MaskRules(health_terms=("诊断", "住院", "病史"))
NOTHING = Known()
ID18 = "430102198503150014"  # valid check digit
CREDIT = "91430102MA4L0XQ21B"


def masked(text: str, known: Known = NOTHING, rules: MaskRules = RULES,
           health: bool = True) -> str:
    return mask_text(text, rules=rules, known=known, health=health)[0]


def kinds(text: str, known: Known = NOTHING, rules: MaskRules = RULES) -> list[tuple[str, str]]:
    """(kind, original text) of every mask."""
    _out, masks = mask_text(text, rules=rules, known=known)
    return [(m.kind, text[m.start:m.end]) for m in masks]


@pytest.mark.parametrize(("name", "expected"), [
    ("张伟", "张*"), ("王小明", "王**"), ("欧阳明月", "欧阳**"), ("司马光", "司马*"),
    ("诸葛亮", "诸葛*"), ("上官婉儿", "上官**"), ("东方红", "东方*"), ("尉迟恭", "尉迟*"),
    ("欧阳", "欧*"), ("张", "*"), ("", ""), (" 李四 ", "李*"),
])
def test_partial_name(name: str, expected: str) -> None:
    assert partial_name(name) == expected


def test_names_are_partly_masked_wherever_they_appear_with_spaces_too() -> None:
    known = Known(person_names=("王小明", "欧阳明月"))
    text = "当事人王小明与欧阳明月共同经营；王 小 明拒不改正。"
    out, masks = mask_text(text, rules=RULES, known=known)
    assert out == "当事人王**与欧阳**共同经营；王 * *拒不改正。"
    assert [(m.kind, m.start, m.end, m.replacement) for m in masks] == [
        ("person_name", 3, 6, "王**"), ("person_name", 7, 11, "欧阳**"),
        ("person_name", 16, 21, "王 * *")]


def test_id_numbers_by_pattern_and_known_with_variants() -> None:
    assert kinds(f"身份证号{ID18}。") == [("id_number", ID18)]
    assert masked(f"身份证号{ID18[:17]}x。") == "身份证号******************。"
    assert masked("旧证件号430102850315001，") == "旧证件号***************，"
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in ID18)
    assert masked(f"证号{full_width}") == "证号" + "*" * 18
    spaced = f"{ID18[:6]} {ID18[6:14]} {ID18[14:]}"
    assert masked(f"证号{spaced}止") == "证号" + "*" * len(spaced) + "止"
    # an ID number that does not look like one is masked because it is known
    odd = "G12345678"
    assert masked(f"护照号码{odd}", Known(id_numbers=(odd,))) == "护照号码*********"


@pytest.mark.parametrize("phone", [
    "13812345678", "138 1234 5678", "138-1234-5678", "+86 13812345678", "8613812345678",
    "１３８１２３４５６７８", "0731-84123456", "(0731)84123456", "（0731）84123456",
    "010 12345678", "0731-8412345", "0731-84123456转123",
])
def test_phones_by_pattern(phone: str) -> None:
    out = masked(f"联系电话为{phone}，请拨打")
    assert out == f"联系电话为{'*' * len(phone)}，请拨打"


def test_a_bare_local_number_after_a_phone_word_and_a_known_phone() -> None:
    assert masked("电话：84123456。") == "电话：********。"
    assert masked("座机 8412 3456。") == "座机 *********。"
    assert masked("其号码为 8412-3456", Known(phones=("84123456",))) == "其号码为 *********"


@pytest.mark.parametrize("account", [
    "6222021234567890123", "622202123456", "6222 0212 3456 7890", "6222-0212-3456-7890-123",
])
def test_bank_accounts_by_pattern(account: str) -> None:
    assert masked(f"汇入{account}账户") == f"汇入{'*' * len(account)}账户"


def test_bank_account_after_a_word_and_known() -> None:
    assert masked("银行账号：6222 0212 3456。") == "银行账号：**************。"
    assert masked("卡号 88123456789") == "卡号 ***********"
    assert masked("尾号为 0012 3456 789 的账户", Known(bank_accounts=("00123456789",))) == (
        "尾号为 ************* 的账户")


def test_addresses_by_pattern_and_known() -> None:
    text = "当事人住长沙市芙蓉区五一大道100号3栋201室，在人民路8号经营，另在某某村3组养殖。"
    assert kinds(text) == [("address", "五一大道100号3栋201室"), ("address", "人民路8号"),
                           ("address", "某某村3组")]
    known = Known(addresses=("长沙县星沙镇开元东路", ))
    assert masked("在长沙县星沙镇开元东路附近", known) == "在**********附近"


def test_health_clauses_only_in_the_free_text_fields_of_a_natural_persons_record() -> None:
    person = Known(natural_person=True)
    text = "当事人称其曾住院治疗，现已康复。经查，当事人销售过期食品；其病史不详\n后查明属实。"
    assert masked(text, person) == (
        "**********，现已康复。经查，当事人销售过期食品；*****\n后查明属实。")
    assert masked(text, person, health=False) == text
    # an enumeration after the term is one clause: 、 does not end it
    assert masked("经诊断患有甲病、乙病，未如实告知。", person) == "**********，未如实告知。"
    result = mask_fields({"facts": "甲诊断为某病。乙。", "basis": "某法规定诊断机构……",
                          "result": "住院。", "conclusion": "无"}, rules=RULES, known=person)
    assert result.fields == {"facts": "******。乙。", "basis": "某法规定诊断机构……",
                             "result": "**。", "conclusion": "无"}


def test_health_clauses_of_an_organisations_record_only_where_a_person_is_named() -> None:
    """An organisation has no health: a clause is masked only when it names a person (a
    known name, or a word that introduces one)."""
    org = Known(third_party_names=("赵六",))
    text = "当事人的病史档案管理不规范，赵六的病史被泄露，员工病史未建档，患者病史外借。"
    assert masked(text, org) == "当事人的病史档案管理不规范，********，*******，******。"
    assert masked("当事人未按规定保存病史资料。", org) == "当事人未按规定保存病史资料。"
    # clauses end at ，；。！？ and line breaks, whatever the spaces around them
    assert masked("甲；  赵六有病史  ；乙", org) == "甲；  *****  ；乙"


def test_control_characters_are_stripped() -> None:
    assert strip_controls("a\x00b\x07c\x1b[0m\r\nd\te\x7f\x85f\ufffe\ud800") == (
        "abc[0m\nd\tef")
    assert strip_controls("第一行\r第二行\n") == "第一行\n第二行\n"
    assert strip_controls(None) == ""  # type: ignore[arg-type]


@pytest.mark.parametrize(("phone", "local"), [
    ("0731-84123456", "84123456"), ("(0731)8412345", "8412345"), ("010 62345678", "62345678"),
    ("020-87654321转12", "87654321"), ("+86 731 84123456", "84123456"),
    ("０７３１－８４１２３４５６", "84123456"),
    ("13807311234", ""), ("84123456", ""), ("0731-0123456", ""), ("", ""),
])
def test_landline_local(phone: str, local: str) -> None:
    assert landline_local(phone) == local


def test_a_known_short_number_is_masked_only_standing_alone() -> None:
    known = Known(phones=("0731-84123456", "84123456"))
    assert masked("其号码为84123456，另有0731-84123456。", known) == (
        "其号码为********，另有*************。")
    # inside a longer number it is not this phone (amounts, batch numbers)
    assert masked("批号A2026841234567，货值1841234560元", known,
                  MaskRules(bank_accounts=False)) == "批号A2026841234567，货值1841234560元"
    assert masked("座机８４１２ ３４５６。", known) == "座机*********。"


def test_person_names_in_structured_values() -> None:
    assert person_names_in("王五") == ["王五"]
    assert person_names_in("社区主任王五") == ["王五"]
    assert person_names_in("陈小明（同住成年家属）") == ["陈小明"]
    assert person_names_in("证人：欧阳明月、 李四；张三") == ["欧阳明月", "李四", "张三"]
    # anonymised names, organisations and words that are not names are left out
    for value in ("收发室张某", "长沙某某贸易有限公司", "芙蓉区人民法院", "本人", "", "A1"):
        assert person_names_in(value) == [], value


def test_possible_names_after_words_that_introduce_a_person() -> None:
    texts = ["经查，员工张三、李四证实，当事人雇用的厨师王丽丽在场；其妻欧阳明月称不知情。",
             "证人赵六称，消费者投诉，员工和顾客均在场，举报人刘某反映", None, ""]
    assert possible_names(texts) == ["张三", "李四", "王丽丽", "欧阳明月", "赵六"]
    # masked names are not listed
    assert possible_names(["证人**称，其妻王*在场"]) == []


def test_third_parties_and_extra_terms() -> None:
    known = Known(third_party_names=("赵六",), extra_terms=("某某超市", "李"))
    out, masks = mask_text("证人赵六称，某某超市老板李某在场。", rules=RULES, known=known)
    assert out == "证人**称，****老板*某在场。"
    assert [m.kind for m in masks] == ["third_party", "extra", "extra"]


def test_public_identifiers_are_not_taken_for_patterns() -> None:
    digits_code = "914301021985031512"  # an all-digit credit code that looks like an ID
    known = Known(public_values=(digits_code, CREDIT, "芙市监罚〔2026〕12号"))
    text = (f"统一社会信用代码{digits_code}、{CREDIT}，决定书芙市监罚〔2026〕12号，"
            "罚款5000元，违法货值12345678元，2026年8月1日。")
    assert masked(text, known) == text
    # without being known public, the all-digit code is masked (it could be an ID number)
    assert digits_code not in masked(text)


def test_amounts_dates_and_law_citations_stay() -> None:
    text = ("依据《中华人民共和国产品质量法》第五十条，罚款人民币5000元（伍仟元整），"
            "没收违法所得1234567元，于2026年8月31日前缴纳，批次20260801。")
    assert masked(text) == text


def test_each_rule_switched_off() -> None:
    text = f"张三，身份证{ID18}，电话13812345678，住五一大道1号，账号6222021234567890，病史。"
    known = Known(person_names=("张三",))
    off = MaskRules(id_numbers=False, addresses=False, phones=False, bank_accounts=False,
                    health=False, third_parties=False, person_names=False,
                    health_terms=("病史",))
    assert masked(text, known, off) == text
    assert masked(text, Known(extra_terms=("张三",)), off) == text.replace("张三", "**")
    only_phone = MaskRules(id_numbers=False, addresses=False, bank_accounts=False,
                           health=False, person_names=False)
    assert masked(text, known, only_phone) == text.replace("13812345678", "*" * 11)


def test_overlaps_merge_into_a_whole_mask() -> None:
    # a known name inside an address, and a name overlapping an extra term
    known = Known(person_names=("王府井",), extra_terms=("井大",))
    out, masks = mask_text("住王府井大街1号", rules=RULES, known=known)
    assert out == "住*******"
    assert [(m.kind, m.start, m.end) for m in masks] == [("address", 1, 8)]
    out, masks = mask_text("王府井大人", rules=RULES, known=known)
    assert out == "****人"
    # the same value found twice (known and by pattern) stays one mask
    out, masks = mask_text(f"证{ID18}", rules=RULES, known=Known(id_numbers=(ID18,)))
    assert [(m.kind, m.start, m.end) for m in masks] == [("id_number", 1, 19)]


def test_mask_fields_every_field_and_positions_in_the_original() -> None:
    known = Known(person_names=("陈小明",), phones=("13807311234",),
                  public_values=(CREDIT,))
    fields = {"party": "陈小明", "legal_representative": "陈小明", "agency_credit_code": CREDIT,
              "facts": "陈小明（电话13807311234）销售过期食品。", "decision_date": "2026-09-30"}
    result = mask_fields(fields, rules=RULES, known=known)
    assert result.fields == {"party": "陈**", "legal_representative": "陈**",
                             "agency_credit_code": CREDIT,
                             "facts": "陈**（电话***********）销售过期食品。",
                             "decision_date": "2026-09-30"}
    for mask in result.masks:
        original = fields[mask.field][mask.start:mask.end]
        assert len(mask.replacement) == len(original)
    assert result.masks[0] == Mask("party", "person_name", 0, 3, "陈**")
    assert result.masks_as_json()[0] == {"field": "party", "kind": "person_name", "start": 0,
                                         "end": 3, "replacement": "陈**"}


def test_rules_from_a_policy_and_clean_terms() -> None:
    policy = SimpleNamespace(mask_id_numbers=False, mask_addresses=True, mask_phones=True,
                             mask_bank_accounts=False, mask_health=True,
                             mask_third_parties=False, mask_person_names=True,
                             health_terms=["病", " ", 3, "住院 "])
    assert MaskRules.from_policy(policy) == MaskRules(
        id_numbers=False, addresses=True, phones=True, bank_accounts=False, health=True,
        third_parties=False, person_names=True, health_terms=("病", "住院"))
    assert clean_terms([" 张三 ", "", "张三", 5, "李四"]) == ["张三", "李四"]
    assert mask_text("", rules=RULES, known=NOTHING) == ("", [])
