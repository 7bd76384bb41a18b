"""Closed lists of values that import files use (role kinds, categories, tiers, ...).

The Chinese terms are part of the file format that agencies fill in, not UI text: a template
must accept 执法人员 or 从重 whatever language the importing user has chosen, and must keep
accepting them if a translation catalogue changes. The parser also accepts the internal key
and the English label, so a file exported in English imports again.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.utils import translation

from zhifa.catalog.models import AmountUnit, ItemCategory, PenaltyKind, ProcedureType, TimeUnit
from zhifa.catalog.models import Tier as TierChoice
from zhifa.orgs.models import RoleKind

# Several values in one cell are separated by any of these (the 顿号 is the Chinese habit).
LIST_SEPARATORS = "、,，;；\n"


def normalise(text: str) -> str:
    return "".join(str(text).split()).casefold()


def split_list(text: str, separators: str = LIST_SEPARATORS) -> list[str]:
    parts = [str(text)]
    for sep in separators:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


@dataclass(frozen=True)
class Vocabulary:
    choices: type[TextChoices]
    terms: Mapping[str, str]  # value -> the Chinese term written in files
    error_code: str
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _tables: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        missing = set(self.choices.values) - set(self.terms)
        if missing:  # every value needs its term, or exports would write keys
            raise ValueError(f"{self.choices.__name__}: no term for {sorted(missing)}")

    def _lookup(self) -> dict[str, str]:
        language = translation.get_language() or ""
        if language in self._tables:
            return self._tables[language]
        table: dict[str, str] = {}
        for value, label in self.choices.choices:
            names = [value, self.terms[value], str(label), *self.aliases.get(value, ())]
            with translation.override("en"):
                names.append(str(label))
            for name in names:
                table.setdefault(normalise(name), value)
        self._tables[language] = table
        return table

    def parse(self, raw: str) -> str | None:
        """The internal value for a cell's text, or None when it is not in the list."""
        return self._lookup().get(normalise(raw))

    def display(self, value: str) -> str:
        """What exports write: the Chinese term in Chinese, the label in other languages."""
        if value not in self.terms:
            return value
        language = translation.get_language() or "zh-hans"
        if language.startswith("zh"):
            return self.terms[value]
        return str(self.choices(value).label)

    def display_many(self, values: Iterable[str]) -> str:
        order = list(self.choices.values)

        def position(value: str) -> int:
            return order.index(value) if value in order else len(order)

        return "、".join(self.display(v) for v in sorted(set(values), key=position))

    def allowed(self) -> str:
        return "、".join(self.display(v) for v in self.choices.values)


ROLE_KINDS = Vocabulary(
    RoleKind,
    {
        RoleKind.OFFICER: "执法人员",
        RoleKind.AUXILIARY: "辅助人员",
        RoleKind.REVIEWER: "法制审核人员",
        RoleKind.HEAD: "负责人",
        RoleKind.SUPERVISOR: "监督人员",
    },
    "role_unknown",
    aliases={RoleKind.AUXILIARY: ("执法辅助人员",)},
)

ITEM_CATEGORIES = Vocabulary(
    ItemCategory,
    {
        ItemCategory.PENALTY: "行政处罚",
        ItemCategory.COERCION: "行政强制",
        ItemCategory.INSPECTION: "行政检查",
        ItemCategory.LEVY: "行政征收",
        ItemCategory.REQUISITION: "行政征用",
        ItemCategory.LICENSING: "行政许可",
        ItemCategory.CONFIRMATION: "行政确认",
        ItemCategory.PAYMENT: "行政给付",
        ItemCategory.ADJUDICATION: "行政裁决",
        ItemCategory.REWARD: "行政奖励",
        ItemCategory.OTHER: "其他",
    },
    "category_unknown",
    aliases={ItemCategory.OTHER: ("其他行政权力", "其他类")},
)

PROCEDURE_TYPES = Vocabulary(
    ProcedureType,
    {
        ProcedureType.SUMMARY: "简易程序",
        ProcedureType.GENERAL: "普通程序",
        ProcedureType.COERCIVE: "行政强制措施程序",
        ProcedureType.INSPECTION: "行政检查程序",
        ProcedureType.LICENSING: "行政许可程序",
        ProcedureType.GENERIC: "其他程序",
    },
    "procedure_unknown",
    aliases={
        ProcedureType.GENERAL: ("一般程序",),
        ProcedureType.COERCIVE: ("行政强制措施",),
        ProcedureType.INSPECTION: ("检查程序",),
        ProcedureType.LICENSING: ("许可程序",),
        ProcedureType.GENERIC: ("通用程序",),
    },
)

TIME_UNITS = Vocabulary(
    TimeUnit,
    {
        TimeUnit.WORKING_DAY: "工作日",
        TimeUnit.CALENDAR_DAY: "自然日",
        TimeUnit.MONTH: "月",
    },
    "time_unit_unknown",
    aliases={TimeUnit.CALENDAR_DAY: ("日", "天"), TimeUnit.MONTH: ("个月",)},
)

TIERS = Vocabulary(
    TierChoice,
    {
        TierChoice.NO_PENALTY: "不予处罚",
        TierChoice.MITIGATED: "减轻",
        TierChoice.LIGHTER: "从轻",
        TierChoice.ORDINARY: "一般",
        TierChoice.HEAVIER: "从重",
    },
    "tier_unknown",
    aliases={
        TierChoice.MITIGATED: ("减轻处罚",),
        TierChoice.LIGHTER: ("从轻处罚",),
        TierChoice.ORDINARY: ("一般处罚",),
        TierChoice.HEAVIER: ("从重处罚",),
    },
)

AMOUNT_UNITS = Vocabulary(
    AmountUnit,
    {
        AmountUnit.YUAN: "元",
        AmountUnit.MULTIPLE: "倍数",
        AmountUnit.PERCENT: "百分比",
    },
    "amount_unit_unknown",
    aliases={
        AmountUnit.YUAN: ("金额", "固定金额"),
        AmountUnit.MULTIPLE: ("倍",),
        AmountUnit.PERCENT: ("%", "％"),
    },
)

# APL art. 9 lists the kinds of administrative penalty.
PENALTY_KINDS = Vocabulary(
    PenaltyKind,
    {
        PenaltyKind.WARNING: "警告",
        PenaltyKind.CRITICISM: "通报批评",
        PenaltyKind.FINE: "罚款",
        PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
        PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
        PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
        PenaltyKind.LOWER_QUALIFICATION: "降低资质等级",
        PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
        PenaltyKind.RESTRICT_BUSINESS: "限制开展生产经营活动",
        PenaltyKind.STOP_PRODUCTION: "责令停产停业",
        PenaltyKind.CLOSURE: "责令关闭",
        PenaltyKind.RESTRICT_PRACTICE: "限制从业",
        PenaltyKind.DETENTION: "行政拘留",
        PenaltyKind.OTHER: "其他行政处罚",
    },
    "penalty_kind_unknown",
)
