import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client

from tests import factories as f
from zhifa.catalog.models import Article
from zhifa.catalog.services import item_record_legality_review
from zhifa.orgs.models import User
from zhifa.orgs.services import department_create

API = "/api/v1"


class ApiWorld(f.World):
    """The scoping world plus catalogue rows for bodies A and B."""

    def __init__(self) -> None:
        super().__init__()
        r = self.regions
        self.dep_a = department_create(actor=None, body=self.body_a, name="法制审核科",
                                       kind="legal_review")
        self.law = f.law_version(
            code="pqa", title="中华人民共和国产品质量法", effective_from=dt.date(2018, 12, 29),
            label="2018年修正",
            articles=((39, "第三十九条", "销售者销售产品，不得掺杂、掺假……"),
                      (50, "第五十条", "在产品中掺杂、掺假……处违法生产、销售产品货值金额百分之五十"
                                      "以上三倍以下的罚款……")),
        )
        self.art39 = Article.objects.get(version=self.law, number=39)
        self.art50 = Article.objects.get(version=self.law, number=50)
        self.item_a = f.item(
            self.body_a, code="430102-CF-001", name="对销售掺杂掺假产品的行政处罚",
            legal_basis=[self.art50, self.art39], basis_text="《产品质量法》第五十条",
            deciding_office=self.dep_a, time_limit=90, time_limit_unit="calendar_day",
        )
        item_record_legality_review(actor=None, item=self.item_a, passed=True,
                                    reviewed_on=dt.date(2024, 2, 1), note="经合法性审核")
        self.item_b = f.item(self.body_b, code="430202-CF-001", name="荷塘区事项")
        self.benchmark = f.benchmark(r["province"], self.market, code="HN-SJ-001",
                                     violated_articles=[self.art39],
                                     penalty_articles=[self.art50])
        self.catalogue_a = f.review_catalogue(self.body_a)
        self.catalogue_b = f.review_catalogue(self.body_b)
        f.hearing_threshold(r["province"], "natural_person", 100_000)
        f.hearing_threshold(r["province"], "organisation", 2_000_000)
        f.hearing_threshold(r["province"], "natural_person", 1_000_000, sec=self.market)


@pytest.fixture
def w(db) -> ApiWorld:  # type: ignore[no-untyped-def]
    return ApiWorld()


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
