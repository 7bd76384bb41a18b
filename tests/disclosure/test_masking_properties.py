"""Property-based tests of the masking engine: generated Chinese names (simple and compound
surnames), 18-digit ID numbers with valid check digits, mobile and landline phones in the
ways people write them, street and village addresses and bank account numbers, embedded in
decision texts: the masked text never contains any of the original values (compared also
without spaces and separators and with full-width digits folded), whether the values are
known from the case or found by pattern alone; a name keeps only its surname; and the masks
describe exactly how the public text was made from the original.

Deterministic (``derandomize``) with a bounded number of examples, so CI is stable."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhifa.core.validators import id_number_check_char
from zhifa.disclosure.masking import (
    COMPOUND_SURNAMES,
    Known,
    MaskRules,
    mask_fields,
    mask_text,
    partial_name,
)

PROPERTY = settings(max_examples=150, derandomize=True, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
RULES = MaskRules(health_terms=("诊断", "住院"))

SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱",
            "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "韩", "曹", "彭")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅文斌宇浩然子涵欣怡雨轩"
REGIONS = ("430102", "110101", "440305", "510104", "320106", "310115", "430202")
AREA_CODES = ("010", "021", "0731", "0755", "0571", "028")
ROAD_CHARS = "五一人民解放芙蓉韶山车站劳动东风建设中山新华文化黄兴八一雨花湘江橘子"
DISTRICTS = ("长沙市芙蓉区", "株洲市荷塘区", "湖南省长沙市天心区", "")
FILLER = st.text(alphabet="经查当事人于年月日在其店内销售过期食品并称已改正之后", max_size=12)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" else c for c in text)


def squeeze(text: str) -> str:
    """Without spaces and separators, full-width folded (how a reader could still read it)."""
    out = []
    for ch in text:
        if ch.isspace() or ch in "-－‐‑–—_·・.()（）+":
            continue
        code = ord(ch)
        out.append(chr(code - 0xFEE0) if 0xFF01 <= code <= 0xFF5E else ch)
    return "".join(out).upper()


@st.composite
def names(draw: st.DrawFn) -> str:
    surname = draw(st.one_of(st.sampled_from(SURNAMES),
                             st.sampled_from(sorted(COMPOUND_SURNAMES))))
    given_name = draw(st.text(alphabet=GIVEN, min_size=1, max_size=2))
    return surname + given_name


@st.composite
def id_numbers(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(REGIONS))
    birth = draw(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2010, 12, 31)))
    seq = draw(st.integers(min_value=0, max_value=999))
    first = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first + id_number_check_char(first)


@st.composite
def mobiles(draw: st.DrawFn) -> str:
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9,
                                                                   max_size=9))
    style = draw(st.sampled_from(("plain", "spaced", "hyphen", "country", "fullwidth")))
    if style == "spaced":
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if style == "hyphen":
        return f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"
    if style == "country":
        return f"+86 {digits}"
    if style == "fullwidth":
        return fullwidth(digits)
    return digits


@st.composite
def landlines(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(AREA_CODES))
    number = draw(st.sampled_from("23456789")) + draw(st.text("0123456789", min_size=6,
                                                              max_size=7))
    style = draw(st.sampled_from(("-", "()", "（）", " ")))
    if style == "()":
        return f"({area}){number}"
    if style == "（）":
        return f"（{area}）{number}"
    return f"{area}{style}{number}"


@st.composite
def addresses(draw: st.DrawFn) -> str:
    district = draw(st.sampled_from(DISTRICTS))
    name = draw(st.text(alphabet=ROAD_CHARS, min_size=1, max_size=4))
    if draw(st.booleans()):
        village = f"{name}村{draw(st.integers(1, 12))}组"
        return district + village
    road = draw(st.sampled_from(("路", "街", "大道", "巷", "道")))
    house = f"{draw(st.integers(1, 999))}号"
    if draw(st.booleans()):
        house += f"{draw(st.integers(1, 30))}栋{draw(st.integers(101, 2808))}室"
    return f"{district}{name}{road}{house}"


@st.composite
def bank_accounts(draw: st.DrawFn) -> str:
    digits = draw(st.sampled_from("3456789")) + draw(
        st.text("0123456789", min_size=15, max_size=18))
    if draw(st.booleans()):
        return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
    return digits


def assert_hidden(output: str, *values: str) -> None:
    for value in values:
        assert value not in output, (value, output)
        assert squeeze(value) not in squeeze(output), (value, output)


def assert_masks_rebuild(original: str, output: str, masks: list) -> None:
    """The masks, applied to the original, give exactly the output."""
    parts, pos = [], 0
    for mask in masks:
        assert pos <= mask.start < mask.end <= len(original)
        parts += [original[pos:mask.start], mask.replacement]
        pos = mask.end
    parts.append(original[pos:])
    assert "".join(parts) == output


def facts(name: str, id_number: str, phone: str, address: str, bank: str,
          before: str = "", after: str = "") -> str:
    return (f"{before}经查，当事人{name}（身份证号码：{id_number}，联系电话{phone}）住{address}，"
            f"于2026年8月在其店内销售过期食品，违法所得5000元转入其银行账户{bank}。{after}")


@PROPERTY
@given(names(), id_numbers(), st.one_of(mobiles(), landlines()), addresses(), bank_accounts(),
       FILLER, FILLER)
def test_known_values_never_leak(name: str, id_number: str, phone: str, address: str,
                                 bank: str, before: str, after: str) -> None:
    text = facts(name, id_number, phone, address, bank, before, after)
    known = Known(person_names=(name,), id_numbers=(id_number,), phones=(phone,),
                  addresses=(address,), bank_accounts=(bank,))
    output, masks = mask_text(text, rules=RULES, known=known)
    assert_hidden(output, name, id_number, phone, address, bank)
    assert_masks_rebuild(text, output, masks)
    # the name keeps only its surname
    assert partial_name(name) in output or "*" * len(name) in output


@PROPERTY
@given(names(), id_numbers(), st.one_of(mobiles(), landlines()), addresses(), bank_accounts())
def test_patterns_alone_find_ids_phones_addresses_and_accounts(
        name: str, id_number: str, phone: str, address: str, bank: str) -> None:
    text = facts(name, id_number, phone, address, bank)
    output, masks = mask_text(text, rules=RULES, known=Known(person_names=(name,)))
    assert_hidden(output, name, id_number, phone, bank)
    # the street (or village) and house number are masked; the district may stay
    assert address not in output
    assert_masks_rebuild(text, output, masks)


@PROPERTY
@given(names(), names(), id_numbers(), mobiles(), addresses(), st.text(
    alphabet="某某超市老板证人甲乙丙", min_size=2, max_size=6))
def test_every_field_is_masked(party: str, third: str, id_number: str, phone: str,
                               address: str, extra: str) -> None:
    fields = {
        "party": party, "party_type": "自然人", "legal_representative": party,
        "conclusion": f"对{party}给予行政处罚", "facts": facts(party, id_number, phone,
                                                       address, "6222021234567890"),
        "basis": f"证人{third}的证言；{extra}", "result": f"{party}罚款5000元；联系{phone}",
        "decision_number": "芙市监罚〔2026〕12号", "decision_date": "2026-09-30",
    }
    known = Known(person_names=(party,), third_party_names=(third,), id_numbers=(id_number,),
                  phones=(phone,), addresses=(address,), extra_terms=(extra,),
                  public_values=("芙市监罚〔2026〕12号",))
    result = mask_fields(fields, rules=RULES, known=known)
    everything = "\n".join(result.fields.values())
    assert_hidden(everything, party, id_number, phone, address, extra)
    if third not in (party, ):  # a third party named like the party is partly masked
        assert third not in result.fields["basis"]
    assert result.fields["decision_number"] == "芙市监罚〔2026〕12号"
    assert result.fields["decision_date"] == "2026-09-30"
    for key, value in fields.items():
        assert_masks_rebuild(value, result.fields[key],
                             [m for m in result.masks if m.field == key])


@PROPERTY
@given(st.lists(names(), min_size=1, max_size=3, unique=True), FILLER)
def test_several_names_side_by_side(people: list[str], filler: str) -> None:
    text = "、".join(people) + filler + "".join(people)  # also written without separators
    output, masks = mask_text(text, rules=RULES, known=Known(person_names=tuple(people)))
    assert_hidden(output, *people)
    assert_masks_rebuild(text, output, masks)
