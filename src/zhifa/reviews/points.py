"""The fixed parts of a legal review: the points a reviewer checks (审核要点) and the materials
a package holds (送审材料). Codes are stable: they are stored in rounds and the ledger."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Point:
    code: str
    label: Promise
    guidance: Promise


# 国办发〔2018〕118号 (三): 主体是否合法，执法人员是否具备执法资格；执法程序是否合法；案件事实是否
# 清楚，证据是否合法充分；适用法律、法规、规章是否准确，裁量基准运用是否适当；执法是否超越执法机关
# 法定权限；行政执法文书是否完备、规范；违法行为是否涉嫌犯罪、需要移送司法机关等。
POINTS: tuple[Point, ...] = (
    Point("body", _("Lawful body and qualified officers"),
          _("The agency has the power; the officers hold valid enforcement certificates.")),
    Point("party", _("Party identified"),
          _("The party is correctly named and identified.")),
    Point("facts", _("Facts clear, evidence sufficient"),
          _("The facts are clear; the evidence is lawful, true and sufficient.")),
    Point("basis", _("Legal basis correct, discretion within the benchmark"),
          _("The provisions applied are correct and in force; the penalty is within the "
            "benchmark tier, or the departure is explained.")),
    Point("appropriate", _("Decision appropriate"),
          _("The decision fits the facts, the nature and the harm of the violation.")),
    Point("procedure", _("Procedure lawful, rights protected"),
          _("Notice, statement, defence and hearing rights were respected; time limits "
            "were kept.")),
    Point("power", _("No excess of power"),
          _("The decision stays within the agency's statutory powers.")),
    Point("documents", _("Documents complete and standard"),
          _("The documents are complete and in the standard form.")),
    Point("crime", _("Suspected crime transferred"),
          _("Whether the violation is suspected of being a crime that must be transferred "
            "to the judicial organs.")),
)
POINT_CODES = tuple(p.code for p in POINTS)
BY_CODE = {p.code: p for p in POINTS}


@dataclass(frozen=True)
class Material:
    code: str
    label: Promise
    # "always": every package needs it; "hearing": when a hearing was held; "optional":
    # listed when the case has it (appraisal reports), never missing
    when: str = "always"


MATERIALS: tuple[Material, ...] = (
    Material("draft_decision", _("Draft decision with its three written reasons")),
    Material("evidence_list", _("Evidence list")),
    Material("investigation_report", _("Investigation report")),
    Material("hearing_record", _("Hearing record"), "hearing"),
    Material("appraisal_reports", _("Appraisal, testing and expert reports"), "optional"),
    Material("handling_opinion", _("Handling department's opinion")),
)
MATERIALS_BY_CODE = {m.code: m for m in MATERIALS}
