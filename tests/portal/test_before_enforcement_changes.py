"""The dated list of changes to the before-enforcement information (changes dated)."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.portal.test_registry_world import RegWorld, days, registry_world
from zhifa.orgs.services import certificate_status_change
from zhifa.portal.views.changes import changes_between

pytestmark = pytest.mark.django_db

ROW = re.compile(r'<tr data-area="([^"]+)" data-change="([^"]+)" data-day="([^"]+)">'
                 r'.*?class="reg-subject"[^>]*>(?:<a href="([^"]*)">)?([^<]+)', re.S)


@pytest.fixture
def w() -> RegWorld:
    return registry_world()


def rows(client: Client, **params: str) -> list[tuple[str, str, int, str]]:
    """(area, change, day offset from today, subject) of each row, in page order."""
    response = client.get(f"{reverse('portal:changes')}?{urlencode(params)}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300" and not response.cookies
    today = timezone.localdate()
    out = []
    for area, change, day, _url, title in ROW.findall(response.content.decode()):
        out.append((area, change, (dt.date.fromisoformat(day) - today).days, title.strip()))
    return out


def test_last_12_months(client: Client, w: RegWorld) -> None:
    got = rows(client, days="365")
    assert sorted(got, key=lambda r: (-r[2], r[0], r[3])) == sorted([
        ("certificates", "expired", 0, "孙伟 · 43010200004"),
        ("certificates", "suspended", -5, "赵强 · 43010200002"),
        ("certificates", "revoked", -10, "陈静 · 43020200003"),
        ("inspections", "changed", -15, "广告发布抽查"),
        ("items", "ended", -20, "对已废止事项的行政处罚"),
        ("benchmarks", "ended", -25, "已废止基准的违法行为"),
        ("items", "changed", -30, "对虚假宣传的行政处罚"),
        ("benchmarks", "changed", -40, "生产者掺杂掺假"),
        # listed when the legality review passed (60 days ago), not when in force (100)
        ("items", "new", -60, "对销售不合格产品的行政处罚"),
        ("items", "new", -60, "食品经营许可"),
        ("items", "new", -60, "对超标排放污染物的行政处罚"),
        ("benchmarks", "new", -100, "销售不合格产品"),
        ("guides", "new", -100, "食品经营许可"),
        ("inspections", "new", -100, "食品经营者监督检查"),
        ("items", "new", -190, "对虚假宣传的行政处罚（旧）"),
        ("benchmarks", "new", -200, "掺杂掺假（旧）"),
        ("inspections", "new", -200, "广告发布抽查（旧）"),
        ("items", "new", -290, "对已废止事项的行政处罚"),
        ("benchmarks", "new", -300, "已废止基准的违法行为"),
    ], key=lambda r: (-r[2], r[0], r[3]))
    # newest first
    assert [r[2] for r in got] == sorted((r[2] for r in got), reverse=True)


def test_never_listed(client: Client, w: RegWorld) -> None:
    html = client.get(f"{reverse('portal:changes')}?days=365").content.decode()
    for hidden in (w.item_pending.name, w.item_failed.name, w.item_future.name,
                   w.item_gone.name, w.insp_gone.name, "吴刚", "周敏", "刘洋"):
        assert hidden not in html, hidden
    for p in w.people:
        assert p.id_number not in html and p.phone not in html


def test_default_is_90_days_and_30_days_window(client: Client, w: RegWorld) -> None:
    assert {r[2] for r in rows(client)} == {0, -5, -10, -15, -20, -25, -30, -40, -60}
    assert {r[2] for r in rows(client, days="30")} == {0, -5, -10, -15, -20, -25}
    # an unknown period is the default one
    assert len(rows(client, days="7")) == len(rows(client))


def test_filters(client: Client, w: RegWorld) -> None:
    assert {(r[0], r[1]) for r in rows(client, days="365", what="certificates")} == {
        ("certificates", "expired"), ("certificates", "suspended"), ("certificates", "revoked")}
    got = rows(client, days="365", body=str(w.body_b.public_id))
    assert got == [("items", "new", -60, "对超标排放污染物的行政处罚"),
                   ("certificates", "revoked", -10, "陈静 · 43020200003")][::-1]
    assert rows(client, days="365", what="guides") == [
        ("guides", "new", -100, "食品经营许可")]


def test_links(client: Client, w: RegWorld) -> None:
    html = client.get(f"{reverse('portal:changes')}?days=365").content.decode()
    assert reverse("portal:item", args=[w.item_v2.public_id]) in html
    assert reverse("portal:guide", args=[w.item_licensing.public_id]) in html
    assert reverse("portal:benchmark", args=[w.bm_v2.public_id]) in html
    assert f"{reverse('portal:certificate_lookup')}?number={w.suspended.number}" in html
    # the superseded item version's link leads to the current one
    response = client.get(reverse("portal:item", args=[w.item_v1.public_id]))
    assert response["Location"] == reverse("portal:item", args=[w.item_v2.public_id])


def test_restored_certificate(client: Client, w: RegWorld) -> None:
    certificate_status_change(actor=None, certificate=w.suspended, to_status="valid",
                              effective_date=days(0), reason="恢复")
    got = rows(client, what="certificates")
    assert ("certificates", "valid", 0, "赵强 · 43010200002") in got
    assert ("certificates", "suspended", -5, "赵强 · 43010200002") in got


def test_changes_between_is_the_same_list(w: RegWorld) -> None:
    today = timezone.localdate()
    found, cut = changes_between(since=today - dt.timedelta(days=29), day=today)
    assert not cut
    assert [(c.area, c.code, (c.day - today).days) for c in found] == [
        ("certificates", "expired", 0), ("certificates", "suspended", -5),
        ("certificates", "revoked", -10), ("inspections", "changed", -15),
        ("items", "ended", -20), ("benchmarks", "ended", -25)]


def test_cut_at_the_cap(w: RegWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from zhifa.portal.views import changes

    monkeypatch.setattr(changes, "CAP", 1)
    today = timezone.localdate()
    found, cut = changes_between(since=today - dt.timedelta(days=364), day=today,
                                 what="benchmarks")
    assert cut
    # the newest of each list: one version started, one ended
    assert [(c.code, (c.day - today).days) for c in found] == [("ended", -25),
                                                                ("changed", -40)]
