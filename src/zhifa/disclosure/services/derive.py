"""Drafting a publication from an issued decision document (called by the documents app inside
the transaction that issues it: ``hooks``).

The record's fields (``fields.KEYS``) are taken from the document's values as printed
(``Document.context``) and from the case: the parties, the outcome, the penalty kinds and
amounts, the legal basis and the decision date. They are masked by the rules of the case's
sector (``policy_for``) with the values known from the case (``known_for``). The deadline
runs from the decision date: 7 working days for licensing and penalty decisions
(``publicity_decision_7``), 20 for the others (``publicity_other_20``).

A penalty on a natural person under 18 on the decision date, and a decision that is a warning
only where the sector does not publish warnings, are withheld at once (``WITHHELD``,
``disclosure.withheld``); every other publication is a draft for the publicity clerk
(``DRAFT``, ``disclosure.drafted``).

Drafting never refuses for the decision's data: missing values are empty fields the clerk
sees. Drafting is part of issuing: should it fail all the same (a fault), the issue fails
with it and nothing is written, so a decision is never issued without its publication.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.catalog.models import PartyType
from zhifa.core.errors import ApplicationError
from zhifa.ledger.services import ledger_append

from ..events import PUBLICATION_DRAFTED, PUBLICATION_WITHHELD
from ..fields import KEYS, empty_fields
from ..masking import (
    Known,
    MaskRules,
    landline_local,
    mask_fields,
    mask_text,
    person_names_in,
    strip_controls,
)
from ..models import Category, Publication, State, WithholdReason
from .policy import policy_for

log = logging.getLogger(__name__)

DECISION_TYPES: dict[str, str] = {
    "penalty_decision": Category.PENALTY,
    "summary_decision": Category.PENALTY,
    "licensing_decision": Category.LICENSING,
    "no_penalty_decision": Category.OTHER,
    "seizure_decision": Category.OTHER,
    "execution_decision": Category.OTHER,
}
RULES: dict[str, str] = {
    Category.PENALTY: "publicity_decision_7",
    Category.LICENSING: "publicity_decision_7",
    Category.OTHER: "publicity_other_20",
}
RULE_DAYS = {"publicity_decision_7": 7, "publicity_other_20": 20}

# Per decision type: the record's category (as published), and the document's values that
# make its facts, basis and result (the first non-empty ones, joined).
_SPEC: dict[str, dict[str, Any]] = {
    "penalty_decision": {"category": "行政处罚", "facts": ("违法事实",),
                         "basis": ("违法依据", "处罚依据"), "result": ("处罚内容",)},
    "summary_decision": {"category": "行政处罚", "facts": ("违法事实",),
                         "basis": ("处罚依据",), "result": ("处罚内容",)},
    "no_penalty_decision": {"category": "行政处罚", "facts": ("违法事实",),
                            "basis": ("不予处罚依据",), "result": ("不予处罚理由",)},
    "licensing_decision": {"category": "行政许可", "facts": ("申请事项",),
                           "basis": ("许可依据",), "result": ("决定内容", "不予许可理由")},
    "seizure_decision": {"category": "行政强制", "facts": ("措施理由",),
                         "basis": ("措施依据",), "result": ("财物名称数量", "措施期限")},
    "execution_decision": {"category": "行政强制", "facts": ("执行理由",),
                           "basis": ("执行依据",), "result": ("执行方式", "执行时间")},
}
PENALTY_KINDS_ZH = {
    "warning": "警告", "criticism": "通报批评", "fine": "罚款",
    "confiscate_gains": "没收违法所得", "confiscate_property": "没收非法财物",
    "suspend_licence": "暂扣许可证件", "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件", "restrict_business": "限制开展生产经营活动",
    "stop_production": "责令停产停业", "closure": "责令关闭",
    "restrict_practice": "限制从业", "detention": "行政拘留", "other": "其他行政处罚",
}
PARTY_TYPES_ZH = {PartyType.NATURAL_PERSON: "自然人",
                  PartyType.INDIVIDUAL_BUSINESS: "个体工商户",
                  PartyType.ORGANISATION: "法人及非法人组织"}
ADULT_AGE = 18


# --- values ----------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "、".join(_text(v) for v in value if v not in (None, ""))
    return str(value).strip()


def _value(document: Any, name: str) -> str:
    context = document.context if isinstance(document.context, dict) else {}
    fields = document.fields if isinstance(getattr(document, "fields", None), dict) else {}
    return _text(context.get(name)) or _text(fields.get(name))


def _joined(document: Any, names: Iterable[str], sep: str = "；") -> str:
    out: list[str] = []
    for name in names:
        value = _value(document, name)
        if value and value not in out:
            out.append(value)
    return sep.join(out)


def _parties(case: Any) -> list[Any]:
    return list(case.parties.all().order_by("id"))


def _is_person(party: Any) -> bool:
    return party.party_type == PartyType.NATURAL_PERSON


def birth_date_of(party: Any) -> dt.date | None:
    """The party's birth date as recorded, else read from its ID number (18 or 15 digits)."""
    if party.birth_date:
        return party.birth_date
    number = (party.id_number or "").strip()
    try:
        if len(number) == 18:
            return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        if len(number) == 15:
            return dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return None
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def has_minor(parties: Iterable[Any], day: dt.date) -> bool:
    for party in parties:
        if not _is_person(party):
            continue
        birth = birth_date_of(party)
        if birth is not None and age_on(birth, day) < ADULT_AGE:
            return True
    return False


# The values of a case's documents that name natural persons other than the officers: the
# person questioned (询问笔录) and the recipient of a document served (送达回证).
PERSON_FIELDS: tuple[str, ...] = ("被询问人", "受送达人")


def _officer_names(case: Any, names: Iterable[str]) -> set[str]:
    """Those of ``names`` that are staff of the case's body or officers of the case (their
    names are public: 亮证)."""
    from django.db.models import Q

    from zhifa.orgs.models import Person

    names = list(names)
    if not names:
        return set()
    return set(Person.objects.filter(Q(body_id=case.body_id) | Q(case_roles__case=case)
                                     | Q(handled_cases=case), name__in=names)
               .values_list("name", flat=True))


def third_party_names_of(case: Any, parties: list[Any]) -> list[str]:
    """Natural persons the case's data names besides its parties: the people its documents
    name (``PERSON_FIELDS``), the recipients and witnesses of its services, the sources of
    its witness testimony, and the legal representatives of the parties after the first
    (the first one's is published partly masked). Never the parties themselves, the first
    party's representative, or the officers and staff of the body."""
    from zhifa.documents.models import Document, ServiceRecord
    from zhifa.evidence.models import EvidenceItem, EvidenceKind

    values: list[str] = []
    for context, drafted in Document.objects.filter(case=case).values_list("context", "fields"):
        for data in (context, drafted):
            if isinstance(data, dict):
                values.extend(_text(data.get(name)) for name in PERSON_FIELDS)
    for recipient, witness in ServiceRecord.objects.filter(document__case=case).values_list(
            "recipient", "witness"):
        values.extend((recipient, witness))
    values.extend(EvidenceItem.objects.filter(case=case, kind=EvidenceKind.WITNESS)
                  .values_list("source", flat=True))
    values.extend(p.legal_representative for p in parties[1:]
                  if not _is_person(p) and p.legal_representative)
    names: list[str] = []
    for value in values:
        for name in person_names_in(value or ""):
            if name not in names:
                names.append(name)
    own = {p.name.strip() for p in parties if p.name}
    if parties and not _is_person(parties[0]) and parties[0].legal_representative:
        own.add(parties[0].legal_representative.strip())
    names = [n for n in names if n not in own]
    officers = _officer_names(case, names)
    return [n for n in names if n not in officers]


def _phones(parties: Iterable[Any]) -> list[str]:
    """The parties' phones, and the local part of each landline (written without its area
    code in a record: 84123456 for 0731-84123456)."""
    out: list[str] = []
    for p in parties:
        for value in (p.phone, landline_local(p.phone or "")):
            if value and value not in out:
                out.append(value)
    return out


def known_for(case: Any, *, decision_number: str = "",
              extra_terms: Iterable[str] = ()) -> Known:
    """The values of ``case`` masked wherever they appear: the names of natural persons
    (parties, and the legal representative or operator of the first party) partly; the
    third parties' names (``third_party_names_of``), every party's ID number, phone (with
    a landline's local part) and address whole; the clerk's ``extra_terms``. The body's and
    organisations' credit codes and the decision number are public values. The case's data
    holds no bank account of its own: bank accounts are found by pattern."""
    parties = _parties(case)
    names: list[str] = []
    for p in parties:
        if _is_person(p) and p.name:
            names.append(p.name)
    if parties and not _is_person(parties[0]) and parties[0].legal_representative:
        names.append(parties[0].legal_representative)
    public = [case.body.credit_code] if case.body.credit_code else []
    public += [p.credit_code for p in parties if p.credit_code and not _is_person(p)]
    if decision_number:
        public.append(decision_number)
    return Known(
        person_names=tuple(names),
        third_party_names=tuple(third_party_names_of(case, parties)),
        id_numbers=tuple(p.id_number for p in parties if p.id_number),
        phones=tuple(_phones(parties)),
        addresses=tuple(p.address for p in parties if p.address),
        extra_terms=tuple(t for t in extra_terms if t),
        public_values=tuple(public),
        natural_person=any(p.party_type in (PartyType.NATURAL_PERSON,
                                            PartyType.INDIVIDUAL_BUSINESS) for p in parties),
    )


def known_for_publication(pub: Publication) -> Known:
    return known_for(pub.case, decision_number=pub.decision_number,
                     extra_terms=pub.extra_terms or [])


def decision_date_of(document: Any, case: Any, category: str) -> dt.date:
    """The decision's date: the case's decision for penalty, no-penalty and licensing
    decisions; the document's own date for the coercive ones (they are decided on their
    day, not with the case)."""
    own = document.issued_on or timezone.localdate()
    if document.doc_type in ("seizure_decision", "execution_decision"):
        return own
    return case.decided_on or own


def _conclusion(doc_type: str, case: Any, kinds: list[str]) -> str:
    if doc_type in ("penalty_decision", "summary_decision"):
        named = "、".join(PENALTY_KINDS_ZH.get(k, k) for k in kinds)
        return f"给予行政处罚（{named}）" if named else "给予行政处罚"
    if doc_type == "no_penalty_decision":
        return "不予行政处罚"
    if doc_type == "licensing_decision":
        return {"granted": "准予行政许可", "denied": "不予行政许可"}.get(case.outcome or "",
                                                                  "作出行政许可决定")
    if doc_type == "seizure_decision":
        return "采取查封、扣押行政强制措施"
    return "行政强制执行"


def _result_fallback(kinds: list[str], fine: int | None, confiscation: int | None) -> str:
    from zhifa.documents.render.chinese import money_upper

    parts = [PENALTY_KINDS_ZH.get(k, k) for k in kinds if k != "fine"]
    if fine:
        parts.append(f"罚款{money_upper(fine)}")
    if confiscation:
        parts.append(f"没收{money_upper(confiscation)}")
    return "；".join(parts)


def original_fields(document: Any, case: Any, *, category: str,
                    decision_date: dt.date) -> dict[str, str]:
    """The record as derived (unmasked): every key of ``fields.KEYS``, strings."""
    spec = _SPEC[document.doc_type]
    parties = _parties(case)
    first = parties[0] if parties else None
    penalty = category == Category.PENALTY
    kinds = [k for k in (case.final_kinds or []) if isinstance(k, str)] if penalty else []
    out = empty_fields()
    out["agency"] = case.body.name or ""
    out["agency_credit_code"] = case.body.credit_code or ""
    out["party"] = "、".join(p.name for p in parties if p.name) or _value(document, "当事人")
    out["party_type"] = PARTY_TYPES_ZH.get(first.party_type, "") if first else ""
    out["party_credit_code"] = "、".join(p.credit_code for p in parties
                                        if p.credit_code and not _is_person(p))
    out["legal_representative"] = (first.legal_representative or ""
                                   if first is not None and not _is_person(first) else "")
    out["category"] = spec["category"]
    out["conclusion"] = _conclusion(document.doc_type, case, kinds)
    out["decision_number"] = document.number or ""
    out["facts"] = _joined(document, spec["facts"], "\n") or case.summary or case.title or ""
    out["basis"] = _joined(document, spec["basis"])
    if not out["basis"] and case.item_id:
        out["basis"] = _text(getattr(case.item, "basis_text", ""))
    out["result"] = _joined(document, spec["result"], "\n")
    if not out["result"] and penalty:
        out["result"] = _result_fallback(kinds, case.final_fine, case.final_confiscation)
    out["decision_date"] = decision_date.isoformat()
    return {k: strip_controls(str(out.get(k, "") or "")) for k in KEYS}


def masked(original: dict[str, str], *, policy: Any, known: Known) -> tuple[dict[str, str],
                                                                           list[dict[str, Any]]]:
    result = mask_fields(original, rules=MaskRules.from_policy(policy), known=known)
    return result.fields, result.masks_as_json()


def masked_title(title: str, *, policy: Any, known: Known) -> str:
    text, _masks = mask_text(title, rules=MaskRules.from_policy(policy), known=known,
                             field="title", health=False)
    return text


def title_for(case: Any, public: dict[str, str]) -> str:
    """The case's title, else "party·item" (masked later like every field); without
    control characters or line breaks."""
    title = " ".join(strip_controls(case.title or "").split())
    if title:
        return title
    item = case.item.name if case.item_id and case.item else public.get("category", "")
    return " ".join(strip_controls(
        "·".join(p for p in (public.get("party", ""), item) if p)).split())


def due_for(category: str, start: dt.date) -> tuple[dt.date, str]:
    """The publication deadline and its rule (a missing rule: the statutory length on the
    working-day calendar)."""
    from zhifa.workdays.calendar import deadline_for, period_end

    rule = RULES.get(category, "publicity_other_20")
    try:
        return deadline_for(rule=rule, start=start).due, rule
    except ApplicationError:
        log.warning("deadline rule %s missing: counted as %d working days", rule,
                    RULE_DAYS[rule])
        return period_end(start=start, n=RULE_DAYS[rule], unit="working_day").due, rule


def site_text(message: Any) -> str:
    """A message in the site's language (what the public and the ledger read), whatever the
    language of the request or command that records it."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return str(message)


# --- the service ---------------------------------------------------------------------------

def withhold_reason_for(case: Any, *, category: str, decision_date: dt.date,
                        policy: Any) -> str:
    """Why the decision must not be published under ``policy`` (``WithholdReason``), or "":
    a natural-person party under 18 on the decision date; a warning only where the sector
    does not publish warnings."""
    if has_minor(_parties(case), decision_date):
        return WithholdReason.MINOR
    kinds = set(case.final_kinds or []) if category == Category.PENALTY else set()
    if kinds == {"warning"} and not policy.publish_warnings:
        return WithholdReason.WARNING_ONLY
    return ""


@transaction.atomic
def publication_draft_for_document(*, document: Any) -> Publication | None:
    """The publication of an issued decision document, drafted (or withheld) once; None for
    a document that is not a decision the public sees (see ``DECISION_TYPES``)."""
    if getattr(document, "doc_type", None) not in DECISION_TYPES:
        return None
    existing = Publication.objects.filter(document_id=document.pk).first()
    if existing is not None:
        return existing
    return _draft(document)


def _draft(document: Any) -> Publication:
    from zhifa.cases.models import Case

    case = Case.objects.select_related("body", "body__region", "region", "sector",
                                       "item").get(pk=document.case_id)
    category = DECISION_TYPES[document.doc_type]
    decision_date = decision_date_of(document, case, category)
    policy = policy_for(case.sector_id)
    original = original_fields(document, case, category=category, decision_date=decision_date)
    known = known_for(case, decision_number=original["decision_number"])
    public, masks = masked(original, policy=policy, known=known)
    title = masked_title(title_for(case, original), policy=policy, known=known)
    due, rule = due_for(category, decision_date)
    number = original["decision_number"][:128] or case.number[:128]
    penalty = category == Category.PENALTY
    reason = withhold_reason_for(case, category=category, decision_date=decision_date,
                                 policy=policy)
    credit = original["party_credit_code"]
    pub = Publication.objects.create(
        body=case.body, region=case.region or case.body.region, sector=case.sector,
        case=case, document_id=document.pk, category=category,
        state=State.WITHHELD if reason else State.DRAFT,
        decision_number=number, decision_date=decision_date, title=(title or number)[:300],
        party_display=public["party"][:200],
        party_credit_code=credit if len(credit) <= 18 else "",
        fine=case.final_fine if penalty else None,
        confiscation=case.final_confiscation if penalty else None,
        original=original, public=public, masks=masks, extra_terms=[], due_on=due,
        due_rule=rule, withhold_reason=reason, is_demo=bool(case.is_demo))
    actor = getattr(document, "issued_by", None)
    if reason:
        ledger_append(actor=actor, event=PUBLICATION_WITHHELD, stream=case.stream,
                      body=case.body, payload={
                          "publication": str(pub.public_id),
                          "decision_number": pub.decision_number, "category": category,
                          "reason": reason,
                          "reason_label": site_text(WithholdReason(reason).label),
                          "automatic": True})
    else:
        ledger_append(actor=actor, event=PUBLICATION_DRAFTED, stream=case.stream,
                      body=case.body, payload={
                          "publication": str(pub.public_id),
                          "decision_number": pub.decision_number, "category": category,
                          "due": due.isoformat()})
    return pub
