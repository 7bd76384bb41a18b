"""``article_in_force``: the text of article N of a law on a date."""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.catalog.models import Article, Law, LawVersion
from zhifa.catalog.selectors import article_in_force
from zhifa.catalog.services import law_version_create
from zhifa.core.errors import InvalidInput, NotFound

pytestmark = pytest.mark.django_db

D = dt.date
V1_63 = "行政机关作出责令停产停业、吊销许可证或者执照、较大数额罚款等行政处罚决定之前……"
V2_63 = "行政机关拟作出下列行政处罚决定，应当告知当事人有要求听证的权利……"


@pytest.fixture
def law() -> Law:
    f.law_version(effective_from=D(2017, 9, 1), label="2017年修正",
                  articles=((42, "第四十二条", V1_63), (63, "第六十三条", "旧第六十三条"),
                            (64, "第六十四条", "仅旧版有")))
    f.law_version(effective_from=D(2021, 7, 15), label="2021年修订",
                  articles=((63, "第六十三条", V2_63), (42, "第四十二条", "新第四十二条")))
    return Law.objects.get(code="apl")


def text(number: int, day: dt.date) -> str:
    return article_in_force(law_code="apl", number=number, day=day).text


def test_versions_by_date(law: Law) -> None:
    assert text(42, D(2017, 9, 1)) == V1_63
    assert text(42, D(2021, 7, 14)) == V1_63
    assert text(42, D(2021, 7, 15)) == "新第四十二条"
    assert text(63, D(2021, 7, 14)) == "旧第六十三条"
    assert text(63, D(2021, 7, 15)) == V2_63
    assert text(63, D(2040, 1, 1)) == V2_63
    a = article_in_force(law_code="apl", number=63, day=D(2022, 1, 1))
    assert (a.label, a.version.label, a.version.law.title) == (
        "第六十三条", "2021年修订", "中华人民共和国行政处罚法")
    # The first version was closed when the second took effect.
    assert list(LawVersion.objects.filter(law=law).values_list("effective_from", "effective_to")
                ) == [(D(2017, 9, 1), D(2021, 7, 15)), (D(2021, 7, 15), None)]


@pytest.mark.parametrize(
    ("number", "day"),
    [(63, D(2017, 8, 31)),  # before the first version
     (64, D(2021, 7, 15)),  # the article is gone from the version in force
     (99, D(2022, 1, 1))],  # no such article
)
def test_not_in_force(law: Law, number: int, day: dt.date) -> None:
    with pytest.raises(NotFound) as exc:
        article_in_force(law_code="apl", number=number, day=day)
    assert exc.value.code == "article_not_in_force"


def test_unknown_law() -> None:
    with pytest.raises(NotFound) as exc:
        article_in_force(law_code="nope", number=1, day=D(2022, 1, 1))
    assert exc.value.code == "article_not_in_force"


def test_after_repeal(law: Law) -> None:
    Law.objects.filter(pk=law.pk).update(repeal_date=D(2030, 1, 1))
    assert text(63, D(2029, 12, 31)) == V2_63
    with pytest.raises(NotFound):
        article_in_force(law_code="apl", number=63, day=D(2030, 1, 1))


def test_new_version_must_be_later_and_changes_nothing_otherwise(law: Law) -> None:
    before = (LawVersion.objects.count(), Article.objects.count(),
              list(LawVersion.objects.values_list("effective_to", flat=True).order_by("id")))
    with pytest.raises(InvalidInput) as exc:
        f.law_version(effective_from=D(2021, 7, 15), label="重复")
    assert exc.value.code == "version_effective_date"
    with pytest.raises(InvalidInput) as exc:
        law_version_create(actor=None, law_code="apl", title="x", level="law", issuer="x",
                           label="2030年修正", effective_from=D(2030, 1, 1),
                           articles=[(1, "第一条", "甲"), (1, "第一条", "乙")])
    assert exc.value.code == "article_duplicate"
    # The failed call rolled back, including closing the version in force.
    after = (LawVersion.objects.count(), Article.objects.count(),
             list(LawVersion.objects.values_list("effective_to", flat=True).order_by("id")))
    assert after == before
