"""The demo province, loaded once for this module through ``zhifa demo load``."""

import datetime as dt
import re
from collections import Counter

from django.contrib.auth import authenticate
from django.db.models import Max
from django.test import RequestFactory
from django.utils import timezone, translation

from zhifa.catalog.models import (
    Article,
    BenchmarkTier,
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    LawVersion,
    LegalityReviewStatus,
    RandomInspectionItem,
    ReviewCatalogue,
    ServiceGuide,
)
from zhifa.catalog.selectors import article_in_force, hearing_threshold_for
from zhifa.core.validators import check_credit_code, check_id_number, id_number_birth_date
from zhifa.demo.data.accounts import DEMO_PASSWORD, LOGINS
from zhifa.demo.data.bodies import BODIES, DEPUTIES
from zhifa.demo.data.publicity import CLERK_LOGINS
from zhifa.demo.data.regions import COUNTIES_UNDER, SECTORS
from zhifa.demo.services import demo_load
from zhifa.orgs.models import (
    AccountRole,
    BodyKind,
    Certificate,
    CertificateStatus,
    CertificateStatusChange,
    Department,
    DepartmentKind,
    EnforcementBody,
    Person,
    PersonRole,
    Region,
    RoleKind,
    Sector,
    User,
)
from zhifa.orgs.selectors import certificate_validity, visible_bodies

# The demo's certificate dates are counted back from the day of loading.
TODAY = timezone.localdate()
# the printed logins: one per role, then the publicity clerks'
ALL = [*LOGINS, *CLERK_LOGINS]
APL = "administrative-penalty-law"


def test_one_province_two_cities_four_counties_with_real_codes(demo):
    assert dict(Region.objects.values_list("code", "name")) == {
        "430000": "湖南省", "430100": "长沙市", "430102": "芙蓉区", "430104": "岳麓区",
        "430300": "湘潭市", "430302": "雨湖区", "430381": "湘乡市",
    }
    assert Counter(Region.objects.values_list("level", flat=True)) == {
        "province": 1, "city": 2, "county": 4}
    assert Region.objects.get(code="430381").path == "/430000/430300/430381/"
    assert Region.objects.get(code="430104").parent.code == "430100"


def test_bodies_span_sectors_kinds_and_levels(demo):
    bodies = list(EnforcementBody.objects.select_related("legal_review_office", "sector",
                                                         "supervising_body"))
    assert len(bodies) == len(BODIES) == 24
    assert all(b.is_demo for b in bodies)
    assert {b.sector.code for b in bodies} == {s.code for s in SECTORS}
    assert Sector.objects.count() == 9
    assert {b.kind for b in bodies} == set(BodyKind.values)
    assert {b.level for b in bodies} == {"province", "city", "county"}
    for body in bodies:
        office = body.legal_review_office
        assert office is not None and office.body_id == body.pk
        assert office.kind == DepartmentKind.LEGAL_REVIEW
        assert Department.objects.filter(body=body, kind=DepartmentKind.HANDLING).count() >= 2
    entrusted = [b for b in bodies if b.kind == BodyKind.ENTRUSTED_ORGANISATION]
    assert all(b.supervising_body.kind == BodyKind.ADMINISTRATIVE_ORGAN for b in entrusted)
    assert sum(1 for b in bodies if b.supervising_body_id) == sum(
        1 for spec in BODIES if spec.supervisor) == 14
    justice = [b for b in bodies if b.is_supervisory]
    assert {b.name for b in justice} == {"湖南省司法厅", "长沙市司法局", "湘潭市司法局"}
    assert all(b.sector.code == "justice" for b in justice)


def test_every_credit_code_is_valid_and_carries_the_region(demo):
    for body in EnforcementBody.objects.select_related("region"):
        assert check_credit_code(body.credit_code) == body.credit_code
        assert body.credit_code[2:8] == body.region.code
        assert body.credit_code[:2] == ("11" if body.kind == BodyKind.ADMINISTRATIVE_ORGAN
                                        else "12")


def test_people_have_valid_id_numbers_and_realistic_data(demo):
    people = list(Person.objects.select_related("body__region"))
    # the staff of each body, the deputy heads who attend collective discussions, and the
    # publicity clerks
    assert len(people) == sum(sum(spec.staff) for spec in BODIES) + sum(
        DEPUTIES.values()) + len(CLERK_LOGINS) == 178
    assert len({p.name for p in people}) == len(people)
    for person in people:
        assert check_id_number(person.id_number, today=TODAY) == person.id_number
        assert person.id_number[:6] in COUNTIES_UNDER[person.body.region.code]
        assert 1965 <= id_number_birth_date(person.id_number).year <= 2000
        assert 2 <= len(person.name) <= 4
    kinds = Counter(PersonRole.objects.values_list("kind", flat=True))
    assert kinds == {"officer": 88, "auxiliary": 29, "reviewer": 25, "head": 27,
                     "supervisor": 9}
    reviewers = Person.objects.filter(roles__kind=RoleKind.REVIEWER)
    assert all(p.legal_qualification_number and p.legal_qualification_date for p in reviewers)
    assert not Person.objects.exclude(roles__kind=RoleKind.REVIEWER).exclude(
        legal_qualification_number="").exists()
    supervisors = Person.objects.filter(roles__kind=RoleKind.SUPERVISOR)
    assert all(p.body.is_supervisory for p in supervisors)


def test_certificates_for_officers_reviewers_and_heads_only(demo):
    holders = Person.objects.filter(
        roles__kind__in=[RoleKind.OFFICER, RoleKind.REVIEWER, RoleKind.HEAD])
    assert all(p.certificates.exists() for p in holders)
    assert not Certificate.objects.filter(
        person__roles__kind__in=[RoleKind.AUXILIARY, RoleKind.SUPERVISOR]).exists()
    certs = list(Certificate.objects.select_related("person__body").prefetch_related(
        "areas", "categories", "status_changes"))
    assert len(certs) == 144
    for cert in certs:
        assert cert.issuer == "湖南省人民政府"
        assert [a.pk for a in cert.areas.all()] == [cert.person.body.region_id]
        assert [c.pk for c in cert.categories.all()] == [cert.person.body.sector_id]
        assert cert.issue_date < cert.expiry_date
    statuses = Counter(c.status for c in certs)
    assert statuses == {"valid": 131, "expired": 8, "suspended": 4, "revoked": 1}
    for cert in certs:
        history = [c.to_status for c in cert.status_changes.all()]
        if cert.status == CertificateStatus.EXPIRED:
            assert history == ["expired"] and cert.expiry_date < TODAY
        elif cert.status == CertificateStatus.VALID:
            assert history in ([], ["suspended", "valid"]) and cert.expiry_date > TODAY
        else:
            assert history == [cert.status]
    assert sum(1 for c in certs if len(c.status_changes.all()) == 2) == 1
    for cert in certs:
        assert cert.issue_date <= TODAY
        for change in cert.status_changes.all():
            assert cert.issue_date <= change.effective_date <= TODAY
            if change.to_status == CertificateStatus.EXPIRED:
                assert change.effective_date == cert.expiry_date + dt.timedelta(days=1)
            else:
                assert change.effective_date <= cert.expiry_date
    # Three plain valid certificates run out 30 to 80 days after the load (expiry warning).
    year = TODAY + dt.timedelta(days=365)
    soon = sorted((c.expiry_date - TODAY).days for c in certs
                  if c.status == CertificateStatus.VALID and c.expiry_date < year)
    assert len(soon) == 3 and all(30 <= d <= 80 for d in soon)
    # Four holders of an expired certificate were issued a new one.
    renewed = Person.objects.filter(certificates__status=CertificateStatus.EXPIRED).filter(
        certificates__status=CertificateStatus.VALID)
    assert renewed.count() == 4


def _expected_item_count() -> int:
    from zhifa.demo.data.items import ITEMS

    return sum(
        1 for spec in BODIES for t in ITEMS.get(spec.sector, [])
        if spec.level in t.levels and (t.entrusted or spec.kind != "entrusted_organisation")
    )


def test_power_lists_cite_articles_in_force(demo):
    items = list(EnforcementItem.objects.prefetch_related("legal_basis__version__law"))
    assert len(items) == _expected_item_count() == 158
    categories = Counter(i.category for i in items)
    assert set(categories) == {"penalty", "coercion", "inspection", "licensing", "levy",
                               "confirmation"}
    assert categories["penalty"] == 104
    review = Counter(i.legality_review_status for i in items)
    assert review == {LegalityReviewStatus.PASSED: 141, LegalityReviewStatus.PENDING: 17}
    assert sum(i.is_publishable for i in items) == 141
    for item in items:
        assert re.fullmatch(r"\d{16}", item.code)
        basis = list(item.legal_basis.all())
        assert basis and item.basis_text.startswith("《")
        for article in basis:
            current = article_in_force(law_code=article.version.law.code,
                                       number=article.number, day=TODAY)
            assert current.pk == article.pk
            assert f"《{article.version.law.title}》" in item.basis_text
        assert item.reconsideration_body.endswith("人民政府")
        assert (item.reconsideration_days, item.litigation_months) == (60, 6)
        assert item.accepting_office.body_id == item.body_id == item.deciding_office.body_id
    penalty = next(i for i in items if i.category == "penalty")
    assert (penalty.time_limit, penalty.time_limit_unit) == (90, "calendar_day")
    assert ServiceGuide.objects.count() == categories["licensing"]
    assert RandomInspectionItem.objects.count() == 27
    assert not RandomInspectionItem.objects.filter(body__level="province").exists()


def test_summaries_are_marked_and_quotes_are_plain(demo):
    texts = list(Article.objects.values_list("text", flat=True))
    assert len(texts) == 112
    quoted = [t for t in texts if not t.startswith("【摘要】")]
    assert quoted and all("【摘要】" not in t for t in quoted)
    planning_67 = article_in_force(law_code="urban-rural-planning-law", number=67, day=TODAY)
    assert planning_67.label == "第六十七条"
    assert "处一万元以上五万元以下的罚款" in planning_67.text


def test_benchmarks_stay_within_the_statutory_range(demo):
    benchmarks = list(DiscretionBenchmark.objects.prefetch_related("tiers"))
    assert len(benchmarks) == 22
    assert len({b.violation for b in benchmarks}) == 22
    for benchmark in benchmarks:
        tiers = {t.tier: t for t in benchmark.tiers.all()}
        assert {"lighter", "ordinary", "heavier"} <= set(tiers)
        assert benchmark.penalty_articles.exists() and "演示" in benchmark.source_document
        for name in ("lighter", "ordinary", "heavier"):
            if tiers[name].min_value is not None:
                assert benchmark.statutory_min <= tiers[name].min_value
                assert tiers[name].max_value <= benchmark.statutory_max
        if "mitigated" in tiers:
            assert tiers["mitigated"].max_value < benchmark.statutory_min
    tier_names = Counter(BenchmarkTier.objects.values_list("tier", flat=True))
    assert tier_names["no_penalty"] == 5 and tier_names["mitigated"] == 3
    planning = DiscretionBenchmark.objects.get(code="natural_resources-001")
    assert [(t.tier, t.min_value, t.max_value) for t in planning.tiers.all()] == [
        ("lighter", 1_000_000, 2_000_000), ("ordinary", 2_100_000, 4_000_000),
        ("heavier", 4_100_000, 5_000_000)]
    assert [a.number for a in planning.penalty_articles.all()] == [67]


TIER_ORDER = ["no_penalty", "mitigated", "lighter", "ordinary", "heavier"]


def test_benchmark_tiers_are_ordered_and_never_overlap(demo):
    """Checked here independently of the catalogue's own validation: tiers come in the order
    no penalty, mitigated, lighter, ordinary, heavier; an amount belongs to one tier at most
    (not even a shared endpoint); mitigation stays below the statutory minimum, every other
    tier within the statutory range; a tier that fines fines something."""
    checked = 0
    for benchmark in DiscretionBenchmark.objects.prefetch_related("tiers"):
        tiers = list(benchmark.tiers.all())
        positions = [TIER_ORDER.index(t.tier) for t in tiers]
        assert positions == sorted(set(positions)), benchmark.code
        previous_max = None
        for tier in tiers:
            low, high = tier.min_value, tier.max_value
            assert (low is None) == (high is None), (benchmark.code, tier.tier)
            if tier.tier == "no_penalty":
                assert (low, tier.penalty_kinds) == (None, []), benchmark.code
                continue
            if low is None:
                # Only the other penalties the law prescribes, without a fine.
                assert tier.penalty_kinds and "fine" not in tier.penalty_kinds, benchmark.code
                continue
            assert "fine" in tier.penalty_kinds and 0 < low <= high, (benchmark.code, tier.tier)
            if previous_max is not None:
                assert previous_max < low, (benchmark.code, tier.tier)
            previous_max = high
            if tier.tier == "mitigated":
                assert high < benchmark.statutory_min, benchmark.code
            else:
                assert benchmark.statutory_min <= low and high <= benchmark.statutory_max
            checked += 1
    assert checked == 22 * 3 + 3 - 1  # three fining tiers each, mitigated ones, one warning


def test_mandatory_confiscation_is_in_every_tier(demo):
    # 产品质量法 art. 50: the products are confiscated, and the illegal gains, in every case.
    product = DiscretionBenchmark.objects.get(code="market-005")
    tiers = list(product.tiers.all())
    assert [t.tier for t in tiers] == ["lighter", "ordinary", "heavier"]
    for tier in tiers:
        assert {"fine", "confiscate_property", "confiscate_gains"} <= set(tier.penalty_kinds)
    assert "revoke_licence" in tiers[-1].penalty_kinds
    assert not {"revoke_licence"} & set(tiers[0].penalty_kinds + tiers[1].penalty_kinds)
    # 大气污染防治法 art. 118(3): barbecue tools and gains are confiscated with any fine.
    barbecue = DiscretionBenchmark.objects.get(code="urban-002")
    for tier in barbecue.tiers.exclude(tier="no_penalty"):
        assert "confiscate_property" in tier.penalty_kinds


def test_every_body_has_a_review_catalogue(demo):
    catalogues = list(ReviewCatalogue.objects.prefetch_related("thresholds",
                                                               "category_triggers"))
    assert sorted(c.body_id for c in catalogues) == sorted(
        EnforcementBody.objects.values_list("pk", flat=True))
    comparators = set()
    for catalogue in catalogues:
        triggers = {t.trigger for t in catalogue.category_triggers.all()}
        assert catalogue.thresholds.exists() or "all_general_procedure" in triggers
        comparators |= {t.comparator for t in catalogue.thresholds.all()}
    assert comparators == {"gt", "gte"}
    market = ReviewCatalogue.objects.get(body__name="长沙市芙蓉区市场监督管理局")
    assert sorted(market.thresholds.values_list("party_type", "amount_fen", "comparator")) == [
        ("individual_business", 1_000_000, "gt"), ("natural_person", 1_000_000, "gt"),
        ("organisation", 10_000_000, "gt")]


def test_hearing_thresholds_for_the_province(demo):
    county = Region.objects.get(code="430102")
    market, ecology = Sector.objects.get(code="market"), Sector.objects.get(code="ecology")
    assert HearingThreshold.objects.count() == 4

    def amount(sector, party):  # type: ignore[no-untyped-def]
        return hearing_threshold_for(region_path=county.path, sector_id=sector.pk,
                                     party_type=party, day=TODAY).amount_fen

    assert amount(market, "natural_person") == 1_000_000
    assert amount(market, "organisation") == 10_000_000
    assert amount(market, "individual_business") == 1_000_000
    assert amount(ecology, "natural_person") == 100_000
    assert amount(ecology, "organisation") == 2_000_000


def test_article_in_force_differs_between_the_two_penalty_law_versions(demo):
    old = article_in_force(law_code=APL, number=33, day=dt.date(2021, 7, 14))
    new = article_in_force(law_code=APL, number=33, day=dt.date(2021, 7, 15))
    assert old.pk != new.pk and old.text != new.text
    assert old.text.startswith("违法事实确凿并有法定依据，对公民处以五十元以下")
    assert new.text.startswith("违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。")
    assert old.version.effective_to == dt.date(2021, 7, 15)
    assert new.version.effective_to is None
    assert old.version.label == "2017年修正"
    assert old.text.endswith("当事人应当依照本法第四十六条、第四十七条、第四十八条的规定履行"
                             "行政处罚决定。")
    assert article_in_force(law_code=APL, number=33, day=dt.date(2000, 1, 1)).text == old.text
    assert LawVersion.objects.filter(law__code=APL).count() == 4
    # The summary procedure moved from art. 33 to art. 51 with higher amounts.
    assert "二百元以下" in article_in_force(law_code=APL, number=51, day=TODAY).text


def test_validity_of_an_expired_and_a_suspended_certificate(demo):
    expired = Certificate.objects.filter(status=CertificateStatus.EXPIRED).order_by(
        "number").first()
    body = expired.person.body
    last_day = certificate_validity(expired, day=expired.expiry_date, region=body.region,
                                    sector=body.sector)
    assert (last_day.valid, last_day.reasons) == (True, [])
    after = certificate_validity(expired, day=expired.expiry_date + dt.timedelta(days=1),
                                 region=body.region, sector=body.sector)
    assert (after.valid, after.status, after.reasons) == (False, "expired", ["expired"])

    # Below the province, so that some region lies outside the certificate's area.
    suspended = Certificate.objects.filter(status=CertificateStatus.SUSPENDED).exclude(
        person__body__level="province").order_by("number").first()
    body = suspended.person.body
    change = CertificateStatusChange.objects.get(certificate=suspended)
    before = certificate_validity(suspended, day=change.effective_date - dt.timedelta(days=1),
                                  region=body.region, sector=body.sector)
    assert (before.valid, before.status) == (True, "valid")
    on = certificate_validity(suspended, day=change.effective_date, region=body.region,
                              sector=body.sector)
    assert (on.valid, on.reasons) == (False, ["suspended"])
    elsewhere = Region.objects.exclude(path__startswith=body.region.path).first()
    assert elsewhere is not None
    outside = certificate_validity(suspended, day=change.effective_date - dt.timedelta(days=1),
                                   region=elsewhere)
    assert outside.reasons == ["area_not_covered"]


def _snapshot() -> dict[str, object]:
    models = [Region, Sector, EnforcementBody, Department, Person, PersonRole, Certificate,
              CertificateStatusChange, User, LawVersion, Article, EnforcementItem,
              RandomInspectionItem, ServiceGuide, DiscretionBenchmark, BenchmarkTier,
              ReviewCatalogue, HearingThreshold]
    snap: dict[str, object] = {m.__name__: m.objects.count() for m in models}
    for model in (Region, EnforcementBody, Person, Certificate, EnforcementItem,
                  DiscretionBenchmark, ReviewCatalogue):
        snap[f"{model.__name__}.updated"] = model.objects.aggregate(m=Max("updated_at"))["m"]
    snap["users"] = sorted(User.objects.values_list("username", "password", "last_login"))
    snap["body"] = EnforcementBody.objects.values("updated_at", "legal_review_office").get(
        name="长沙市芙蓉区市场监督管理局")
    return snap


def test_second_load_changes_nothing(demo):
    before = _snapshot()
    result = demo_load()
    assert result.created is False
    assert [login.username for login in result.logins] == [login.username for login in ALL]
    assert _snapshot() == before


def _printed_logins(output: str) -> list[list[str]]:
    lines = output.splitlines()
    start = next(i for i, line in enumerate(lines) if "用户名" in line)
    rows = []
    for line in lines[start + 1:]:
        if not line.strip():
            break
        rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def test_printed_logins_authenticate_with_their_role(demo):
    assert "http://127.0.0.1:8000/" in demo
    rows = _printed_logins(demo)
    assert [r[1] for r in rows] == [login.username for login in ALL]
    for (role_label, username, password, person_name, body_name), login in zip(
            rows, ALL, strict=True):
        assert password == DEMO_PASSWORD
        request = RequestFactory().post("/")
        assert authenticate(request, username=username, password=password) is not None
        user = User.objects.select_related("person__body").get(username=username)
        assert user.roles == [login.role]
        assert role_label == AccountRole(login.role).label
        if login.body is None:
            assert user.person is None and user.is_staff and user.is_superuser
            assert (person_name, body_name) == ("—", "—")
        else:
            assert (person_name, body_name) == (user.person.name, user.person.body.name)
            assert not user.is_staff
    officer = User.objects.get(username="officer").person
    cert = officer.certificates.get()
    assert certificate_validity(cert, day=TODAY, region=officer.body.region,
                                sector=officer.body.sector).valid
    supervisor = User.objects.get(username="supervisor")
    assert set(visible_bodies(supervisor).values_list("name", flat=True)) == set(
        EnforcementBody.objects.filter(region__path__startswith="/430000/430100/")
        .values_list("name", flat=True))
    assert visible_bodies(supervisor).count() == 11


def test_every_law_version_names_its_adopting_organ(demo):
    versions = list(LawVersion.objects.select_related("law").order_by("law__code",
                                                                       "effective_from"))
    assert len(versions) == 31
    for version in versions:
        assert version.issuer.strip() == version.issuer != ""
        if version.law.level == "law":
            assert version.issuer in {"全国人民代表大会", "全国人民代表大会常务委员会"}
        else:
            assert version.issuer == "国务院"
    penalty = [(v.label, v.issuer, v.effective_from) for v in versions if v.law.code == APL]
    assert penalty == [
        ("1996年公布", "全国人民代表大会", dt.date(1996, 10, 1)),
        ("2009年修正", "全国人民代表大会常务委员会", dt.date(2009, 8, 27)),
        ("2017年修正", "全国人民代表大会常务委员会", dt.date(2018, 1, 1)),
        ("2021年修订", "全国人民代表大会常务委员会", dt.date(2021, 7, 15)),
    ]


def test_earlier_versions_answer_basis_lookups_for_earlier_dates(demo):
    licensing = "administrative-licensing-law"
    old = article_in_force(law_code=licensing, number=42, day=dt.date(2010, 5, 1))
    assert old.version.label == "2003年公布"
    assert article_in_force(law_code=licensing, number=42, day=TODAY).version.label == (
        "2019年修正")
    food = "food-safety-law"
    before = article_in_force(law_code=food, number=122, day=dt.date(2017, 6, 1))
    assert before.version.label == "2015年修订"
    assert "食品药品监督管理部门" in before.text
    now = article_in_force(law_code=food, number=122, day=TODAY)
    assert now.version.label == "2021年修正" and "食品安全监督管理部门" in now.text
    # The 2021 amendment freed sellers of prepackaged food only from licensing (art. 35).
    assert "仅销售预包装食品" not in article_in_force(law_code=food, number=35,
                                                  day=dt.date(2021, 4, 28)).text
    assert "仅销售预包装食品" in article_in_force(law_code=food, number=35, day=TODAY).text


def test_entrusted_bodies_hold_no_coercion_or_licensing_items(demo):
    entrusted = EnforcementItem.objects.filter(body__kind=BodyKind.ENTRUSTED_ORGANISATION)
    # 行政强制法 art. 17: coercive measures cannot be entrusted.
    assert set(entrusted.values_list("category", flat=True)) == {"penalty", "inspection"}
    assert entrusted.count() == 7
    coercion = EnforcementItem.objects.filter(category="coercion")
    assert coercion.exists()
    assert set(coercion.values_list("body__kind", flat=True)) == {
        BodyKind.ADMINISTRATIVE_ORGAN}


def test_law_firm_licence_follows_the_lawyers_law_time_limits(demo):
    items = list(EnforcementItem.objects.filter(name="律师事务所设立许可")
                 .prefetch_related("legal_basis__version__law"))
    assert [i.body.name for i in items] == ["湖南省司法厅"]
    item = items[0]
    # 律师法 art. 18: 20 days at the city bureau and 10 at the province.
    assert (item.time_limit, item.time_limit_unit) == (30, "calendar_day")
    assert [(a.version.law.code, a.number) for a in item.legal_basis.all()] == [
        ("lawyers-law", 18)]
    assert item.basis_text == "《中华人民共和国律师法》第十八条"


def _role_labels() -> set[str]:
    labels = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            labels |= {str(label) for label in RoleKind.labels}
            labels |= {str(label) for label in AccountRole.labels}
    return labels


def test_posts_are_real_posts_not_role_names(demo):
    labels = _role_labels()
    assert {"执法人员", "法制审核人员", "Enforcement officer"} <= labels
    people = list(Person.objects.select_related("department", "body"))
    for person in people:
        assert person.post and person.post not in labels, person.post
        assert re.fullmatch(r".*(长|主任|科员|调研员)|协管员", person.post), person.post
    # One chief per department; the head leads the body.
    chiefs = Counter((p.department_id, p.post) for p in people
                     if re.fullmatch(r"[^副].*(长|主任)", p.post))
    assert max(chiefs.values()) == 1
    heads = Person.objects.filter(roles__kind=RoleKind.HEAD)
    assert {p.post for p in heads} == {"厅长", "局长", "分局局长", "主任", "大队长", "副局长",
                                       "副分局局长"}
    assert set(Person.objects.filter(roles__kind=RoleKind.AUXILIARY)
               .values_list("post", flat=True)) == {"协管员"}
    reviewer = User.objects.get(username="reviewer").person
    assert reviewer.post == "法制审核科科长"
