"""The masking engine of published decisions (pure Python: no models, no database).

``mask_fields(fields, rules=, known=)`` returns the fields as the public sees them and the list
of masks applied (each: the field, the kind, start and end in the *original* text and the
replacement), so that the publicity clerk sees the original with every mask highlighted beside
the public text.

What is masked, in every field of the record:

- values known from the case (``Known``): natural persons' names, partly (the surname kept:
  ``partial_name``); third parties' names, ID numbers, phones, addresses and bank accounts
  whole; and the terms the clerk added (``extra_terms``), always. Known values are matched
  also when written with spaces, hyphens or full-width characters (``１３８ 1234-5678``);
- values found by pattern: ID numbers (18 and 15 digits), mobile and landline phones, bank
  account numbers (12 to 19 digits standing alone, or after 账号/卡号), street and village
  addresses with a house number (…路/街/巷/道/村 … 号/室/栋/单元/组);
- health information: the clause (between ，；。！？ and line breaks; 、 continues an
  enumeration) naming one of the policy's health terms, in the free-text fields except the
  legal basis, when the record concerns a natural person (``Known.natural_person``: a
  natural-person party or an individual business's operator) or the clause names one (a
  known name, or a word such as 员工、证人、其妻 that introduces a person). "销售病死猪肉"
  is about pork, not a person's health: the default terms are specific (患有, 诊断为 …).
  ``Known.public_values`` (the body's and an organisation's credit codes, the decision
  number) are never taken for a pattern.

A known value of digits only and at most 8 long (a landline's local part) is matched only
where it stands alone (no digit right before or after it), so that it is not found inside
longer numbers.

Helpers for the values that feed masking: ``strip_controls`` (control characters a record
never holds), ``landline_local`` (the local part of a landline, masked when written without
its area code), ``person_names_in`` (natural persons' names in a structured value such as
"社区主任王五" or "陈小明（同住成年家属）") and ``possible_names`` (a warning, not masking:
names that look unmasked after words such as 员工、证人、消费者).

Overlapping masks are merged into one whole mask (``*`` for every character), so that no part
of either value remains; a natural person's name alone keeps its surname (``张**``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Kinds of mask, in the order a merged mask takes its kind from (the first listed wins a tie).
ID_NUMBER = "id_number"
PHONE = "phone"
ADDRESS = "address"
BANK_ACCOUNT = "bank_account"
HEALTH = "health"
THIRD_PARTY = "third_party"
PERSON_NAME = "person_name"
EXTRA = "extra"
KINDS: tuple[str, ...] = (EXTRA, ID_NUMBER, PHONE, BANK_ACCOUNT, ADDRESS, HEALTH, THIRD_PARTY,
                          PERSON_NAME)
_PRIORITY = {k: i for i, k in enumerate(KINDS)}

MASK_CHAR = "*"

# Free-text fields scanned for health information (the legal basis cites the law, not people)
HEALTH_KEYS: tuple[str, ...] = ("facts", "result", "conclusion")

COMPOUND_SURNAMES: frozenset[str] = frozenset([
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
    "宇文", "司徒", "夏侯", "令狐", "澹台", "公冶", "宗政", "濮阳", "淳于", "单于",
    "太叔", "申屠", "轩辕", "钟离", "闾丘", "东郭", "南宫", "西门", "百里", "呼延",
    "端木", "万俟", "赫连", "独孤", "拓跋", "第五", "左丘", "梁丘", "谷梁", "乐正",
    "公羊", "司空", "司寇", "亓官", "仲孙", "羊舌", "微生", "段干", "巫马", "公良",
    "漆雕", "壤驷", "颛孙", "鲜于", "闻人", "东门", "公西", "子车", "锺离", "南门",
    "呼衍"])


@dataclass(frozen=True)
class MaskRules:
    """What a policy masks (``DisclosurePolicy``'s switches and health terms)."""

    id_numbers: bool = True
    addresses: bool = True
    phones: bool = True
    bank_accounts: bool = True
    health: bool = True
    third_parties: bool = True
    person_names: bool = True
    health_terms: tuple[str, ...] = ()

    @classmethod
    def from_policy(cls, policy: Any) -> MaskRules:
        terms = getattr(policy, "health_terms", None) or []
        return cls(
            id_numbers=bool(getattr(policy, "mask_id_numbers", True)),
            addresses=bool(getattr(policy, "mask_addresses", True)),
            phones=bool(getattr(policy, "mask_phones", True)),
            bank_accounts=bool(getattr(policy, "mask_bank_accounts", True)),
            health=bool(getattr(policy, "mask_health", True)),
            third_parties=bool(getattr(policy, "mask_third_parties", True)),
            person_names=bool(getattr(policy, "mask_person_names", True)),
            health_terms=tuple(str(t).strip() for t in terms
                               if isinstance(t, str) and t.strip()),
        )


@dataclass(frozen=True)
class Known:
    """Values known from the case (and the clerk) that are masked wherever they appear."""

    person_names: tuple[str, ...] = ()       # natural persons: partly masked
    third_party_names: tuple[str, ...] = ()
    id_numbers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    bank_accounts: tuple[str, ...] = ()
    extra_terms: tuple[str, ...] = ()        # always masked, whatever the rules
    # public identifiers never taken for a pattern (credit codes, the decision number)
    public_values: tuple[str, ...] = ()
    # the record concerns a natural person (a natural-person party or an individual
    # business): its health clauses are masked
    natural_person: bool = False


@dataclass(frozen=True)
class Mask:
    field: str
    kind: str
    start: int  # in the original text
    end: int
    replacement: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "kind": self.kind, "start": self.start,
                "end": self.end, "replacement": self.replacement}


@dataclass(frozen=True)
class MaskResult:
    fields: dict[str, str]
    masks: list[Mask] = field(default_factory=list)

    def masks_as_json(self) -> list[dict[str, Any]]:
        return [m.as_dict() for m in self.masks]


# --- names --------------------------------------------------------------------------------------

def partial_name(name: str) -> str:
    """A natural person's name with the surname kept and the rest masked: 张伟 → 张*,
    欧阳明月 → 欧阳**; one character alone is masked whole."""
    name = (name or "").strip()
    if len(name) <= 1:
        return MASK_CHAR * len(name)
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "".join(ch if ch.isspace() else MASK_CHAR for ch in name[keep:])


# --- normalised matching ------------------------------------------------------------------------

_SEPARATORS = frozenset("-－‐‑–—_·・.")


def _fold(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
        ch = chr(code - 0xFEE0)
    upper = ch.upper()
    return upper if len(upper) == 1 else ch


def _normalised(text: str) -> tuple[str, list[int]]:
    """The text without spaces and separators, full-width folded, upper case; and for each
    character kept, its index in ``text``."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace() or ch in _SEPARATORS:
            continue
        chars.append(_fold(ch))
        index.append(i)
    return "".join(chars), index


def _norm(value: str) -> str:
    return _normalised(value)[0]


def _occurrences(norm: str, index: list[int], value: str) -> Iterable[tuple[int, int]]:
    """Spans in the original text where ``value`` occurs (normalised matching)."""
    needle = _norm(value)
    if not needle:
        return
    pos = norm.find(needle)
    while pos >= 0:
        yield index[pos], index[pos + len(needle) - 1] + 1
        pos = norm.find(needle, pos + 1)


# --- patterns -----------------------------------------------------------------------------------

_NB = r"(?<![0-9A-Za-z])"  # not inside a longer token
_NA = r"(?![0-9A-Za-z])"
_DATE8 = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_ID_PATTERNS = (
    re.compile(_NB + r"[1-9][0-9]{5}" + _DATE8 + r"[0-9]{3}[0-9Xx]" + _NA),
    re.compile(_NB + r"[1-9][0-9]{7}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}" + _NA),
)
_PHONE_PATTERNS = (
    # mobile, optionally with +86 and separators: 138 1234 5678, 138-1234-5678
    re.compile(r"(?<![0-9])(?:(?:\+|00)?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9])"),
    # landline with its area code: 0731-84123456, (0731)84123456, 010 12345678 转 123
    re.compile(r"(?<![0-9])(?:\(0[0-9]{2,3}\)|（0[0-9]{2,3}）|0[0-9]{2,3}[ -]?)\s?"
               r"[2-9][0-9]{6,7}(?:\s?(?:转|-|ext\.?)\s?[0-9]{1,5})?(?![0-9])"),
)
# a number after a word that says it is a phone (电话：84123456)
_PHONE_AFTER_WORD = re.compile(
    r"(?:电话|手机|联系方式|座机|传真|Tel|TEL|tel)(?:号码)?\s*[:：]?\s*"
    r"([0-9０-９+][0-9０-９ \-－]{5,20}[0-9０-９])")
_BANK_PATTERNS = (
    re.compile(_NB + r"[0-9]{12,19}" + _NA),
    re.compile(_NB + r"[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,4})?" + _NA),
)
_BANK_AFTER_WORD = re.compile(
    r"(?:账号|帐号|账户|帐户|银行卡号?|卡号)\s*[:：]?\s*"
    r"([0-9０-９][0-9０-９ \-－]{6,30}[0-9０-９])")
# a street or village address with its house number: 五一大道1号、人民路100号2栋301室、
# 某某村3组. The name before the road stops at administrative divisions and punctuation.
_ADDRESS = re.compile(
    r"[^\s，。,；;：:、（）()\[\]【】“”\"'‘’《》〔〕市区县省州旗盟镇乡在于的是及和与将住址为到从向处至等对把被由了]"
    r"{1,12}?"
    r"(?:大道|大街|胡同|路|街|巷|弄|道|村)"
    r"(?:[0-9０-９一二三四五六七八九十百零〇两甲乙丙丁A-Za-z#\-－之]{1,8}"
    r"(?:号楼|号院|号|弄|组|栋|幢|楼|单元|室|层))+")
# a clause: between ，；。！？ and line breaks (、 continues an enumeration: 患有甲、乙)
_CLAUSE = re.compile(r"[^，,。！？!?；;\n]+")


@dataclass
class _Span:
    start: int
    end: int
    kind: str
    replacement: str | None  # None: whole mask


def _spans_of_known(text: str, rules: MaskRules, known: Known) -> list[_Span]:
    norm, index = _normalised(text)
    out: list[_Span] = []

    def add(values: Iterable[str], kind: str, partial: bool = False) -> None:
        for value in values:
            value = (value or "").strip()
            if not value:
                continue
            short = _is_short_number(value)
            for start, end in _occurrences(norm, index, value):
                if short and not _stands_alone(text, start, end):
                    continue
                out.append(_Span(start, end, kind, None))
                if partial:
                    out[-1].replacement = _partial_span(text[start:end])

    add(known.extra_terms, EXTRA)
    if rules.id_numbers:
        add(known.id_numbers, ID_NUMBER)
    if rules.bank_accounts:
        add(known.bank_accounts, BANK_ACCOUNT)
    if rules.phones:
        add(known.phones, PHONE)
    if rules.addresses:
        add(known.addresses, ADDRESS)
    if rules.third_parties:
        add(known.third_party_names, THIRD_PARTY)
    if rules.person_names:
        add((n for n in known.person_names if len(_norm(n)) >= 2), PERSON_NAME, partial=True)
    return out


_DIGITS = frozenset("0123456789")


def _is_short_number(value: str) -> bool:
    norm = _norm(value)
    return bool(norm) and len(norm) <= 8 and set(norm) <= _DIGITS


def _stands_alone(text: str, start: int, end: int) -> bool:
    """No digit right before ``start`` or at ``end`` (full-width digits too)."""
    before = _fold(text[start - 1]) if start > 0 else ""
    after = _fold(text[end]) if end < len(text) else ""
    return before not in _DIGITS and after not in _DIGITS


def _partial_span(matched: str) -> str:
    """The partial mask of a name as written in the text (spaces kept where they were)."""
    return partial_name(matched) if matched == matched.strip() else MASK_CHAR * len(matched)


def _pattern_spans(text: str, rules: MaskRules) -> list[_Span]:
    out: list[_Span] = []

    def scan(subject: str, index: list[int] | None) -> None:
        def add(start: int, end: int, kind: str) -> None:
            if end <= start:
                return
            if index is not None:
                start, end = index[start], index[end - 1] + 1
            out.append(_Span(start, end, kind, None))

        if rules.id_numbers:
            for rx in _ID_PATTERNS:
                for m in rx.finditer(subject):
                    add(m.start(), m.end(), ID_NUMBER)
        if rules.phones:
            for rx in _PHONE_PATTERNS:
                for m in rx.finditer(subject):
                    add(m.start(), m.end(), PHONE)
            for m in _PHONE_AFTER_WORD.finditer(subject):
                add(m.start(1), m.end(1), PHONE)
        if rules.bank_accounts:
            for rx in _BANK_PATTERNS:
                for m in rx.finditer(subject):
                    add(m.start(), m.end(), BANK_ACCOUNT)
            for m in _BANK_AFTER_WORD.finditer(subject):
                add(m.start(1), m.end(1), BANK_ACCOUNT)
        if rules.addresses:
            for m in _ADDRESS.finditer(subject):
                add(m.start(), m.end(), ADDRESS)

    scan(text, None)
    norm, index = _normalised(text)
    if norm != text:
        # spaced or full-width variants (１３８ １２３４ ５６７８)
        scan(norm, index)
    return out


def _names_a_person(clause: str, known: Known) -> bool:
    """The clause names a natural person: a known name, or a word that introduces one."""
    if any(cue in clause for cue in PERSON_CUES):
        return True
    norm, index = _normalised(clause)
    for name in (*known.person_names, *known.third_party_names):
        if len(_norm(name or "")) >= 2 and any(True for _ in _occurrences(norm, index, name)):
            return True
    return False


def _health_spans(text: str, terms: tuple[str, ...], known: Known) -> list[_Span]:
    out = []
    for m in _CLAUSE.finditer(text):
        clause = m.group()
        if not any(term in clause for term in terms):
            continue
        if not (known.natural_person or _names_a_person(clause, known)):
            continue
        # the clause without its leading and trailing spaces
        lead = len(clause) - len(clause.lstrip())
        trail = len(clause) - len(clause.rstrip())
        if m.start() + lead < m.end() - trail:
            out.append(_Span(m.start() + lead, m.end() - trail, HEALTH, None))
    return out


def _protected(text: str, known: Known) -> list[tuple[int, int]]:
    norm, index = _normalised(text)
    spans: list[tuple[int, int]] = []
    for value in known.public_values:
        spans.extend(_occurrences(norm, index, value))
    return spans


def _merge(spans: list[_Span]) -> list[_Span]:
    """Overlapping spans merged into one whole mask; a span alone keeps its replacement."""
    spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start), _PRIORITY[s.kind]))
    merged: list[list[_Span]] = []
    for span in spans:
        if merged and span.start < max(s.end for s in merged[-1]):
            merged[-1].append(span)
        else:
            merged.append([span])
    out = []
    for group in merged:
        start = min(s.start for s in group)
        end = max(s.end for s in group)
        if len(group) == 1:
            out.append(group[0])
            continue
        same = {(s.start, s.end, s.replacement) for s in group}
        if len(same) == 1:  # the same value found twice (e.g. known and by pattern)
            best = min(group, key=lambda s: _PRIORITY[s.kind])
            out.append(_Span(start, end, best.kind, group[0].replacement))
            continue
        best = min(group, key=lambda s: (-(s.end - s.start), _PRIORITY[s.kind]))
        out.append(_Span(start, end, best.kind, None))
    return out


def mask_text(text: str, *, rules: MaskRules, known: Known, field: str = "text",
              health: bool = True) -> tuple[str, list[Mask]]:
    """One text masked (see the module's docstring); ``health``: scan it for health terms."""
    text = "" if text is None else str(text)
    if not text:
        return "", []
    spans = _spans_of_known(text, rules, known)
    pattern = _pattern_spans(text, rules)
    if health and rules.health and rules.health_terms:
        pattern.extend(_health_spans(text, rules.health_terms, known))
    protected = _protected(text, known) if known.public_values else []
    for span in pattern:
        # a pattern inside a public identifier (or overlapping it) is not a personal value
        if span.kind != HEALTH and any(span.start < p_end and p_start < span.end
                                       for p_start, p_end in protected):
            continue
        spans.append(span)
    parts: list[str] = []
    masks: list[Mask] = []
    pos = 0
    for span in _merge(spans):
        replacement = span.replacement
        if replacement is None:
            replacement = "".join(ch if ch in "\n" else MASK_CHAR
                                  for ch in text[span.start:span.end])
        parts.append(text[pos:span.start])
        parts.append(replacement)
        masks.append(Mask(field, span.kind, span.start, span.end, replacement))
        pos = span.end
    parts.append(text[pos:])
    return "".join(parts), masks


def mask_fields(fields: Mapping[str, Any], *, rules: MaskRules, known: Known) -> MaskResult:
    """Every field masked; the masks in field order, then by position."""
    out: dict[str, str] = {}
    masks: list[Mask] = []
    for key, value in fields.items():
        text, field_masks = mask_text("" if value is None else str(value), rules=rules,
                                      known=known, field=key, health=key in HEALTH_KEYS)
        out[key] = text
        masks.extend(field_masks)
    return MaskResult(fields=out, masks=masks)


def clean_terms(terms: Iterable[Any]) -> list[str]:
    """Terms as the clerk typed them: strings, stripped, without empties and repeats, in
    order."""
    out: list[str] = []
    for term in terms or ():
        if not isinstance(term, str):
            continue
        term = term.strip()
        if term and term not in out:
            out.append(term)
    return out


# --- values that feed the masking -----------------------------------------------------------

# C0 controls but tab and line feed, DEL, C1 controls, surrogates and the XML non-characters:
# what no record, page, feed or export may hold (XML 1.0 refuses most of them)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def strip_controls(text: str) -> str:
    """``text`` without control characters (line breaks kept, as ``\\n``; tabs kept)."""
    text = "" if text is None else str(text)
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def landline_local(phone: str) -> str:
    """The local part (7 or 8 digits) of a landline written with its area code
    (0731-84123456 → 84123456; 010 12345678 → 12345678); "" for anything else (a mobile,
    a number without area code)."""
    text = re.split(r"转|ext|EXT|分机", phone or "", maxsplit=1)[0]
    digits = "".join(ch for ch in map(_fold, text) if ch in _DIGITS)
    if digits.startswith("86") and len(digits) > 11 and digits[2] != "1":
        digits = "0" + digits[2:]  # +86 731 84123456
    if not digits.startswith("0"):
        return ""
    area = 3 if digits[1:2] in ("1", "2") else 4  # 010, 02x; 0xxx
    local = digits[area:]
    if 7 <= len(local) <= 8 and local[0] not in "01":
        return local
    return ""


# Words that introduce a natural person other than the party (an employee, a witness, a
# relative, a customer …), longest first.
PERSON_CUES: tuple[str, ...] = tuple(sorted({
    "员工", "职工", "雇员", "店员", "工作人员", "从业人员", "营业员", "收银员", "服务员",
    "证人", "见证人", "消费者", "顾客", "患者", "病人", "就诊者", "举报人", "投诉人",
    "其妻", "其夫", "其子", "其女", "其父", "其母", "妻子", "丈夫", "儿子", "女儿", "配偶",
    "家属", "亲属", "邻居", "房东", "承租人", "受害人", "被害人", "购买人", "购买者",
    "驾驶员", "司机", "厨师", "学生", "村民", "业主", "联系人", "收货人", "代理人",
}, key=lambda w: (-len(w), w)))
# Words before a name in a structured value ("社区主任王五", "收发室张三"), with the cues.
_ROLE_WORDS: tuple[str, ...] = tuple(sorted({
    *PERSON_CUES, "主任", "收发室", "收发员", "收发人员", "门卫", "保安", "书记", "负责人",
    "经理", "店长", "同事", "朋友", "成年家属", "法定代表人", "律师", "委员", "会计",
    "出纳",
}, key=lambda w: (-len(w), w)))
# Common single-character surnames (characters that are mostly function words, such as 和、
# 于、时、由, are left out: they would take "员工和顾客" for a name).
SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜"
    "叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂苗谷盛曲翁冉骆蓝路游辛"
    "靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜"
    "冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑"
    "迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜阚花权帅"
    "屠豆朴盖练廉禹井祖漆巴丰支卿狄计索宣晋相初门云容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊母裘"
    "亓修邰赫杭况宿鲜印逯隆茹诸战慕危玉银亢嵇哈湛宾戎勾茅揭干尉冶斯元束檀衣展阴昝智幸奉"
    "植衡富尧闭")
# Characters a given name hardly ends with (the word after the name: 称、在、购买 …)
_AFTER_NAME = frozenset("称说在的等向也及和与对被把将已曾均系是为到从因并就又都还所而之了着过"
                        "要会能可应即则来去上下里中内外前后讲认表反陈证指供购买卖经于当自")
_CJK = "\u4e00-\u9fff"
_NOT_NAMES = frozenset({"本人", "单位", "家属", "法人", "同事", "朋友", "其他"})


def _looks_like_name(token: str) -> bool:
    if not 2 <= len(token) <= 4 or "某" in token or token in _NOT_NAMES:
        return False
    if not re.fullmatch(f"[{_CJK}]+", token):
        return False
    if token[:2] in COMPOUND_SURNAMES:
        return 3 <= len(token) <= 4
    return token[0] in SURNAMES and len(token) <= 3


def person_names_in(value: str) -> list[str]:
    """Natural persons' names in a structured value naming people ("王五", "社区主任王五",
    "陈小明（同住成年家属）", "张三、李四"): 2 to 3 characters (4 with a compound surname)
    starting with a common surname, after the last role word. Names already anonymised
    (王某) and anything else (an organisation, 本人) are left out."""
    text = re.sub(r"[（(][^）)]*[）)]", " ", strip_controls(value or ""))
    out: list[str] = []
    for token in re.split(r"[、，,；;／/\s]+", text):
        cut = 0
        for word in _ROLE_WORDS:
            pos = token.rfind(word)
            if pos >= 0:
                cut = max(cut, pos + len(word))
        token = token[cut:].strip("：:")
        if _looks_like_name(token) and token not in out:
            out.append(token)
    return out


_CUE_RE = re.compile("(?:" + "|".join(map(re.escape, PERSON_CUES)) + r")[：:\s]*")
_NAME_AT = re.compile(f"[{_CJK}]{{2,4}}")


def _name_at(text: str, pos: int) -> str:
    """A name starting at ``pos`` (surname and one or two characters), or ""."""
    m = _NAME_AT.match(text, pos)
    if m is None:
        return ""
    run = m.group()
    keep = 2 if run[:2] in COMPOUND_SURNAMES and len(run) >= 3 else 1
    if keep == 1 and run[0] not in SURNAMES:
        return ""
    given = run[keep:keep + 2]
    if len(given) == 2 and given[1] in _AFTER_NAME:
        given = given[:1]
    if len(given) == 1 and given in _AFTER_NAME:
        return ""
    name = run[:keep] + given
    return "" if "某" in name else name


def possible_names(texts: Iterable[str]) -> list[str]:
    """Names that look unmasked in ``texts`` (the public fields): two or three characters,
    starting with a common surname, right after a word that introduces a person other than
    the party (员工、证人、消费者、其妻 …), and the names listed after it ("员工张三、李四").
    A warning for the clerk, who decides; never masked by itself."""
    out: list[str] = []
    for text in texts:
        text = text or ""
        for m in _CUE_RE.finditer(text):
            pos = m.end()
            while True:
                name = _name_at(text, pos)
                if not name:
                    break
                if name not in out:
                    out.append(name)
                pos += len(name)
                if text[pos:pos + 1] in ("、", "和", "及", "与"):
                    pos += 1
                    continue
                break
    return out
