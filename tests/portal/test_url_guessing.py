"""Nothing unpublished is reachable by guessing addresses: sequential ids, the case's or the
document's id in place of the record's, the original fields' names, suffixes and parameters,
and every address of the site that names publications (the staff pages and the staff API
included) asked anonymously with a draft's or a withheld record's id."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.cases.factories import Agency, agency
from tests.portal.publications_helpers import (  # noqa: F401 - the fixture
    SECRETS,
    _ledger_keys,
    person_row,
    published_row,
    same_404,
)
from zhifa.disclosure.models import Publication, State

pytestmark = pytest.mark.django_db
UNKNOWN = "/portal/publications/00000000-0000-4000-8000-000000000000/"


@pytest.fixture
def a() -> Agency:
    return agency()


@pytest.fixture
def hidden(a: Agency) -> list[Publication]:
    """Records never public, each with the original (unmasked) values and a digest."""
    rows = [person_row(a, state=s) for s in (State.DRAFT, State.WITHHELD, State.CANCELLED)]
    for pub in rows:
        Publication.objects.filter(pk=pub.pk).update(content_digest="ef" * 32)
    return rows


def leaks(response: Any, pub: Publication) -> list[str]:
    body = response.content.decode(errors="replace")
    found = [s for s in SECRETS if s in body]
    for value in (pub.decision_number, pub.public.get("facts", ""), pub.title):
        if value and value in body:
            found.append(value)
    return found


def test_sequential_and_foreign_ids_are_the_unknown_404(client: Client, a: Agency,
                                                        hidden: list[Publication]) -> None:
    public = published_row(a)
    unknown = client.get(UNKNOWN)
    assert unknown.status_code == 404
    guesses = [f"/portal/publications/{n}/" for n in range(0, public.pk + 3)]
    for pub in hidden:
        guesses += [f"/portal/publications/{pub.case.public_id}/",
                    f"/portal/publications/{pub.body.public_id}/",
                    f"/portal/publications/{str(pub.public_id).upper()}/",
                    f"/portal/publications/{pub.public_id.hex}/",
                    f"/portal/publications/{pub.public_id}/proof.json",
                    f"/portal/publications/{pub.pk}/proof.json"]
    for url in guesses:
        assert same_404(client.get(url), unknown), url
    # the public record's own id in its other spellings is the same record or nothing
    upper = client.get(f"/portal/publications/{str(public.public_id).upper()}/")
    assert upper.status_code in (200, 404)


@pytest.mark.parametrize("suffix", [
    "original/", "masks/", "original.json", "proof.json?fields=original",
    "?fields=original", "?show=original&masks=1", "proof.json?original=1",
])
def test_original_field_names_reach_nothing(client: Client, a: Agency,
                                            hidden: list[Publication], suffix: str) -> None:
    public = published_row(a)
    base = f"/portal/publications/{public.public_id}/"
    response = client.get(base + suffix)
    assert response.status_code in (200, 404), suffix
    body = response.content.decode()
    assert not [s for s in SECRETS if s in body], suffix
    for pub in hidden:
        response = client.get(f"/portal/publications/{pub.public_id}/{suffix}")
        assert response.status_code == 404 and not leaks(response, pub), suffix


@pytest.mark.parametrize("params", [
    {"q": "陈晓明"}, {"q": "430102198503150018"}, {"q": "13812345678"},
    {"q": "五一大道"}, {"state": "draft"}, {"state": "withheld"}, {"include": "all"},
    {"on": "2000-01-01"}, {"fields": "original"},
])
def test_search_parameters_reach_nothing_hidden(client: Client, a: Agency,
                                                hidden: list[Publication],
                                                params: dict[str, str]) -> None:
    from zhifa.disclosure.search import index_publication

    for pub in hidden:  # even a stray index entry of a hidden record shows nothing
        index_publication(pub)
    response = client.get("/portal/publications/", params)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-total="0"' in html and 'class="pub-hit"' not in html
    results = html.split('id="result-count"')[1]  # past the form that echoes the query
    for pub in hidden:
        for value in (*SECRETS, pub.decision_number, pub.public["facts"]):
            assert value not in results, (params, value)


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    out: list[str] = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern).lstrip("^").rstrip("$")
        if isinstance(p, URLResolver):
            out += _routes(p, route)
        elif isinstance(p, URLPattern):
            out.append(route)
    return out


def test_every_address_naming_publications_refuses_a_hidden_record(
        client: Client, a: Agency, hidden: list[Publication]) -> None:
    """Staff pages and the staff API are for logged-in clerks of the body; the public
    surfaces show public records only. Anonymous, with a hidden record's id, none of them
    shows it."""
    routes = [r for r in _routes(get_resolver())
              if re.search(r"publication|disclosure|withdraw", r) and "<" in r]
    assert any(r.startswith("portal/publications/") for r in routes)
    for pub in hidden:
        values = {"int": str(pub.pk)}
        for route in routes:
            url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>",
                               lambda m, v=values, i=str(pub.public_id): v.get(m.group(1), i),
                               route)
            response = client.get(url)
            assert response.status_code in (302, 400, 401, 403, 404, 405, 410, 422), \
                (url, response.status_code)
            if response.status_code == 302:
                assert "/login/" in response["Location"], url
            assert not leaks(response, pub), (url, leaks(response, pub))


def test_the_staff_api_and_pages_need_a_login(client: Client, a: Agency,
                                              hidden: list[Publication]) -> None:
    routes = [r for r in _routes(get_resolver())
              if re.search(r"publication|disclosure", r) and "<" not in r
              and not r.startswith("portal/") and "public" not in r]
    for route in routes:
        response = client.get("/" + route)
        assert response.status_code in (302, 401, 403, 404, 405), (route,
                                                                    response.status_code)
        for pub in hidden:
            assert not leaks(response, pub), route
