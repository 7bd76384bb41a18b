"""The certificate status change form and the lookup card that shows the result."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from zhifa.orgs.models import CertificateStatus, CertificateStatusChange
from zhifa.orgs.services import allowed_status_changes, certificate_status_change

pytestmark = pytest.mark.django_db


def _detail(client, cert):
    return client.get(reverse("web:certificate_detail", args=[cert.public_id])).content.decode()


def _post(client, cert, **data):
    return client.post(reverse("web:certificate_status", args=[cert.public_id]), data)


def _options(html):
    select = re.search(r'<select name="action"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"', select)


def _snapshot(cert):
    cert.refresh_from_db()
    return cert.status, cert.status_changes.count(), CertificateStatusChange.objects.count()


def _set_status(cert, status):
    cert.status = status
    cert.save(update_fields=["status"])


def test_allowed_status_changes():
    assert allowed_status_changes("valid") == ["suspended", "revoked", "expired"]
    assert allowed_status_changes("suspended") == ["valid", "revoked", "expired"]
    assert allowed_status_changes("expired") == ["revoked"]
    assert allowed_status_changes("revoked") == []


@pytest.mark.parametrize(("status", "actions"), [
    (CertificateStatus.VALID, ["suspend", "revoke"]),
    (CertificateStatus.SUSPENDED, ["restore", "revoke"]),
    (CertificateStatus.EXPIRED, ["revoke"]),
])
def test_choices_follow_the_current_status(login, world, status, actions):
    _set_status(world.cert_a, status)
    html = _detail(login(world.body_admin), world.cert_a)
    assert _options(html) == actions  # never "expired": the nightly sweep records it
    assert 'id="status-change"' in html
    checkbox = re.search(r'<input type="checkbox" name="confirm_revoke"[^>]*>', html).group(0)
    # the browser insists on the confirmation only when revoking is the only choice
    assert ("required" in checkbox) == (actions == ["revoke"])


def test_no_panel_for_a_revoked_certificate(login, world):
    _set_status(world.cert_a, CertificateStatus.REVOKED)
    html = _detail(login(world.body_admin), world.cert_a)
    assert 'id="status-change"' not in html
    assert 'name="action"' not in html


def test_form_posts_back_to_the_panel_with_date_limits(login, world, today):
    html = _detail(login(world.body_admin), world.cert_a)
    action = reverse("web:certificate_status", args=[world.cert_a.public_id])
    assert f'action="{action}#status-change"' in html
    date = re.search(r'<input type="date" name="effective_date"[^>]*>', html).group(0)
    assert 'min="2024-01-01"' in date
    assert f'max="{today.isoformat()}"' in date
    assert f'value="{today.isoformat()}"' in date


def test_revoke_needs_the_confirmation(login, world, today):
    before = _snapshot(world.cert_a)
    client = login(world.body_admin)
    response = _post(client, world.cert_a, action="revoke", effective_date=today.isoformat(),
                     reason="调离执法岗位")
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'name="confirm_revoke"[^>]*>\s*<label[^>]*>[^<]*</label>\s*'
                     r'<p class="field-error">注销执法证须勾选确认。</p>', html)
    assert "调离执法岗位</textarea>" in html
    assert _snapshot(world.cert_a) == before == ("valid", 0, 0)
    response = _post(client, world.cert_a, action="revoke", effective_date=today.isoformat(),
                     reason="调离执法岗位", confirm_revoke="on")
    assert response.status_code == 302
    assert _snapshot(world.cert_a) == ("revoked", 1, 1)


@pytest.mark.parametrize("reason", ["", "   "])
def test_blank_reason(login, world, today, reason):
    before = _snapshot(world.cert_a)
    response = _post(login(world.body_admin), world.cert_a, action="suspend",
                     effective_date=today.isoformat(), reason=reason)
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'</textarea>\s*<p class="field-error">请填写变更原因。</p>', html)
    assert _snapshot(world.cert_a) == before


def _date_error(html):
    match = re.search(r'<input type="date" name="effective_date"[^>]*>\s*'
                      r'<p class="field-error">([^<]*)</p>', html)
    return match and match.group(1)


def test_future_date_is_refused_at_the_date_field(login, world, today):
    before = _snapshot(world.cert_a)
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    response = _post(login(world.body_admin), world.cert_a, action="suspend",
                     effective_date=tomorrow, reason="涉嫌违法违纪")
    assert response.status_code == 400
    html = response.content.decode()
    assert _date_error(html) == "状态变更的生效日期不能晚于今天。"
    assert 'class="alert alert-error" role="alert"' not in html
    assert f'value="{tomorrow}"' in html
    assert _snapshot(world.cert_a) == before


def test_date_before_the_latest_change_is_refused_at_the_date_field(login, world, today):
    certificate_status_change(actor=world.body_admin, certificate=world.cert_a,
                              to_status="suspended", effective_date=dt.date(2025, 3, 1),
                              reason="暂扣")
    before = _snapshot(world.cert_a)
    response = _post(login(world.body_admin), world.cert_a, action="restore",
                     effective_date="2025-02-01", reason="恢复")
    assert response.status_code == 400
    assert _date_error(response.content.decode()) == (
        "变更的生效日期不能早于最近一次已登记的变更（2025-03-01）。"
    )
    assert _snapshot(world.cert_a) == before == ("suspended", 1, 1)


# --- The lookup card ---------------------------------------------------------------------------
def test_lookup_card_of_a_suspended_certificate(login, world, today):
    day = today - dt.timedelta(days=3)
    certificate_status_change(actor=world.body_admin, certificate=world.cert_a,
                              to_status="suspended", effective_date=day,
                              reason="涉嫌违法违纪，暂扣")
    html = login(world.officer).get("/certificates/lookup/",
                                     {"number": "43010220240001"}).content.decode()
    assert '<article class="lookup-card lookup-card--suspended"' in html
    assert "<dd>暂扣（今日不能用于执法）</dd>" in html
    assert "<dt>最近一次状态变更</dt>" in html
    assert f"<dd>{day.isoformat()}起生效，原因：涉嫌违法违纪，暂扣</dd>" in html
    assert re.search(r'<h2><a href="[^"]+">43010220240001</a></h2>', html)


def test_lookup_card_of_a_valid_certificate(login, world):
    client = login(world.officer)
    html = client.get("/certificates/lookup/", {"number": "43010220240001"}).content.decode()
    assert '<article class="lookup-card lookup-card--valid"' in html
    assert "最近一次状态变更" not in html
    assert "今日不能用于执法" not in html
    # from the workbench panel (which has its own h2) the card heading is an h3
    html = client.get("/certificates/lookup/", {"number": "43010220240001"},
                      HTTP_HX_REQUEST="true", HTTP_HX_TARGET="lookup-result",
                      HTTP_HX_CURRENT_URL="http://testserver/").content.decode()
    assert re.search(r'<h3><a href="[^"]+">43010220240001</a></h3>', html)


def test_lookup_of_a_certificate_outside_the_scope(login, world):
    html = login(world.officer).get("/certificates/lookup/",
                                    {"number": "43020220240001"}).content.decode()
    assert "在您的查看范围内未找到编号为“43020220240001”的执法证。" in html
    assert "lookup-card" not in html and "赵强" not in html
