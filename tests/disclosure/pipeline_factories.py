"""Publications made through the real pipeline: a case taken to its decision through the case
services, its decision document drafted and ISSUED through the document services (so that
the documents app's listener drafts the publication), then approved by a publicity clerk
through ``zhifa.disclosure.services``. Use these for anything that needs a real ledger
entry (``published``: the ``disclosure.published`` entry with its digest).

``a`` is ``tests.cases.factories.agency()``. Dates default to *yesterday* (Beijing time) so
that a publication approved today is on time; pass ``decided_on=`` for a fixed date (the
case's earlier steps are dated back from it).

- ``clerk(a)``: a publicity clerk of the agency's body (``body=`` another one).
- ``issued_decision(a, party=, facts=, outcome=, kinds=, fine=, confiscation=,
  decided_on=)``: a general-procedure penalty (or ``outcome="no_penalty"``) decision issued;
  its publication (draft, or withheld for a minor / a warning where warnings are not
  published).
- ``summary_decided(a, ...)``: an on-the-spot (summary) penalty decision issued.
- ``licensing_granted(a, ...)``: a licence granted, its licensing decision issued.
- ``published(a, **kw)``: ``issued_decision`` approved by a clerk: published today.
- ``snapshot(pub)``: everything a refused action must leave as it was.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from tests import factories as f
from tests.cases.factories import Agency, act, company_party, open_case, person_party
from tests.documents.factories import complete_fields, decision_draft, draft, issued
from zhifa.cases.services import PartyIn
from zhifa.catalog.models import PartyType
from zhifa.disclosure.models import Publication, PublicationSearch
from zhifa.documents.models import Document
from zhifa.orgs.models import AccountRole, EnforcementBody, User

__all__ = [
    "FACTS", "PERSON_ADDRESS", "PERSON_PHONE", "clerk", "company_party", "issued_decision",
    "ledger_size", "licensing_granted", "person", "person_party", "published", "snapshot",
    "summary_decided", "yesterday",
]

FACTS = "经查，当事人于2026年8月销售经检验不合格的电热水壶12台。"
PERSON_ADDRESS = "长沙市芙蓉区五一大道100号3栋201室"
PERSON_PHONE = "13807311234"
_serials = itertools.count(1)
_clerks = itertools.count(1)


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def clerk(a: Agency, *, body: EnforcementBody | None = None, name: str | None = None) -> User:
    """A publicity clerk (``AccountRole.PUBLICITY_CLERK``) of ``body`` (default: the
    agency's)."""
    p = f.person(body or a.body, name or f"公示员{next(_clerks)}", roles=())
    return f.user(p, roles=(AccountRole.PUBLICITY_CLERK,))


def person(name: str = "陈小明", *, birth: str = "19850315", address: str = PERSON_ADDRESS,
           phone: str = PERSON_PHONE) -> PartyIn:
    """A natural-person party with an ID number (valid check digit), an address and a
    phone."""
    return PartyIn(party_type=PartyType.NATURAL_PERSON, name=name,
                   id_number=f.id_number("430102", birth), address=address, phone=phone)


def _publication_of(doc: Document) -> Publication:
    return Publication.objects.get(document=doc)


def issued_decision(a: Agency, *, party: PartyIn | None = None,
                    parties: list[PartyIn] | None = None, facts: str = FACTS,
                    outcome: str = "penalty", kinds: list[str] | None = None,
                    fine: str = "5000", confiscation: str = "",
                    decided_on: dt.date | None = None, issued_on: dt.date | None = None,
                    title: str = "销售不合格产品案", actor: Any = None,
                    **fields: str) -> Publication:
    """A general-procedure case decided on ``decided_on`` (default yesterday) with
    ``outcome`` (``penalty`` with ``kinds`` (default fine) and amounts in yuan, or
    ``no_penalty``), its decision document (``facts`` as 违法事实; ``fields`` override other
    drafted values) issued the same day through the services; the publication the issue
    drafted."""
    day = decided_on or yesterday()
    received = day - dt.timedelta(days=40)
    case = open_case(a, received_on=received, parties=parties or [party or company_party()],
                     title=title)
    act(a, case, "register", acted_on=received + dt.timedelta(days=1),
        act_date=received - dt.timedelta(days=10), grounds="涉嫌销售不合格产品")
    act(a, case, "start_investigation", acted_on=received + dt.timedelta(days=2))
    penalty = outcome == "penalty"
    kinds = (kinds if kinds is not None else ["fine"]) if penalty else []
    amounts: dict[str, Any] = {"fine": fine if "fine" in kinds else "",
               "confiscation": confiscation if confiscation else ""}
    act(a, case, "submit_report", acted_on=received + dt.timedelta(days=20), facts=facts,
        kinds=kinds, **amounts)
    if penalty:
        act(a, case, "serve_notice", acted_on=received + dt.timedelta(days=21),
            served_on=received + dt.timedelta(days=21), method="direct")
    doc = decision_draft(a, case, outcome, **{"违法事实": facts, **fields})
    data: dict[str, Any] = ({"kinds": kinds, **amounts} if penalty
                            else {"no_penalty_reason": "minor"})
    act(a, case, "decide", acted_on=day, outcome=outcome, reasons="见决定书", **data)
    doc.refresh_from_db()
    doc = issued(a, doc, actor=actor, issued_on=issued_on or day)
    return _publication_of(doc)


def summary_decided(a: Agency, *, party: PartyIn | None = None,
                    kinds: list[str] | None = None, fine: str = "50",
                    facts: str = "当事人占道经营",
                    decided_on: dt.date | None = None) -> Publication:
    """A summary-procedure penalty decided on the spot (default: a 50-yuan fine on a natural
    person, yesterday), its decision issued the same day with a form serial."""
    day = decided_on or yesterday()
    case = open_case(a, "summary", received_on=day, parties=[party or person_party()],
                     title="占道经营案")
    kinds = kinds if kinds is not None else ["fine"]
    act(a, case, "decide_on_spot", acted_on=day, act_date=day, facts=facts, kinds=kinds,
        fine=fine if "fine" in kinds else "", serial=f"S-{next(_serials):06d}")
    doc = draft(a, case, "summary_decision",
                fields=complete_fields("summary_decision", **{"违法事实": facts}))
    return _publication_of(issued(a, doc, issued_on=day))


def licensing_granted(a: Agency, *, party: PartyIn | None = None,
                      decided_on: dt.date | None = None,
                      matter: str = "食品经营许可申请") -> Publication:
    """A licence granted (default yesterday) after the application was accepted, its
    licensing decision issued the same day."""
    day = decided_on or yesterday()
    case = open_case(a, "licensing", received_on=day - dt.timedelta(days=10),
                     parties=[party or company_party()], title=matter)
    act(a, case, "accept", acted_on=day - dt.timedelta(days=8))
    act(a, case, "grant", acted_on=day, licence_number="JY14301020001234")
    doc = draft(a, case, "licensing_decision", fields=complete_fields(
        "licensing_decision", **{"申请事项": matter, "决定内容": "准予食品经营许可。",
                                 "许可依据": "《中华人民共和国食品安全法》第三十五条",
                                 "不予许可理由": ""}))
    return _publication_of(issued(a, doc, issued_on=day))


def published(a: Agency, *, by: User | None = None, late_reason: str = "",
              **kw: Any) -> Publication:
    """``issued_decision(a, **kw)`` approved by a clerk (``by``, default a new clerk of the
    body): published today, with its ``disclosure.published`` ledger entry."""
    from zhifa.disclosure.services import publication_approve

    pub = issued_decision(a, **kw)
    return publication_approve(actor=by or clerk(a), publication=pub,
                               late_reason=late_reason)


def ledger_size() -> int:
    from zhifa.ledger.models import LedgerEntry

    return LedgerEntry.objects.count()


def snapshot(pub: Publication) -> dict[str, Any]:
    """The publication row (every column), its search entry, every publication's state and
    the ledger's size."""
    return {
        "row": Publication.objects.filter(pk=pub.pk).values().get(),
        "search": list(PublicationSearch.objects.filter(publication=pub).values()),
        "states": list(Publication.objects.order_by("id").values_list("id", "state")),
        "ledger": ledger_size(),
    }
