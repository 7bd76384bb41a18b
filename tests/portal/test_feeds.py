"""The Atom feed of changes: a published record is an entry with its public fields; when it is
withdrawn, ends early or its period is over, the same entry (same id, later ``updated``)
comes with the reason and no content; drafts never appear; at most 50 entries."""

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from tests.cases.factories import Agency, agency
from tests.portal.opendata_rows import end_early, row, today, withdraw
from zhifa.disclosure import exports
from zhifa.disclosure.models import State

FEED = "/portal/feeds/publications.atom"
NS = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture
def a(db: Any) -> Agency:
    return agency()


def feed(client: Client | None = None) -> ET.Element:
    response = (client or Client()).get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.content)


def entries(root: ET.Element) -> list[dict[str, Any]]:
    out = []
    for e in root.findall("a:entry", NS):
        content = e.find("a:content", NS)
        out.append({
            "id": e.findtext("a:id", namespaces=NS),
            "title": e.findtext("a:title", namespaces=NS),
            "updated": e.findtext("a:updated", namespaces=NS),
            "summary": e.findtext("a:summary", namespaces=NS),
            "content": None if content is None else content.text,
            "link": e.find("a:link", NS).get("href"),  # type: ignore[union-attr]
            "author": e.findtext("a:author/a:name", namespaces=NS),
        })
    return out


def zh(text: Any) -> str:
    """``text`` (a msgid) as the default language reads it."""
    with translation.override("zh-hans"):
        return translation.gettext(str(text))


def rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_published_record_is_an_entry_with_its_public_fields(a: Agency) -> None:
    pub = row(a, changed_at=timezone.now() - dt.timedelta(minutes=5),
              original={"party": "原始当事人"})
    root = feed()
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-Hans"
    assert root.findtext("a:id", namespaces=NS) == f"http://testserver{FEED}"
    assert root.findtext("a:updated", namespaces=NS) == rfc3339(pub.changed_at)
    [entry] = entries(root)
    assert {k: v for k, v in entry.items() if k != "content"} == {
        "id": f"urn:uuid:{pub.public_id}", "title": "销售不合格产品案",
        "updated": rfc3339(pub.changed_at),
        "summary": f"{pub.decision_number} · 长沙某某贸易有限公司 · {a.body.name} · "
                   f"{pub.decision_date.isoformat()}",
        "link": f"http://testserver/portal/publications/{pub.public_id}/",
        "author": a.body.name}
    content = entry["content"]
    for value in ("长沙某某贸易有限公司", "经查，当事人销售不合格的电热水壶12台。",
                  "《中华人民共和国产品质量法》第五十条", "罚款人民币伍仟元整。",
                  pub.decision_number, a.body.credit_code):
        assert value in content
    assert content.startswith("<dl><dt>")
    assert "原始当事人" not in ET.tostring(root, encoding="unicode")


def test_withdrawal_ending_and_expiry_replace_the_entry(a: Agency) -> None:
    now = timezone.now()
    t = today()
    kept = row(a, changed_at=now - dt.timedelta(hours=5))
    withdrawn = withdraw(row(a, changed_at=now - dt.timedelta(hours=6)),
                         reason="该决定已被复议机关撤销。", at=now - dt.timedelta(hours=1))
    ended = end_early(row(a, changed_at=now - dt.timedelta(hours=7)),
                      at=now - dt.timedelta(hours=2))
    expired = row(a, published_on=t - dt.timedelta(days=90), offline_on=t,
                  changed_at=now - dt.timedelta(days=90))
    row(a, state=State.DRAFT, changed_at=now)
    row(a, state=State.WITHHELD, changed_at=now)
    got = entries(feed())
    midnight = dt.datetime.combine(t, dt.time(), tzinfo=exports.local_tz())
    by_id = {e["id"]: e for e in got}
    assert [e["id"] for e in got] == [
        f"urn:uuid:{p.public_id}" for p in sorted(
            (withdrawn, ended, kept, expired),
            key=lambda p: {withdrawn.pk: now - dt.timedelta(hours=1),
                           ended.pk: now - dt.timedelta(hours=2),
                           kept.pk: now - dt.timedelta(hours=5),
                           expired.pk: midnight}[p.pk], reverse=True)]
    assert by_id[f"urn:uuid:{withdrawn.public_id}"] == {
        "id": f"urn:uuid:{withdrawn.public_id}",
        "title": zh("Withdrawn: %(number)s") % {"number": withdrawn.decision_number},
        "updated": rfc3339(withdrawn.changed_at),
        "summary": f"{zh('The decision was revoked')} 该决定已被复议机关撤销。",
        "content": None,
        "link": f"http://testserver/portal/publications/{withdrawn.public_id}/",
        "author": a.body.name}
    gone_ended = by_id[f"urn:uuid:{ended.public_id}"]
    assert (gone_ended["title"], gone_ended["content"]) == (
        zh("Publicity ended early: %(number)s") % {"number": ended.decision_number}, None)
    gone_expired = by_id[f"urn:uuid:{expired.public_id}"]
    assert (gone_expired["title"], gone_expired["updated"], gone_expired["content"]) == (
        zh("Publicity period over: %(number)s") % {"number": expired.decision_number},
        rfc3339(midnight), None)
    text = "".join(str(by_id[f"urn:uuid:{p.public_id}"])
                   for p in (withdrawn, ended, expired))
    assert "经查" not in text and "长沙某某贸易有限公司" not in text


def test_titles_follow_the_language(a: Agency) -> None:
    pub = withdraw(row(a))
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    root = feed(c)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert entries(root)[0]["title"] == f"Withdrawn: {pub.decision_number}"


def test_feed_holds_the_latest_50_changes(a: Agency) -> None:
    now = timezone.now()
    pubs = [row(a, changed_at=now - dt.timedelta(minutes=i)) for i in range(52)]
    got = entries(feed())
    assert [e["id"] for e in got] == [f"urn:uuid:{p.public_id}" for p in pubs[:50]]


def test_empty_feed_is_valid(db: Any) -> None:
    root = feed()
    assert entries(root) == []
    assert root.findtext("a:updated", namespaces=NS) == "2000-01-01T00:00:00Z"


def test_control_characters_never_break_the_feed(a: Agency) -> None:
    """A record's text holding characters XML 1.0 forbids (here a vertical tab, as pasted
    from a word processor): the feed is still valid XML, without those characters."""
    now = timezone.now()
    kept = row(a, changed_at=now - dt.timedelta(minutes=5), title="销售\x0b不合格产品案",
               facts="经查，\x0b当事人销售不合格的\x1f电热水壶12台。")
    gone = withdraw(row(a, changed_at=now - dt.timedelta(hours=3)),
                    reason="该决定\x0b已被复议机关\x08撤销。", at=now - dt.timedelta(hours=1))
    response = Client().get(FEED)
    assert response.status_code == 200
    assert b"\x0b" not in response.content and b"\x1f" not in response.content
    by_id = {e["id"]: e for e in entries(ET.fromstring(response.content))}
    published = by_id[f"urn:uuid:{kept.public_id}"]
    assert published["title"] == "销售不合格产品案"
    assert "经查，当事人销售不合格的电热水壶12台。" in published["content"]
    assert by_id[f"urn:uuid:{gone.public_id}"]["summary"] == (
        f"{zh('The decision was revoked')} 该决定已被复议机关撤销。")
