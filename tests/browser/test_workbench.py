"""An officer logs in in a real Chromium, lands on the workbench and looks up a certificate."""

import re

import pytest

from tests import factories as f
from zhifa.orgs.models import AccountRole

PASSWORD = "Zhifa-browser-2026"


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
