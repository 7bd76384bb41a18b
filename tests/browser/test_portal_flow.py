"""The public portal in a real Chromium, no login: a visitor searches the published decisions
in Chinese, opens the hit (a decision published through the pipeline), and verifies its
integrity proof in the browser — the record's digest (the page's own JavaScript SM3, or
WebCrypto's SHA-256 for a SHA-256 ledger), the leaf hash, the RFC 6962 path to the
checkpoint root and the checkpoint's Ed25519 signature (WebCrypto) all pass, each said in
words. The same record altered in the database fails the digest check. The pages fit a
phone."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import agency
from tests.disclosure.pipeline_factories import PERSON_ADDRESS, PERSON_PHONE, person, published
from tests.portal.publications_helpers import published_row, sign
from zhifa.disclosure.models import Publication

FACTS = "经查，当事人陈小明于2026年8月销售超过保质期的食品30件，货值金额人民币900元。"
SECRETS = ("陈小明", "小明", PERSON_ADDRESS, PERSON_PHONE, f.id_number("430102", "19850315"))


def no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("algorithm", ["sm3", "sha256"])
def test_search_open_and_verify_a_publication(live_server, browser_page, settings, tmp_path,
                                              algorithm):  # type: ignore[no-untyped-def]
    settings.ZHIFA_LEDGER_KEY_DIR = str(tmp_path / "keys")
    settings.ZHIFA_LEDGER_HASH = algorithm  # before the first entry fixes it
    settings.ZHIFA_LEDGER_SIGNATURE = "ed25519"
    a = agency()
    # through the pipeline: issued decision, drafted, masked, approved by a clerk
    pub = published(a, party=person("陈小明"), facts=FACTS, title="销售过期食品案")
    assert pub.party_display == "陈**"
    other = published_row(a, person=False, title="未取得许可从事经营案",
                          decision_date=timezone.localdate() - dt.timedelta(days=5))
    sign()
    base = live_server.url
    page = browser_page

    # Search in Chinese: the hit, its term highlighted; the other record not listed.
    page.goto(f"{base}/portal/publications/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.locator("#pub-q").fill("食品")
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()
    hits = page.locator(".pub-hit")
    assert hits.count() == 1
    assert page.locator(".pub-hit mark").first.inner_text() == "食品"
    assert other.decision_number not in page.content()
    assert page.locator("#result-count").get_attribute("data-total") == "1"

    # Open it: the public fields, the masked party, never the original.
    with page.expect_navigation():
        hits.first.locator("a").first.click()
    assert page.url == f"{base}/portal/publications/{pub.public_id}/"
    assert pub.decision_number in page.locator("#pub-fields").inner_text()
    content = page.content()
    for secret in SECRETS:
        assert secret not in content, secret
    assert page.locator("#proof").get_attribute("data-status") == "complete"

    # Verify in this browser: four checks, each passed, in words.
    button = page.locator("#proof-verify")
    button.wait_for()
    page.wait_for_function("!document.getElementById('proof-verify').disabled")
    button.click()
    page.wait_for_function(
        "document.getElementById('proof-summary').dataset.result !== undefined")
    assert page.locator("#proof-summary").get_attribute("data-result") == "ok", \
        page.locator("#proof-checks").inner_text()
    for name in ("digest", "leaf", "root", "signature"):
        check = page.locator(f'#proof-checks [data-check="{name}"]')
        assert check.get_attribute("data-result") == "ok", check.inner_text()
        assert "✓" in check.inner_text()
    # The digest the browser computed (its own SM3, or WebCrypto's SHA-256) is the ledger's.
    assert pub.content_digest in page.locator('[data-check="digest"]').inner_text()
    assert len(pub.content_digest) == 64
    # The page's SM3 against the standard's vector and Python's SM3 on Chinese text.
    sm3 = ("Array.from(window.ZhifaSM3.digest(new TextEncoder().encode(%s)))"
           ".map(b => b.toString(16).padStart(2, '0')).join('')")
    assert page.evaluate(sm3 % '"abc"') == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    text = "行政执法公示" * 50
    assert page.evaluate(sm3 % json.dumps(text)) == hashlib.new(
        "sm3", text.encode()).hexdigest()

    # The page fits a phone: nothing scrolls sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert no_sideways_scroll(page)
    page.goto(f"{base}/portal/publications/?q=食品")
    assert no_sideways_scroll(page)
    page.goto(f"{base}/portal/verify/")
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Someone alters the published record in the database: the browser says it fails.
    public = dict(pub.public, result="罚款人民币伍拾元整。")
    Publication.objects.filter(pk=pub.pk).update(public=public)
    # (another address: the browser may keep the page for PORTAL_CACHE_SECONDS)
    page.goto(f"{base}/portal/publications/{pub.public_id}/?after-change")
    page.wait_for_function("!document.getElementById('proof-verify').disabled")
    page.locator("#proof-verify").click()
    page.wait_for_function(
        "document.getElementById('proof-summary').dataset.result !== undefined")
    assert page.locator("#proof-summary").get_attribute("data-result") == "failed"
    digest = page.locator('#proof-checks [data-check="digest"]')
    assert digest.get_attribute("data-result") == "fail" and "✗" in digest.inner_text()
