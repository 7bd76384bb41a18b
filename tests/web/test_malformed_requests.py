"""Forged cookies and form values with NUL characters never cause a server error (PostgreSQL
refuses NUL in text) and never log anyone in."""

import pytest
from django.test import Client

from tests import factories as f
from zhifa.orgs.models import AccountRole


@pytest.mark.django_db
def test_session_cookie_with_nul_is_no_session():
    client = Client()
    client.cookies["sessionid"] = "abcdefghijkl\x00mnop"
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_login_with_nul_in_username_is_a_form_error():
    r = f.regions()
    f.user(f.person(f.body(r["county"])), (AccountRole.OFFICER,), username="liming")
    client = Client()
    response = client.post("/login/", {"username": "li\x00ming", "password": "x"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
