"""The open-data JSON API under /api/v1/public/: only public records, paging bounds, filters,
the detail's 404/410, withdrawals, the change log a credit platform follows, and the headers
of an anonymous cacheable answer."""

import datetime as dt
import uuid
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.api.helpers import body_ref, error, region_ref, sector_ref
from tests.cases.factories import Agency, agency
from tests.portal.opendata_rows import end_early, row, today, withdraw
from zhifa.disclosure import exports
from zhifa.disclosure.fields import KEYS
from zhifa.disclosure.models import Category, Publication, State, WithdrawalKind

API = "/api/v1/public"
SHANGHAI = exports.local_tz()


@pytest.fixture
def a(db: Any) -> Agency:
    return agency()


@pytest.fixture(autouse=True)
def _no_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "SETTLE_SECONDS", 0)


def get(url: str, **params: Any) -> Any:
    return Client().get(API + url, params)


def record(pub: Publication) -> dict[str, Any]:
    pub.refresh_from_db()
    return {
        "public_id": str(pub.public_id), "title": pub.title, "category": pub.category,
        "category_label": zh(Category(pub.category).label),
        "decision_number": pub.decision_number,
        "decision_date": pub.decision_date.isoformat(), "body": body_ref(pub.body),
        "region": region_ref(pub.region),
        "sector": sector_ref(pub.sector) if pub.sector else None,
        "party": pub.party_display, "party_credit_code": pub.party_credit_code,
        "fine_fen": pub.fine, "confiscation_fen": pub.confiscation,
        "fields": {k: pub.public[k] for k in KEYS},
        "published_on": pub.published_on.isoformat() if pub.published_on else None,
        "offline_on": pub.offline_on.isoformat() if pub.offline_on else None,
        "period_months": pub.period_months, "content_digest": pub.content_digest,
        "ledger_seq": pub.ledger_seq, "portal_path": f"/portal/publications/{pub.public_id}/",
        "is_demo": False,
    }


def zh(text: Any) -> str:
    with translation.override("zh-hans"):
        return str(text)


def ids(answer: dict[str, Any]) -> list[str]:
    return [item["public_id"] for item in answer["items"]]


def hidden_rows(a: Agency) -> dict[str, Publication]:
    """One row in every state that must not be listed."""
    t = today()
    return {
        "draft": row(a, state=State.DRAFT),
        "withheld": row(a, state=State.WITHHELD),
        "cancelled": row(a, state=State.CANCELLED),
        "expired": row(a, state=State.EXPIRED, published_on=t - dt.timedelta(days=100),
                       offline_on=t - dt.timedelta(days=5)),
        "expired_unswept": row(a, published_on=t - dt.timedelta(days=100), offline_on=t),
        "withdrawn": withdraw(row(a)),
        "ended": end_early(row(a)),
    }


# -- the list ------------------------------------------------------------------------------------

def test_list_holds_only_public_records(a: Agency) -> None:
    shown = row(a, original={k: f"原始{k}" for k in KEYS})
    hidden_rows(a)
    response = get("/publications")
    assert response.status_code == 200
    assert response.json() == {"count": 1, "count_is_estimate": False, "page": 1,
                               "per_page": 20, "items": [record(shown)]}
    assert "原始" not in response.content.decode()


def test_list_paging_bounds(a: Agency) -> None:
    t = today()
    pubs = [row(a, decision_date=t - dt.timedelta(days=10 + i)) for i in range(5)]
    newest_first = [str(p.public_id) for p in pubs]
    assert ids(get("/publications", per_page=2).json()) == newest_first[:2]
    page3 = get("/publications", per_page=2, page=3).json()
    assert (page3["count"], page3["page"], ids(page3)) == (5, 3, newest_first[4:])
    past = get("/publications", per_page=2, page=4).json()
    assert (past["count"], past["items"]) == (5, [])
    assert len(ids(get("/publications", per_page=100).json())) == 5
    assert get("/publications", page=10_000).json()["items"] == []
    deep = get("/publications", page=10**15).json()  # no deep offset: the count only
    assert (deep["count"], deep["page"], deep["items"]) == (5, 10**15, [])
    for bad in ({"per_page": 0}, {"per_page": 101}, {"page": 0}, {"page": "9" * 5000},
                {"page": "x"}, {"body": "not-a-uuid"}, {"date_from": "2026-13-01"},
                {"category": "warning"}, {"q": "字" * 201}):
        body = error(get("/publications", **bad), 422, "invalid_payload")
        assert [e["loc"][-1] for e in body["detail"]] == list(bad), bad


def test_list_filters(a: Agency) -> None:
    t = today()
    mine = row(a, decision_date=t - dt.timedelta(days=20), facts="经查，当事人销售过期食品。")
    licence = row(a, category=Category.LICENSING, decision_date=t - dt.timedelta(days=10),
                  title="食品经营许可")
    other = row(a, body=a.other_body, region=a.regions["other_county"],
                decision_date=t - dt.timedelta(days=30))

    def found(**params: Any) -> list[str]:
        return ids(get("/publications", **params).json())

    assert found() == [str(p.public_id) for p in (licence, mine, other)]
    assert found(body=a.body.public_id) == [str(licence.public_id), str(mine.public_id)]
    assert found(body=a.other_body.public_id) == [str(other.public_id)]
    assert found(body=uuid.uuid4()) == []  # an unknown body: nothing matches
    assert found(region="430200") == [str(other.public_id)]  # the city covers its county
    assert found(region="430102") == [str(licence.public_id), str(mine.public_id)]
    assert found(region="999999") == []
    assert found(category="licensing") == [str(licence.public_id)]
    assert found(date_from=(t - dt.timedelta(days=20)).isoformat()) == [
        str(licence.public_id), str(mine.public_id)]
    assert found(date_to=(t - dt.timedelta(days=20)).isoformat()) == [
        str(mine.public_id), str(other.public_id)]
    assert found(q="过期食品") == [str(mine.public_id)]
    assert found(q=mine.decision_number) == [str(mine.public_id)]


# -- one record ---------------------------------------------------------------------------------

def test_detail_of_a_public_record(a: Agency) -> None:
    pub = row(a)
    response = get(f"/publications/{pub.public_id}")
    assert response.status_code == 200
    assert response.json() == record(pub)


def test_detail_of_anything_never_public_is_404(a: Agency) -> None:
    rows = hidden_rows(a)
    for name in ("draft", "withheld", "cancelled"):
        body = error(get(f"/publications/{rows[name].public_id}"), 404,
                     "publication_not_found")
        assert body == {"code": "publication_not_found", "message": body["message"],
                        "detail": None}, name
    for wrong in (str(uuid.uuid4()), "not-a-uuid", "123", "%20"):
        error(get(f"/publications/{wrong}"), 404, "publication_not_found")


def test_detail_of_a_record_no_longer_public(a: Agency) -> None:
    rows = hidden_rows(a)
    w = rows["withdrawn"]
    gone = error(get(f"/publications/{w.public_id}"), 410, "publication_withdrawn")
    assert gone["detail"] == {
        "publication": str(w.public_id), "decision_number": w.decision_number,
        "withdrawal_kind": "revoked", "withdrawal_kind_label": zh(WithdrawalKind.REVOKED.label),
        "reason": "该决定已被复议机关撤销。", "withdrawn_on": today().isoformat()}
    assert "facts" not in gone["detail"] and w.title not in str(gone)
    ended = error(get(f"/publications/{rows['ended'].public_id}"), 404, "publication_ended")
    assert ended["detail"] == {"publication": str(rows["ended"].public_id),
                               "decision_number": rows["ended"].decision_number,
                               "ended_on": today().isoformat()}
    for name in ("expired", "expired_unswept"):
        pub = rows[name]
        body = error(get(f"/publications/{pub.public_id}"), 404, "publication_expired")
        assert body["detail"] == {"publication": str(pub.public_id),
                                  "decision_number": pub.decision_number,
                                  "offline_on": pub.offline_on.isoformat()}, name


# -- withdrawals ---------------------------------------------------------------------------------

def test_withdrawals(a: Agency) -> None:
    now = timezone.now()
    first = withdraw(row(a), reason="决定已变更。", kind="changed",
                     at=now - dt.timedelta(hours=2))
    second = withdraw(row(a), at=now - dt.timedelta(hours=1))
    row(a)  # public
    row(a, state=State.DRAFT)
    answer = get("/withdrawals", per_page=1).json()
    assert answer["count"] == 2
    item = answer["items"][0]
    assert item == {
        "publication": str(second.public_id), "decision_number": second.decision_number,
        "category": "penalty", "decision_date": second.decision_date.isoformat(),
        "body": body_ref(a.body), "withdrawal_kind": "revoked",
        "withdrawal_kind_label": zh(WithdrawalKind.REVOKED.label),
        "reason": "该决定已被复议机关撤销。", "withdrawn_on": today().isoformat(),
        "changed_at": item["changed_at"]}
    assert dt.datetime.fromisoformat(item["changed_at"]) == second.changed_at
    page2 = get("/withdrawals", per_page=1, page=2).json()
    assert [(i["publication"], i["reason"], i["withdrawal_kind"]) for i in page2["items"]] == [
        (str(first.public_id), "决定已变更。", "changed")]
    assert get("/withdrawals", page=3, per_page=1).json()["items"] == []
    assert get("/withdrawals", page=10**15).json() == {"count": 2, "page": 10**15,
                                                       "per_page": 20, "items": []}
    error(get("/withdrawals", per_page=101), 422, "invalid_payload")


# -- the change log ------------------------------------------------------------------------------

def changes(**params: Any) -> dict[str, Any]:
    response = get("/changes", **params)
    assert response.status_code == 200, response.content
    return response.json()


def summary(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["publication"], c["state"]) for c in answer["items"]]


def test_changes_report_each_record_at_its_latest_public_state(a: Agency) -> None:
    t = today()
    now = timezone.now()
    published = row(a, changed_at=now - dt.timedelta(hours=5))
    withdrawn = withdraw(row(a, changed_at=now - dt.timedelta(hours=6)),
                         at=now - dt.timedelta(hours=3))
    ended = end_early(row(a), at=now - dt.timedelta(hours=4))
    yesterday = t - dt.timedelta(days=1)
    expired = row(a, published_on=t - dt.timedelta(days=200), offline_on=yesterday,
                  changed_at=now - dt.timedelta(days=200))
    row(a, state=State.DRAFT, changed_at=now - dt.timedelta(hours=1))
    row(a, state=State.WITHHELD, changed_at=now - dt.timedelta(hours=1))
    answer = changes()
    assert summary(answer) == [
        (str(expired.public_id), "expired"),  # at least 24 hours ago
        (str(published.public_id), "published"), (str(ended.public_id), "ended"),
        (str(withdrawn.public_id), "withdrawn")]
    by_id = {c["publication"]: c for c in answer["items"]}
    # the expiry takes effect at the start of offline_on, Beijing time, swept or not
    assert dt.datetime.fromisoformat(by_id[str(expired.public_id)]["changed_at"]) == (
        dt.datetime.combine(yesterday, dt.time(), tzinfo=SHANGHAI))
    assert by_id[str(published.public_id)]["record"] == record(published)
    for pub in (withdrawn, ended, expired):
        item = by_id[str(pub.public_id)]
        assert item["record"] is None
        assert item["body"] == body_ref(a.body)
        assert item["decision_number"] == pub.decision_number
    assert by_id[str(withdrawn.public_id)]["withdrawal_reason"] == "该决定已被复议机关撤销。"
    assert by_id[str(withdrawn.public_id)]["withdrawal_kind"] == "revoked"
    assert by_id[str(ended.public_id)]["withdrawal_reason"] == ""
    assert answer["more"] is False
    assert answer["next_after"] == str(withdrawn.public_id)
    # nothing of the withdrawn, ended or expired records' content
    text = "".join(str(by_id[str(p.public_id)]) for p in (withdrawn, ended, expired))
    assert "经查" not in text and "长沙某某贸易有限公司" not in text


def test_changes_since_a_cursor_and_in_pages(a: Agency) -> None:
    now = timezone.now().replace(microsecond=0)
    same = now - dt.timedelta(hours=2)
    tied = sorted((row(a, changed_at=same) for _ in range(3)), key=lambda p: p.public_id.hex)
    before = row(a, changed_at=now - dt.timedelta(hours=3))
    after = row(a, changed_at=now - dt.timedelta(hours=1))
    everything = [before, *tied, after]
    seen: list[str] = []
    cursor: dict[str, Any] = {}
    for _ in range(10):
        answer = changes(limit=2, **cursor)
        seen += [c["publication"] for c in answer["items"]]
        cursor = {"since": answer["next_since"], "after": answer["next_after"]}
        if not answer["more"]:
            break
    assert seen == [str(p.public_id) for p in everything]
    # nothing new after the last cursor
    assert changes(**cursor)["items"] == []
    # since without after: every change at or after that time
    assert summary(changes(since=same.isoformat())) == [
        (str(p.public_id), "published") for p in (*tied, after)]
    # a naive time is Beijing time
    naive = same.astimezone(SHANGHAI).replace(tzinfo=None)
    assert len(changes(since=naive.isoformat())["items"]) == 4
    # a withdrawal after the cursor brings the record back, withdrawn
    withdraw(tied[0], at=now - dt.timedelta(minutes=30))
    assert summary(changes(**cursor)) == [(str(tied[0].public_id), "withdrawn")]
    error(get("/changes", limit=1001), 422, "invalid_payload")
    error(get("/changes", since="yesterday"), 422, "invalid_payload")


def test_changes_of_an_expiry_at_midnight_follow_the_cursor(a: Agency) -> None:
    t = today()
    offline = t - dt.timedelta(days=2)
    pubs = sorted((row(a, published_on=t - dt.timedelta(days=90), offline_on=offline)
                   for _ in range(2)), key=lambda p: p.public_id.hex)
    midnight = dt.datetime.combine(offline, dt.time(), tzinfo=SHANGHAI)
    assert summary(changes(since=midnight.isoformat())) == [
        (str(p.public_id), "expired") for p in pubs]
    assert summary(changes(since=midnight.isoformat(), after=pubs[0].public_id)) == [
        (str(pubs[1].public_id), "expired")]
    later = midnight + dt.timedelta(seconds=1)
    assert changes(since=later.isoformat())["items"] == []
    earlier = midnight - dt.timedelta(seconds=1)
    assert len(changes(since=earlier.isoformat())["items"]) == 2


def test_changes_wait_for_the_settle_time(a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "SETTLE_SECONDS", 30)
    now = timezone.now()
    old = row(a, changed_at=now - dt.timedelta(minutes=5))
    row(a, changed_at=now - dt.timedelta(seconds=5))  # may still be committing elsewhere
    answer = changes()
    assert summary(answer) == [(str(old.public_id), "published")]
    until = dt.datetime.fromisoformat(answer["until"])
    assert now - dt.timedelta(seconds=31) < until <= timezone.now() - dt.timedelta(seconds=30)


# -- headers and the OpenAPI document ------------------------------------------------------------

def test_answers_are_anonymous_cacheable_and_cookieless(a: Agency) -> None:
    pub = row(a)
    w = withdraw(row(a))
    for url, status in (("/publications", 200), (f"/publications/{pub.public_id}", 200),
                        (f"/publications/{w.public_id}", 410),
                        (f"/publications/{uuid.uuid4()}", 404), ("/withdrawals", 200),
                        ("/changes", 200)):
        c = Client(enforce_csrf_checks=True)
        response = c.get(API + url)
        assert response.status_code == status, url
        assert response["Content-Type"] == "application/json; charset=utf-8", url
        assert response["Cache-Control"] == "public, max-age=60", url
        assert response["Vary"] == "Cookie", url
        assert "Set-Cookie" not in response.headers, url
        assert not response.cookies, url
    refused = Client().post(API + "/publications", {}, content_type="application/json")
    assert error(refused, 405, "method_not_allowed")["detail"] == {"allowed_methods": ["GET"]}


def test_openapi_operations_are_public() -> None:
    from zhifa.api.root import api

    paths = api.get_openapi_schema()["paths"]
    ops = {path: methods["get"] for path, methods in paths.items()
           if path.startswith("/api/v1/public/") and "documents" not in path}
    assert {p: (op["operationId"], op.get("security"), op["tags"]) for p, op in ops.items()} == {
        "/api/v1/public/publications": ("search_publications", None, ["open data"]),
        "/api/v1/public/publications/{public_id}": ("public_publication", None,
                                                    ["open data"]),
        "/api/v1/public/withdrawals": ("public_withdrawals", None, ["open data"]),
        "/api/v1/public/changes": ("publication_changes", None, ["open data"]),
    }
    assert {str(s) for s in ops["/api/v1/public/publications/{public_id}"]["responses"]} == {
        "200", "404", "410"}
