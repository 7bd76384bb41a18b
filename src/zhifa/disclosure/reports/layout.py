"""The tables of the annual report: which figures, in which order, under which headings.

Each row has two headings: ``label``, an English msgid the staff pages and the portal show in
the reader's language, and ``zh``, the heading printed in the published documents (the PDF
and the XLSX). The documents are the statistical report itself, whose text is Chinese like
every other enforcement document; the pages are the platform's interface.

The figures are stored as ``{section: {row: int}}`` (``AnnualReport.figures``), the figures
the clerk enters as ``{row: int}`` (``AnnualReport.entered``); amounts are in fen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.cases.models import Outcome
from zhifa.catalog.models import PenaltyKind

COUNT, FEN = "count", "fen"
# the version of the figures' shape (kept in the figures, so a later shape can be told apart)
FIGURES_VERSION = 1


@dataclass(frozen=True)
class Row:
    key: str
    label: Promise | str
    zh: str
    unit: str = COUNT


@dataclass(frozen=True)
class Section:
    key: str
    label: Promise | str
    zh: str
    rows: tuple[Row, ...]
    chart: bool = False  # drawn as a bar chart (PDF and portal)
    entered: bool = False  # entered by the clerk (``AnnualReport.entered``), not computed


# procedure code -> category of the report (an agency's own procedures count as "other")
CATEGORY_OF_PROCEDURE = {
    "general": "penalty_general",
    "summary": "penalty_summary",
    "licensing": "licensing",
    "coercive": "coercive",
    "inspection": "inspection",
}
OTHER_CATEGORY = "other"

CATEGORY_ROWS = (
    Row("penalty_general", _("Penalties, general procedure"), "行政处罚（普通程序）"),
    Row("penalty_summary", _("Penalties, summary procedure"), "行政处罚（简易程序）"),
    Row("licensing", _("Licensing"), "行政许可"),
    Row("coercive", _("Coercive measures"), "行政强制措施"),
    Row("inspection", _("Inspections"), "行政检查"),
    Row(OTHER_CATEGORY, pgettext_lazy("report category", "Other"), "其他行政执法行为"),
)

# the Chinese headings of the results, in the order of ``Outcome``
OUTCOME_ZH = {
    Outcome.PENALTY: "给予行政处罚",
    Outcome.NO_PENALTY: "不予行政处罚",
    Outcome.TRANSFER: "移送司法机关",
    Outcome.GRANTED: "准予行政许可",
    Outcome.DENIED: "不予行政许可",
    Outcome.NOT_ACCEPTED: "不予受理",
    Outcome.NO_FINDING: "检查未发现问题",
    Outcome.ORDER_TO_CORRECT: "责令改正",
    Outcome.CASE_OPENED: "立案查处",
    Outcome.MEASURE_HANDLED: "强制措施依法处理",
    Outcome.DECIDED: "作出其他决定",
    Outcome.NOT_REGISTERED: "不予立案",
}

PENALTY_KIND_ZH = {
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
}

# the figures the platform does not record (APL art. 7; 行政复议法, 行政诉讼法): entered by the
# clerk, each a non-negative whole number; a "part" is at most its "whole"
ENTERED_ROWS = (
    Row("reconsiderations", _("Administrative reconsiderations received"),
        "被申请行政复议案件数"),
    Row("reconsiderations_changed",
        _("of which the decision was changed, revoked or confirmed illegal"),
        "其中：被变更、撤销或确认违法"),
    Row("suits", _("Administrative suits received"), "被提起行政诉讼案件数"),
    Row("suits_lost", _("of which lost"), "其中：败诉"),
)
ENTERED_KEYS = tuple(r.key for r in ENTERED_ROWS)
ENTERED_PARTS = {"reconsiderations_changed": "reconsiderations", "suits_lost": "suits"}

SECTIONS: tuple[Section, ...] = (
    Section("cases", pgettext_lazy("annual report", "Cases"), "案件总体情况", (
        Row("received", _("Cases received in the year"), "本年新收案件数"),
        Row("decided", _("Cases decided in the year"), "本年作出决定案件数"),
        Row("open_at_year_end", _("Cases still open at the end of the year"),
            "年末未办结案件数"),
    )),
    Section("by_category", _("Decisions by kind of enforcement"), "按执法类别统计的决定数",
            CATEGORY_ROWS, chart=True),
    Section("by_result", _("Decisions by result"), "按决定结果统计的决定数",
            tuple(Row(str(value), label, OUTCOME_ZH[Outcome(value)])
                  for value, label in Outcome.choices), chart=True),
    Section("penalty_kinds", _("Penalties imposed, by kind"), "行政处罚种类（件次）",
            tuple(Row(str(value), label, PENALTY_KIND_ZH[PenaltyKind(value)])
                  for value, label in PenaltyKind.choices), chart=True),
    Section("amounts", _("Amounts (yuan)"), "罚没金额（元）", (
        Row("fines", _("Fines imposed"), "罚款金额", FEN),
        Row("confiscations", _("Illegal gains and property confiscated"),
            "没收违法所得、没收非法财物金额", FEN),
    )),
    Section("licensing", _("Licensing decisions"), "行政许可情况", (
        Row("granted", _("Licences granted"), "准予许可"),
        Row("denied", _("Licences denied"), "不予许可"),
        Row("not_accepted", _("Applications not accepted"), "不予受理"),
    )),
    Section("procedure", _("Legal review, hearings and collective discussion"),
            "法制审核、听证和集体讨论", (
        Row("review_requests", _("Cases submitted for legal review"), "提请法制审核案件数"),
        Row("review_rounds", _("Legal review submissions (rounds)"), "法制审核次数"),
        Row("review_passed", _("Legal reviews passed"), "法制审核通过案件数"),
        Row("hearings", _("Hearings held"), "举行听证次数"),
        Row("discussions", _("Collective discussions held"), "集体讨论次数"),
    )),
    Section("publications", _("Publication of decisions"), "行政执法决定公示情况", (
        Row("published", _("Decisions published"), "公示决定数"),
        Row("on_time", _("published within the time limit"), "其中：按时公示"),
        Row("late", _("published late"), "其中：逾期公示"),
        Row("withdrawn", _("Publications withdrawn"), "撤下公示数"),
    )),
    Section("remedies", _("Reconsideration and litigation"), "行政复议和行政诉讼",
            ENTERED_ROWS, entered=True),
)
COMPUTED_SECTIONS = tuple(s for s in SECTIONS if not s.entered)


def empty_figures(year: int) -> dict[str, Any]:
    """Every computed figure at zero (the shape ``compute`` fills)."""
    out: dict[str, Any] = {"version": FIGURES_VERSION, "year": year}
    for section in COMPUTED_SECTIONS:
        out[section.key] = {row.key: 0 for row in section.rows}
    return out


def yuan(fen: int) -> str:
    """12345 -> '123.45' (with thousands separators)."""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class Cell:
    key: str
    label: str
    zh: str
    value: int
    unit: str

    @property
    def display(self) -> str:
        return yuan(self.value) if self.unit == FEN else f"{self.value:,}"


@dataclass(frozen=True)
class Table:
    key: str
    label: str
    zh: str
    rows: list[Cell]
    chart: bool
    entered: bool
    complete: bool  # an entered section whose every figure was entered

    def nonzero(self) -> list[Cell]:
        return [c for c in self.rows if c.value]


def tables(figures: dict[str, Any], entered: dict[str, Any]) -> list[Table]:
    """The report's tables with their values (a missing value reads 0)."""
    out = []
    for section in SECTIONS:
        source = entered if section.entered else (figures.get(section.key) or {})
        rows = [Cell(key=r.key, label=str(r.label), zh=r.zh,
                     value=int(source.get(r.key) or 0), unit=r.unit) for r in section.rows]
        out.append(Table(key=section.key, label=str(section.label), zh=section.zh, rows=rows,
                         chart=section.chart, entered=section.entered,
                         complete=all(r.key in source for r in section.rows)))
    return out


def chart_series(items: list[Table]) -> list[dict[str, Any]]:
    """The bar charts of the pages (ECharts), in the reader's language: every row of a short
    table, only the non-zero rows of a long one; none for a table without figures."""
    out = []
    for t in items:
        if not t.chart or not t.nonzero():
            continue
        cells = t.rows if len(t.rows) <= 6 else t.nonzero()
        out.append({"key": t.key, "title": t.label, "labels": [c.label for c in cells],
                    "values": [c.value for c in cells]})
    return out
