"""Property-based, end to end: a natural person's personal data put into a case (the party's
name, ID number, address, phone) and into the facts of its issued decision (also a landline
and a bank account) never reaches any public surface once the decision is published through
the services, nor after it is withdrawn with a reason that names the person again.

Surfaces: the portal's home, search results and record page, the record's proof.json, the
document verification page (/v/<code>) and its API, the decisions CSV, the 双公示 CSV and
XLSX, the Atom feed, and the JSON list, record, changes and withdrawals. The person's full
name never appears (the partly masked form may). Each surface must show the record (its
decision number), so that a surface that shows nothing cannot pass."""

import datetime as dt
import html
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.cases.factories import Agency, agency
from tests.disclosure.pipeline_factories import clerk, published
from zhifa.cases.services import PartyIn
from zhifa.catalog.models import PartyType
from zhifa.core.validators import id_number_check_char
from zhifa.disclosure import exports
from zhifa.disclosure.models import Publication, State
from zhifa.disclosure.services import publication_withdraw

SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡"
                "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范石廖贾夏韦方白邹孟熊秦邱尹薛段雷侯龙史陶"
                "黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
COMPOUND_SURNAMES = ["欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容",
                     "长孙", "宇文", "司徒", "夏侯", "令狐", "端木", "南宫", "独孤", "申屠"]
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛超霞刚桂鹏辉玲婷雪琳晶瑶梓涵浩宇轩睿欣怡俊"
             "嘉博文子墨泽昊诗雨佳琪思彤")
REGIONS = ["110101", "310104", "430102", "430111", "440305", "510107", "330106", "420102"]
PLACES = [("湖南省", "长沙市", "芙蓉区"), ("湖南省", "株洲市", "荷塘区"),
          ("广东省", "深圳市", "南山区"), ("四川省", "成都市", "武侯区"),
          ("浙江省", "杭州市", "西湖区"), ("湖北省", "武汉市", "江岸区")]
ROADS = ["五一大道", "韶山北路", "人民中路", "解放西路", "建设北路", "文化路", "学府路",
         "科技园南路", "滨江路", "东风路"]
AREA_CODES = ["010", "020", "021", "0731", "0755", "028", "0571", "027"]


@st.composite
def people(draw: Any) -> dict[str, str]:
    surname = draw(st.one_of(st.sampled_from(SURNAMES), st.sampled_from(COMPOUND_SURNAMES)))
    given_name = "".join(draw(st.lists(st.sampled_from(GIVEN), min_size=1, max_size=2)))
    birth = draw(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2000, 12, 31)))
    first17 = (f"{draw(st.sampled_from(REGIONS))}{birth:%Y%m%d}"
               f"{draw(st.integers(0, 999)):03d}")
    province, city, district = draw(st.sampled_from(PLACES))
    address = (f"{province}{city}{district}{draw(st.sampled_from(ROADS))}"
               f"{draw(st.integers(1, 999))}号")
    if draw(st.booleans()):
        address += f"{draw(st.integers(1, 30))}栋{draw(st.integers(101, 2804))}室"
    area = draw(st.sampled_from(AREA_CODES))
    local_len = 8 if len(area) == 3 else draw(st.sampled_from([7, 8]))
    local = draw(st.integers(2 * 10 ** (local_len - 1), 10 ** local_len - 1))
    return {
        "name": surname + given_name,
        "id_number": first17 + id_number_check_char(first17),
        "mobile": f"1{draw(st.sampled_from('3456789'))}{draw(st.integers(0, 10**9 - 1)):09d}",
        "landline": f"{area}-{local}",
        "address": address,
        "bank_account": "62" + "".join(
            str(d) for d in draw(st.lists(st.integers(0, 9), min_size=14, max_size=17))),
    }


def facts_of(p: dict[str, str]) -> str:
    return (f"经查，当事人{p['name']}（公民身份号码：{p['id_number']}，住址：{p['address']}，"
            f"联系电话：{p['mobile']}，固定电话：{p['landline']}）于2026年8月销售经检验不合格的"
            f"电热水壶12台，货款通过其银行账户{p['bank_account']}收取。")


def secrets_of(p: dict[str, str]) -> list[str]:
    return [p["name"], p["id_number"], p["mobile"], p["landline"], p["address"],
            p["bank_account"]]


# -- reading every surface as text --------------------------------------------------------------

def _content(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _text(response: Any) -> str:
    body = _content(response)
    kind = response["Content-Type"]
    if "json" in kind:
        # JSON escapes non-ASCII characters: compare the values as they are
        return json.dumps(json.loads(body), ensure_ascii=False)
    if "spreadsheetml" in kind:
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        return "\n".join("\t".join("" if v is None else str(v) for v in r)
                         for r in sheet.iter_rows(values_only=True))
    text = body.decode("utf-8-sig")
    # markup (highlighting, the feed's escaped HTML) must not split a value to hide it
    unescaped = html.unescape(html.unescape(text))
    return unescaped + "\n" + re.sub(r"<[^>]+>", "", unescaped)


def read(url: str, status: int = 200) -> str:
    response = Client().get(url)
    assert response.status_code == status, (url, response.status_code)
    assert "Set-Cookie" not in response.headers, url
    return _text(response)


def published_surfaces(pub: Publication) -> dict[str, str]:
    code = pub.document.verify_code if pub.document is not None else ""
    urls = {
        "home": "/portal/",
        "search": "/portal/publications/",
        "search_by_number": f"/portal/publications/?q={pub.decision_number}",
        "detail": f"/portal/publications/{pub.public_id}/",
        "proof": f"/portal/publications/{pub.public_id}/proof.json",
        "csv": "/portal/open/publications.csv",
        "credit_csv": "/portal/open/credit-penalties.csv",
        "credit_xlsx": "/portal/open/credit-penalties.xlsx",
        "feed": "/portal/feeds/publications.atom",
        "api_list": "/api/v1/public/publications?per_page=100",
        "api_detail": f"/api/v1/public/publications/{pub.public_id}",
        "api_changes": "/api/v1/public/changes?limit=1000",
    }
    out = {name: read(url) for name, url in urls.items()}
    if code:
        out["verify"] = read(f"/v/{code}")
        out["api_verify"] = read(f"/api/v1/public/documents/verify/{code}")
    return out


def withdrawn_surfaces(pub: Publication) -> dict[str, str]:
    return {
        "tombstone": read(f"/portal/publications/{pub.public_id}/", 410),
        "withdrawals": read("/portal/withdrawals/"),
        "feed": read("/portal/feeds/publications.atom"),
        "api_detail": read(f"/api/v1/public/publications/{pub.public_id}", 410),
        "api_withdrawals": read("/api/v1/public/withdrawals?per_page=100"),
        "api_changes": read("/api/v1/public/changes?limit=1000"),
        "csv": read("/portal/open/publications.csv"),
        "credit_csv": read("/portal/open/credit-penalties.csv"),
    }


def leaks(surfaces: dict[str, str], secrets: list[str]) -> dict[str, list[str]]:
    found = {name: [s for s in secrets if s in text] for name, text in surfaces.items()}
    return {name: values for name, values in found.items() if values}


@pytest.fixture
def a(db: Any) -> Agency:
    return agency()


@pytest.fixture(autouse=True)
def _no_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exports, "SETTLE_SECONDS", 0)


@settings(max_examples=15, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.data_too_large])
@given(person=people())
@example(person={"name": "欧阳子涵", "id_number": "430102199003071234",
                 "mobile": "13907315678", "landline": "0731-84567890",
                 "address": "湖南省长沙市芙蓉区五一大道389号12栋1602室",
                 "bank_account": "6217002870012345678"})
def test_personal_data_never_reaches_a_public_surface(a: Agency, person: dict[str, str]
                                                      ) -> None:
    # the agency is made once for all examples; each example adds its own decision
    party = PartyIn(party_type=PartyType.NATURAL_PERSON, name=person["name"],
                    id_number=person["id_number"], address=person["address"],
                    phone=person["mobile"])
    pub = published(a, party=party, facts=facts_of(person))
    assert pub.state == State.PUBLISHED
    secrets = secrets_of(person)
    # the record really is on each surface (or nothing would be tested)
    surfaces = published_surfaces(pub)
    shown = {n for n, text in surfaces.items() if pub.decision_number in text}
    assert shown == set(surfaces), set(surfaces) - shown
    assert leaks(surfaces, secrets) == {}

    reason = (f"经复议，当事人{person['name']}（{person['id_number']}，电话{person['mobile']}）"
              f"的处罚决定已被撤销。")
    gone = publication_withdraw(actor=clerk(a), publication=pub, kind="revoked",
                                reason=reason, event_on=timezone.localdate())
    assert gone.state == State.WITHDRAWN
    after = withdrawn_surfaces(gone)
    assert leaks(after, secrets) == {}
    assert pub.decision_number in after["feed"] and pub.decision_number in after["withdrawals"]
    assert pub.decision_number not in after["csv"] + after["credit_csv"]
