"""A real Chromium page for each browser test, and the ledger unlocked for the flush that ends
each live-server (transactional) test."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.helpers import CHROMIUM, CHROMIUM_ARGS
from zhifa.ledger.guard import ledger_unlocked


@pytest.fixture(scope="module", autouse=True)
def _ledger_emptied_after_the_test() -> Iterator[None]:
    """The live server needs a transactional test, which empties every table afterwards; on
    SQLite the ledger's append-only triggers allow that only inside ``ledger_unlocked``. Module
    scope, so that it is still open when the database fixture flushes."""
    with ledger_unlocked():
        yield


@pytest.fixture
def browser_page(monkeypatch):  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
    # run beside it without this flag.
    monkeypatch.setitem(os.environ, "DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                     headless=True)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            yield page
        finally:
            # While Playwright's loop runs, Django keeps this thread's connections in a
            # separate context; close them here, or the test database cannot be dropped.
            from django.db import connections

            connections.close_all()
            context.close()
            browser.close()
