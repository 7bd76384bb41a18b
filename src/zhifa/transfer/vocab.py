"""Closed lists of values that import files use (role kinds, categories, tiers, ...).

The Chinese terms are the models' own zh-Hans labels, so the template, the export and the
pages use one vocabulary; a file in Chinese imports whatever language the importing user has
chosen. Older spellings stay accepted as aliases, so files filled in earlier import again. The
parser also accepts the internal key and the English label (a file exported in English).
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


def _zh_terms(choices: type[TextChoices]) -> dict[str, str]:
    """The model's own labels in Simplified Chinese: the words the UI shows are the words
    files use."""
    with translation.override("zh-hans"):
        return {value: str(label) for value, label in choices.choices}


@dataclass(frozen=True)
class Vocabulary:
    """A closed list: ``terms`` (the Chinese label of each value, derived from the model's
    zh-Hans labels) is what exports write; ``aliases`` are older spellings still accepted."""

    choices: type[TextChoices]
    error_code: str
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _tables: dict[str, dict[str, str]] = field(default_factory=dict, compare=False, repr=False)
    _terms: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def terms(self) -> Mapping[str, str]:
        if not self._terms:  # built lazily: translations are not ready at import time
            self._terms.update(_zh_terms(self.choices))
        return self._terms

    def _lookup(self) -> dict[str, str]:
        language = translation.get_language() or ""
        if language in self._tables:
            return self._tables[language]
        table: dict[str, str] = {}
        for value, label in self.choices.choices:
            names = [value, self.terms[value], str(label)]
            with translation.override("en"):
                names.append(str(label))
            names.extend(self.aliases.get(value, ()))
            for name in names:
                table.setdefault(normalise(name), value)
        self._tables[language] = table
        return table

    def parse(self, raw: str) -> str | None:
        """The internal value for a cell's text, or None when it is not in the list."""
        return self._lookup().get(normalise(raw))

    def split(self, text: str) -> list[str]:
        """The values of a cell holding several, separated by 、 or a comma; a term that itself
        holds a separator (法律、行政法规规定的其他行政处罚) stays whole."""
        protected: list[str] = []
        names = sorted({self.terms[v] for v in self.choices.values}
                       | {a for names in self.aliases.values() for a in names}, key=len,
                       reverse=True)
        for name in names:
            if any(sep in name for sep in LIST_SEPARATORS) and name in text:
                text = text.replace(name, f"\x00{len(protected)}\x00")
                protected.append(name)
        parts = split_list(text)
        for index, name in enumerate(protected):
            parts = [p.replace(f"\x00{index}\x00", name) for p in parts]
        return parts

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


# Older spellings of the terms (templates filled in before the labels were unified) stay
# accepted on import; exports write the model labels.
ROLE_KINDS = Vocabulary(
    RoleKind,
    "role_unknown",
    aliases={
        RoleKind.OFFICER: ("执法人员",),
        RoleKind.AUXILIARY: ("执法辅助人员", "辅助人员"),
        RoleKind.REVIEWER: ("法制审核人员",),
        RoleKind.HEAD: ("负责人",),
        RoleKind.SUPERVISOR: ("监督人员",),
    },
)

ITEM_CATEGORIES = Vocabulary(
    ItemCategory,
    "category_unknown",
    aliases={
        ItemCategory.PENALTY: ("行政处罚",),
        ItemCategory.COERCION: ("行政强制",),
        ItemCategory.INSPECTION: ("行政检查",),
        ItemCategory.LEVY: ("行政征收",),
        ItemCategory.REQUISITION: ("行政征用",),
        ItemCategory.LICENSING: ("行政许可",),
        ItemCategory.CONFIRMATION: ("行政确认",),
        ItemCategory.PAYMENT: ("行政给付",),
        ItemCategory.ADJUDICATION: ("行政裁决",),
        ItemCategory.REWARD: ("行政奖励",),
        ItemCategory.OTHER: ("其他", "其他行政权力", "其他类"),
    },
)

PROCEDURE_TYPES = Vocabulary(
    ProcedureType,
    "procedure_unknown",
    aliases={
        ProcedureType.SUMMARY: ("简易程序",),
        ProcedureType.GENERAL: ("普通程序", "一般程序"),
        ProcedureType.COERCIVE: ("行政强制措施程序", "行政强制措施"),
        ProcedureType.INSPECTION: ("行政检查程序", "检查程序"),
        ProcedureType.LICENSING: ("行政许可程序", "许可程序"),
        ProcedureType.GENERIC: ("其他程序", "通用程序"),
    },
)

TIME_UNITS = Vocabulary(
    TimeUnit,
    "time_unit_unknown",
    aliases={
        TimeUnit.WORKING_DAY: ("工作日",),
        TimeUnit.CALENDAR_DAY: ("自然日", "日", "天"),
        TimeUnit.MONTH: ("月", "个月"),
    },
)

TIERS = Vocabulary(
    TierChoice,
    "tier_unknown",
    aliases={
        TierChoice.NO_PENALTY: ("不予处罚",),
        TierChoice.MITIGATED: ("减轻", "减轻处罚"),
        TierChoice.LIGHTER: ("从轻", "从轻处罚"),
        TierChoice.ORDINARY: ("一般", "一般处罚"),
        TierChoice.HEAVIER: ("从重", "从重处罚"),
    },
)

AMOUNT_UNITS = Vocabulary(
    AmountUnit,
    "amount_unit_unknown",
    aliases={
        AmountUnit.YUAN: ("元", "金额", "固定金额"),
        AmountUnit.MULTIPLE: ("倍数", "倍"),
        AmountUnit.PERCENT: ("百分比", "%", "％"),
    },
)

# APL art. 9 lists the kinds of administrative penalty.
PENALTY_KINDS = Vocabulary(
    PenaltyKind,
    "penalty_kind_unknown",
    aliases={
        PenaltyKind.WARNING: ("警告",),
        PenaltyKind.CRITICISM: ("通报批评",),
        PenaltyKind.FINE: ("罚款",),
        PenaltyKind.CONFISCATE_GAINS: ("没收违法所得",),
        PenaltyKind.CONFISCATE_PROPERTY: ("没收非法财物",),
        PenaltyKind.SUSPEND_LICENCE: ("暂扣许可证件",),
        PenaltyKind.LOWER_QUALIFICATION: ("降低资质等级",),
        PenaltyKind.REVOKE_LICENCE: ("吊销许可证件",),
        PenaltyKind.RESTRICT_BUSINESS: ("限制开展生产经营活动",),
        PenaltyKind.STOP_PRODUCTION: ("责令停产停业",),
        PenaltyKind.CLOSURE: ("责令关闭",),
        PenaltyKind.RESTRICT_PRACTICE: ("限制从业",),
        PenaltyKind.DETENTION: ("行政拘留",),
        PenaltyKind.OTHER: ("其他行政处罚",),
    },
)
