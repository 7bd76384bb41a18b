"""Items, benchmarks, review catalogues, legal provisions and hearing thresholds."""

import datetime as dt

from tests import factories as f
from tests.api.conftest import API, ApiWorld
from tests.api.helpers import body_ref, error, region_ref, sector_ref
from zhifa.catalog.models import Law
from zhifa.catalog.services import TierIn


def get(client, url: str):  # type: ignore[no-untyped-def]
    response = client.get(API + url)
    assert response.status_code == 200, response.content
    return response.json()


PQA = {"law_code": "pqa", "law_title": "中华人民共和国产品质量法", "version_label": "2018年修正"}
ART39 = {**PQA, "number": 39, "label": "第三十九条", "text": "销售者销售产品，不得掺杂、掺假……"}
ART50 = {**PQA, "number": 50, "label": "第五十条",
         "text": "在产品中掺杂、掺假……处违法生产、销售产品货值金额百分之五十以上三倍以下的罚款……"}


def item_out(w: ApiWorld) -> dict:  # type: ignore[type-arg]
    return {
        "public_id": str(w.item_a.public_id), "code": "430102-CF-001", "version": 1,
        "name": "对销售掺杂掺假产品的行政处罚", "category": "penalty",
        "procedure_type": "general", "body": body_ref(w.body_a),
        "effective_from": "2024-01-01", "effective_to": None,
        "legality_review_status": "passed", "is_publishable": True,
    }


def test_items_list_and_detail(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    assert get(c, "/items") == {"count": 1, "items": [item_out(w)]}
    assert get(c, f"/items/{w.item_a.public_id}") == {
        **item_out(w),
        "legal_basis": [ART39, ART50],
        "basis_text": "《产品质量法》第五十条",
        "accepting_office": None,
        "deciding_office": {"public_id": str(w.dep_a.public_id), "name": "法制审核科",
                            "kind": "legal_review"},
        "time_limit": 90, "time_limit_unit": "calendar_day",
        "reconsideration_body": "", "reconsideration_days": 60,
        "litigation_court": "", "litigation_months": 6,
        "legality_reviewed_on": "2024-02-01", "legality_review_note": "经合法性审核",
    }
    b_item = get(client_for(w.u_officer_b), f"/items/{w.item_b.public_id}")
    assert (b_item["is_publishable"], b_item["legality_review_status"]) == (False, "pending")


def test_item_filters(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    f.item(w.body_a, code="430102-JC-001", name="产品质量监督检查", category="inspection",
           procedure_type="inspection", effective_from=dt.date(2025, 1, 1))
    f.item(w.body_a, code="430102-CF-001", name="对销售掺杂掺假产品的行政处罚（2026版）",
           effective_from=dt.date(2026, 1, 1))
    c = client_for(w.u_officer_a)

    def codes(query: str) -> list[tuple[str, int]]:
        return [(i["code"], i["version"]) for i in get(c, "/items?" + query)["items"]]

    assert codes("") == [("430102-CF-001", 2), ("430102-CF-001", 1), ("430102-JC-001", 1)]
    assert codes("category=inspection") == [("430102-JC-001", 1)]
    assert codes("procedure_type=general") == [("430102-CF-001", 2), ("430102-CF-001", 1)]
    assert codes("in_force_on=2024-06-01") == [("430102-CF-001", 1)]
    assert codes("in_force_on=2026-01-01") == [("430102-CF-001", 2), ("430102-JC-001", 1)]
    assert codes("publishable=true") == [("430102-CF-001", 1)]
    assert codes("publishable=false") == [("430102-CF-001", 2), ("430102-JC-001", 1)]
    assert codes("q=监督检查") == [("430102-JC-001", 1)]
    assert codes(f"body={w.body_b.public_id}") == []
    error(c.get(API + "/items?category=tax"), 422, "invalid_payload")


def test_benchmarks_money_in_fen_and_yuan(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    listed = {
        "public_id": str(w.benchmark.public_id), "code": "HN-SJ-001", "version": 1,
        "violation": "销售不合格产品", "sector": sector_ref(w.market),
        "region": region_ref(w.regions["province"]), "amount_unit": "yuan",
        "statutory_min": 500_000, "statutory_max": 5_000_000,
        "statutory_min_yuan": "5,000.00", "statutory_max_yuan": "50,000.00",
        "source_document": "湘市监规〔2024〕1号", "effective_from": "2024-01-01",
        "effective_to": None,
    }
    # Benchmarks are published texts: every staff account sees them, whatever its body.
    for u in (w.u_officer_a, w.u_officer_b, w.u_supervisor):
        assert get(client_for(u), "/benchmarks") == {"count": 1, "items": [listed]}
    assert get(client_for(w.u_officer_b), f"/benchmarks/{w.benchmark.public_id}") == {
        **listed,
        "violated_text": "《产品质量法》第三十九条", "penalty_text": "《产品质量法》第五十条",
        "violated_articles": [ART39], "penalty_articles": [ART50],
        "tiers": [
            {"tier": "lighter", "conditions": "初次违法且及时改正", "min_value": 500_000,
             "max_value": 1_500_000, "min_yuan": "5,000.00", "max_yuan": "15,000.00",
             "penalty_kinds": ["fine"], "other_measures": ""},
            # Tiers may not share an endpoint: the next tier starts one fen higher.
            {"tier": "ordinary", "conditions": "一般情形", "min_value": 1_500_001,
             "max_value": 3_500_000, "min_yuan": "15,000.01", "max_yuan": "35,000.00",
             "penalty_kinds": ["fine"], "other_measures": ""},
        ],
    }


def test_benchmark_multiples_have_no_yuan(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    bm = f.benchmark(w.regions["province"], w.env, code="HN-HB-001", violation="超标排放污染物",
                     amount_unit="multiple",
                     statutory_min=500, statutory_max=3000,
                     tiers=(TierIn(tier="ordinary", conditions="一般", min_value=1000,
                                   max_value=2000, penalty_kinds=["fine"]),))
    detail = get(client_for(w.u_officer_a), f"/benchmarks/{bm.public_id}")
    assert (detail["amount_unit"], detail["statutory_min"], detail["statutory_min_yuan"],
            detail["statutory_max_yuan"]) == ("multiple", 500, None, None)
    assert [(t["min_value"], t["max_value"], t["min_yuan"], t["max_yuan"])
            for t in detail["tiers"]] == [(1000, 2000, None, None)]
    c = client_for(w.u_officer_a)
    assert [b["code"] for b in get(c, "/benchmarks?sector=environment")["items"]] == [
        "HN-HB-001"]
    assert [b["code"] for b in get(c, "/benchmarks?q=不合格")["items"]] == ["HN-SJ-001"]
    assert get(c, "/benchmarks?in_force_on=2023-12-31")["count"] == 0
    assert get(c, "/benchmarks?region=430100")["count"] == 0


def test_review_catalogues_of_a_body(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    expected = [{
        "public_id": str(w.catalogue_a.public_id), "code": "review-catalogue", "version": 1,
        "title": "芙蓉区市场监督管理局重大执法决定法制审核目录清单", "body": body_ref(w.body_a),
        "effective_from": "2024-01-01", "effective_to": None, "review_days": 7,
        "extension_days": 3, "source_document": "",
        "thresholds": [
            {"party_type": "natural_person", "amount_fen": 500_000, "amount_yuan": "5,000.00",
             "comparator": "gte", "counts_confiscation": True},
            {"party_type": "organisation", "amount_fen": 10_000_000,
             "amount_yuan": "100,000.00", "comparator": "gt", "counts_confiscation": True},
        ],
        "triggers": [{"trigger": "hearing_held", "note": ""},
                     {"trigger": "revoke_licence", "note": ""}],
    }]
    url = f"/bodies/{w.body_a.public_id}/review-catalogues"
    assert get(client_for(w.u_officer_a), url) == expected
    assert get(client_for(w.u_supervisor), url) == expected


def test_article_in_force(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    f.law_version(code="pqa", title="中华人民共和国产品质量法", label="2030年修正",
                  effective_from=dt.date(2030, 1, 1), articles=((50, "第五十条", "新文本"),))
    c = client_for(w.u_officer_b)
    assert get(c, "/laws/pqa/articles/50?date=2029-12-31") == {
        "date": "2029-12-31",
        "law": {"code": "pqa", "title": "中华人民共和国产品质量法", "level": "law",
                "repeal_date": None},
        "version": {"label": "2018年修正", "issuer": "全国人民代表大会常务委员会",
                    "document_number": "", "promulgated_date": None,
                    "effective_from": "2018-12-29", "effective_to": "2030-01-01"},
        "number": 50, "label": "第五十条", "text": ART50["text"],
    }
    assert get(c, "/laws/pqa/articles/50?date=2030-01-01")["text"] == "新文本"
    body = error(c.get(API + "/laws/pqa/articles/50?date=2018-12-28"), 404,
                 "article_not_in_force")
    assert body["message"] == "该日期没有施行中的该条文文本。"
    error(c.get(API + "/laws/pqa/articles/39?date=2030-01-01"), 404, "article_not_in_force")
    Law.objects.filter(code="pqa").update(repeal_date=dt.date(2031, 1, 1))
    error(c.get(API + "/laws/pqa/articles/50?date=2031-01-01"), 404, "article_not_in_force")
    error(c.get(API + "/laws/pqa/articles/fifty"), 422, "invalid_payload")


def test_hearing_threshold_applicable(w: ApiWorld, client_for) -> None:  # type: ignore[no-untyped-def]
    c = client_for(w.u_officer_a)
    url = "/hearing-thresholds/applicable?date=2025-01-01&region=430102"
    assert get(c, url + "&party_type=natural_person") == {
        "code": "hearing-430000-all-natural_person", "version": 1,
        "region": region_ref(w.regions["province"]), "sector": None,
        "party_type": "natural_person", "amount_fen": 100_000, "amount_yuan": "1,000.00",
        "comparator": "gte", "source_document": "行政处罚听证程序规定",
        "effective_from": "2021-07-15", "effective_to": None,
    }
    market = get(c, url + "&party_type=individual_business&sector=market")
    assert (market["sector"], market["party_type"], market["amount_fen"]) == (
        sector_ref(w.market), "natural_person", 1_000_000)
    assert get(c, url + "&party_type=organisation&sector=environment")["amount_fen"] == (
        2_000_000)
    body = error(c.get(API + url.replace("2025-01-01", "2021-07-14")
                       + "&party_type=natural_person"), 404, "hearing_threshold_not_found")
    assert body["message"] == "没有适用于该地区、领域和当事人类型的听证数额标准。"
    error(c.get(API + url + "&party_type=alien"), 422, "invalid_payload")
    error(c.get(API + "/hearing-thresholds/applicable?party_type=natural_person"), 422,
          "invalid_payload")
    error(c.get(API + url.replace("430102", "999999") + "&party_type=natural_person"), 404,
          "region_not_found")
