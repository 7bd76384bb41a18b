"""The portal's published decisions: the search with its filters, highlighting, counts and
pages; a record's page (its public fields, period and status, the masked party, never the
original); tombstones of withdrawn, ended and expired records (the reason, none of the
content); one identical 404 for everything never public; the withdrawals list; every page
anonymous, cacheable and cookieless."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from tests.cases.factories import Agency, agency
from tests.disclosure.factories import publication_row
from tests.portal.publications_helpers import (  # noqa: F401 - the fixture
    MASKED_PARTY,
    SECRETS,
    _ledger_keys,
    assert_public_headers,
    page_text,
    published_row,
    same_404,
)
from zhifa.disclosure import search as search_module
from zhifa.disclosure.models import Category, Publication, State, WithdrawalKind
from zhifa.disclosure.search import SearchPage, index_publication
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def a() -> Agency:
    return agency()


def today() -> dt.date:
    return timezone.localdate()


def withdrawn(pub: Publication, *, reason: str = "该决定已被复议机关撤销。",
              kind: str = WithdrawalKind.REVOKED, on: dt.date | None = None) -> Publication:
    on = on or today()
    Publication.objects.filter(pk=pub.pk).update(
        state=State.WITHDRAWN, withdrawal_kind=kind, withdrawal_reason=reason,
        withdrawal_event_on=on, withdrawn_on=on, withdrawn_at=timezone.now())
    search_module.unindex_publication(pub)
    pub.refresh_from_db()
    return pub


def hits(response: Any) -> list[str]:
    """The decision numbers listed on a search page, in order."""
    return [re.sub(r"<[^>]+>", "", m) for m in re.findall(
        r'<span class="pub-number"><span class="visually-hidden">[^<]*</span>(.*?)</span>',
        response.content.decode(), flags=re.S)]


# --- Search -------------------------------------------------------------------------------
def test_the_search_lists_public_records_only(client: Client, a: Agency) -> None:
    public = published_row(a)
    never = [publication_row(a, state=s) for s in (State.DRAFT, State.WITHHELD,
                                                   State.CANCELLED)]
    gone = withdrawn(published_row(a))
    expired = published_row(a, published_on=today() - dt.timedelta(days=100),
                            offline_on=today())  # offline today, the sweep has not run
    before = LedgerEntry.objects.count()
    response = client.get("/portal/publications/")
    assert response.status_code == 200
    assert_public_headers(response)
    assert hits(response) == [public.decision_number]
    html = response.content.decode()
    for other in (*never, gone, expired):
        assert other.decision_number not in html
    assert 'data-total="1"' in html
    assert LedgerEntry.objects.count() == before


def test_a_chinese_query_finds_and_highlights(client: Client, a: Agency) -> None:
    food = published_row(a, title="销售过期食品案", public={
        "facts": "经查，当事人陈**销售超过保质期的食品30件，货值金额人民币900元。"})
    other = published_row(a, title="销售不合格产品案")
    response = client.get("/portal/publications/", {"q": "食品"})
    assert response.status_code == 200
    assert hits(response) == [food.decision_number]
    html = response.content.decode()
    assert "销售过期<mark>食品</mark>案" in html
    assert "<mark>食品</mark>30件" in html
    assert other.decision_number not in html
    assert 'data-total="1"' in html
    # the masked party is what the list shows
    assert f"{MASKED_PARTY}" in page_text(response)
    for secret in SECRETS:
        assert secret not in html


def test_highlighting_escapes_the_text(client: Client, a: Agency) -> None:
    pub = published_row(a, title="<b>销售</b>案&食品")
    html = client.get("/portal/publications/", {"q": "食品"}).content.decode()
    assert "&lt;b&gt;销售&lt;/b&gt;案&amp;<mark>食品</mark>" in html
    assert "<b>销售</b>" not in html
    assert pub.decision_number in html


def test_the_filters(client: Client, a: Agency) -> None:
    old = published_row(a, decision_date=today() - dt.timedelta(days=60),
                        published_on=today() - dt.timedelta(days=50))
    licensing = published_row(a, category=Category.LICENSING)
    other_body = published_row(a, body=a.other_body)
    url = "/portal/publications/"
    by_body = client.get(url, {"agency": str(a.other_body.public_id)})
    assert hits(by_body) == [other_body.decision_number]
    assert hits(client.get(url, {"category": "licensing"})) == [licensing.decision_number]
    since = (today() - dt.timedelta(days=30)).isoformat()
    assert old.decision_number not in hits(client.get(url, {"from": since}))
    assert hits(client.get(url, {"to": since})) == [old.decision_number]
    # the region of the records and the regions above it are offered
    region = old.region
    page = client.get(url, {"region": region.code})
    assert set(hits(page)) == {old.decision_number, licensing.decision_number,
                               other_body.decision_number} & set(
        Publication.objects.filter(region=region).values_list("decision_number", flat=True))
    html = page.content.decode()
    assert f'<option value="{region.code}" selected>' in html
    assert f'<option value="{region.parent.code}"' in html
    # unknown values are dropped, bad dates said so; never an error page
    odd = client.get(url, {"agency": "1", "category": "x", "region": "999999", "from": "昨天"})
    assert odd.status_code == 200
    assert len(hits(odd)) == 3
    assert 'id="search-errors"' in odd.content.decode()


def test_the_agency_select_offers_bodies_with_public_records(client: Client,
                                                              a: Agency) -> None:
    published_row(a)
    publication_row(a, state=State.DRAFT, body=a.other_body)
    html = client.get("/portal/publications/").content.decode()
    select = html.split('id="pub-agency"')[1].split("</select>")[0]
    assert str(a.body.public_id) in select and a.body.name in select
    assert str(a.other_body.public_id) not in select
    assert a.other_body.name not in select


def test_pages_and_counts(client: Client, a: Agency) -> None:
    rows = [publication_row(a, decision_date=today() - dt.timedelta(days=3 + i))
            for i in range(23)]
    for pub in rows:
        index_publication(pub)
    first = client.get("/portal/publications/")
    assert len(hits(first)) == 20
    text = page_text(first)
    assert "23" in text
    assert 'rel="next" href="?page=2"' in first.content.decode()
    second = client.get("/portal/publications/", {"page": "2"})
    assert hits(second) == [p.decision_number for p in rows[20:]]
    assert 'rel="prev"' in second.content.decode() and 'rel="next"' not in \
        second.content.decode()
    assert '<ol class="results pub-results" start="21">' in second.content.decode()
    # junk page numbers do not fail
    assert client.get("/portal/publications/", {"page": "x"}).status_code == 200
    assert client.get("/portal/publications/", {"page": "-3"}).status_code == 200


def test_an_estimated_total_says_so(client: Client, a: Agency, monkeypatch: Any) -> None:
    pub = published_row(a)
    def estimate(**kwargs: Any) -> SearchPage:
        return SearchPage(items=[pub], total=1000, page=1, per_page=20,
                          total_is_estimate=True, ranked=True, terms=["不合格"])

    monkeypatch.setattr(search_module, "search_publications", estimate)
    response = client.get("/portal/publications/", {"q": "不合格"})
    html = response.content.decode()
    assert 'data-estimate="true"' in html
    status = html.split('id="result-count"')[1].split("</p>")[0]
    with translation.override("zh-hans"):
        about = translation.ngettext("About %(count)s+ decision",
                                     "About %(count)s+ decisions", 1000) % {"count": "1,000"}
    assert about in status
    assert 'aria-live="polite"' in html.split('id="result-count"')[0].rsplit("<p", 1)[1]
    # the English page says it in so many words
    english = Client()
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = english.get("/portal/publications/", {"q": "不合格"}).content.decode()
    assert "About 1,000+ decisions" in html.split('id="result-count"')[1].split("</p>")[0]


def test_the_search_page_is_accessible_and_fits_a_phone(client: Client, a: Agency) -> None:
    published_row(a)
    html = client.get("/portal/publications/").content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'role="search"' in html and '<main id="main"' in html
    for control in ("pub-q", "pub-agency", "pub-region", "pub-category", "pub-from", "pub-to"):
        assert f'<label class="grow" for="{control}">' in html or \
            f'<label for="{control}">' in html, control
    assert "portal/publications.css" in html


# --- A record -----------------------------------------------------------------------------
def test_a_record_shows_its_public_fields_period_and_status(client: Client, a: Agency) -> None:
    pub = published_row(a)
    response = client.get(f"/portal/publications/{pub.public_id}/")
    assert response.status_code == 200
    assert_public_headers(response)
    text = page_text(response)
    for value in (MASKED_PARTY, pub.decision_number, a.body.name):
        assert value in text, value
    assert pub.public["facts"] in text and pub.public["basis"] in text
    last_day = (pub.offline_on - dt.timedelta(days=1)).isoformat()
    assert f'<dd id="pub-last-day">{last_day}</dd>' in response.content.decode()
    assert pub.published_on.isoformat() in text
    assert 'id="pub-status" data-state="published"' in response.content.decode()
    assert "5,000.00" in text  # the fine
    # the original fields are never read, never shown
    html = response.content.decode()
    for secret in SECRETS:
        assert secret not in html, secret


def test_the_page_never_reads_the_original_fields(client: Client, a: Agency,
                                                  django_assert_max_num_queries: Any,
                                                  monkeypatch: Any) -> None:
    """The page's queries never select ``original`` or ``masks``."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pub = published_row(a)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/portal/publications/{pub.public_id}/").status_code == 200
        assert client.get("/portal/publications/").status_code == 200
        assert client.get(f"/portal/publications/{pub.public_id}/proof.json").status_code \
            == 200
    for q in queries.captured_queries:
        sql = q["sql"]
        if "disclosure_publication" in sql:
            assert '"original"' not in sql and '"masks"' not in sql, sql


@pytest.mark.parametrize("state", [State.DRAFT, State.WITHHELD, State.CANCELLED])
def test_never_public_records_are_the_same_404_as_unknown_ones(client: Client, a: Agency,
                                                               state: str) -> None:
    pub = publication_row(a, state=state)
    Publication.objects.filter(pk=pub.pk).update(content_digest="ab" * 32)
    unknown = client.get("/portal/publications/00000000-0000-4000-8000-000000000000/")
    malformed = client.get("/portal/publications/not-a-uuid/")
    numeric = client.get(f"/portal/publications/{pub.pk}/")
    this = client.get(f"/portal/publications/{pub.public_id}/")
    proof = client.get(f"/portal/publications/{pub.public_id}/proof.json")
    for response in (unknown, malformed, numeric, this, proof):
        assert same_404(response, unknown)
        assert response["Cache-Control"] == unknown["Cache-Control"]
        assert not response.cookies
    assert pub.decision_number not in this.content.decode()


def test_a_withdrawn_record_is_a_410_tombstone_with_its_reason(client: Client,
                                                              a: Agency) -> None:
    pub = withdrawn(published_row(a), reason="该决定已被复议机关撤销，特此撤回。",
                    kind=WithdrawalKind.REVOKED, on=today() - dt.timedelta(days=1))
    response = client.get(f"/portal/publications/{pub.public_id}/")
    assert response.status_code == 410
    assert_public_headers(response)
    html = response.content.decode()
    assert 'data-kind="withdrawn"' in html
    text = page_text(response)
    assert "该决定已被复议机关撤销，特此撤回。" in text
    assert (today() - dt.timedelta(days=1)).isoformat() in text
    assert str(WithdrawalKind.REVOKED.label) in text
    assert pub.decision_number in text and a.body.name in text
    # none of the content
    for content in (pub.title, pub.public["facts"], pub.public["basis"], pub.public["result"],
                    MASKED_PARTY, pub.content_digest, *SECRETS):
        assert content not in html, content
    assert client.get(f"/portal/publications/{pub.public_id}/proof.json").status_code == 404


def test_ended_and_expired_records_are_404_tombstones(client: Client, a: Agency) -> None:
    ended = published_row(a)
    # the reason for the ending is not public (the notice itself may say "信用修复")
    Publication.objects.filter(pk=ended.pk).update(state=State.ENDED, ended_on=today(),
                                                    end_reason="信用修复决定：陈晓明已履行罚款")
    expired = published_row(a, published_on=today() - dt.timedelta(days=200),
                            offline_on=today() - dt.timedelta(days=5))
    swept = published_row(a, published_on=today() - dt.timedelta(days=200),
                          offline_on=today() - dt.timedelta(days=5))
    Publication.objects.filter(pk=swept.pk).update(state=State.EXPIRED)
    for pub, kind, day in ((ended, "ended", today()),
                           (expired, "expired", today() - dt.timedelta(days=6)),
                           (swept, "expired", today() - dt.timedelta(days=6))):
        response = client.get(f"/portal/publications/{pub.public_id}/")
        assert response.status_code == 404, kind
        html = response.content.decode()
        assert f'data-kind="{kind}"' in html
        assert f'<dd id="tombstone-date">{day.isoformat()}</dd>' in html
        for content in (pub.title, pub.public["facts"], pub.public["result"], MASKED_PARTY,
                        "信用修复决定", "陈晓明", "已履行罚款", *SECRETS):
            assert content not in html, content
        assert client.get(f"/portal/publications/{pub.public_id}/proof.json"
                          ).status_code == 404


def test_expired_but_not_swept_is_hidden_everywhere(client: Client, a: Agency) -> None:
    pub = published_row(a, published_on=today() - dt.timedelta(days=90), offline_on=today())
    assert pub.state == State.PUBLISHED
    assert pub.decision_number not in client.get("/portal/publications/").content.decode()
    assert hits(client.get("/portal/publications/", {"q": pub.decision_number})) == []
    detail = client.get(f"/portal/publications/{pub.public_id}/")
    assert detail.status_code == 404 and 'data-kind="expired"' in detail.content.decode()
    assert pub.public["facts"] not in detail.content.decode()
    found = client.get("/portal/verify/", {"digest": pub.content_digest})
    assert 'data-result="no-publication"' in found.content.decode()


# --- Withdrawals --------------------------------------------------------------------------
def test_the_withdrawals_list(client: Client, a: Agency) -> None:
    gone = withdrawn(published_row(a), reason="决定被依法变更。", kind=WithdrawalKind.CHANGED)
    still = published_row(a)
    cancelled = publication_row(a, state=State.CANCELLED)
    response = client.get("/portal/withdrawals/")
    assert response.status_code == 200
    assert_public_headers(response)
    html = response.content.decode()
    table = html.split('id="withdrawals"')[1].split("</table>")[0]
    assert gone.decision_number in table and a.body.name in table
    assert "决定被依法变更。" in table and str(WithdrawalKind.CHANGED.label) in table
    assert today().isoformat() in table
    assert f'href="/portal/publications/{gone.public_id}/"' in table
    assert still.decision_number not in html and cancelled.decision_number not in html
    for content in (gone.title, gone.public["facts"], MASKED_PARTY, *SECRETS):
        assert content not in html, content


def test_no_withdrawals(client: Client, a: Agency) -> None:
    published_row(a)
    response = client.get("/portal/withdrawals/")
    assert response.status_code == 200 and 'id="withdrawals"' not in \
        response.content.decode()


def test_the_pages_are_in_the_navigation(client: Client, a: Agency) -> None:
    html = client.get("/portal/").content.decode()
    assert 'href="/portal/publications/"' in html and 'href="/portal/verify/"' in html
    assert 'href="/portal/publications/" aria-current="page"' in client.get(
        "/portal/publications/").content.decode()
