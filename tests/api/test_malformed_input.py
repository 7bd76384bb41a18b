"""Malformed input is a 422 in the envelope, never a server error: NUL characters anywhere,
bodies that are not JSON, page numbers past the last page or too large for SQL.

The NUL cases matter on PostgreSQL (its text type cannot hold U+0000; SQLite stores it)."""

import pytest
from django.conf import settings

from tests.api.conftest import API, ApiWorld
from tests.api.helpers import error
from tests.api.test_matrix import NAMES, own_urls
from zhifa.api.inputs import nul_errors
from zhifa.orgs.models import Certificate, CertificateStatusChange, Person


def state(cert: Certificate) -> tuple[str, int]:
    return (Certificate.objects.get(pk=cert.pk).status,
            CertificateStatusChange.objects.filter(certificate=cert).count())


NUL_MESSAGE = "文本中不得含有空字符（U+0000）。"
NUL_MESSAGE_EN = "Text must not contain the NUL character (U+0000)."


@pytest.mark.parametrize(
    ("url", "loc"),
    [
        ("/people?q=%00", ["query", "q"]),
        ("/people?q=%E6%9D%8E%00", ["query", "q"]),
        ("/bodies?region=%00", ["query", "region"]),
        ("/certificates?q=a%00b", ["query", "q"]),
        ("/certificates/by-number/a%00b", ["path", "number"]),
        ("/laws/a%00/articles/1", ["path", "code"]),
        ("/hearing-thresholds/applicable?region=43%00&party_type=natural_person",
         ["query", "region"]),
        ("/items?q=%00", ["query", "q"]),
        ("/benchmarks?sector=%00", ["query", "sector"]),
        ("/regions?parent=%00", ["query", "parent"]),
        ("/people/%00", ["path", "public_id"]),
        # Not a parameter of the endpoint, refused all the same.
        ("/people?unknown=%00", ["query", "unknown"]),
        ("/people?a%00b=1", ["query", "a\x00b"]),
    ],
)
def test_nul_in_path_or_query_is_422(w: ApiWorld, client_for, url: str, loc: list[str]) -> None:  # type: ignore[no-untyped-def]
    body = error(client_for(w.u_officer_a).get(API + url), 422, "invalid_payload")
    assert body == {"code": "invalid_payload", "message": "请求格式不正确。", "detail": [
        {"type": "string_contains_nul", "loc": loc, "msg": NUL_MESSAGE}]}


def test_nul_is_refused_by_every_endpoint(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_sysadmin)
    codes = {}
    for name, url in own_urls(w).items():
        response = c.get(API + url + ("&" if "?" in url else "?") + "note=%00")
        codes[name] = (response.status_code, error(response, 422, "invalid_payload")["detail"])
    assert codes == {name: (422, [{"type": "string_contains_nul", "loc": ["query", "note"],
                                   "msg": NUL_MESSAGE}]) for name in NAMES}


def test_anonymous_request_with_nul_is_401(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    # Authentication comes first, as for every other payload error.
    error(client_for(None).get(API + "/people?q=%00"), 401, "not_authenticated")


@pytest.mark.parametrize(
    ("payload", "loc"),
    [
        ({"to_status": "suspended", "effective_date": "2025-05-01", "reason": "暂扣\x00"},
         ["body", "reason"]),
        ({"to_status": "suspended", "effective_date": "2025-05-01", "reason": "暂扣",
          "extra": ["x", {"deep": "\x00"}]}, ["body", "extra", 1, "deep"]),
        ({"to_status": "suspended", "effective_date": "2025-05-01", "reason": "暂扣",
          "bad\x00key": 1}, ["body", "bad\x00key"]),
    ],
)
def test_nul_in_body_is_422_and_changes_nothing(w: ApiWorld, client_for, payload: dict,  # type: ignore[type-arg]
                                                loc: list) -> None:  # type: ignore[no-untyped-def, type-arg]
    before = state(w.cert_a)
    response = client_for(w.u_admin_a).post(f"{API}/certificates/{w.cert_a.public_id}/status",
                                            payload, content_type="application/json")
    assert error(response, 422, "invalid_payload")["detail"] == [
        {"type": "string_contains_nul", "loc": loc, "msg": NUL_MESSAGE}]
    assert state(w.cert_a) == before == ("valid", 0)


def test_nul_in_a_form_body_is_found(rf) -> None:  # type: ignore[no-untyped-def]
    # No endpoint takes a form yet; the check covers forms for when one does.
    multipart = rf.post("/x", {"reason": ["ok", "a\x00b"], "note": "fine"})
    urlencoded = rf.post("/x", "reason=ok&n%00te=1",
                         content_type="application/x-www-form-urlencoded")
    assert [e["loc"] for e in nul_errors(multipart)] == [["body", "reason"]]
    assert [e["loc"] for e in nul_errors(urlencoded)] == [["body", "n\x00te"]]
    assert nul_errors(rf.post("/x", {"reason": "ok"})) == []


def test_nul_message_follows_the_language(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    assert c.get(API + "/people?q=%00").json()["detail"][0]["msg"] == NUL_MESSAGE
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = c.get(API + "/people?q=%00").json()
    assert (body["message"], body["detail"][0]["msg"]) == ("The request is malformed.",
                                                          NUL_MESSAGE_EN)


@pytest.mark.parametrize("raw", [b"{", b"not json", b'{"to_status": "suspended",}', b"\xff\xfe"])
def test_unparsable_body_is_422_and_changes_nothing(w: ApiWorld, client_for, raw: bytes) -> None:  # type: ignore[no-untyped-def]
    response = client_for(w.u_admin_a).generic(
        "POST", f"{API}/certificates/{w.cert_a.public_id}/status", raw,
        content_type="application/json")
    assert error(response, 422, "invalid_payload") == {
        "code": "invalid_payload", "message": "请求格式不正确。",
        "detail": [{"type": "json_invalid", "loc": ["body"],
                    "msg": "请求正文不是有效的 JSON。"}]}
    assert state(w.cert_a) == ("valid", 0)


def test_unparsable_body_from_anonymous_is_401(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(None).generic(
        "POST", f"{API}/certificates/{w.cert_a.public_id}/status", b"{",
        content_type="application/json")
    error(response, 401, "not_authenticated")
    assert state(w.cert_a) == ("valid", 0)


# -- paging ---------------------------------------------------------------------------------

HUGE = "999999999999999999999"  # past 2**63: no SQL offset can hold it


@pytest.mark.parametrize("page", ["2", "1000", "9223372036854775807", HUGE, "9" * 400])
def test_page_past_the_last_is_empty_with_the_true_count(w: ApiWorld, client_for,
                                                         page: str) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    visible = Person.objects.filter(body=w.body_a).count()
    assert visible == 3
    response = c.get(f"{API}/people?page={page}")
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 3, "items": []}
    # Also with filters and the largest page size.
    response = c.get(f"{API}/people?page={page}&page_size={HUGE}&q=李")
    assert (response.status_code, response.json()) == (200, {"count": 1, "items": []})


def test_every_list_answers_a_huge_page(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_sysadmin)
    for url in ["/regions", "/bodies", "/people", "/certificates", "/items", "/benchmarks"]:
        response = c.get(f"{API}{url}?page={HUGE}")
        assert response.status_code == 200, (url, response.content)
        first = c.get(API + url).json()
        assert response.json() == {"count": first["count"], "items": []}, url
        assert first["count"] > 0, url


def test_last_page_is_still_served(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_sysadmin)
    everyone = [p["name"] for p in c.get(API + "/people?page_size=100").json()["items"]]
    assert len(everyone) == Person.objects.count() > 2
    pages = [c.get(f"{API}/people?page_size=2&page={n}").json() for n in (1, 2, 3, 4, 5, 6)]
    assert {p["count"] for p in pages} == {len(everyone)}
    assert [n for p in pages for n in (x["name"] for x in p["items"])] == everyone


@pytest.mark.parametrize(
    ("query", "loc", "kind"),
    [("page=0", ["query", "page"], "greater_than_equal"),
     ("page=-1", ["query", "page"], "greater_than_equal"),
     ("page=abc", ["query", "page"], "int_parsing"),
     ("page=" + "9" * 5000, ["query", "page"], "int_parsing_size"),
     ("page_size=0", ["query", "page_size"], "greater_than_equal")],
)
def test_unreadable_page_numbers_are_422(w: ApiWorld, client_for, query: str, loc: list[str],
                                         kind: str) -> None:  # type: ignore[no-untyped-def]
    body = error(client_for(w.u_officer_a).get(f"{API}/people?{query}"), 422, "invalid_payload")
    assert [(e["loc"], e["type"]) for e in body["detail"]] == [(loc, kind)]


def test_paging_rules_are_in_the_openapi_descriptions(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    doc = client_for(None).get(API + "/openapi.json").json()
    described = {path: op["description"] for path, methods in doc["paths"].items()
                 for op in methods.values() if "page" in {p["name"] for p in
                                                          op.get("parameters", [])}}
    assert set(described) == {f"/api/v1{u}" for u in ["/regions", "/bodies", "/people",
                                                      "/certificates", "/items",
                                                      "/benchmarks", "/cases",
                                                      "/deadlines/provisional",
                                                      "/ledger/checkpoints",
                                                      # issue 4
                                                      "/cases/{key}/evidence/files",
                                                      "/evidence/devices", "/disposal/due",
                                                      "/disposal/requests",
                                                      "/retention-classes",
                                                      # issue 5
                                                      "/document-templates",
                                                      # issue 7: open data
                                                      "/public/publications",
                                                      "/public/withdrawals",
                                                      # issue 7: publicity (staff)
                                                      "/publications"]}
    for text in described.values():
        assert "a page past the last (however large its number) answers 200" in text
        assert "capped at 100" in text
