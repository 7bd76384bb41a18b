"""Publicity in the admin: publications and annual reports are read-only (lists and detail
pages show; nothing is added, changed or deleted there); the publicity rules are saved
through the services (on the ledger), and a refusal shows on the form with nothing saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.cases.factories import Agency, agency
from tests.disclosure.pipeline_factories import issued_decision, ledger_size
from zhifa.disclosure.models import AnnualReport, DisclosurePolicy, Publication
from zhifa.orgs.models import AccountRole, User


@pytest.fixture
def a(db: None) -> Agency:
    return agency()


@pytest.fixture
def admin(db: None) -> Client:
    user = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    client = Client()
    client.force_login(user)
    return client


def policy_form(policy: DisclosurePolicy, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "light_months": policy.light_months, "light_fine_max": policy.light_fine_max,
        "standard_months": policy.standard_months,
        "licensing_months": policy.licensing_months, "other_months": policy.other_months,
        "min_months": policy.min_months, "source": policy.source,
        "health_terms": "、".join(policy.health_terms)}
    for name in ("mask_id_numbers", "mask_addresses", "mask_phones", "mask_bank_accounts",
                 "mask_health", "mask_third_parties", "mask_person_names",
                 "publish_warnings"):
        if getattr(policy, name):
            data[name] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not False}


def test_publications_and_reports_are_read_only(admin: Client, a: Agency) -> None:
    pub = issued_decision(a)
    report = AnnualReport.objects.create(body=a.body, year=2025)
    for model, obj in (("publication", pub), ("annualreport", report)):
        url = f"/admin/disclosure/{model}/"
        assert admin.get(url).status_code == 200
        assert admin.get(f"{url}{obj.pk}/change/").status_code == 200
        assert admin.get(f"{url}add/").status_code == 403
        assert admin.get(f"{url}{obj.pk}/delete/").status_code == 403
    before = Publication.objects.filter(pk=pub.pk).values().get()
    response = admin.post(f"/admin/disclosure/publication/{pub.pk}/change/",
                          {"title": "改"})
    assert response.status_code == 403
    assert Publication.objects.filter(pk=pub.pk).values().get() == before


def test_policy_changed_through_the_service(admin: Client, a: Agency) -> None:
    default = DisclosurePolicy.objects.get(sector__isnull=True)
    url = f"/admin/disclosure/disclosurepolicy/{default.pk}/change/"
    assert admin.get("/admin/disclosure/disclosurepolicy/").status_code == 200
    page = admin.get(url)
    assert page.status_code == 200 and "患有、诊断为" in page.content.decode()
    size = ledger_size()
    response = admin.post(url, policy_form(default, light_months=6, publish_warnings=False,
                                           health_terms="病史，住院\n体检"))
    assert response.status_code == 302, response.content.decode()[:2000]
    default.refresh_from_db()
    assert (default.light_months, default.publish_warnings, default.health_terms) == (
        6, False, ["病史", "住院", "体检"])
    assert ledger_size() == size + 1
    # a sector's own rules
    response = admin.post("/admin/disclosure/disclosurepolicy/add/",
                          {**policy_form(default, min_months=12), "sector": a.market.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DisclosurePolicy.objects.get(sector=a.market).min_months == 12
    assert ledger_size() == size + 2
    assert admin.get(f"/admin/disclosure/disclosurepolicy/{default.pk}/delete/"
                     ).status_code == 403


def test_a_refused_policy_change_shows_on_the_form(admin: Client, a: Agency) -> None:
    default = DisclosurePolicy.objects.get(sector__isnull=True)
    before = DisclosurePolicy.objects.filter(pk=default.pk).values().get()
    size = ledger_size()
    response = admin.post(f"/admin/disclosure/disclosurepolicy/{default.pk}/change/",
                          policy_form(default, light_months=40))
    assert response.status_code == 200
    assert "errornote" in response.content.decode()
    assert DisclosurePolicy.objects.filter(pk=default.pk).values().get() == before
    assert ledger_size() == size
