"""Full-text search over public records (``disclosure.search``): jieba tokens, AND semantics,
exact tokens for numbers and names, filters, visibility, the index kept in step, ranking,
hostile input, pagination and capped counts. On SQLite (FTS5) and PostgreSQL (tsvector)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.cases.factories import Agency, agency
from tests.disclosure.factories import publication_row
from zhifa.disclosure import search
from zhifa.disclosure.models import Category, Publication, PublicationSearch, State

TODAY = timezone.localdate


@pytest.fixture
def a(db: None) -> Agency:
    search.clear_caches()
    return agency()


def indexed(a: Agency, **kwargs: Any) -> Publication:
    pub = publication_row(a, **kwargs)
    search.index_publication(pub)
    return pub


def numbers(page: search.SearchPage) -> list[str]:
    return [p.decision_number for p in page.items]


def find(q: str = "", **kwargs: Any) -> search.SearchPage:
    kwargs.setdefault("on", TODAY())
    return search.search_publications(q=q, **kwargs)


def fts_rows(word: str) -> int:
    """Entries of the vendor's index itself that hold ``word``."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT count(*) FROM {search.FTS_TABLE} "
                           f"WHERE {search.FTS_TABLE} MATCH %s", [f'"{word}"'])
        else:
            cursor.execute("SELECT count(*) FROM disclosure_publicationsearch "
                           "WHERE tsv @@ %s::tsquery", [f"'{word}'"])
        return int(cursor.fetchone()[0])


# --- Tokens -----------------------------------------------------------------------------------
def test_tokenize_search_engine_mode_without_punctuation() -> None:
    assert search.tokenize("长沙某某贸易有限公司") == [
        "长沙", "某某", "贸易", "有限", "公司", "有限公司"]
    assert search.tokenize("《中华人民共和国食品安全法》第三十四条") == [
        "中华", "华人", "人民", "共和", "共和国", "中华人民共和国", "食品", "安全", "安全法",
        "第三", "三十", "十四", "四条", "第三十", "三十四", "十四条", "第三十四条"]
    # full-width digits and letters are plain ones, Latin is case-folded
    assert search.tokenize("销售电热水壶１２台，ＡＢＣ") == [
        "销售", "电热", "热水", "水壶", "电热水壶", "12", "台", "abc"]
    assert search.tokenize("“”《》，。、；：？！（）〔〕") == []
    assert search.tokenize("a\x00b") == ["a", "b"]


def test_names_are_cut_alike_alone_and_in_a_sentence() -> None:
    # no HMM: a name jieba does not know is cut into the same pieces in both places
    alone = search.tokenize("徐军")
    assert alone == ["徐", "军"]
    inside = search.tokenize("经查，当事人徐军于2024年3月5日销售")
    assert inside[inside.index("徐"):inside.index("徐") + 2] == alone


def test_compact_exact_tokens() -> None:
    assert search.compact("芙市监罚〔2026〕12号") == "芙市监罚202612号"
    assert search.compact(" 91430102MA4L1234XY ") == "91430102ma4l1234xy"
    assert search.compact("张**") == "张"
    assert len(search.compact("字" * 500)) == search.MAX_TOKEN_CHARS


def test_tokens_of_a_record_heading_body_filters(a: Agency) -> None:
    pub = publication_row(a, title="销售不合格电热水壶案", party_credit_code="91430102MA4L1234XY",
                          decision_number="芙市监罚〔2026〕12号")
    head, body, filters = search.tokens_for(pub).split("\n")
    assert head.split()[:5] == ["销售", "不", "合格", "电热", "热水"]
    for exact in ("芙市监罚202612号", "长沙某某贸易有限公司", "91430102ma4l1234xy",
                  "芙蓉区市场监督管理局", search.compact(a.body.credit_code)):
        assert exact in head.split()
    assert "陈某" in head.split()  # the legal representative, whole
    assert "电热水壶" in body.split() and "产品质量法" in body.split()
    assert filters.split() == [f"_b{a.body.pk}", "_cpenalty", "_r430000", "_r430100",
                               "_r430102"]
    assert "original" not in search.tokens_for(pub)


def test_only_public_fields_are_indexed(a: Agency) -> None:
    pub = publication_row(a, original={"party": "陈晓明", "facts": "身份证号430102198503150018"})
    search.index_publication(pub)
    assert "晓明" not in PublicationSearch.objects.get(publication=pub).tokens
    assert find("陈晓明").total == 0
    assert find("430102198503150018").total == 0


# --- Matching ---------------------------------------------------------------------------------
def test_every_query_token_must_match(a: Agency) -> None:
    kettle = indexed(a, facts="经查，当事人销售不合格的电热水壶12台。")
    bike = indexed(a, facts="经查，当事人销售不合格的电动自行车3辆。")
    assert numbers(find("电热水壶")) == [kettle.decision_number]
    assert set(numbers(find("销售 不合格"))) == {kettle.decision_number, bike.decision_number}
    assert numbers(find("销售 电动自行车")) == [bike.decision_number]
    assert find("电热水壶 电动自行车").total == 0
    # search-engine mode: a word's dictionary sub-words are tokens too (自行车 in 电动自行车)
    assert numbers(find("自行车")) == [bike.decision_number]
    assert numbers(find("水壶")) == [kettle.decision_number]
    assert find("水壶 自行车").total == 0
    page = find("电热水壶")
    assert page.ranked is True and page.total == 1 and page.total_is_estimate is False
    assert "电热水壶" in page.terms


def test_decision_numbers_names_and_credit_codes_are_found_whole(a: Agency) -> None:
    target = indexed(a, decision_number="芙市监罚〔2026〕12号", party="长沙徐军贸易有限公司",
                     party_credit_code="91430102MA4L1234XY")
    other = indexed(a, decision_number="芙市监罚〔2026〕123号", party="长沙徐记贸易有限公司",
                    facts="经查，当事人徐某于2026年12月销售军用品。")
    assert numbers(find("芙市监罚〔2026〕12号"))[0] == target.decision_number
    assert numbers(find("芙市监罚〔2026〕123号"))[0] == other.decision_number
    assert numbers(find("长沙徐军贸易有限公司"))[0] == target.decision_number
    assert numbers(find("91430102ma4l1234xy")) == [target.decision_number]
    assert numbers(find("91430102MA4L1234XY")) == [target.decision_number]


def test_filters_body_category_region_and_dates(a: Agency) -> None:
    today = TODAY()
    here = indexed(a, decision_date=today - dt.timedelta(days=10))
    other_body = indexed(a, body=a.other_body, decision_date=today - dt.timedelta(days=20))
    licence = indexed(a, category=Category.LICENSING, decision_date=today - dt.timedelta(days=30))
    elsewhere = publication_row(a, decision_date=today - dt.timedelta(days=40))
    elsewhere.region = a.regions["other_county"]
    elsewhere.save(update_fields=["region"])
    search.index_publication(elsewhere)
    everyone = {p.decision_number for p in (here, other_body, licence, elsewhere)}
    assert set(numbers(find("销售"))) == everyone
    assert set(numbers(find("销售", body_id=a.body.pk))) == {
        here.decision_number, licence.decision_number, elsewhere.decision_number}
    assert numbers(find("销售", body_id=a.other_body.pk)) == [other_body.decision_number]
    assert numbers(find("销售", category=Category.LICENSING)) == [licence.decision_number]
    assert set(numbers(find("销售", category=Category.PENALTY))) == everyone - {
        licence.decision_number}
    # a region and everything under it
    assert set(numbers(find("销售", region_path=a.regions["province"].path))) == everyone
    assert set(numbers(find("销售", region_path=a.regions["city"].path))) == everyone - {
        elsewhere.decision_number}
    assert numbers(find("销售", region_path=a.regions["other_city"].path)) == [
        elsewhere.decision_number]
    assert find("销售", region_path="/999999/").total == 0
    # decision dates, both ends included
    assert set(numbers(find("销售", date_from=today - dt.timedelta(days=30),
                            date_to=today - dt.timedelta(days=20)))) == {
        other_body.decision_number, licence.decision_number}
    assert numbers(find("销售", date_to=today - dt.timedelta(days=35))) == [
        elsewhere.decision_number]
    assert set(numbers(find("销售", date_from=today - dt.timedelta(days=20)))) == {
        here.decision_number, other_body.decision_number}
    assert find("销售", date_from=today, date_to=today - dt.timedelta(days=1)).total == 0
    assert numbers(find("销售", body_id=a.body.pk, category=Category.PENALTY,
                        region_path=a.regions["county"].path,
                        date_from=today - dt.timedelta(days=15))) == [here.decision_number]
    # the same filters without words: a listing, newest decision first
    listing = find("", region_path=a.regions["city"].path)
    assert listing.ranked is False
    assert numbers(listing) == [here.decision_number, other_body.decision_number,
                                licence.decision_number]


@pytest.mark.parametrize("state", [State.WITHDRAWN, State.EXPIRED, State.ENDED, State.DRAFT,
                                   State.WITHHELD, State.CANCELLED])
def test_records_not_public_are_never_found_even_if_indexed(a: Agency, state: str) -> None:
    public = indexed(a, facts="经查，当事人销售过期月饼。")
    hidden = publication_row(a, state=state, facts="经查，当事人销售过期月饼。")
    search.index_publication(hidden)  # refused: not published
    assert not PublicationSearch.objects.filter(publication=hidden).exists()
    # a stray entry (a service that forgot to unindex): the search must not trust it
    PublicationSearch.objects.create(
        publication=hidden, tokens=search.tokens_for(hidden), body_id_copy=hidden.body_id,
        region_path=hidden.region.path, category=hidden.category,
        decision_date=hidden.decision_date)
    assert fts_rows("月饼") == 2
    page = find("月饼")
    assert numbers(page) == [public.decision_number]
    assert page.total == 1
    assert find("月饼", category=Category.PENALTY, body_id=a.body.pk).total == 1
    assert numbers(find("")) == [public.decision_number]
    search.index_publication(hidden)  # a record no longer published leaves the index
    assert fts_rows("月饼") == 1


def test_past_offline_or_before_publication_not_found_nor_counted(a: Agency) -> None:
    today = TODAY()
    public = indexed(a, facts="销售过期月饼。")
    offline = indexed(a, facts="销售过期月饼。", published_on=today - dt.timedelta(days=100),
                      offline_on=today)  # its last public day was yesterday; not swept yet
    later = indexed(a, facts="销售过期月饼。", published_on=today + dt.timedelta(days=1))
    page = find("月饼")
    assert numbers(page) == [public.decision_number]
    assert page.total == 1
    yesterday = find("月饼", on=today - dt.timedelta(days=1))
    assert set(numbers(yesterday)) == {public.decision_number, offline.decision_number}
    assert yesterday.total == 2
    listing = find("")
    assert numbers(listing) == [public.decision_number] and listing.total == 1
    assert find("", on=today - dt.timedelta(days=1)).total == 2
    tomorrow = find("月饼", on=today + dt.timedelta(days=1))
    assert set(numbers(tomorrow)) == {public.decision_number, later.decision_number}


def test_index_and_unindex_keep_the_vendor_index_in_step(a: Agency) -> None:
    pub = indexed(a, facts="经查，当事人销售过期月饼。")
    assert fts_rows("月饼") == 1
    pub.public = {**pub.public, "facts": "经查，当事人销售过期粽子。"}
    pub.save(update_fields=["public"])
    search.index_publication(pub)  # again: the entry is replaced
    assert PublicationSearch.objects.count() == 1
    assert fts_rows("月饼") == 0 and fts_rows("粽子") == 1
    assert find("月饼").total == 0
    assert numbers(find("粽子")) == [pub.decision_number]
    search.unindex_publication(pub)
    assert fts_rows("粽子") == 0 and fts_rows(f"_b{a.body.pk}") == 0
    assert find("粽子").total == 0
    search.unindex_publication(pub)  # twice is harmless
    assert PublicationSearch.objects.count() == 0


def test_reindex_all_rebuilds_from_the_public_records(a: Agency) -> None:
    public = publication_row(a, facts="销售过期月饼。")  # public but never indexed
    stale = indexed(a, facts="销售过期月饼。")
    Publication.objects.filter(pk=stale.pk).update(state=State.WITHDRAWN)
    draft = publication_row(a, state=State.DRAFT, facts="销售过期月饼。")
    assert search.reindex_all() == 1
    assert set(PublicationSearch.objects.values_list("publication_id", flat=True)) == {public.pk}
    assert numbers(find("月饼")) == [public.decision_number]
    assert draft.decision_number not in numbers(find("月饼"))
    assert fts_rows("月饼") == 1
    assert search.reindex_all() == 1  # idempotent
    assert fts_rows("月饼") == 1


# --- Ranking ----------------------------------------------------------------------------------
def test_more_occurrences_rank_higher(a: Agency) -> None:
    once = indexed(a, facts="经查，当事人销售过期月饼5盒，货值金额人民币300元。")
    thrice = indexed(a, facts="经查，当事人销售过期月饼，其中月饼礼盒3盒、散装月饼2斤。")
    page = find("月饼")
    assert numbers(page) == [thrice.decision_number, once.decision_number]
    # the title counts more than the body
    titled = indexed(a, title="销售过期粽子案", facts="经查，当事人销售过期粽子。")
    body_only = indexed(a, facts="经查，当事人销售过期粽子，其中粽子礼盒3盒。")
    assert numbers(find("粽子")) == [titled.decision_number, body_only.decision_number]


def test_ties_go_to_the_newest_decision(a: Agency) -> None:
    today = TODAY()
    older = indexed(a, decision_date=today - dt.timedelta(days=9))
    newer = indexed(a, decision_date=today - dt.timedelta(days=2))
    middle = indexed(a, decision_date=today - dt.timedelta(days=5))
    assert numbers(find("电热水壶")) == [newer.decision_number, middle.decision_number,
                                     older.decision_number]


def test_rank_rows_weighs_rare_terms() -> None:
    rows = [(1, "a\ncommon common common rare\n_b1"), (2, "a\ncommon rare rare rare\n_b1")]
    clauses = [((("common",)),), ((("rare",)),)]
    assert search.rank_rows(rows, clauses, {"common": 900.0, "rare": 3.0}, 1000) == [2, 1]
    assert search.rank_rows(rows, clauses, {"common": 3.0, "rare": 900.0}, 1000) == [1, 2]
    # a clause scores its best alternative: the exact token beats the split words
    rows = [(1, "x y\nz\n"), (2, "xy\nz\n")]
    alt = [(("x", "y"), ("xy",))]
    assert search.rank_rows(rows, alt, {"x": 500.0, "y": 500.0, "xy": 1.0}, 1000) == [2, 1]
    assert search.rank_rows([], alt, {}, 0) == []


# --- Hostile input ----------------------------------------------------------------------------
HOSTILE = ['"', "'", '"月饼', "月饼\"", "月饼*", "*", "NEAR(月饼 粽子)", "NEAR", "-月饼",
           "月饼 -粽子", "(月饼", "月饼)", "()", "AND", "月饼 OR", "OR 月饼", "NOT 月饼",
           "月饼 AND", "^月饼", "tokens:月饼", "{tokens}: 月饼", "月饼:*", "'月饼' & '粽子'",
           "!月饼", "月饼 | 粽子", "月饼 <-> 粽子", "\\", "月饼\\", "%", "_", "%_b1%",
           "_b1", "_cpenalty", "\t\n", "　", "\u200b月饼", "月饼;DROP TABLE x", "1=1",
           "🍰", "月饼" * 300, "月 " * 400]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_raise(a: Agency, q: str) -> None:
    pub = indexed(a, facts="经查，当事人销售过期月饼。")
    page = find(q)
    assert page.total in (0, 1)
    assert numbers(page) in ([], [pub.decision_number])


def test_quotes_and_operators_are_plain_words(a: Agency) -> None:
    pub = indexed(a, facts="经查，当事人销售过期月饼。")
    other = indexed(a, facts="经查，当事人销售过期粽子。")
    assert numbers(find('"月饼"')) == [pub.decision_number]
    assert numbers(find("月饼*")) == [pub.decision_number]
    assert numbers(find("(月饼)")) == [pub.decision_number]
    assert find("月饼 OR 粽子").total == 0  # "or" is a word the records do not have
    assert find("月饼 粽子").total == 0
    assert find("NEAR(月饼 粽子)").total == 0
    assert numbers(find("-粽子")) == [other.decision_number]
    # a filter token typed by a user is only its letters and digits
    assert find(f"_b{a.body.pk}").total == 0


def test_punctuation_only_query_is_the_listing(a: Agency) -> None:
    today = TODAY()
    first = indexed(a, decision_date=today - dt.timedelta(days=2))
    second = indexed(a, decision_date=today - dt.timedelta(days=4))
    for q in ("", "   ", "，。！", "“”", "*", '"', "()"):
        page = find(q)
        assert page.ranked is False and page.terms == []
        assert numbers(page) == [first.decision_number, second.decision_number]
        assert page.total == 2


def test_very_long_query_is_cut(a: Agency) -> None:
    pub = indexed(a, facts="经查，当事人销售过期月饼。")
    assert numbers(find("月饼 " + "x" * 5000)) == []  # all parts must match
    assert numbers(find("月饼" + " " * 5000 + "粽子")) == [pub.decision_number]  # cut at 200
    parsed = search.parse_query(" ".join(f"词{i}" for i in range(100)))
    assert len(parsed.words) == search.MAX_QUERY_PARTS


# --- Pages and counts -------------------------------------------------------------------------
def _many(a: Agency, n: int, facts: str = "经查，当事人销售过期月饼。") -> list[Publication]:
    today = TODAY()
    return [indexed(a, facts=facts, decision_date=today - dt.timedelta(days=2 + i))
            for i in range(n)]


def test_pagination_covers_every_match_once(a: Agency) -> None:
    pubs = _many(a, 23)
    seen: list[str] = []
    for page in (1, 2, 3):
        result = find("月饼", page=page, per_page=10)
        assert result.total == 23 and result.pages == 3 and result.page == page
        seen += numbers(result)
    assert len(seen) == 23 and set(seen) == {p.decision_number for p in pubs}
    assert find("月饼", page=4, per_page=10).items == []
    assert find("月饼", page=0, per_page=10).page == 1


def test_beyond_the_ranked_window_older_matches_follow(a: Agency, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    pubs = _many(a, 11)  # newest first
    seen: list[str] = []
    for page in (1, 2, 3, 4):
        result = find("月饼", page=page, per_page=3)
        assert result.total == 11 and result.total_is_estimate is False
        seen += numbers(result)
    assert seen == [p.decision_number for p in pubs]  # equal relevance: newest first
    assert len(set(seen)) == 11


def test_broad_queries_report_a_capped_estimate(a: Agency, monkeypatch: Any) -> None:
    monkeypatch.setattr(search, "RANK_WINDOW", 3)
    monkeypatch.setattr(search, "COUNT_CAP", 5)
    _many(a, 8)
    result = find("月饼", per_page=2)
    assert result.total == 5 and result.total_is_estimate is True
    assert len(result.items) == 2
    exact = find("月饼", per_page=2, category=Category.LICENSING)
    assert exact.total == 0 and exact.total_is_estimate is False
    listing = find("", per_page=2)
    assert listing.total == 5 and listing.total_is_estimate is True
    monkeypatch.setattr(search, "COUNT_CAP", 100)
    assert find("月饼").total == 8 and find("月饼").total_is_estimate is False


PG_PATHS = {
    "default": {},
    "small-steps": {"PG_SAMPLE_ROWS": 2, "PG_WALK_MAX_ROWS": 3, "PG_WINDOW_MAX_ROWS": 50,
                    "PG_WALK_MIN_DENSITY": 0.9, "PG_MIN_WINDOW_ROWS": 1,
                    "PG_UNBOUNDED_MATCHES": 0},
    "gin-first": {"expected": (0.0, 0.0)},
    "walk-then-windows": {"expected": (0.3, 0.3), "PG_SAMPLE_ROWS": 4, "PG_WALK_MAX_ROWS": 4,
                          "PG_WINDOW_MAX_ROWS": 50, "PG_WALK_MIN_DENSITY": 0.5,
                          "PG_MIN_WINDOW_ROWS": 1, "PG_UNBOUNDED_MATCHES": 0},
}
PG_CALLS = {"default": {"_walk"}, "small-steps": {"_walk", "_bound", "_window"},
            "gin-first": {"_window"}, "walk-then-windows": {"_walk", "_bound", "_window"}}


@pytest.mark.parametrize("path", list(PG_PATHS))
def test_walk_and_index_paths_agree(a: Agency, monkeypatch: Any, path: str) -> None:
    """PostgreSQL walks the newest rows while matches are dense and asks the GIN index, in
    windows, otherwise; small settings make every path run here (SQLite ignores them)."""
    monkeypatch.setattr(search, "RANK_WINDOW", 4)
    for name, value in PG_PATHS[path].items():
        if name == "expected":
            monkeypatch.setattr(search._Postgres, "_expected_density",
                                lambda self, value=value: value)
        else:
            monkeypatch.setattr(search, name, value)
    calls: set[str] = set()
    for method in ("_walk", "_bound", "_window"):
        original = getattr(search._Postgres, method)

        def spy(self: Any, *args: Any, _name: str = method, _original: Any = original) -> Any:
            calls.add(_name)
            return _original(self, *args)
        monkeypatch.setattr(search._Postgres, method, spy)
    today = TODAY()
    first = indexed(a, decision_date=today - dt.timedelta(days=2),
                    facts="经查，当事人销售过期粽子。")
    pubs = [first]
    for i in range(1, 40):
        food = "粽子" if i % 5 == 0 else "月饼"
        pubs.append(indexed(a, case=first.case, facts=f"经查，当事人销售过期{food}。",
                            decision_date=today - dt.timedelta(days=2 + i)))
    everyone = [p.decision_number for p in pubs]
    rare = everyone[::5]
    common = [n for n in everyone if n not in rare]
    result = find("粽子", per_page=10)
    assert numbers(result) == rare and result.total == 8
    result = find("月饼", per_page=40)
    assert numbers(result) == common and result.total == 32
    assert numbers(find("销售", per_page=5, page=3)) == everyone[10:15]
    paged = [n for page in range(1, 6) for n in numbers(find("粽子", per_page=2, page=page))]
    assert paged == rare
    assert find("月饼 粽子").total == 0
    dated = find("粽子", date_from=today - dt.timedelta(days=30),
                 date_to=today - dt.timedelta(days=10), per_page=10)
    assert numbers(dated) == [n for i, n in enumerate(everyone) if 8 <= i <= 28 and n in rare]
    if connection.vendor == "postgresql":
        assert calls == PG_CALLS[path]


def test_no_match_and_unknown_filters(a: Agency) -> None:
    indexed(a)
    assert find("不存在的词").items == []
    assert find("销售", body_id=999_999).total == 0
    assert find("销售", category="nothing").total == 0


@pytest.mark.django_db
def test_index_objects_exist_for_the_vendor() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE %s ORDER BY name",
                           [f"{search.FTS_TABLE}%"])
            names = {n for (n,) in cursor.fetchall()}
            assert {search.FTS_TABLE, f"{search.FTS_TABLE}_ai", f"{search.FTS_TABLE}_ad",
                    f"{search.FTS_TABLE}_au"} <= names
        else:
            cursor.execute("SELECT attgenerated FROM pg_attribute WHERE attname = 'tsv' AND "
                           "attrelid = 'disclosure_publicationsearch'::regclass")
            assert cursor.fetchone() == ("s",)
            cursor.execute("SELECT indexdef FROM pg_indexes "
                           "WHERE indexname = 'disclosure_search_tsv'")
            assert "gin (tsv)" in cursor.fetchone()[0]


def test_a_very_long_latin_run_is_cut_alike_when_stored_and_queried(a: Agency) -> None:
    """A pasted hash or URL in the facts becomes one token: it is cut at MAX_TOKEN_CHARS on
    both sides, so publishing never exceeds PostgreSQL's lexeme limit (2 KiB) and the run is
    still found by its text."""
    run = "x" * 5000
    pub = indexed(a, facts=f"经查，当事人网店页面显示{run}。")
    stored = PublicationSearch.objects.get(publication=pub).tokens.split()
    assert max(len(t) for t in stored) == search.MAX_TOKEN_CHARS
    assert numbers(find(run)) == [pub.decision_number]
    assert numbers(find("x" * 150)) == [pub.decision_number]


def test_the_reindex_command_rebuilds_a_lost_index(a: Agency) -> None:
    from io import StringIO

    from django.core.management import call_command

    pub = indexed(a, facts="经查，当事人销售过期酸奶。")
    PublicationSearch.objects.filter(publication=pub).delete()
    assert numbers(find("酸奶")) == []
    out = StringIO()
    call_command("disclosure", "reindex", "--json", stdout=out)
    assert out.getvalue() == '{"indexed": 1}\n'
    assert numbers(find("酸奶")) == [pub.decision_number]
