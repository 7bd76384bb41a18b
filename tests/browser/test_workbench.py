"""An officer logs in in a real Chromium, lands on the workbench and looks up a certificate."""

import os
import re
from pathlib import Path

import pytest

from tests import factories as f
from zhifa.orgs.models import AccountRole

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
PASSWORD = "Zhifa-browser-2026"


@pytest.fixture
def browser_page(monkeypatch):
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse
    # to run beside it without this flag.
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


@pytest.mark.browser
def test_officer_looks_up_a_certificate(live_server, transactional_db, browser_page):
    regions = f.regions()
    market = f.sector()
    body = f.body(regions["county"], market, name="芙蓉区市场监督管理局")
    officer = f.person(body, name="李明")
    cert = f.certificate(officer, [regions["county"]], [market], number="43010220240001")
    f.user(officer, (AccountRole.OFFICER,), username="liming", password=PASSWORD)

    page = browser_page
    page.goto(f"{live_server.url}/")
    page.wait_for_url(re.compile(r"/login/"))
    page.get_by_label("用户名").fill("liming")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text() == "李明，您好"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"

    page.get_by_label("执法证编号").fill(cert.number)
    page.get_by_role("button", name="查询", exact=True).click()
    result = page.locator("#lookup-result .lookup-card")
    result.wait_for()
    # The result arrived through HTMX: the page did not navigate away from the workbench.
    assert page.url == f"{live_server.url}/"
    assert "李明" in result.inner_text()
    assert result.locator(".badge").inner_text() == "有效"
    assert "芙蓉区市场监督管理局" in result.inner_text()
