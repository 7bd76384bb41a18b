"""The open-data files on the portal: the decisions CSV, the 双公示 penalty export (CSV and
XLSX) and the page that describes them: only public records, the same filters as the search,
bounded, and the headers of an anonymous cacheable download."""

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.cases.factories import Agency, agency
from tests.portal.opendata_rows import body_of, end_early, read_csv, row, today, withdraw
from zhifa.disclosure import exports
from zhifa.disclosure.models import Category, Publication, State

CSV_URL = "/portal/open/publications.csv"
CREDIT_CSV = "/portal/open/credit-penalties.csv"
CREDIT_XLSX = "/portal/open/credit-penalties.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CREDIT_HEADER = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "行政处罚决定书文号",
    "违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额（万元）",
    "没收违法所得、没收非法财物的金额（万元）", "处罚决定日期", "处罚有效期", "公示截止期",
    "处罚机关", "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
    "备注"]


@pytest.fixture
def a(db: Any) -> Agency:
    return agency()


def fetch(url: str, **params: Any) -> Any:
    return Client().get(url, params)


def csv_rows(url: str, **params: Any) -> list[list[str]]:
    response = fetch(url, **params)
    assert response.status_code == 200, body_of(response)
    return read_csv(body_of(response))


def numbers(url: str, column: str, **params: Any) -> list[str]:
    rows = csv_rows(url, **params)
    at = rows[0].index(column)
    return [r[at] for r in rows[1:]]


def xlsx_rows(**params: Any) -> list[list[str]]:
    response = fetch(CREDIT_XLSX, **params)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]


def not_public(a: Agency) -> list[Publication]:
    t = today()
    return [row(a, state=State.DRAFT), row(a, state=State.WITHHELD),
            row(a, state=State.CANCELLED),
            row(a, state=State.EXPIRED, published_on=t - dt.timedelta(days=100),
                offline_on=t - dt.timedelta(days=1)),
            row(a, published_on=t - dt.timedelta(days=100), offline_on=t),  # unswept
            withdraw(row(a)), end_early(row(a))]


# -- the decisions CSV ---------------------------------------------------------------------------

def test_publications_csv_holds_the_public_records(a: Agency) -> None:
    pub = row(a, columns={"confiscation": 123456, "content_digest": "ab" * 32,
                          "period_months": 36},
              original={"party": "原始当事人"})
    hidden = not_public(a)
    response = fetch(CSV_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="publications.csv"'
    content = body_of(response)
    assert content.startswith(b"\xef\xbb\xbf\xe5\x85\xac")  # BOM, then 公示编号
    assert b"\r\n" in content
    rows = read_csv(content)
    assert rows[0] == [name for name, _get in exports.CSV_COLUMNS]
    last_day = pub.offline_on - dt.timedelta(days=1)
    assert rows[1:] == [[
        str(pub.public_id), "销售不合格产品案", "penalty", a.body.name, a.body.credit_code,
        "长沙某某贸易有限公司", "法人及非法人组织", "", "陈某", "行政处罚", "给予行政处罚",
        pub.decision_number, "经查，当事人销售不合格的电热水壶12台。",
        "《中华人民共和国产品质量法》第五十条", "罚款人民币伍仟元整。",
        pub.decision_date.isoformat(), "5000.00", "1234.56", pub.published_on.isoformat(),
        last_day.isoformat(), "36", "430102", "ab" * 32,
        f"/portal/publications/{pub.public_id}/"]]
    text = content.decode("utf-8-sig")
    assert "原始当事人" not in text
    for p in hidden:
        assert p.decision_number not in text


def test_publications_csv_filters_are_the_searchs(a: Agency) -> None:
    t = today()
    mine = row(a, decision_date=t - dt.timedelta(days=20), facts="经查，当事人销售过期食品。")
    licence = row(a, category=Category.LICENSING, decision_date=t - dt.timedelta(days=10))
    other = row(a, body=a.other_body, region=a.regions["other_county"],
                decision_date=t - dt.timedelta(days=30))

    def found(**params: Any) -> list[str]:
        return numbers(CSV_URL, "决定书文号", **params)

    assert found() == [p.decision_number for p in (licence, mine, other)]
    assert found(agency=str(a.other_body.public_id)) == [other.decision_number]
    assert found(body=str(a.body.public_id)) == [licence.decision_number, mine.decision_number]
    assert found(agency=str(uuid.uuid4())) == []
    assert found(region="430200") == [other.decision_number]
    assert found(region="999999") == []
    assert found(category="licensing") == [licence.decision_number]
    assert found(**{"from": (t - dt.timedelta(days=20)).isoformat()}) == [
        licence.decision_number, mine.decision_number]
    assert found(to=(t - dt.timedelta(days=20)).isoformat(),
                 date_from=(t - dt.timedelta(days=25)).isoformat()) == [mine.decision_number]
    assert found(q="过期食品") == [mine.decision_number]
    for bad in ({"from": "2026-02-30"}, {"category": "warning"}, {"agency": "x"},
                {"from": t.isoformat(), "to": (t - dt.timedelta(days=1)).isoformat()},
                {"q": "字" * 201}):
        response = fetch(CSV_URL, **bad)
        assert response.status_code == 400, bad
        assert response["Content-Type"] == "text/plain; charset=utf-8"


def test_exports_are_capped(a: Agency, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 3)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 2)  # several search pages per export
    t = today()
    pubs = [row(a, decision_date=t - dt.timedelta(days=10 + i)) for i in range(4)]
    response = fetch(CSV_URL)
    assert (response["X-Total-Count"], response["X-Export-Max-Rows"],
            response["X-Export-Truncated"]) == ("4", "3", "true")
    assert [r[11] for r in read_csv(body_of(response))[1:]] == [
        p.decision_number for p in pubs[:3]]
    assert len(xlsx_rows()) == 4  # header and 3 rows
    # a date range gets the rest
    older = fetch(CSV_URL, to=(t - dt.timedelta(days=13)).isoformat())
    assert older["X-Export-Truncated"] == "false"
    assert [r[11] for r in read_csv(body_of(older))[1:]] == [pubs[3].decision_number]
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 4)
    assert fetch(CREDIT_CSV)["X-Export-Truncated"] == "false"


def test_csv_cells_are_never_formulas(a: Agency) -> None:
    row(a, facts="=HYPERLINK(\"http://x\")", result="+1", basis="@SUM(A1)")
    data = csv_rows(CSV_URL)[1]
    assert data[12:15] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "'+1"]
    sheet = xlsx_rows()
    assert sheet[1][6:10] == ["=HYPERLINK(\"http://x\")", "@SUM(A1)", "给予行政处罚", "+1"]
    response = fetch(CREDIT_XLSX)
    cells = load_workbook(io.BytesIO(response.content)).active[2]
    assert [c.data_type for c in cells[6:10]] == ["s"] * 4
    assert "f" not in {c.data_type for c in cells}


# -- 双公示 -------------------------------------------------------------------------------------

def test_credit_export_fields(a: Agency) -> None:
    org = row(a, party_credit_code="91430102MA4L0000X1", columns={
        "party_credit_code": "91430102MA4L0000X1", "fine": 1_234_567_89,
        "confiscation": 500})
    person = row(a, party="陈**", party_type="自然人", legal_representative="",
                 columns={"party_display": "陈**", "fine": 20_000, "confiscation": None})
    row(a, category=Category.LICENSING)  # not a penalty
    row(a, category=Category.OTHER)
    not_public(a)
    rows = csv_rows(CREDIT_CSV)
    assert rows[0] == CREDIT_HEADER
    org.refresh_from_db()
    person.refresh_from_db()

    def expected(p: Publication, party: str, kind: str, code: str, legal: str, fine: str,
                 conf: str) -> list[str]:
        last = (p.offline_on - dt.timedelta(days=1)).isoformat()
        return [party, kind, code, legal, p.decision_number, "销售不合格产品案",
                "经查，当事人销售不合格的电热水壶12台。", "《中华人民共和国产品质量法》第五十条",
                "给予行政处罚", "罚款人民币伍仟元整。", fine, conf, p.decision_date.isoformat(),
                last, last, a.body.name, a.body.credit_code, a.body.name, a.body.credit_code,
                ""]

    newest_first = sorted([org, person], key=lambda p: (p.decision_date, p.pk), reverse=True)
    want = {org.pk: expected(org, "长沙某某贸易有限公司", "法人及非法人组织", "91430102MA4L0000X1",
                             "陈某", "123.456789", "0.000500"),
            person.pk: expected(person, "陈**", "自然人", "", "", "0.020000", "")}
    assert rows[1:] == [want[p.pk] for p in newest_first]
    assert xlsx_rows() == [CREDIT_HEADER, *[want[p.pk] for p in newest_first]]
    # the category filter cannot widen the penalty export
    assert len(csv_rows(CREDIT_CSV, category="licensing")) == 3


def test_amounts_in_wan_yuan_are_exact() -> None:
    assert [exports.wan_yuan(f) for f in (None, 0, 1, 99, 1_000_000, 123_456_789_012)] == [
        "", "0.000000", "0.000001", "0.000099", "1.000000", "123456.789012"]


def test_xlsx_headers(a: Agency) -> None:
    row(a)
    response = fetch(CREDIT_XLSX)
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == 'attachment; filename="credit-penalties.xlsx"'
    assert response["X-Total-Count"] == "1"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True)
    assert sheet.sheetnames == ["行政处罚"]


# -- withdrawal and expiry reach every file --------------------------------------------------------

def test_withdrawal_and_expiry_remove_the_record_from_every_file(a: Agency) -> None:
    stays = row(a)
    leaves = row(a)
    expires = row(a)

    def everywhere() -> dict[str, list[str]]:
        return {"csv": numbers(CSV_URL, "决定书文号"),
                "credit": numbers(CREDIT_CSV, "行政处罚决定书文号"),
                "xlsx": [r[4] for r in xlsx_rows()[1:]]}

    before = everywhere()
    assert {k: sorted(v) for k, v in before.items()} == {
        k: sorted(p.decision_number for p in (stays, leaves, expires)) for k in before}
    withdraw(leaves)
    Publication.objects.filter(pk=expires.pk).update(offline_on=today())  # unswept
    assert everywhere() == {k: [stays.decision_number] for k in before}


# -- headers and the page ------------------------------------------------------------------------

@pytest.mark.parametrize("url", [CSV_URL, CREDIT_CSV, CREDIT_XLSX, "/portal/open/",
                                 "/portal/feeds/publications.atom"])
def test_anonymous_cacheable_cookieless(a: Agency, url: str) -> None:
    row(a)
    c = Client(enforce_csrf_checks=True)
    response = c.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Vary"] == "Cookie"
    assert "Set-Cookie" not in response.headers
    assert not response.cookies
    body_of(response)
    assert Client().post(url).status_code == 405


def test_open_data_page(a: Agency) -> None:
    response = fetch("/portal/open/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    for link in (CSV_URL, CREDIT_CSV, CREDIT_XLSX, "/portal/feeds/publications.atom",
                 "/api/v1/public/changes"):
        assert link in html
    for name in [*CREDIT_HEADER, "facts", "decision_number", "公示截止日期"]:
        assert name in html
    assert "10000" in html  # the cap, said on the page
    assert "csrfmiddlewaretoken" not in html
