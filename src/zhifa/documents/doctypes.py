"""The enforcement document types (执法文书) the platform generates: the typical set of a
general-procedure penalty case (reference.md §8.2), the coercive, inspection and licensing
documents, and their fields.

A type is code, not data: its fields are what the system default template prints and what an
agency's own template may use as placeholders. Placeholder names are Chinese (``{{ 当事人 }}``)
so that the clerks who edit templates in WPS or Word can read them. Two kinds of value reach a
template:

- **computed** values (``COMMON``): read from the case, the body and the document at rendering
  time (party, agency, amounts in figures and in Chinese uppercase, dates in Chinese form, the
  document number, the verification code and its QR image). Never typed by the officer, so a
  document cannot contradict its case.
- **drafted** values (each type's ``fields``): prefilled from the case's steps where a step holds
  them (``prefill``) and edited by the officer while the document is a draft.

``elements`` are the statutory elements checked before issue (APL art. 59 for a decision):
each names the placeholders that must be non-empty. ``reasons`` marks the general-procedure
decisions that must explain their three reasons (证据采信理由、依据选择理由、裁量理由; 湖南省
行政程序规定, 湘政办发〔2019〕23号).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocField:
    name: str                      # the placeholder (Chinese), e.g. "违法事实"
    label: Promise | str           # UI label (English msgid, zh-Hans in the catalogue)
    kind: str = "textarea"         # text | textarea | date
    required: bool = False         # must be filled before issue
    # where the draft's first value comes from: "step:<action>.<field>" (the case's latest
    # step of that action), "case:<attribute>", "item:<attribute>" (the enforcement item),
    # "profile:<attribute>" (the body's document profile), "evidence:list" (the case's
    # adopted evidence, one line each), or "" (empty)
    prefill: str = ""
    help: Promise | str = ""


@dataclass(frozen=True)
class Element:
    """A statutory element: present when every placeholder named is non-empty."""

    label: Promise | str
    placeholders: tuple[str, ...]
    source: str = "行政处罚法第五十九条"


@dataclass(frozen=True)
class DocType:
    code: str
    title: str                     # the document's title as printed, e.g. 行政处罚决定书
    # the word of the number (文号) between the body's short name and the year, e.g. "罚" in
    # 芙市监罚〔2026〕12号; None: the document carries no number (records, forms, reports)
    number_word: str | None
    stage: str                     # case-file stage: registration | investigation | review |
    #                                decision | service | execution | closing
    procedures: tuple[str, ...]    # procedures whose cases use it
    actions: tuple[str, ...] = ()  # the steps it belongs to (the step lists it in "documents")
    fields: tuple[DocField, ...] = ()
    elements: tuple[Element, ...] = ()
    reasons: bool = False          # the three written reasons are required
    serial: bool = False           # numbered by a pre-numbered form serial (summary procedure)
    # issue only once the case has this step (the decision is made first; its approval is
    # the step's): (action, {step data field: allowed values})
    issue_after: tuple[str, dict[str, tuple[str, ...]]] | None = None
    # recording the service of the issued document records this case step, dated the day
    # of service (the periods that run from service start then)
    serves: str = ""
    source: str = ""
    order: int = 0                 # position inside its stage in the case file


# -- computed values (every template may use them) ---------------------------------------------

COMMON: dict[str, Promise | str] = {
    "文书名称": _("Document title"),
    "文号": _("Document number (文号), or the form serial"),
    "机关名称": _("Enforcement body"),
    "机关简称": _("Body short name"),
    "机关地址": _("Body address"),
    "机关电话": _("Body phone"),
    "机关统一社会信用代码": _("Body credit code"),
    "案件编号": _("Case number"),
    "案由": _("Case title"),
    "执法事项": _("Enforcement item"),
    "当事人": _("Party"),
    "当事人类型": _("Party type"),
    "证件名称": _("Identity document type"),
    "证件号码": _("ID number or credit code"),
    "法定代表人": _("Legal representative"),
    "当事人地址": _("Party address"),
    "当事人电话": _("Party phone"),
    "承办人员": _("Officers with certificate numbers"),
    "受理日期": _("Received on (Chinese form)"),
    "立案日期": _("Registered on (Chinese form)"),
    "决定日期": _("Decided on (Chinese form)"),
    "日期": _("Document date (Chinese form)"),
    "日期大写": _("Document date in Chinese numerals (二〇二六年十一月二十六日)"),
    "处罚种类": _("Penalty kinds"),
    "罚款金额": _("Fine in figures"),
    "罚款金额大写": _("Fine in Chinese uppercase (人民币伍仟元整)"),
    "没收金额": _("Confiscation in figures"),
    "没收金额大写": _("Confiscation in Chinese uppercase"),
    "合计金额": _("Total in figures"),
    "合计金额大写": _("Total in Chinese uppercase"),
    "核验码": _("Verification code"),
    "核验网址": _("Verification address"),
    "核验二维码": _("Verification QR code (image)"),
    "模板版本": _("Template version"),
}

# -- shared field sets -------------------------------------------------------------------------

REMEDY = (
    DocField("复议机关", _("Reconsideration body"), "text", True,
             "item:reconsideration_body"),
    DocField("复议期限", _("Reconsideration period"), "text", True,
             "profile:reconsideration_period"),
    DocField("诉讼法院", _("Court for litigation"), "text", True, "profile:court"),
    DocField("诉讼期限", _("Litigation period"), "text", True, "profile:litigation_period"),
)
REMEDY_ELEMENT = Element(_("Remedy channels and deadlines"),
                         ("复议机关", "复议期限", "诉讼法院", "诉讼期限"))
PARTY_ELEMENT = Element(_("The party's name and identity"), ("当事人", "证件号码"))
# a decision names the party's address too (行政处罚法第五十九条第一款第一项; 行政强制法第二十四条,
# 第三十七条): where it is served and who it binds
DECISION_PARTY_ELEMENT = Element(_("The party's name, identity and address"),
                                 ("当事人", "证件号码", "当事人地址"))
AGENCY_ELEMENT = Element(_("The deciding agency and the date"), ("机关名称", "日期"))
REASON_FIELDS = (
    DocField("证据采信理由", _("Why the evidence was accepted (证据采信理由)"), required=True,
             help=_("Which evidence proves which fact, and why evidence to the contrary was "
                    "not accepted.")),
    DocField("依据选择理由", _("Why this legal basis was chosen (依据选择理由)"), required=True,
             help=_("Why these provisions apply to the facts found, and not others.")),
    DocField("裁量理由", _("Why this discretion (裁量理由)"), required=True,
             help=_("Which tier of the discretion benchmark applies and why, with the "
                    "circumstances that made the penalty heavier or lighter.")),
)
REASONS_ELEMENT = Element(_("The three written reasons"),
                          ("证据采信理由", "依据选择理由", "裁量理由"),
                          "湖南省行政程序规定；湘政办发〔2019〕23号")


RECIPIENT = pgettext_lazy("service of documents", "Recipient")
APPLICATION = pgettext_lazy("document field", "Application")


def _f(name: str, label: Any, kind: str = "textarea", required: bool = False,
       prefill: str = "", help: Any = "") -> DocField:
    return DocField(name, label, kind, required, prefill, help)


# -- the types ---------------------------------------------------------------------------------

TYPES: tuple[DocType, ...] = (
    DocType(
        "case_source", "案件来源登记表", None, "registration", ("general",),
        fields=(_f("案件来源", _("Case source"), "text", True),
                _f("登记内容", _("What was reported or found"), required=True,
                   prefill="case:summary"),
                _f("核查意见", _("Opinion after checking"))),
        source="行政处罚法第五十四条", order=1),
    DocType(
        "registration_approval", "立案审批表", None, "registration", ("general",),
        ("register",),
        fields=(_f("立案理由", _("Grounds for registration"), required=True,
                   prefill="step:register.grounds"),
                _f("承办意见", _("Handling officers' opinion")),
                _f("审批意见", _("Approval opinion"))),
        source="行政处罚法第五十四条", order=2),
    DocType(
        "on_site_record", "现场检查笔录", None, "investigation",
        ("general", "coercive"), ("record_investigation", "apply_measure", "direct_execution"),
        fields=(_f("检查时间", _("Time of the inspection"), "text", True),
                _f("检查地点", _("Place"), "text", True, "step:direct_execution.place"),
                _f("检查情况", _("What was found"), required=True,
                   prefill="step:record_investigation.summary"),
                _f("当事人意见", _("The party's opinion"))),
        source="行政处罚法第五十五条", order=1),
    DocType(
        "questioning_record", "询问笔录", None, "investigation", ("general",),
        ("record_investigation",),
        fields=(_f("询问时间", _("Time of the questioning"), "text", True),
                _f("询问地点", _("Place"), "text", True),
                _f("被询问人", _("Person questioned"), "text", True),
                _f("询问内容", _("Questions and answers"), required=True)),
        source="行政处罚法第五十五条", order=2),
    DocType(
        "preservation_notice", "先行登记保存通知书", "保", "investigation", ("general",),
        ("preserve_evidence",),
        fields=(_f("保存物品", _("Items preserved (list)"), required=True,
                   prefill="step:preserve_evidence.items"),
                _f("保存地点", _("Where they are kept"), "text", True),
                _f("保存依据", _("Legal basis"), "text", True, help="行政处罚法第五十六条"),
                _f("处理期限", _("Decision within"), "text", True)),
        elements=(PARTY_ELEMENT, Element(_("The items preserved"), ("保存物品",),
                                         "行政处罚法第五十六条")),
        source="行政处罚法第五十六条", order=3),
    DocType(
        "seizure_decision", "查封（扣押）决定书", "扣", "investigation", ("coercive",),
        ("apply_measure",),
        fields=(_f("措施理由", _("Reasons for the measure"), required=True),
                _f("措施依据", _("Legal basis"), "text", True, "item:basis_text"),
                _f("财物名称数量", _("Property: names and quantities"), required=True),
                _f("措施期限", _("Period of the measure"), "text", True),
                *REMEDY),
        elements=(DECISION_PARTY_ELEMENT,
                  Element(_("Reasons, basis, property and period"),
                          ("措施理由", "措施依据", "财物名称数量", "措施期限"),
                          "行政强制法第二十四条"),
                  Element(_("Remedy channels and deadlines"),
                          ("复议机关", "复议期限", "诉讼法院", "诉讼期限"),
                          "行政强制法第二十四条"),
                  Element(_("The deciding agency and the date"), ("机关名称", "日期"),
                          "行政强制法第二十四条")),
        source="行政强制法第二十四条", order=4),
    DocType(
        "seizure_list", "查封（扣押）财物清单", None, "investigation", ("coercive",),
        ("apply_measure",),
        fields=(_f("财物清单", _("Property list (name, specification, quantity, place)"),
                   required=True),),
        source="行政强制法第二十四条", order=5),
    DocType(
        "correction_order", "责令改正通知书", "责改", "investigation",
        ("general", "inspection"), ("conclude",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:conclude.conclusion"),
                _f("改正依据", _("Legal basis"), "text", True, "item:basis_text"),
                _f("改正要求", _("What must be corrected"), required=True),
                _f("改正期限", _("Correct by"), "date", True, "step:conclude.correct_by")),
        elements=(PARTY_ELEMENT,),
        source="行政处罚法第二十八条", order=6),
    DocType(
        "investigation_report", "案件调查终结报告", None, "review", ("general",),
        ("submit_report",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:submit_report.facts"),
                _f("证据", _("Evidence"), required=True, prefill="evidence:list"),
                _f("处理意见", _("Proposed handling"), required=True)),
        source="行政处罚法第五十七条", order=1),
    # written by the reviews app from the structured opinion and the discussion record
    DocType(
        "legal_review_opinion", "法制审核意见书", None, "review", ("general", "licensing"),
        ("record_review_opinion",),
        fields=(_f("送审事项", _("Matter submitted"), required=True),
                _f("送审日期", _("Submitted on"), "text", True),
                _f("审核要点", _("Review points and findings"), required=True),
                _f("审核结论", _("Conclusion of the review"), "text", True),
                _f("审核意见", _("Review opinion"), required=True),
                _f("修改意见", _("Changes required")),
                _f("审核人员", _("Legal reviewer"), "text", True),
                _f("法制审核机构", _("Legal review office"), "text", True)),
        elements=(Element(_("The review points, the conclusion and the opinion"),
                          ("审核要点", "审核结论", "审核意见"), "行政处罚法第五十八条"),
                  Element(_("The reviewer and the office"), ("审核人员", "法制审核机构"),
                          "国办发〔2018〕118号")),
        source="行政处罚法第五十八条", order=2),
    DocType(
        "collective_discussion_record", "重大案件集体讨论记录", None, "review", ("general",),
        ("collective_discussion",),
        fields=(_f("讨论事项", _("Matter discussed"), required=True),
                _f("讨论时间", _("Time of the discussion"), "text", True),
                _f("讨论地点", _("Place"), "text"),
                _f("主持人", _("Presided by"), "text", True),
                _f("出席人员", _("Attendees"), required=True),
                _f("讨论意见", _("Each attendee's view"), required=True),
                _f("讨论决定", _("Decision of the discussion"), required=True),
                _f("记录人", _("Recorded by"), "text", True)),
        elements=(Element(_("Attendees, their views and the decision"),
                          ("出席人员", "讨论意见", "讨论决定"), "行政处罚法第五十七条第二款"),),
        source="行政处罚法第五十七条第二款", order=3),
    DocType(
        "prior_notice", "行政处罚事先告知书", "罚告", "decision", ("general",),
        ("serve_notice",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:submit_report.facts"),
                _f("处罚依据", _("Legal basis of the penalty"), "text", True,
                   "item:basis_text"),
                _f("拟处罚内容", _("Proposed penalty"), required=True),
                _f("陈述申辩期限", _("Statement and defence within"), "text", True,
                   "profile:statement_period"),
                _f("听证权利", _("Right to a hearing"), required=True,
                   prefill="case:hearing_right_text",
                   help=_("Whether the party may ask for a hearing, and within how long "
                          "(5 working days from receipt).")),),
        elements=(PARTY_ELEMENT,
                  Element(_("Facts, basis and proposed penalty"),
                          ("违法事实", "处罚依据", "拟处罚内容"), "行政处罚法第四十四条"),
                  Element(_("The right to state and defend, and its period"),
                          ("陈述申辩期限",), "行政处罚法第四十四条、第四十五条"),
                  Element(_("The right to a hearing"), ("听证权利",),
                          "行政处罚法第四十四条、第六十三条、第六十四条")),
        serves="serve_notice", source="行政处罚法第四十四条", order=1),
    DocType(
        "hearing_notice", "行政处罚听证通知书", "听", "decision", ("general",),
        ("schedule_hearing",),
        fields=(_f("听证时间", _("Hearing time"), "text", True,
                   "step:schedule_hearing.hearing_on"),
                _f("听证地点", _("Hearing place"), "text", True,
                   "step:schedule_hearing.place"),
                _f("主持人", _("Presiding officer"), "text", True)),
        elements=(PARTY_ELEMENT, Element(_("Time and place of the hearing"),
                                         ("听证时间", "听证地点"), "行政处罚法第六十四条")),
        source="行政处罚法第六十四条", order=2),
    DocType(
        "hearing_record", "听证笔录", None, "decision", ("general",), ("hold_hearing",),
        fields=(_f("听证时间", _("Hearing time"), "text", True),
                _f("听证地点", _("Hearing place"), "text", True),
                _f("主持人", _("Presiding officer"), "text", True,
                   "step:hold_hearing.presiding"),
                _f("听证记录", _("Record"), required=True, prefill="step:hold_hearing.record")),
        source="行政处罚法第六十四条", order=3),
    DocType(
        "penalty_decision", "行政处罚决定书", "罚", "decision", ("general",), ("decide",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:submit_report.facts"),
                _f("证据", _("Evidence"), required=True, prefill="evidence:list"),
                _f("违法依据", _("Provision violated"), "text", True, "item:basis_text"),
                _f("处罚依据", _("Provision applied for the penalty"), "text", True,
                   "item:basis_text"),
                *REASON_FIELDS,
                _f("处罚内容", _("Penalty decided"), required=True),
                _f("履行方式和期限", _("Manner and deadline of performance"), required=True,
                   prefill="profile:payment_instructions"),
                *REMEDY),
        elements=(DECISION_PARTY_ELEMENT,
                  Element(_("Facts and evidence"), ("违法事实", "证据")),
                  Element(_("The penalty and its legal basis"),
                          ("违法依据", "处罚依据", "处罚内容")),
                  Element(_("Manner and deadline of performance"), ("履行方式和期限",)),
                  REMEDY_ELEMENT, AGENCY_ELEMENT, REASONS_ELEMENT),
        reasons=True, issue_after=("decide", {"outcome": ("penalty",)}),
        serves="serve_decision", source="行政处罚法第五十九条", order=5),
    DocType(
        "summary_decision", "当场行政处罚决定书", None, "decision", ("summary",),
        ("decide_on_spot",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:decide_on_spot.facts"),
                _f("处罚依据", _("Legal basis"), "text", True, "item:basis_text"),
                _f("处罚内容", _("Penalty decided"), required=True),
                _f("处罚时间地点", _("Time and place of the decision"), "text", True),
                _f("履行方式和期限", _("Manner and deadline of performance"), required=True,
                   prefill="profile:payment_instructions"),
                *REMEDY),
        elements=(DECISION_PARTY_ELEMENT,
                  Element(_("Facts, penalty and basis, time and place"),
                          ("违法事实", "处罚依据", "处罚内容", "处罚时间地点"),
                          "行政处罚法第五十二条"),
                  Element(_("Remedy channels and deadlines"),
                          ("复议机关", "复议期限", "诉讼法院", "诉讼期限"),
                          "行政处罚法第五十二条"),
                  Element(_("The deciding agency and the date"), ("机关名称", "日期"),
                          "行政处罚法第五十二条")),
        serial=True, issue_after=("decide_on_spot", {}), source="行政处罚法第五十二条",
        order=6),
    DocType(
        "no_penalty_decision", "不予行政处罚决定书", "不罚", "decision", ("general",),
        ("decide",),
        fields=(_f("违法事实", _("Facts found"), required=True,
                   prefill="step:submit_report.facts"),
                _f("证据", _("Evidence"), required=True, prefill="evidence:list"),
                _f("不予处罚理由", _("Why no penalty"), required=True),
                _f("不予处罚依据", _("Legal basis for no penalty"), "text", True),
                *REASON_FIELDS,
                *REMEDY),
        elements=(DECISION_PARTY_ELEMENT,
                  Element(_("Facts and evidence"), ("违法事实", "证据")),
                  Element(_("Why no penalty, and on which basis"),
                          ("不予处罚理由", "不予处罚依据")),
                  REMEDY_ELEMENT, AGENCY_ELEMENT, REASONS_ELEMENT),
        reasons=True, issue_after=("decide", {"outcome": ("no_penalty",)}),
        serves="serve_decision", source="行政处罚法第五十七条", order=7),
    DocType(
        "e_service_consent", "送达地址确认书", None, "service",
        ("general", "coercive", "licensing", "summary", "inspection", "generic"),
        fields=(_f("送达地址", _("Address for service"), "text", True,
                   prefill="case:party_address"),
                _f("电子送达地址", _("Electronic address (e-mail, phone, platform account)"),
                   "text"),
                _f("同意电子送达", _("Consents to electronic service (同意 / 不同意)"), "text",
                   True)),
        source="民事诉讼法第九十条", order=1),
    DocType(
        "service_receipt", "送达回证", None, "service",
        ("general", "coercive", "licensing", "summary", "inspection", "generic"),
        fields=(_f("送达文书", _("Documents served (titles and numbers)"), "text", True),
                _f("受送达人", RECIPIENT, "text", True, "case:party_name"),
                _f("送达地点", _("Place of service"), "text", True, "case:party_address"),
                _f("送达方式", _("Method of service"), "text", True)),
        source="民事诉讼法第八十七条", order=2),
    DocType(
        "reminder", "催告书", "催", "execution", ("general",), ("send_reminder",),
        fields=(_f("履行义务", _("Obligation not performed"), required=True),
                _f("履行期限", _("Perform by"), "text", True),
                _f("履行方式", _("Manner of performance"), "text", True,
                   "profile:payment_instructions"),
                _f("加处罚款", _("Late surcharge (3 % a day, at most the fine)"), "text"),
                _f("陈述申辩权利", _("The right to state and defend"), "text", True,
                   help="行政强制法第三十五条")),
        elements=(PARTY_ELEMENT,
                  Element(_("Obligation, deadline, manner; the right to state and defend"),
                          ("履行义务", "履行期限", "履行方式", "陈述申辩权利"),
                          "行政强制法第三十五条")),
        serves="send_reminder", source="行政强制法第三十五条", order=1),
    DocType(
        "execution_decision", "行政强制执行决定书", "强执", "execution", ("general",),
        ("direct_execution",),
        fields=(_f("执行理由", _("Reasons"), required=True),
                _f("执行依据", _("Legal basis"), "text", True),
                _f("执行方式", _("Manner of execution"), "text", True),
                _f("执行时间", _("Time of execution"), "text", True),
                *REMEDY),
        elements=(DECISION_PARTY_ELEMENT,
                  Element(_("Reasons, basis, manner and time"),
                          ("执行理由", "执行依据", "执行方式", "执行时间"),
                          "行政强制法第三十七条"),
                  Element(_("Remedy channels and deadlines"),
                          ("复议机关", "复议期限", "诉讼法院", "诉讼期限"),
                          "行政强制法第三十七条"),
                  Element(_("The deciding agency and the date"), ("机关名称", "日期"),
                          "行政强制法第三十七条")),
        source="行政强制法第三十七条", order=2),
    DocType(
        "court_enforcement_application", "强制执行申请书", "执申", "execution",
        ("general",), ("apply_court_enforcement",),
        fields=(_f("受理法院", _("Court"), "text", True,
                   "step:apply_court_enforcement.court"),
                _f("申请事项", _("What is applied for"), required=True),
                _f("事实和理由", _("Facts and reasons"), required=True)),
        elements=(PARTY_ELEMENT,
                  Element(_("Court, request, facts and reasons"),
                          ("受理法院", "申请事项", "事实和理由"), "行政强制法第五十五条")),
        source="行政强制法第五十五条", order=3),
    DocType(
        "closing_report", "结案报告", None, "closing",
        ("general", "coercive", "inspection", "licensing", "generic", "summary"), ("close",),
        fields=(_f("处理结果", _("Outcome"), required=True),
                _f("执行情况", _("Execution"), required=True),
                _f("结案理由", _("Why the case can be closed"), required=True)),
        source="行政处罚法第四十七条", order=1),
    DocType(
        "acceptance_notice", "行政许可受理通知书", "许受", "registration", ("licensing",),
        ("accept",),
        fields=(_f("申请事项", APPLICATION, "text", True,
                   "case:title"),
                _f("承诺期限", _("Decision within"), "text", True)),
        elements=(PARTY_ELEMENT, Element(_("The application and the decision period"),
                                         ("申请事项", "承诺期限"), "行政许可法第三十二条")),
        source="行政许可法第三十二条", order=1),
    DocType(
        "missing_materials_notice", "行政许可补正材料通知书", "许补", "registration",
        ("licensing",), ("request_materials",),
        fields=(_f("申请事项", APPLICATION, "text", True,
                   "case:title"),
                _f("补正材料", _("Missing materials, all at once"), required=True,
                   prefill="step:request_materials.missing")),
        elements=(PARTY_ELEMENT, Element(_("All the missing materials at once"),
                                         ("补正材料",), "行政许可法第三十二条")),
        source="行政许可法第三十二条", order=2),
    DocType(
        "licensing_decision", "行政许可决定书", "许", "decision", ("licensing",),
        ("grant", "deny"),
        fields=(_f("申请事项", APPLICATION, "text", True,
                   "case:title"),
                _f("决定内容", _("Decision"), required=True),
                _f("许可依据", _("Legal basis"), "text", True, "item:basis_text"),
                _f("不予许可理由", _("Reasons for a denial"), prefill="step:deny.reason"),
                *REMEDY),
        elements=(PARTY_ELEMENT,
                  Element(_("The decision and its basis"), ("决定内容", "许可依据"),
                          "行政许可法第三十八条"),
                  Element(_("Remedy channels and deadlines"),
                          ("复议机关", "复议期限", "诉讼法院", "诉讼期限"),
                          "行政许可法第三十八条"),
                  Element(_("The deciding agency and the date"), ("机关名称", "日期"),
                          "行政许可法第三十八条")),
        issue_after=("grant", {}), source="行政许可法第三十八条", order=3),
    DocType(
        "inspection_record", "行政检查记录", None, "investigation", ("inspection",),
        ("start_inspection",),
        fields=(_f("检查时间", _("Time of the inspection"), "text", True),
                _f("检查地点", _("Place"), "text", True, "step:start_inspection.place"),
                _f("检查事项", _("What was inspected"), required=True),
                _f("检查情况", _("Findings"), required=True,
                   prefill="step:start_inspection.findings"),
                _f("当事人意见", _("The party's opinion"))),
        source="行政检查文书基本格式文本（试行）", order=1),
)

# the types' names in the UI (the printed title is always Chinese)
NAMES: dict[str, Any] = {
    "case_source": _("Case-source registration form"),
    "registration_approval": _("Registration approval form"),
    "on_site_record": _("On-site inspection record"),
    "questioning_record": _("Questioning record"),
    "preservation_notice": _("Notice of advance registration and preservation"),
    "seizure_decision": _("Seizure decision"),
    "seizure_list": _("List of seized property"),
    "correction_order": _("Order to correct"),
    "investigation_report": _("Investigation report"),
    "legal_review_opinion": _("Legal review opinion"),
    "collective_discussion_record": _("Collective discussion record"),
    "prior_notice": _("Prior notice of penalty"),
    "hearing_notice": _("Hearing notice"),
    "hearing_record": _("Hearing record"),
    "penalty_decision": _("Penalty decision"),
    "summary_decision": _("On-the-spot penalty decision"),
    "no_penalty_decision": _("No-penalty decision"),
    "e_service_consent": _("Confirmation of the address for service"),
    "service_receipt": _("Service receipt"),
    "reminder": _("Reminder"),
    "execution_decision": _("Coercive execution decision"),
    "court_enforcement_application": _("Application for court enforcement"),
    "closing_report": _("Closing report"),
    "acceptance_notice": _("Licensing acceptance notice"),
    "missing_materials_notice": _("Notice of missing materials"),
    "licensing_decision": _("Licensing decision"),
    "inspection_record": _("Inspection record"),
}

BY_CODE: dict[str, DocType] = {t.code: t for t in TYPES}
STAGES: tuple[str, ...] = ("registration", "investigation", "review", "decision", "service",
                           "execution", "closing")
STAGE_LABELS: dict[str, Any] = {
    "registration": _("Registration"), "investigation": _("Investigation and evidence"),
    "review": pgettext_lazy("case-file stage", "Review"), "decision": _("Decision"),
    "service": _("Service"),
    "execution": _("Execution"), "closing": _("Closing"),
}
# a licensing denial is issued after "deny" as well as after "grant"
ISSUE_AFTER_ANY: dict[str, tuple[str, ...]] = {"licensing_decision": ("grant", "deny")}


def doctype(code: str) -> DocType:
    """The type, or ``KeyError``."""
    return BY_CODE[code]


def types_for(procedure: str) -> list[DocType]:
    """The types a case of this procedure uses, in case-file order."""
    return sorted((t for t in TYPES if procedure in t.procedures),
                  key=lambda t: (STAGES.index(t.stage), t.order))


def placeholders(t: DocType) -> list[str]:
    """Every placeholder a template of this type may use."""
    return [*COMMON, *(f.name for f in t.fields)]


def type_name(code: str) -> str:
    """The type's name in the active language."""
    return str(NAMES.get(code, code))
