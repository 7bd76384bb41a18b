"""How the staff pages answer HTMX: expired sessions, refusals, history and the search box."""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse

from tests import factories as f
from zhifa.orgs.models import CertificateStatus, CertificateStatusChange

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


def _login_with_next(next_url):
    return f"{reverse('web:login')}?next={quote(next_url, safe='/')}"


def test_expired_session_during_htmx_sends_the_window_to_login(client, world):
    response = client.get(
        "/certificates/", {"q": "李"}, **HX,
        HTTP_HX_CURRENT_URL="http://testserver/certificates/?status=suspended&q=%E6%9D%8E",
    )
    assert response.status_code == 204
    assert response.content == b""
    assert response["HX-Redirect"] == _login_with_next(
        "/certificates/?status=suspended&q=%E6%9D%8E"
    )
    assert "Location" not in response


def test_expired_session_without_current_url_uses_the_request(client, world):
    response = client.get("/people/", {"q": "王"}, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"] == _login_with_next("/people/?q=%E7%8E%8B")


def test_expired_session_never_redirects_to_another_site(client, world):
    response = client.get("/people/", **HX, HTTP_HX_CURRENT_URL="https://evil.example//evil")
    assert response["HX-Redirect"] == _login_with_next("/people/")


def test_expired_session_without_htmx_is_a_plain_redirect(client, world):
    response = client.get("/certificates/", {"q": "李"})
    assert response.status_code == 302
    assert response["Location"] == _login_with_next("/certificates/?q=%E6%9D%8E")
    assert "HX-Redirect" not in response


def test_refusal_during_htmx_is_an_inline_fragment(login, world):
    client = login(world.officer)  # may read the registry, may not manage accounts
    response = client.get("/accounts/", **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.strip() == ('<p class="alert alert-error" role="alert">'
                            "您的角色无权执行此操作，未作任何更改。</p>")
    assert "HX-Request" in response["Vary"]
    # the same request without HTMX is a plain 403 page
    assert client.get("/accounts/").status_code == 403


def test_get_on_the_status_address_goes_to_the_certificate(login, world):
    before = CertificateStatusChange.objects.count()
    client = login(world.body_admin)
    url = reverse("web:certificate_status", args=[world.cert_a.public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("web:certificate_detail",
                                           args=[world.cert_a.public_id])
    # also for a reader who cannot change the status; out of scope stays not found
    assert login(world.officer).get(url).status_code == 302
    other = reverse("web:certificate_status", args=[world.cert_b.public_id])
    assert client.get(other).status_code == 404
    assert client.put(url).status_code == 405
    world.cert_a.refresh_from_db()
    assert world.cert_a.status == CertificateStatus.VALID
    assert CertificateStatusChange.objects.count() == before


def test_list_page_history_and_search_attributes(login, world):
    html = login(world.officer).get("/certificates/").content.decode()
    assert ('<meta name="htmx-config" '
            'content=\'{"historyCacheSize":0,"refreshOnHistoryMiss":true}\'>') in html
    search = re.search(r'<input type="search" name="q"[^>]*>', html, re.S).group(0)
    assert 'hx-trigger="input[!event.isComposing] changed delay:400ms, ' in search
    assert ", search" not in search
    assert 'hx-replace-url="true"' in search
    assert 'hx-sync="closest form:replace"' in search
    form = re.search(r'<form class="filters"[^>]*>', html, re.S).group(0)
    assert 'hx-push-url="true"' in form and 'hx-disinherit="hx-push-url"' in form
    assert '<div id="results">' in html
    assert 'aria-live' not in re.search(r'<div id="results"[^>]*>', html).group(0)
    assert '<p class="result-count" role="status">' in html


def test_pagination_scrolls_to_the_top_of_the_results(login, world, settings):
    settings.ZHIFA = {**settings.ZHIFA, "PAGE_SIZE": 2}
    for _ in range(3):
        f.certificate(world.officer_a, [world.regions["county"]], [world.market])
    html = login(world.officer).get("/certificates/").content.decode()
    link = re.search(r'<a [^>]*rel="next"[^>]*>', html).group(0)
    assert 'hx-swap="innerHTML show:#results:top"' in link
    assert 'hx-get="/certificates/?page=2"' in link


def test_demo_banner_is_a_landmark(login, world):
    world.body_a.is_demo = True
    world.body_a.save()
    html = login(world.officer).get("/").content.decode()
    assert '<div class="demo-banner" role="region" aria-label="演示数据提示">' in html
