"""Django's {# #} comments end at the line end: a multi-line one prints on the page."""

from pathlib import Path

import pytest

from tests import factories as f
from zhifa.orgs.models import AccountRole

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "zhifa"


def test_no_template_has_a_multiline_short_comment():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "{#" in line and "#}" not in line[line.index("{#"):]
    ]
    assert offenders == []


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/bodies/", "/people/", "/certificates/", "/items/",
                                  "/benchmarks/", "/accounts/", "/transfer/"])
def test_no_template_syntax_leaks_into_pages(client, path):
    admin = f.user(f.person(f.body(f.regions()["county"])), (AccountRole.BODY_ADMIN,))
    client.force_login(admin)
    body = client.get(path).content.decode()
    assert "{#" not in body and "#}" not in body and "{%" not in body
