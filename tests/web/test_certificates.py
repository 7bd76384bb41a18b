"""Certificate detail, lookup, validity check and the status change form."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from zhifa.orgs.models import CertificateStatus, CertificateStatusChange
from zhifa.orgs.selectors import VALIDITY_REASON_TEXT

pytestmark = pytest.mark.django_db


def _status_url(cert):
    return reverse("web:certificate_status", args=[cert.public_id])


def _snapshot(cert):
    cert.refresh_from_db()
    return cert.status, list(
        CertificateStatusChange.objects.filter(certificate=cert).values_list("id", flat=True)
    ), CertificateStatusChange.objects.count()


@pytest.mark.parametrize("account", ["officer", "supervisor"])
def test_wrong_role_cannot_change_status(login, world, account):
    before = _snapshot(world.cert_a)
    client = login(getattr(world, account))
    response = client.post(_status_url(world.cert_a), {
        "action": "suspend", "effective_date": "2025-03-01", "reason": "涉嫌违法违纪",
    })
    assert response.status_code == 403
    assert _snapshot(world.cert_a) == before
    assert before[0] == CertificateStatus.VALID


def test_manager_of_another_body_gets_not_found(login, world):
    before = _snapshot(world.cert_b)
    client = login(world.body_admin)
    response = client.post(_status_url(world.cert_b), {
        "action": "suspend", "effective_date": "2025-03-01", "reason": "涉嫌违法违纪",
    })
    assert response.status_code == 404
    assert _snapshot(world.cert_b) == before


def test_officer_sees_no_status_form(login, world):
    client = login(world.officer)
    html = client.get(reverse("web:certificate_detail", args=[world.cert_a.public_id])).content
    assert b'id="status-change"' not in html


def test_body_admin_suspends_a_certificate(login, world):
    client = login(world.body_admin)
    response = client.post(_status_url(world.cert_a), {
        "action": "suspend", "effective_date": "2025-03-01", "reason": "涉嫌违法违纪，暂扣",
    })
    assert response.status_code == 302
    assert response["Location"] == reverse("web:certificate_detail",
                                           args=[world.cert_a.public_id])
    world.cert_a.refresh_from_db()
    assert world.cert_a.status == CertificateStatus.SUSPENDED
    change = CertificateStatusChange.objects.get(certificate=world.cert_a)
    assert (change.from_status, change.to_status, change.effective_date, change.reason,
            change.actor_id) == ("valid", "suspended", dt.date(2025, 3, 1), "涉嫌违法违纪，暂扣",
                                 world.body_admin.pk)
    html = client.get(response["Location"]).content.decode()
    assert "执法证状态已变更为：暂扣。" in html
    assert "涉嫌违法违纪，暂扣" in html  # in the history table
    assert "2025-03-01" in html


def test_restore_after_suspension(login, world):
    client = login(world.body_admin)
    client.post(_status_url(world.cert_a), {
        "action": "suspend", "effective_date": "2025-03-01", "reason": "暂扣",
    })
    response = client.post(_status_url(world.cert_a), {
        "action": "restore", "effective_date": "2025-04-01", "reason": "调查结束，予以恢复",
    })
    assert response.status_code == 302
    world.cert_a.refresh_from_db()
    assert world.cert_a.status == CertificateStatus.VALID
    rows = list(CertificateStatusChange.objects.filter(certificate=world.cert_a)
                .order_by("id").values_list("from_status", "to_status"))
    assert rows == [("valid", "suspended"), ("suspended", "valid")]


def test_service_error_is_shown_in_chinese_and_input_kept(login, world):
    before = _snapshot(world.cert_a)
    client = login(world.body_admin)
    response = client.post(_status_url(world.cert_a), {
        "action": "revoke", "effective_date": "2023-06-01", "reason": "调离执法岗位",
        "confirm_revoke": "on",
    })
    assert response.status_code == 400
    html = response.content.decode()
    with translation.override("zh-hans"):
        expected = translation.gettext("The change cannot take effect before the issue date.")
    assert expected == "变更的生效日期不能早于发证日期。"
    assert expected in html
    assert 'value="2023-06-01"' in html
    assert "调离执法岗位</textarea>" in html
    assert '<option value="revoke" selected>' in html
    assert _snapshot(world.cert_a) == before


def test_transition_not_offered_is_refused_in_chinese(login, world):
    # "restore" is not among the choices for a valid certificate (see test_status_form.py).
    client = login(world.body_admin)
    response = client.post(_status_url(world.cert_a), {
        "action": "restore", "effective_date": "2025-01-01", "reason": "无",
    })
    assert response.status_code == 400
    assert "选择一个有效的选项。 restore 不在可用的选项中。" in response.content.decode()
    assert CertificateStatusChange.objects.count() == 0


def test_form_errors_keep_input(login, world):
    client = login(world.body_admin)
    response = client.post(_status_url(world.cert_a), {
        "action": "suspend", "effective_date": "not-a-date", "reason": "",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert "输入一个有效的日期。" in html
    assert "请填写变更原因。" in html
    assert 'value="not-a-date"' in html
    assert CertificateStatusChange.objects.count() == 0


def test_detail_shows_particulars(login, world):
    client = login(world.officer)
    html = client.get(reverse("web:certificate_detail", args=[world.cert_a.public_id])).content
    html = html.decode()
    assert "43010220240001" in html
    assert "李明" in html
    assert "芙蓉区" in html and "市场监管" in html
    assert "2029-12-31" in html
    assert 'class="badge badge-valid">有效<' in html


def test_validity_check_reasons(login, world):
    client = login(world.officer)
    url = reverse("web:certificate_detail", args=[world.cert_a.public_id])
    response = client.get(url, {"day": "2025-05-01", "region": "430202", "category": "market"})
    html = response.content.decode()
    with translation.override("zh-hans"):
        reason = str(VALIDITY_REASON_TEXT["area_not_covered"])
    assert reason == "执法证的执法区域不包括该行政区划。"
    assert reason in html
    assert "无效" in html
    response = client.get(url, {"day": "2025-05-01", "region": "430102", "category": "market"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="validity-result")
    html = response.content.decode()
    assert "<html" not in html
    assert "alert-ok" in html and reason not in html
    response = client.get(url, {"day": "2030-01-01"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="validity-result")
    with translation.override("zh-hans"):
        assert str(VALIDITY_REASON_TEXT["expired"]) in response.content.decode()


def test_lookup_partial_and_full_page(login, world):
    client = login(world.officer)
    response = client.get("/certificates/lookup/", {"number": " 43010220240001 "},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lookup-result")
    html = response.content.decode()
    assert "<html" not in html
    assert "李明" in html and "有效" in html and "芙蓉区市场监督管理局" in html
    assert "2024-01-01" in html and "2029-12-31" in html
    response = client.get("/certificates/lookup/", {"number": "43010220240001"})
    html = response.content.decode()
    assert "<html" in html and "李明" in html


def test_lookup_shows_status_today(login, world, today):
    CertificateStatusChange.objects.create(
        certificate=world.cert_a, from_status="valid", to_status="suspended",
        effective_date=today - dt.timedelta(days=1), reason="暂扣",
    )
    world.cert_a.status = "suspended"
    world.cert_a.save()
    client = login(world.officer)
    html = client.get("/certificates/lookup/", {"number": "43010220240001"}).content.decode()
    assert 'badge-suspended">暂扣<' in html
    assert "今日不能用于执法" in html
