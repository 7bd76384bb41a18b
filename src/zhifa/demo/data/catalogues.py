"""Legal-review catalogues (法制审核目录清单) and hearing thresholds (较大数额).

The threshold patterns are real ones recorded in reference.md §6.1 (inclusive "含本数" or
exclusive "不含本数"; natural persons and organisations apart); which body uses which is
demo content. Hearing amounts follow reference.md §6.2 and are configurable data.
"""

from typing import NamedTuple

from .benchmarks import yuan


class CataloguePattern(NamedTuple):
    # (party type, amount in fen, comparator)
    thresholds: tuple[tuple[str, int, str], ...]
    triggers: tuple[str, ...]
    review_days: int = 7
    extension_days: int = 3


_COMMON = ("revoke_licence", "stop_production", "closure", "hearing_held")

PATTERNS: dict[str, CataloguePattern] = {
    # Natural persons and individual businesses above 10,000, organisations above 100,000,
    # both exclusive; every mitigated penalty (长治 pattern).
    "market": CataloguePattern(
        (("natural_person", yuan(10000), "gt"), ("individual_business", yuan(10000), "gt"),
         ("organisation", yuan(100000), "gt")),
        (*_COMMON, "restrict_practice", "lower_qualification", "mitigated",
         "licensing_refusal", "coercion_halts_business")),
    # The decisions that meet the hearing conditions: 1,000 / 20,000 inclusive (衡阳 pattern).
    "culture": CataloguePattern(
        (("natural_person", yuan(1000), "gte"), ("organisation", yuan(20000), "gte")),
        (*_COMMON, "licensing_refusal")),
    # 20,000 / 50,000 inclusive (益阳 pattern).
    "emergency": CataloguePattern(
        (("natural_person", yuan(20000), "gte"), ("organisation", yuan(50000), "gte")),
        (*_COMMON, "coercion_halts_business", "auction_seized")),
    # Every general-procedure penalty (宁夏 pattern), 7 + 3 working days.
    "natural_resources": CataloguePattern((), ("all_general_procedure", *_COMMON)),
    # 5,000 / 50,000 inclusive for ecology powers (通州 pattern).
    "ecology": CataloguePattern(
        (("natural_person", yuan(5000), "gte"), ("organisation", yuan(50000), "gte")),
        (*_COMMON, "above_benchmark", "below_benchmark", "coercion_halts_business")),
}
# 10,000 / 100,000 inclusive with departures from the benchmark (巩义 pattern).
DEFAULT_PATTERN = CataloguePattern(
    (("natural_person", yuan(10000), "gte"), ("organisation", yuan(100000), "gte")),
    (*_COMMON, "above_benchmark", "below_benchmark", "licensing_refusal"))


class HearingSpec(NamedTuple):
    sector: str | None
    party_type: str
    amount_fen: int
    source: str


_GENERAL = "湖南省行政处罚听证“较大数额”标准（演示数据，以本省现行有效规定为准）"
_MARKET = "市场监督管理行政处罚听证“较大数额”标准（演示数据，以现行有效规定为准）"

# For the province (430000); "at least" (含本数) as is usual for these amounts.
HEARING_THRESHOLDS: list[HearingSpec] = [
    HearingSpec(None, "natural_person", yuan(1000), _GENERAL),
    HearingSpec(None, "organisation", yuan(20000), _GENERAL),
    HearingSpec("market", "natural_person", yuan(10000), _MARKET),
    HearingSpec("market", "organisation", yuan(100000), _MARKET),
]
