"""Every catalogue service writes one entry to the stream "catalog": the first version and
each later one (which names the version it closes), the legality review; the entry's body is
the body whose catalogue it is. A refused change writes nothing and changes nothing."""

import datetime as dt
import json
import string
from typing import Any

import pytest

from tests import factories as f
from zhifa.catalog.models import (
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    LawVersion,
    ReviewCatalogue,
    ServiceGuide,
)
from zhifa.catalog.services import (
    ThresholdIn,
    TierIn,
    benchmark_create,
    hearing_threshold_create,
    inspection_item_create,
    item_create,
    item_record_legality_review,
    law_version_create,
    review_catalogue_create,
    service_guide_create,
)
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Department

pytestmark = pytest.mark.django_db

D = dt.date


def entries(since: int) -> list[tuple[Any, ...]]:
    """The entries from leaf ``since`` on; each template's fields are in its payload."""
    found = []
    for e in LedgerEntry.objects.filter(seq__gte=since).order_by("seq"):
        payload = json.loads(e.payload)
        fields = {name for _text, name, _spec, _conv
                  in string.Formatter().parse(str(event_get(e.event_code).template)) if name}
        assert fields <= payload.keys(), (e.event_code, fields - payload.keys())
        found.append((e.event_code, e.stream, e.body_id, e.actor_id, payload))
    return found


def mark() -> int:
    return LedgerEntry.objects.count()


def rows() -> dict[str, list[Any]]:
    return {model.__name__: list(model.objects.order_by("pk").values())
            for model in (LawVersion, EnforcementItem, ServiceGuide, DiscretionBenchmark,
                          ReviewCatalogue, HearingThreshold)}


@pytest.fixture
def w() -> Any:
    class W:
        regions = f.regions()
        market = f.sector()
        body = f.body(regions["county"], market, name="芙蓉区市场监督管理局")
        other = f.body(regions["other_county"], market, name="荷塘区市场监督管理局")
        legal = Department.objects.create(body=body, name="法制科", kind="legal_review")
        admin = f.user(f.person(body, "王芳", roles=("head",)),
                       roles=(AccountRole.BODY_ADMIN,), username="admin_a")
        sysadmin = f.user(None, roles=(AccountRole.SYSTEM_ADMIN,), username="root")
    return W


def test_law_and_its_new_text(w: Any) -> None:
    start = mark()
    first = law_version_create(
        actor=w.sysadmin, law_code="product-quality", title="产品质量法", level="law",
        issuer="全国人民代表大会常务委员会", label="2018年修正", effective_from=D(2018, 12, 29),
        articles=[(50, "第五十条", "……"), (39, "第三十九条", "……")],
        document_number="主席令第二十二号", promulgated_date=D(2018, 12, 29))
    second = law_version_create(
        actor=None, law_code="product-quality", title="中华人民共和国产品质量法",
        level="law", issuer="全国人民代表大会常务委员会", label="2030年修正",
        effective_from=D(2030, 1, 1), articles=[(50, "第五十条", "……")])
    common = {"law_code": "product-quality", "level": "law",
              "issuer": "全国人民代表大会常务委员会"}
    assert entries(start) == [
        (2000, "catalog", None, w.sysadmin.pk, {
            **common, "title": "产品质量法", "law_version": str(first.public_id),
            "label": "2018年修正", "document_number": "主席令第二十二号",
            "promulgated_date": "2018-12-29", "effective_from": "2018-12-29",
            "articles": [39, 50]}),
        (2001, "catalog", None, None, {
            **common, "title": "中华人民共和国产品质量法", "law_version": str(second.public_id),
            "label": "2030年修正", "document_number": "", "promulgated_date": None,
            "effective_from": "2030-01-01", "articles": [50], "previous_label": "2018年修正",
            "changes": {"title": ["产品质量法", "中华人民共和国产品质量法"]}}),
    ]


def test_refused_law_versions_write_nothing(w: Any) -> None:
    f.law_version()
    before, start = rows(), mark()
    with pytest.raises(InvalidInput):  # an article number twice
        law_version_create(actor=None, law_code="apl", title="中华人民共和国行政处罚法",
                           level="law", issuer="全国人民代表大会常务委员会", label="x",
                           effective_from=D(2030, 1, 1),
                           articles=[(1, "第一条", "a"), (1, "第一条", "b")])
    with pytest.raises(PermissionDenied):
        law_version_create(actor=w.admin, law_code="apl", title="中华人民共和国行政处罚法",
                           level="law", issuer="全国人民代表大会常务委员会", label="y",
                           effective_from=D(2031, 1, 1), articles=[])
    assert (rows(), entries(start)) == (before, [])


def test_item_versions_and_legality_review(w: Any) -> None:
    version = f.law_version()
    article = version.articles.get()
    start = mark()
    first = item_create(
        actor=w.admin, body=w.body, code="CF-1", name="对销售不合格产品的行政处罚",
        category="penalty", procedure_type="general", effective_from=D(2030, 1, 1),
        legal_basis=[article], basis_text="《行政处罚法》第六十三条", deciding_office=w.legal,
        time_limit=90, time_limit_unit="calendar_day")
    second = item_create(
        actor=w.sysadmin, body=w.body, code="CF-1", name="对销售不合格产品的处罚",
        category="penalty", procedure_type="general", effective_from=D(2031, 1, 1))
    item_record_legality_review(actor=w.admin, item=second, passed=True,
                                reviewed_on=D(2030, 12, 1), note="经法制科审核")
    stock = {"code": "CF-1", "category": "penalty", "procedure_type": "general",
             "accepting_office": None, "reconsideration_body": "", "reconsideration_days": 60,
             "litigation_court": "", "litigation_months": 6}
    assert entries(start) == [
        (2010, "catalog", w.body.pk, w.admin.pk, {
            **stock, "item": str(first.public_id), "version": 1,
            "effective_from": "2030-01-01", "previous_version": None,
            "name": "对销售不合格产品的行政处罚", "legal_basis": ["apl:63"],
            "basis_text": "《行政处罚法》第六十三条", "deciding_office": "法制科",
            "time_limit": 90, "time_limit_unit": "calendar_day"}),
        (2011, "catalog", w.body.pk, w.sysadmin.pk, {
            **stock, "item": str(second.public_id), "version": 2,
            "effective_from": "2031-01-01", "previous_version": 1,
            "name": "对销售不合格产品的处罚", "legal_basis": [], "basis_text": "",
            "deciding_office": None, "time_limit": None, "time_limit_unit": ""}),
        (2012, "catalog", w.body.pk, w.admin.pk, {
            "item": str(second.public_id), "code": "CF-1", "version": 2, "status": "passed",
            "previous_status": "pending", "reviewed_on": "2030-12-01",
            "note": "经法制科审核"}),
    ]


def test_refused_items_write_nothing(w: Any) -> None:
    f.item(w.body, code="CF-1", effective_from=D(2030, 1, 1))
    before, start = rows(), mark()
    base = {"actor": w.admin, "body": w.body, "code": "CF-1", "name": "新版本",
            "category": "penalty", "procedure_type": "general",
            "effective_from": D(2031, 1, 1)}
    refusals: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"effective_from": D(2025, 1, 1)}, InvalidInput, "version_backdated"),
        ({"effective_from": D(2030, 1, 1), "actor": None}, InvalidInput,
         "version_effective_date"),
        ({"category": "bogus"}, InvalidInput, "category_unknown"),
        ({"body": w.other}, PermissionDenied, "catalog_out_of_scope"),
    ]
    for overrides, error, code in refusals:
        with pytest.raises(error) as exc:
            item_create(**{**base, **overrides})
        assert exc.value.code == code
    assert (rows(), entries(start)) == (before, [])


def test_inspection_items_and_service_guides(w: Any) -> None:
    item = f.item(w.body, code="XK-1", category="licensing", procedure_type="licensing",
                  effective_from=D(2024, 1, 1))
    start = mark()
    inspection = inspection_item_create(
        actor=None, body=w.body, code="CC-1", name="食品经营者检查",
        inspection_objects="食品经营者", method="现场检查", effective_from=D(2024, 1, 1),
        ratio_percent=5, frequency="每年一次")
    guide = service_guide_create(
        actor=w.admin, item=item, conditions="依法设立", materials="申请书",
        process="受理、审查、决定", time_limit_text="20个工作日", effective_from=D(2030, 1, 1),
        phone="0731-84000000")
    assert entries(start) == [
        (2020, "catalog", w.body.pk, None, {
            "inspection_item": str(inspection.public_id), "code": "CC-1", "version": 1,
            "effective_from": "2024-01-01", "previous_version": None, "name": "食品经营者检查",
            "inspection_objects": "食品经营者", "method": "现场检查", "legal_basis": [],
            "basis_text": "", "ratio_percent": 5, "frequency": "每年一次"}),
        (2030, "catalog", w.body.pk, w.admin.pk, {
            "service_guide": str(guide.public_id), "code": "XK-1", "version": 1,
            "effective_from": "2030-01-01", "previous_version": None,
            "item": str(item.public_id), "item_version": 1, "conditions": "依法设立",
            "materials": "申请书", "process": "受理、审查、决定", "time_limit_text": "20个工作日",
            "fees": "不收费", "location": "", "phone": "0731-84000000"}),
    ]
    inspection_item_create(
        actor=None, body=w.body, code="CC-1", name="食品经营者检查",
        inspection_objects="食品经营者", method="双随机抽查", effective_from=D(2025, 1, 1))
    service_guide_create(
        actor=w.admin, item=item, conditions="依法设立", materials="申请书、营业执照",
        process="受理、审查、决定", time_limit_text="15个工作日", effective_from=D(2031, 1, 1))
    assert [(code, payload["version"], payload["previous_version"])
            for code, *_rest, payload in entries(start)[2:]] == [(2021, 2, 1), (2031, 2, 1)]


def test_benchmark_versions(w: Any) -> None:
    province = w.regions["province"]
    start = mark()
    first = f.benchmark(province, w.market, code="BM-1", effective_from=D(2024, 1, 1))
    second = benchmark_create(
        actor=w.sysadmin, code="BM-1", violation="销售不合格产品", sector=w.market,
        region=province, violated_text="第三十九条", penalty_text="第五十条",
        source_document="湘市监规〔2030〕1号", effective_from=D(2030, 1, 1), issuing_body=w.body,
        tiers=[TierIn(tier="no_penalty", conditions="首违且轻微", min_value=None,
                      max_value=None, penalty_kinds=[])],
        amount_unit="yuan", statutory_min=None, statutory_max=None)
    assert entries(start) == [
        (2040, "catalog", None, None, {
            "benchmark": str(first.public_id), "code": "BM-1", "version": 1,
            "effective_from": "2024-01-01", "previous_version": None,
            "violation": "销售不合格产品", "region": "430000", "sector": "market",
            "issuing_body": None, "violated_text": "《产品质量法》第三十九条",
            "penalty_text": "《产品质量法》第五十条", "violated_articles": [],
            "penalty_articles": [], "source_document": "湘市监规〔2024〕1号",
            "amount_unit": "yuan", "statutory_min": 500000, "statutory_max": 5000000,
            "tiers": [
                {"tier": "lighter", "conditions": "初次违法且及时改正", "min_value": 500000,
                 "max_value": 1500000, "penalty_kinds": ["fine"], "other_measures": ""},
                {"tier": "ordinary", "conditions": "一般情形", "min_value": 1500001,
                 "max_value": 3500000, "penalty_kinds": ["fine"], "other_measures": ""}]}),
        (2041, "catalog", w.body.pk, w.sysadmin.pk, {
            "benchmark": str(second.public_id), "code": "BM-1", "version": 2,
            "effective_from": "2030-01-01", "previous_version": 1,
            "violation": "销售不合格产品", "region": "430000", "sector": "market",
            "issuing_body": w.body.credit_code, "violated_text": "第三十九条",
            "penalty_text": "第五十条", "violated_articles": [], "penalty_articles": [],
            "source_document": "湘市监规〔2030〕1号", "amount_unit": "yuan",
            "statutory_min": None, "statutory_max": None,
            "tiers": [{"tier": "no_penalty", "conditions": "首违且轻微", "min_value": None,
                       "max_value": None, "penalty_kinds": [], "other_measures": ""}]}),
    ]


def test_refused_benchmark_writes_nothing(w: Any) -> None:
    before, start = rows(), mark()
    with pytest.raises(InvalidInput):  # overlapping tiers
        f.benchmark(w.regions["province"], w.market, tiers=(
            TierIn(tier="lighter", conditions="a", min_value=500_000, max_value=1_500_000),
            TierIn(tier="ordinary", conditions="b", min_value=1_500_000, max_value=3_500_000)))
    with pytest.raises(PermissionDenied):  # a county body, province-wide
        benchmark_create(actor=w.admin, code="BM-2", violation="x", sector=w.market,
                         region=w.regions["province"], violated_text="a", penalty_text="b",
                         source_document="c", effective_from=D(2030, 1, 1),
                         issuing_body=w.body, tiers=[])
    assert (rows(), entries(start)) == (before, [])


def test_review_catalogues_and_hearing_thresholds(w: Any) -> None:
    start = mark()
    catalogue = review_catalogue_create(
        actor=w.admin, body=w.body, title="重大执法决定法制审核目录清单",
        effective_from=D(2030, 1, 1),
        thresholds=[ThresholdIn(party_type="organisation", amount_fen=10_000_000,
                                comparator="gt", counts_confiscation=False)],
        triggers=["hearing_held", "revoke_licence", "hearing_held"],
        source_document="芙市监发〔2029〕9号")
    threshold = hearing_threshold_create(
        actor=w.sysadmin, region=w.regions["province"], party_type="natural_person",
        amount_fen=1_000_000, source_document="湖南省听证规定", effective_from=D(2021, 7, 15))
    hearing_threshold_create(
        actor=None, region=w.regions["province"], party_type="natural_person",
        amount_fen=2_000_000, source_document="湖南省听证规定（修订）",
        effective_from=D(2025, 1, 1), sector=w.market)
    hearing_threshold_create(
        actor=None, region=w.regions["province"], party_type="natural_person",
        amount_fen=1_500_000, source_document="湖南省听证规定（2026）",
        effective_from=D(2026, 1, 1))
    found = entries(start)
    assert found[:2] == [
        (2050, "catalog", w.body.pk, w.admin.pk, {
            "review_catalogue": str(catalogue.public_id), "code": "review-catalogue",
            "version": 1, "effective_from": "2030-01-01", "previous_version": None,
            "title": "重大执法决定法制审核目录清单", "review_days": 7, "extension_days": 3,
            "source_document": "芙市监发〔2029〕9号",
            "thresholds": [{"party_type": "organisation", "amount_fen": 10000000,
                            "comparator": "gt", "counts_confiscation": False}],
            "triggers": ["hearing_held", "revoke_licence"]}),
        (2060, "catalog", None, w.sysadmin.pk, {
            "hearing_threshold": str(threshold.public_id),
            "code": "hearing-430000-all-natural_person", "version": 1,
            "effective_from": "2021-07-15", "previous_version": None, "region": "430000",
            "sector": None, "party_type": "natural_person", "amount_fen": 1000000,
            "comparator": "gte", "source_document": "湖南省听证规定"}),
    ]
    # Per sector a threshold of its own; the same code again is its next version.
    assert [(code, p["code"], p["version"]) for code, *_rest, p in found[2:]] == [
        (2060, "hearing-430000-market-natural_person", 1),
        (2061, "hearing-430000-all-natural_person", 2)]
    later = mark()
    review_catalogue_create(actor=w.admin, body=w.body, title="目录清单（2031年版）",
                            effective_from=D(2031, 1, 1), thresholds=[], triggers=[])
    assert [(code, body, p["title"], p["version"], p["previous_version"])
            for code, _stream, body, _actor, p in entries(later)] == [
        (2051, w.body.pk, "目录清单（2031年版）", 2, 1)]
    before, again = rows(), mark()
    with pytest.raises(InvalidInput):
        review_catalogue_create(actor=w.admin, body=w.body, title="x",
                                effective_from=D(2031, 1, 1), thresholds=[],
                                triggers=["unknown_trigger"])
    with pytest.raises(PermissionDenied):
        hearing_threshold_create(actor=w.admin, region=w.regions["province"],
                                 party_type="organisation", amount_fen=1,
                                 source_document="x", effective_from=D(2031, 1, 1))
    assert (rows(), entries(again)) == (before, [])
