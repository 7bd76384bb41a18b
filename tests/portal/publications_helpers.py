"""What the tests of the portal's publication pages share: publications that are public with
a real ledger entry of their publication (the contract's payload), signed checkpoints, the
page text, and the records' secrets (original values that must never be shown).

``published_row`` builds the row with ``tests.disclosure.factories.publication_row`` and
records its publication the way ``publication_approve`` does (digest of the public record
with the ledger's algorithm, PUBLICATION_PUBLISHED on the case's stream), so that the read
side is tested independently of the pipeline."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from typing import Any

import pytest
from django.db import transaction

from tests.cases.factories import Agency
from tests.disclosure.factories import public_fields, publication_row
from zhifa.disclosure import search
from zhifa.disclosure.events import PUBLICATION_PUBLISHED
from zhifa.disclosure.fields import public_record
from zhifa.disclosure.models import Publication, State
from zhifa.ledger.canonical import canonical_json
from zhifa.ledger.merkle import hasher
from zhifa.ledger.models import Checkpoint
from zhifa.ledger.services import checkpoint_sign, ledger_append
from zhifa.ledger.services.append import lock_head

# The original (unmasked) values of the fixtures' records: never on a public page.
ORIGINAL_PARTY = "陈晓明"
ORIGINAL_ID = "430102198503150018"
ORIGINAL_PHONE = "13812345678"
ORIGINAL_ADDRESS = "长沙市芙蓉区五一大道188号3栋"
SECRETS = (ORIGINAL_PARTY, ORIGINAL_ID, ORIGINAL_PHONE, ORIGINAL_ADDRESS, "晓明")
MASKED_PARTY = "陈**"


def original_fields(a: Agency, **overrides: str) -> dict[str, str]:
    out = public_fields(a, party=ORIGINAL_PARTY, party_type="自然人",
                        legal_representative="",
                        facts=f"经查，当事人{ORIGINAL_PARTY}（身份证号{ORIGINAL_ID}，电话"
                              f"{ORIGINAL_PHONE}，住{ORIGINAL_ADDRESS}）销售不合格的电热水壶12台。")
    out.update(overrides)
    return out


def masked_fields(**overrides: str) -> dict[str, str]:
    out = {"party": MASKED_PARTY, "party_type": "自然人", "legal_representative": "",
           "facts": "经查，当事人陈**（身份证号****，电话****，住****）销售不合格的电热水壶12台。"}
    out.update(overrides)
    return out


def person_row(a: Agency, **kwargs: Any) -> Publication:
    """A record of a natural person: the original names and numbers, the public masked."""
    decision_date = kwargs.pop("decision_date", None) or dt.date.today() - dt.timedelta(days=3)
    fields = masked_fields(**kwargs.pop("public", {}))
    pub = publication_row(a, decision_date=decision_date, **fields, **kwargs)
    pub.original = original_fields(a, decision_number=pub.decision_number,
                                   decision_date=decision_date.isoformat())
    pub.save(update_fields=["original"])
    return pub


@transaction.atomic
def record_publication(pub: Publication, actor: Any = None) -> Publication:
    """What ``publication_approve`` writes for a row that is already published."""
    algorithm = lock_head().algorithm
    pub.content_digest = hasher(algorithm).digest(
        canonical_json(public_record(pub)).encode()).hex()
    entry = ledger_append(actor=actor, event=PUBLICATION_PUBLISHED, stream=pub.case.stream,
                          body=pub.case.body, payload={
                              "publication": str(pub.public_id),
                              "decision_number": pub.decision_number,
                              "category": str(pub.category),
                              "body": str(pub.body.public_id),
                              "published_on": pub.published_on.isoformat()
                              if pub.published_on else None,
                              "offline_on": pub.offline_on.isoformat()
                              if pub.offline_on else None,
                              "content_digest": pub.content_digest,
                              "algorithm": algorithm})
    pub.ledger_seq = entry.seq
    pub.save(update_fields=["content_digest", "ledger_seq"])
    if pub.state == State.PUBLISHED:
        search.index_publication(pub)
    return pub


def published_row(a: Agency, *, person: bool = True, actor: Any = None,
                  **kwargs: Any) -> Publication:
    """A public record with its ledger entry (a natural person's, masked, by default)."""
    pub = person_row(a, **kwargs) if person else publication_row(a, **kwargs)
    return record_publication(pub, actor=actor or a.u_head)


def sign() -> Checkpoint:
    with transaction.atomic():
        return checkpoint_sign(actor=None)


def page_text(response: Any) -> str:
    """The visible text of a page (no tags, scripts or styles), whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def same_404(response: Any, reference: Any) -> bool:
    """The same page as ``reference`` but for the page's own address (in the language
    links): nothing says whether the address exists in some other state."""
    from urllib.parse import quote

    def normal(r: Any) -> bytes:
        path = r.wsgi_request.path
        return r.content.replace(quote(path, safe="/").encode(), b"PATH").replace(
            path.encode(), b"PATH")

    return bool(response.status_code == reference.status_code == 404
                and normal(response) == normal(reference))


def assert_public_headers(response: Any) -> None:
    assert response["Cache-Control"] == "public, max-age=300", response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    assert not response.cookies, response.cookies
    assert "Set-Cookie" not in response.headers


@pytest.fixture(autouse=True)
def _ledger_keys(settings: Any, tmp_path: Any) -> None:
    """Signing keys in the test's own directory (import this fixture into a test module)."""
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")
