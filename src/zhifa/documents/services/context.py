"""The values a document prints.

- ``prefill``: a new draft's first values (each field's ``DocField.prefill`` source: the
  case's latest step of an action, the case, its enforcement item, the body's profile, the
  case's adopted evidence).
- ``computed``: the ``doctypes.COMMON`` values, read from the case, the body and the document
  when it is rendered, so that a document cannot contradict its case.
- ``render_context``: both together as the template sees them (drafted dates in Chinese
  form, the QR image as PNG bytes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from zhifa.cases.models import Case, CaseOfficer, CaseStep, Party
from zhifa.cases.services.create import _number_prefix
from zhifa.catalog.models import PartyType

from .. import doctypes
from ..models import Document, DocumentProfile, DocumentTemplate, TemplateScope
from .profiles import profile_get

# printed names (documents are Chinese whatever the UI language)
EVIDENCE_KINDS_ZH = {
    "documentary": "书证", "physical": "物证", "audio_visual": "视听资料",
    "electronic": "电子数据", "witness": "证人证言", "party_statement": "当事人的陈述",
    "expert_opinion": "鉴定意见", "inspection_record": "勘验笔录、现场笔录",
}
PENALTY_KINDS_ZH = {
    "warning": "警告", "criticism": "通报批评", "fine": "罚款",
    "confiscate_gains": "没收违法所得", "confiscate_property": "没收非法财物",
    "suspend_licence": "暂扣许可证件", "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件", "restrict_business": "限制开展生产经营活动",
    "stop_production": "责令停产停业", "closure": "责令关闭",
}
PARTY_TYPES_ZH: dict[str, str] = {
    PartyType.NATURAL_PERSON: "自然人", PartyType.INDIVIDUAL_BUSINESS: "个体工商户",
    PartyType.ORGANISATION: "法人或者其他组织",
}
SCOPES_ZH: dict[str, str] = {TemplateScope.SYSTEM: "系统默认", TemplateScope.PROVINCE: "省级",
             TemplateScope.BODY: "本机关"}
QR_KEY = "核验二维码"
DRAFT_NUMBER = "草稿"


def code_display(code: str) -> str:
    """A verify code as printed: XXXX-XXXX-XXXX."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4)) if code else ""


def verify_url(code: str) -> str:
    return f"{settings.ZHIFA_PUBLIC_BASE_URL.rstrip('/')}/v/{code}" if code else ""


# --- prefill ----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value if v not in (None, ""))
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _parties(case: Case) -> list[Party]:
    return list(case.parties.all())


def evidence_lines(case: Case) -> str:
    """The case's adopted evidence, one line each: ``1. 书证：标题（来源）``."""
    from zhifa.evidence.models import EvidenceItem, ItemState

    items = EvidenceItem.objects.filter(case=case, adopted=True,
                                        state=ItemState.ACTIVE).order_by("seq")
    lines = []
    for n, item in enumerate(items, start=1):
        source = f"（{item.source}）" if item.source else ""
        lines.append(f"{n}. {EVIDENCE_KINDS_ZH.get(item.kind, item.kind)}：{item.title}{source}")
    return "\n".join(lines)


HEARING_RIGHT_YES = ("你（单位）有权要求举行听证。"
                     "如要求听证，应当在收到本告知书之日起五个工作日内提出。")
HEARING_RIGHT_NO = "本案不属于依法应当告知听证权利的情形。"


def hearing_right_text(case: Case) -> str:
    """The prior notice's sentence on the hearing right (行政处罚法第四十四条、第六十三条、
    第六十四条). ``case.hearing_right`` is set when the notice is served; the notice is drafted
    before that, so the right is also judged as the serving would judge it today."""
    from zhifa.cases.effects import hearing_right_for

    right = case.hearing_right or hearing_right_for(case, timezone.localdate())
    return HEARING_RIGHT_YES if right else HEARING_RIGHT_NO


def _prefill_one(case: Case, source: str, profile: DocumentProfile,
                 steps: dict[str, CaseStep | None]) -> str:
    kind, _sep, name = source.partition(":")
    if kind == "step":
        action, _dot, field = name.partition(".")
        if action not in steps:
            steps[action] = CaseStep.objects.filter(case=case, action=action).order_by(
                "-id").first()
        step = steps[action]
        return _text(step.data.get(field)) if step is not None else ""
    if kind == "case":
        if name == "hearing_right_text":
            return hearing_right_text(case)
        if name in ("party_name", "party_address"):
            parties = _parties(case)
            if name == "party_name":
                return "、".join(p.name for p in parties)
            return parties[0].address if parties else ""
        return _text(getattr(case, name, ""))
    if kind == "item":
        return _text(getattr(case.item, name, "")) if case.item_id else ""
    if kind == "profile":
        return _text(getattr(profile, name, ""))
    if kind == "evidence" and name == "list":
        return evidence_lines(case)
    return ""


def prefill(case: Case, doc_type: str) -> dict[str, str]:
    """A new draft's values for every field of the type (empty where nothing is known).
    The reconsideration body falls back from the item to the body's profile."""
    t = doctypes.doctype(doc_type)
    profile = profile_get(case.body)
    steps: dict[str, CaseStep | None] = {}
    out: dict[str, str] = {}
    for f in t.fields:
        value = _prefill_one(case, f.prefill, profile, steps) if f.prefill else ""
        # the item names the channels for its own law; the body's profile is the fallback
        if not value and f.name == "复议机关":
            value = profile.reconsideration_body
        if not value and f.name == "诉讼法院" and case.item is not None:
            value = case.item.litigation_court
        out[f.name] = value
    return out


# --- computed ---------------------------------------------------------------------------------

def _certificate_number(person_id: int, day: dt.date) -> str:
    from zhifa.orgs.models import Certificate, CertificateStatus

    certs = (Certificate.objects.filter(person_id=person_id).prefetch_related("status_changes")
             .order_by("-expiry_date", "number"))
    valid = [c for c in certs if c.status_on(day) == CertificateStatus.VALID]
    return valid[0].number if valid else ""


def officers_line(case: Case, day: dt.date) -> str:
    """The case's officers (lead first) with their certificate numbers valid on ``day``."""
    parts = []
    for o in CaseOfficer.objects.filter(case=case).select_related("person"):
        number = _certificate_number(o.person_id, day)
        parts.append(f"{o.person.name}（执法证号：{number}）" if number else o.person.name)
    return "、".join(parts)


def _id_kind(p: Party) -> str:
    if p.credit_code:
        return "统一社会信用代码"
    if p.id_number:
        return "居民身份证"
    return ""


def _money(fen: int | None) -> tuple[str, str]:
    if fen is None:
        return "", ""
    from ..render.chinese import money_figures, money_upper

    return money_figures(fen), money_upper(fen)


def _date(d: dt.date | None) -> str:
    if d is None:
        return ""
    from ..render.chinese import date_zh

    return date_zh(d)


def template_label(template: DocumentTemplate | None) -> str:
    if template is None:
        return ""
    return f"{SCOPES_ZH.get(template.scope, template.scope)}模板第{template.version}版"


def computed(case: Case, document: Document, *, number: str, verify_code: str,
             issued_on: dt.date | None) -> dict[str, Any]:
    """The ``COMMON`` values of ``document`` as they print with this number, verify code
    and date (``issued_on`` None: today, for a preview). Amounts are the decided ones once
    the case is decided, the proposed ones before."""
    from ..render.chinese import date_upper

    t = doctypes.doctype(document.doc_type)
    body = case.body
    profile = profile_get(body)
    day = issued_on or timezone.localdate()
    parties = _parties(case)
    first = parties[0] if parties else None
    decided = case.decided_on is not None
    fine = case.final_fine if decided else case.proposed_fine
    confiscation = case.final_confiscation if decided else case.proposed_confiscation
    kinds = (case.final_kinds if decided else case.proposed_kinds) or []
    total = (fine or 0) + (confiscation or 0) if (fine is not None
                                                  or confiscation is not None) else None
    fine_fig, fine_up = _money(fine)
    conf_fig, conf_up = _money(confiscation)
    total_fig, total_up = _money(total)
    url = verify_url(verify_code)
    values: dict[str, Any] = {
        "文书名称": t.title,
        "文号": number,
        "机关名称": body.name,
        "机关简称": _number_prefix(body),
        "机关地址": profile.address or body.address,
        "机关电话": profile.phone or body.phone,
        "机关统一社会信用代码": body.credit_code,
        "案件编号": case.number,
        "案由": case.title,
        "执法事项": case.item.name if case.item is not None else "",
        "当事人": "、".join(p.name for p in parties),
        "当事人类型": PARTY_TYPES_ZH.get(first.party_type, "") if first else "",
        "证件名称": _id_kind(first) if first else "",
        "证件号码": "、".join(p.identifier for p in parties if p.identifier),
        "法定代表人": first.legal_representative if first else "",
        "当事人地址": first.address if first else "",
        "当事人电话": first.phone if first else "",
        "承办人员": officers_line(case, day),
        "受理日期": _date(case.received_on),
        "立案日期": _date(case.registered_on),
        "决定日期": _date(case.decided_on),
        "日期": _date(day),
        "日期大写": date_upper(day),
        "处罚种类": "、".join(PENALTY_KINDS_ZH.get(k, k) for k in kinds),
        "罚款金额": fine_fig,
        "罚款金额大写": fine_up,
        "没收金额": conf_fig,
        "没收金额大写": conf_up,
        "合计金额": total_fig,
        "合计金额大写": total_up,
        "核验码": code_display(verify_code),
        "核验网址": url,
        "模板版本": template_label(document.template),
    }
    if url:
        from ..render.qr import qr_png

        values[QR_KEY] = qr_png(url)
    return values


def drafted_for_print(doc_type: str, fields: dict[str, Any]) -> dict[str, str]:
    """The drafted values as printed: every field of the type (empty if not drafted), date
    fields in Chinese form."""
    t = doctypes.doctype(doc_type)
    out: dict[str, str] = {}
    for f in t.fields:
        value = _text(fields.get(f.name, "")).strip()
        if f.kind == "date" and value:
            with contextlib.suppress(ValueError):  # typed as text: printed as typed
                value = _date(dt.date.fromisoformat(value))
        out[f.name] = value
    return out


def render_context(case: Case, document: Document, *, number: str, verify_code: str,
                   issued_on: dt.date | None) -> dict[str, Any]:
    """What the template sees: computed values, then the drafted ones (a drafted value never
    replaces a computed one: the type's fields and ``COMMON`` do not share names)."""
    values = computed(case, document, number=number, verify_code=verify_code,
                      issued_on=issued_on)
    for name, value in drafted_for_print(document.doc_type, document.fields).items():
        values.setdefault(name, value)
    return values


def frozen(values: dict[str, Any]) -> dict[str, Any]:
    """The values as printed, to keep with the issued document (without the image bytes)."""
    return {k: v for k, v in values.items() if k != QR_KEY}
