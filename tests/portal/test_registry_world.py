"""The registry and catalogues a public visitor sees, with every kind of row that must NOT be
shown beside the ones that must: an inactive body, a person who left, an auxiliary without a
certificate, certificates suspended, revoked, expired and not yet issued, items unreviewed,
failed, superseded, repealed or not yet in force, and their inspection-item and benchmark
counterparts. Dates are relative to today (local China date).

Shared by the portal's registry tests (``test_registry*.py``, ``test_certificate_lookup.py``,
``test_before_enforcement*.py``); it holds no test itself."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils import timezone

from tests.factories import body, certificate, item, law_version, person, regions, sector
from zhifa.catalog.models import (
    DiscretionBenchmark,
    EnforcementItem,
    RandomInspectionItem,
    ServiceGuide,
)
from zhifa.catalog.services import (
    TierIn,
    benchmark_create,
    inspection_item_create,
    item_record_legality_review,
    service_guide_create,
)
from zhifa.orgs.models import (
    BodyStatus,
    Certificate,
    Department,
    DepartmentKind,
    EnforcementBody,
    Person,
    PersonStatus,
    RoleKind,
)
from zhifa.orgs.services import certificate_status_change


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


def reviewed(it: EnforcementItem, *, on: dt.date | None = None,
             passed: bool = True) -> EnforcementItem:
    return item_record_legality_review(actor=None, item=it, passed=passed,
                                       reviewed_on=on or days(-60))


def end_version(obj: object, on: dt.date) -> None:
    """Close a version without a successor (a repeal)."""
    type(obj).objects.filter(pk=obj.pk).update(effective_to=on)  # type: ignore[attr-defined]
    obj.effective_to = on  # type: ignore[attr-defined]


@dataclass
class RegWorld:
    body_a: EnforcementBody
    body_b: EnforcementBody
    body_gone: EnforcementBody
    dept: Department
    # people and certificates
    valid: Certificate
    suspended: Certificate
    revoked: Certificate
    expired: Certificate
    not_yet: Certificate
    left: Certificate
    gone: Certificate
    auxiliary: Person
    # items
    item_ok: EnforcementItem
    item_licensing: EnforcementItem
    item_b: EnforcementItem
    item_v1: EnforcementItem
    item_v2: EnforcementItem
    item_pending: EnforcementItem
    item_failed: EnforcementItem
    item_repealed: EnforcementItem
    item_future: EnforcementItem
    item_gone: EnforcementItem
    guide: ServiceGuide
    # inspections and benchmarks
    insp_ok: RandomInspectionItem
    insp_old: RandomInspectionItem
    insp_new: RandomInspectionItem
    insp_gone: RandomInspectionItem
    bm_ok: DiscretionBenchmark
    bm_v1: DiscretionBenchmark
    bm_v2: DiscretionBenchmark
    bm_ended: DiscretionBenchmark
    people: list[Person] = field(default_factory=list)

    @property
    def shown_certs(self) -> set[str]:
        return {c.number for c in (self.valid, self.suspended, self.revoked, self.expired)}

    @property
    def hidden_certs(self) -> set[str]:
        return {c.number for c in (self.not_yet, self.left, self.gone)}


def registry_world() -> RegWorld:
    r = regions()
    market = sector()
    env = sector("environment", "生态环境")
    body_a = body(r["county"], market, name="芙蓉区市场监督管理局",
                  address="长沙市芙蓉区五一大道100号", phone="0731-84110000")
    body_b = body(r["other_county"], env, name="株洲市生态环境局荷塘分局")
    body_gone = body(r["county"], market, name="芙蓉区原工商行政管理局",
                     status=BodyStatus.DISSOLVED)
    dept = Department.objects.create(body=body_a, name="行政审批科",
                                     kind=DepartmentKind.HANDLING)
    areas, cats = [r["county"]], [market]

    def holder(b: EnforcementBody, name: str, phone: str, **kwargs: object) -> Person:
        return person(b, name, phone=phone, **kwargs)

    p_valid = holder(body_a, "李明", "13800001111")
    p_susp = holder(body_a, "赵强", "13800002222")
    p_rev = holder(body_b, "陈静", "13800003333")
    p_exp = holder(body_a, "孙伟", "13800004444")
    p_future = holder(body_a, "刘洋", "13800005555")
    p_left = holder(body_a, "吴刚", "13800006666", status=PersonStatus.LEFT)
    p_gone = holder(body_gone, "周敏", "13800007777")
    p_aux = holder(body_a, "王芳", "13800008888", roles=(RoleKind.AUXILIARY,))

    long_ago, later = days(-800), days(800)
    valid = certificate(p_valid, areas, cats, issue=long_ago, expiry=later, number="43010200001")
    suspended = certificate(p_susp, areas, cats, issue=long_ago, expiry=later,
                            number="43010200002")
    certificate_status_change(actor=None, certificate=suspended, to_status="suspended",
                              effective_date=days(-5), reason="涉嫌违纪，暂扣执法证")
    revoked = certificate(p_rev, [r["other_county"]], [env], issue=long_ago, expiry=later,
                          number="43020200003")
    certificate_status_change(actor=None, certificate=revoked, to_status="revoked",
                              effective_date=days(-10), reason="调离执法岗位")
    expired = certificate(p_exp, areas, cats, issue=days(-1000), expiry=days(-1),
                          number="43010200004")
    not_yet = certificate(p_future, areas, cats, issue=days(10), expiry=later,
                          number="43010200005")
    left = certificate(p_left, areas, cats, issue=long_ago, expiry=later, number="43010200006")
    gone = certificate(p_gone, areas, cats, issue=long_ago, expiry=later, number="43010200007")

    apl = law_version(effective_from=dt.date(2021, 7, 15), articles=(
        (57, "第五十七条",
         "调查终结，行政机关负责人应当对调查结果进行审查，根据不同情况，分别作出决定。"),
    ))
    article = apl.articles.get()
    start = days(-100)
    item_ok = reviewed(item(
        body_a, code="PEN-001", name="对销售不合格产品的行政处罚", effective_from=start,
        legal_basis=[article], basis_text="《中华人民共和国产品质量法》第五十条",
        accepting_office=dept, deciding_office=dept, time_limit=90,
        time_limit_unit="calendar_day", reconsideration_body="长沙市芙蓉区人民政府",
        litigation_court="长沙市芙蓉区人民法院"))
    item_licensing = reviewed(item(
        body_a, code="LIC-001", name="食品经营许可", category="licensing",
        procedure_type="licensing", effective_from=start, time_limit=20,
        time_limit_unit="working_day"))
    guide = service_guide_create(
        actor=None, item=item_licensing, conditions="具有与经营的食品品种相适应的经营场所",
        materials="食品经营许可申请书；营业执照复印件", process="申请—受理—审查—决定",
        time_limit_text="20个工作日", effective_from=start, location="芙蓉区政务服务中心3号窗口",
        phone="0731-84119999")
    item_b = reviewed(item(body_b, code="ENV-001", name="对超标排放污染物的行政处罚",
                           effective_from=start))
    item_v1 = reviewed(item(body_a, code="PEN-002", name="对虚假宣传的行政处罚（旧）",
                            effective_from=days(-200)), on=days(-190))
    item_v2 = reviewed(item(body_a, code="PEN-002", name="对虚假宣传的行政处罚",
                            effective_from=days(-30)), on=days(-30))
    item_v1.refresh_from_db()
    item_pending = item(body_a, code="PEN-003", name="对无照经营的行政处罚（待审核）",
                        effective_from=start)
    item_failed = reviewed(item(body_a, code="PEN-004", name="对擅自变更标识的行政处罚（未通过）",
                                effective_from=start), passed=False)
    item_repealed = reviewed(item(body_a, code="PEN-005", name="对已废止事项的行政处罚",
                                  effective_from=days(-300)), on=days(-290))
    end_version(item_repealed, days(-20))
    item_future = reviewed(item(body_a, code="PEN-006", name="对将来事项的行政处罚",
                                effective_from=days(10)), on=days(-1))
    item_gone = reviewed(item(body_gone, code="OLD-001", name="对已撤销机关事项的行政处罚",
                              effective_from=start))

    def inspection(b: EnforcementBody, code: str, name: str, on: dt.date,
                   **kw: object) -> RandomInspectionItem:
        return inspection_item_create(
            actor=None, body=b, code=code, name=name, inspection_objects="食品经营者",
            method="现场检查", effective_from=on, basis_text="《食品安全法》第一百一十条",
            ratio_percent=5, frequency="每年一次", **kw)  # type: ignore[arg-type]

    insp_ok = inspection(body_a, "INSP-001", "食品经营者监督检查", start)
    insp_old = inspection(body_a, "INSP-002", "广告发布抽查（旧）", days(-200))
    insp_new = inspection(body_a, "INSP-002", "广告发布抽查", days(-15))
    insp_old.refresh_from_db()
    insp_gone = inspection(body_gone, "INSP-009", "已撤销机关的抽查", start)

    def bm(code: str, violation: str, on: dt.date) -> DiscretionBenchmark:
        return benchmark_create(
            actor=None, code=code, violation=violation, sector=market, region=r["city"],
            violated_text="《产品质量法》第三十九条", penalty_text="《产品质量法》第五十条",
            source_document="长市监规〔2024〕1号", effective_from=on,
            statutory_min=500_000, statutory_max=5_000_000, tiers=(
                TierIn(tier="lighter", conditions="初次违法且及时改正", min_value=500_000,
                       max_value=1_500_000, penalty_kinds=["fine"]),
                TierIn(tier="ordinary", conditions="一般情形", min_value=1_500_001,
                       max_value=3_500_000, penalty_kinds=["fine"]),
                TierIn(tier="heavier", conditions="造成严重后果", min_value=3_500_001,
                       max_value=5_000_000, penalty_kinds=["fine", "revoke_licence"]),
            ))

    bm_ok = bm("BM-001", "销售不合格产品", start)
    bm_v1 = bm("BM-002", "掺杂掺假（旧）", days(-200))
    bm_v2 = bm("BM-002", "生产者掺杂掺假", days(-40))
    bm_v1.refresh_from_db()
    bm_ended = bm("BM-003", "已废止基准的违法行为", days(-300))
    end_version(bm_ended, days(-25))

    return RegWorld(
        body_a=body_a, body_b=body_b, body_gone=body_gone, dept=dept, valid=valid,
        suspended=suspended, revoked=revoked, expired=expired, not_yet=not_yet, left=left,
        gone=gone, auxiliary=p_aux, item_ok=item_ok, item_licensing=item_licensing,
        item_b=item_b, item_v1=item_v1, item_v2=item_v2, item_pending=item_pending,
        item_failed=item_failed, item_repealed=item_repealed, item_future=item_future,
        item_gone=item_gone, guide=guide, insp_ok=insp_ok, insp_old=insp_old,
        insp_new=insp_new, insp_gone=insp_gone, bm_ok=bm_ok, bm_v1=bm_v1, bm_v2=bm_v2,
        bm_ended=bm_ended,
        people=[p_valid, p_susp, p_rev, p_exp, p_future, p_left, p_gone, p_aux],
    )


def attr_values(html: str, name: str) -> list[str]:
    """The values of ``data-<name>`` attributes, in page order."""
    return re.findall(rf'data-{name}="([^"]*)"', html)


def pairs(html: str, first: str, second: str) -> dict[str, str]:
    """``data-<first>`` → ``data-<second>`` of the elements carrying both (in that order)."""
    return dict(re.findall(rf'data-{first}="([^"]*)"[^>]*?data-{second}="([^"]*)"', html))
