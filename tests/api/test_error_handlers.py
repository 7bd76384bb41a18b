"""Errors that used to leave the envelope: wrong methods, anonymous unsafe requests,
unexpected exceptions; and the HTML page Django serves for a server error outside the API."""

import logging

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.template.loader import get_template
from django.test import Client

from tests.api.conftest import API, ApiWorld
from tests.api.helpers import error
from zhifa.core.errors import InvalidInput
from zhifa.orgs.models import Certificate, CertificateStatusChange


def state(cert: Certificate) -> tuple[str, int]:
    return (Certificate.objects.get(pk=cert.pk).status,
            CertificateStatusChange.objects.filter(certificate=cert).count())


# -- 405 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "u_officer_a"])
def test_wrong_method_is_405_in_the_envelope(w: ApiWorld, client_for, who: str | None) -> None:  # type: ignore[no-untyped-def]
    c = client_for(getattr(w, who) if who else None)
    response = c.delete(API + "/people")
    assert error(response, 405, "method_not_allowed") == {
        "code": "method_not_allowed", "message": "此地址不支持该请求方法。",
        "detail": {"allowed_methods": ["GET"]}}
    assert response["Allow"] == "GET"
    assert response["Content-Type"].startswith("application/json")


def test_wrong_method_on_an_unsafe_endpoint_changes_nothing(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(w.u_admin_a).put(
        f"{API}/certificates/{w.cert_a.public_id}/status",
        {"to_status": "suspended", "effective_date": "2025-05-01", "reason": "暂扣"},
        content_type="application/json")
    assert error(response, 405, "method_not_allowed")["detail"] == {"allowed_methods": ["POST"]}
    assert response["Allow"] == "POST"
    assert state(w.cert_a) == ("valid", 0)


def test_405_message_follows_the_language(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert c.patch(API + "/people").json()["message"] == "This method is not allowed here."


def test_unknown_path_keeps_its_404(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    for method in ("get", "post", "put", "patch", "delete"):
        response = getattr(client_for(w.u_officer_a), method)(API + "/no-such-thing")
        error(response, 404, "not_found")


# -- authentication before CSRF -------------------------------------------------------------

def test_anonymous_unsafe_request_is_401_not_csrf(w: ApiWorld) -> None:
    c = Client(enforce_csrf_checks=True)
    response = c.post(f"{API}/certificates/{w.cert_a.public_id}/status",
                      {"to_status": "suspended", "effective_date": "2025-05-01",
                       "reason": "暂扣"}, content_type="application/json")
    assert error(response, 401, "not_authenticated") == {
        "code": "not_authenticated", "message": "请先登录。", "detail": None}
    assert state(w.cert_a) == ("valid", 0)


def test_logged_in_unsafe_request_still_needs_the_token(w: ApiWorld) -> None:
    c = Client(enforce_csrf_checks=True)
    c.force_login(w.u_admin_a)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = c.post(f"{API}/certificates/{w.cert_a.public_id}/status",
                      {"to_status": "suspended", "effective_date": "2025-05-01",
                       "reason": "暂扣"}, content_type="application/json")
    assert error(response, 403, "csrf_failed")["message"] == (
        "The security token is missing or expired. Reload the page and try again.")
    assert state(w.cert_a) == ("valid", 0)


# -- unexpected exceptions ------------------------------------------------------------------

def failing(exc: Exception):  # type: ignore[no-untyped-def]
    def raise_it(*args: object, **kwargs: object) -> None:
        raise exc

    return raise_it


def test_unexpected_exception_is_500_in_the_envelope_and_logged(
        w: ApiWorld, client_for, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("zhifa.api.people.people_filtered", failing(RuntimeError("boom")))
    c = client_for(w.u_officer_a)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = c.get(API + "/people?q=x")
    assert error(response, 500, "internal_error") == {
        "code": "internal_error", "message": "服务器内部错误，已记录日志，请稍后重试。",
        "detail": None}
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "Internal Server Error: /api/v1/people"
    assert record.exc_info is not None and str(record.exc_info[1]) == "boom"
    assert "boom" not in response.content.decode()  # nothing internal reaches the client
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert c.get(API + "/people").json()["message"] == (
        "An internal error occurred. It has been logged; please try again later.")


@pytest.mark.parametrize(
    ("exc", "status", "code", "message"),
    [
        (InvalidInput("输入有误。", code="some_rule", detail={"x": 1}), 400, "some_rule",
         "输入有误。"),
        (Http404("gone"), 404, "not_found", "未找到。"),
        (DjangoPermissionDenied("no"), 403, "permission_denied", "您无权执行此操作。"),
        (SuspiciousOperation("odd"), 400, "bad_request", "无法处理该请求。"),
    ],
)
def test_specific_errors_keep_their_own_handlers(w: ApiWorld, client_for, monkeypatch,
                                                 exc: Exception, status: int, code: str,
                                                 message: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("zhifa.api.people.people_filtered", failing(exc))
    body = error(client_for(w.u_officer_a).get(API + "/people"), status, code)
    assert body["message"] == message
    assert body["detail"] == ({"x": 1} if code == "some_rule" else None)


# -- the HTML page for a server error outside the API ---------------------------------------

def test_server_error_page_renders_without_a_request() -> None:
    # Django renders 500.html with an empty context and no request (no context processors).
    html = get_template("500.html").render()
    assert "服务器内部错误" in html
    assert "{%" not in html and "{{" not in html


@pytest.mark.urls("tests.api.boom_urls")
@pytest.mark.django_db
def test_server_error_page_is_served() -> None:
    c = Client()
    c.raise_request_exception = False
    response = c.get("/boom/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "服务器内部错误" in html
    assert "boom" not in html and "Traceback" not in html
    assert 'href="/"' in html  # a way back
