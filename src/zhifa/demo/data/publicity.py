"""Publicity (行政执法公示, 事后公开) in the demo province, read by ``loader.publicity``.

Two bodies publish their decisions: the accounts' body (芙蓉区市场监督管理局) and
芙蓉区城市管理和综合执法局 (``URBAN_BODY``), whose decisions ``loader.documents`` issues for
that purpose. Each has a publicity clerk (政务公开 staff in its office) with a demo login. The
market-regulation sector has publicity rules of its own; every other sector follows the
default rules (migration ``disclosure.0002``). Everything is fictional and marked as demo.
"""

from typing import NamedTuple

from .accounts import LoginSpec
from .bodies import ACCOUNTS_BODY

URBAN_BODY = "fr-urban"
# the person slot of a publicity clerk (``LoadContext.people``)
CLERK_SLOT = "publicity"

CLERK_LOGINS: list[LoginSpec] = [
    LoginSpec("publicity", "publicity_clerk", ACCOUNTS_BODY, CLERK_SLOT),
    LoginSpec(f"{URBAN_BODY}-publicity", "publicity_clerk", URBAN_BODY, CLERK_SLOT),
]
# The clerks' enforcement certificates: numbers of their own (the deputies' start at 900001).
CLERK_CERTIFICATE_SEQ = 950000


class SectorRules(NamedTuple):
    sector: str  # Sector.code
    values: dict[str, object]  # DisclosurePolicy fields (policy_create)


# 市场监督管理行政处罚信息公示规定: a warning alone is not published, and a penalty stays
# public for at least a year in the demo's reading of the sector's rules.
SECTOR_RULES: list[SectorRules] = [
    SectorRules("market", {
        "publish_warnings": False,
        "min_months": 12,
        "source": "市场监督管理行政处罚信息公示规定（总局令第45号）",
    }),
]

# The licensing decisions issued for publication (the walk issues no licence documents): of
# the accounts' body's granted licences not yet archived.
LICENCE_DECISION = ("经审查，申请人的申请符合法定条件、标准，根据{basis}的规定，决定准予行政许可"
                    "（{item}）。（演示数据）")

# The clerk publishes a draft one to three working days after the decision (within the
# 7 / 20 working days of 国办发〔2018〕118号).
PUBLISH_AFTER_WORKING_DAYS = (1, 3)

# One published penalty withdrawn: its decision was revoked on reconsideration, some working
# days after it was published; the clerk withdrew it the next working day (APL art. 48).
WITHDRAWAL_KIND = "revoked"
WITHDRAWAL_REASON = ("该行政处罚决定已经行政复议机关决定撤销，依照《中华人民共和国行政处罚法》"
                     "第四十八条第二款撤回原公示信息。（演示数据）")
WITHDRAWAL_EVENT_AFTER_WORKING_DAYS = 10
# the withdrawn record: the latest penalty decided at least this many working days ago
WITHDRAWN_DECIDED_WORKING_DAYS_AGO = 20

# One published penalty ended early: the party paid, corrected the violation and had its
# credit restored (信用修复) about half a year after the publication.
END_REASON = ("当事人已全面履行行政处罚决定规定的义务，完成整改并提交信用修复申请，经审核符合"
              "信用修复条件，决定提前停止公示。（演示数据）")
END_AFTER_MONTHS = 6
