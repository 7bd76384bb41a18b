"""The scoping matrix for every GET endpoint: anonymous, inactive, account without a body,
another body's officer, the body's own officer."""

from collections.abc import Callable

import pytest

from tests.api.conftest import API, ApiWorld
from tests.api.helpers import error

# name -> (url of body A's object, code when body B's officer asks for it or None when the
# resource is not owned by a body, permission that is required)
Endpoint = tuple[Callable[[ApiWorld], str], str | None, str]

ENDPOINTS: dict[str, Endpoint] = {
    "regions": (lambda w: "/regions", None, "view_registry"),
    "region_tree": (lambda w: "/regions/tree", None, "view_registry"),
    "sectors": (lambda w: "/sectors", None, "view_registry"),
    "bodies": (lambda w: "/bodies", None, "view_registry"),
    "body": (lambda w: f"/bodies/{w.body_a.public_id}", "body_not_found", "view_registry"),
    "departments": (lambda w: f"/bodies/{w.body_a.public_id}/departments", "body_not_found",
                    "view_registry"),
    "people": (lambda w: "/people", None, "view_registry"),
    "person": (lambda w: f"/people/{w.officer_a.public_id}", "person_not_found",
               "view_registry"),
    "certificates": (lambda w: "/certificates", None, "view_registry"),
    "certificate": (lambda w: f"/certificates/{w.cert_a.public_id}", "certificate_not_found",
                    "view_registry"),
    "certificate_by_number": (lambda w: f"/certificates/by-number/{w.cert_a.number}",
                              "certificate_not_found", "view_registry"),
    "validity": (lambda w: f"/certificates/{w.cert_a.public_id}/validity?date=2025-01-01",
                 "certificate_not_found", "view_registry"),
    "items": (lambda w: "/items", None, "view_catalog"),
    "item": (lambda w: f"/items/{w.item_a.public_id}", "item_not_found", "view_catalog"),
    "benchmarks": (lambda w: "/benchmarks", None, "view_catalog"),
    "benchmark": (lambda w: f"/benchmarks/{w.benchmark.public_id}", None, "view_catalog"),
    "review_catalogues": (lambda w: f"/bodies/{w.body_a.public_id}/review-catalogues",
                          "body_not_found", "view_catalog"),
    "article": (lambda w: "/laws/pqa/articles/50?date=2020-01-01", None, "view_catalog"),
    "hearing_threshold": (
        lambda w: "/hearing-thresholds/applicable?region=430102&party_type=natural_person",
        None, "view_catalog"),
}

NAMES = sorted(ENDPOINTS)


def outcomes(client, urls: dict[str, str]) -> dict[str, tuple[int, str | None]]:  # type: ignore[no-untyped-def]
    """status and error code for each endpoint; every error must carry the envelope."""
    result: dict[str, tuple[int, str | None]] = {}
    for name, url in urls.items():
        response = client.get(API + url)
        code = None
        if response.status_code >= 400:
            code = error(response, response.status_code, response.json()["code"])["code"]
        result[name] = (response.status_code, code)
    return result


def own_urls(w: ApiWorld) -> dict[str, str]:
    return {name: ENDPOINTS[name][0](w) for name in NAMES}


def test_anonymous_is_401(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    assert outcomes(client_for(None), own_urls(w)) == {
        name: (401, "not_authenticated") for name in NAMES}


def test_inactive_account_is_401(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    # Logged in, then deactivated: the session no longer authenticates.
    assert outcomes(client_for(w.u_inactive), own_urls(w)) == {
        name: (401, "not_authenticated") for name in NAMES}


def test_account_without_a_body_is_403(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    assert outcomes(client_for(w.u_no_person), own_urls(w)) == {
        name: (403, f"missing_{ENDPOINTS[name][2]}") for name in NAMES}


@pytest.mark.parametrize("who", ["u_officer_b", "u_admin_b"])
def test_other_body_is_404(w: ApiWorld, client_for, who: str) -> None:  # type: ignore[no-untyped-def]
    owned = {name: url for name, url in own_urls(w).items() if ENDPOINTS[name][1]}
    assert outcomes(client_for(getattr(w, who)), owned) == {
        name: (404, ENDPOINTS[name][1]) for name in owned}


@pytest.mark.parametrize("who", ["u_officer_a", "u_admin_a", "u_supervisor", "u_sysadmin"])
def test_in_scope_is_200(w: ApiWorld, client_for, who: str) -> None:  # type: ignore[no-untyped-def]
    assert outcomes(client_for(getattr(w, who)), own_urls(w)) == {
        name: (200, None) for name in NAMES}


def test_malformed_ids_are_404_not_500(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    ids = [(str(w.body_a.public_id), "not-a-uuid"), (str(w.officer_a.public_id), "123"),
           (str(w.cert_a.public_id), "x" * 40), (str(w.item_a.public_id), "%20")]
    bad = {}
    for name, url in own_urls(w).items():
        if not ENDPOINTS[name][1] or name == "certificate_by_number":
            continue
        for good, wrong in ids:
            url = url.replace(good, wrong)
        bad[name] = url
    assert outcomes(client_for(w.u_officer_a), bad) == {
        name: (404, ENDPOINTS[name][1]) for name in bad}


def test_every_endpoint_is_in_the_matrix(w: ApiWorld) -> None:
    from tests.api.test_cases_permissions import CASE_TAGS
    from zhifa.api.root import api

    # the case routers have their own matrix (tests/api/test_cases_permissions.py), and so
    # has the ledger's (tests/ledger/test_api.py); the evidence routers' are in
    # tests/evidence/test_{api_evidence,av_api,custody_api,coverage_reports,archive_web_api}.py
    # and the documents routers' in tests/api/test_documents_{permissions,admin_api}.py
    # the open data (anonymous, no scope) is tested in tests/api/test_public_api.py, and the
    # staff publicity router's matrix is in tests/api/test_disclosure_permissions.py
    own_matrix = CASE_TAGS | {"ledger", "evidence", "audio/video", "documents", "legal review",
                              "open data", "publicity"}
    gets = {op["operationId"] for path in api.get_openapi_schema()["paths"].values()
            for method, op in path.items()
            if method == "get" and not set(op.get("tags", [])) & own_matrix}
    assert len(gets) == len(ENDPOINTS)
