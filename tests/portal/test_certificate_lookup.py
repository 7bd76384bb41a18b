"""亮证: the public checks an officer's certificate by its number, or by the holder's exact
full name within one body, and reads its validity today; nothing else about the person."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import certificate, person, sector
from tests.portal.test_registry_world import RegWorld, attr_values, days, pairs, registry_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w() -> RegWorld:
    return registry_world()


def lookup(client: Client, **params: str) -> str:
    response = client.get(f"{reverse('portal:certificate_lookup')}?{urlencode(params)}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert not response.cookies
    return response.content.decode()


def found(html: str) -> dict[str, str]:
    return pairs(html, "cert", "status")


def test_empty_page_is_a_get_form(client: Client, w: RegWorld) -> None:
    html = lookup(client)
    assert 'method="get"' in html and 'name="number"' in html and 'name="name"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "reg-lookup-results" not in html and 'role="alert"' not in html
    # the body choices are the active bodies only
    assert str(w.body_a.public_id) in html and str(w.body_b.public_id) in html
    assert str(w.body_gone.public_id) not in html


@pytest.mark.parametrize(("attr", "status"), [
    ("valid", "valid"), ("suspended", "suspended"), ("revoked", "revoked"),
    ("expired", "expired"), ("not_yet", "not_yet_issued"),
])
def test_by_number_shows_status_today(client: Client, w: RegWorld, attr: str,
                                      status: str) -> None:
    cert = getattr(w, attr)
    html = lookup(client, number=cert.number)
    assert found(html) == {cert.number: status}
    assert cert.person.name in html
    assert cert.person.body.name in html
    assert cert.issue_date.isoformat() in html and cert.expiry_date.isoformat() in html
    assert "芙蓉区" in html or "荷塘区" in html  # areas
    assert f"reg-cert--{status}" in html


def test_details_of_a_valid_certificate(client: Client, w: RegWorld) -> None:
    html = lookup(client, number=w.valid.number)
    for text in ("李明", "芙蓉区市场监督管理局", "43010200001", "湖南省人民政府", "芙蓉区",
                 "市场监管",
                 w.valid.issue_date.isoformat(), w.valid.expiry_date.isoformat(),
                 days(0).isoformat()):
        assert text in html, text
    assert 'class="reg-cert-word badge-ok"' in html


def test_suspension_shows_its_date_not_its_reason(client: Client, w: RegWorld) -> None:
    html = lookup(client, number=w.suspended.number)
    assert days(-5).isoformat() in html
    assert "涉嫌违纪" not in html
    assert w.suspended.person.id_number not in html


def test_number_typed_loosely(client: Client, w: RegWorld) -> None:
    # spaces and full-width digits, as typed on a phone
    assert found(lookup(client, number=" 4301 0200 001 ")) == {w.valid.number: "valid"}
    assert found(lookup(client, number="４３０１０２００００１")) == {w.valid.number: "valid"}


@pytest.mark.parametrize("number", ["999999", "4301020000", "43010200001X", "%", "_"])
def test_unknown_number(client: Client, w: RegWorld, number: str) -> None:
    html = lookup(client, number=number)
    assert found(html) == {}
    assert "reg-notfound" in html
    assert "李明" not in html


def test_people_who_left_and_inactive_bodies_are_not_found(client: Client,
                                                           w: RegWorld) -> None:
    for cert in (w.left, w.gone):
        html = lookup(client, number=cert.number)
        assert found(html) == {}
        assert "reg-notfound" in html
        assert cert.person.name not in html


def test_by_name_and_body(client: Client, w: RegWorld) -> None:
    html = lookup(client, name="李明", body=str(w.body_a.public_id))
    assert found(html) == {w.valid.number: "valid"}
    html = lookup(client, name=" 赵 强 ", body=str(w.body_a.public_id))
    assert found(html) == {w.suspended.number: "suspended"}
    html = lookup(client, name="陈静", body=str(w.body_b.public_id))
    assert found(html) == {w.revoked.number: "revoked"}


def test_by_name_lists_every_holder_of_that_exact_name(client: Client, w: RegWorld) -> None:
    namesake = person(w.body_a, "李明")
    cert = certificate(namesake, [w.valid.areas.get()], [sector()], issue=days(-30),
                       expiry=days(300), number="43010200099")
    html = lookup(client, name="李明", body=str(w.body_a.public_id))
    assert found(html) == {w.valid.number: "valid", cert.number: "valid"}


def test_name_search_is_exact_and_within_the_body(client: Client, w: RegWorld) -> None:
    body_a = str(w.body_a.public_id)
    for name in ("李", "明", "李明明", "李%", "_明", "%"):
        html = lookup(client, name=name, body=body_a)
        assert found(html) == {}, name
        assert "reg-notfound" in html
    # the right name in another body
    assert found(lookup(client, name="李明", body=str(w.body_b.public_id))) == {}
    # a person who left, in their own body
    assert found(lookup(client, name="吴刚", body=body_a)) == {}
    # no one is listed without a body: the form asks for it
    html = lookup(client, name="李明")
    assert found(html) == {} and 'role="alert"' in html and "reg-lookup-results" not in html
    # an inactive body is not a choice
    html = lookup(client, name="周敏", body=str(w.body_gone.public_id))
    assert found(html) == {} and "reg-lookup-results" not in html and 'role="alert"' in html
    html = lookup(client, name="李明", body="not-a-body")
    assert found(html) == {} and "reg-lookup-results" not in html and 'role="alert"' in html


def test_body_alone_lists_nobody(client: Client, w: RegWorld) -> None:
    html = lookup(client, body=str(w.body_a.public_id))
    assert found(html) == {}
    assert 'role="alert"' in html
    for name in ("李明", "赵强", "孙伟"):
        assert name not in html


def test_number_wins_over_name(client: Client, w: RegWorld) -> None:
    html = lookup(client, number=w.valid.number, name="赵强", body=str(w.body_b.public_id))
    assert found(html) == {w.valid.number: "valid"}
    html = lookup(client, number=w.valid.number, body="not-a-body")
    assert found(html) == {w.valid.number: "valid"}


def test_letters_in_a_number(client: Client, w: RegWorld) -> None:
    w.valid.number = "HN-0001A"
    w.valid.save(update_fields=["number"])
    assert found(lookup(client, number="hn-0001a")) == {"HN-0001A": "valid"}
    assert found(lookup(client, number="ＨＮ－０００１Ａ")) == {"HN-0001A": "valid"}
    assert found(lookup(client, number="HN-0001")) == {}


def test_officer_list_links_to_the_lookup(client: Client, w: RegWorld) -> None:
    html = client.get(reverse("portal:officers")).content.decode()
    assert f"{reverse('portal:certificate_lookup')}?number={w.valid.number}" in html
    assert attr_values(html, "cert")  # the list is not empty


def test_results_are_not_indexed(client: Client, w: RegWorld) -> None:
    assert 'name="robots" content="noindex"' in lookup(client, number=w.valid.number)
    assert 'name="robots"' not in lookup(client)
