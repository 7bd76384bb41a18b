"""Regions, sectors, bodies and departments: each change writes one ledger entry in its own
transaction, with the event code, stream, body, actor and payload of ``orgs.events``; a
refused change writes none, and a call that changes nothing writes none."""

import json
import string
from typing import Any

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Department, EnforcementBody, Region, Sector
from zhifa.orgs.services import (
    body_create,
    body_update,
    department_create,
    department_update,
    region_upsert,
    sector_ensure,
    sector_update,
)

pytestmark = pytest.mark.django_db


def entries(since: int = 0) -> list[tuple[Any, ...]]:
    """The entries from leaf ``since`` on (the factories' regions write theirs first); each
    template's fields are in its payload."""
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


@pytest.fixture
def sysadmin():  # type: ignore[no-untyped-def]
    return f.user(None, roles=(AccountRole.SYSTEM_ADMIN,), username="root")


# --- Regions ----------------------------------------------------------------------------------
def test_region_created_then_changed_then_unchanged(sysadmin) -> None:  # type: ignore[no-untyped-def]
    province = region_upsert(code="430000", name="湖南省")
    region_upsert(code="430100", name="长沙", parent=province, actor=sysadmin)
    region_upsert(code="430100", name="长沙市", parent=province, actor=sysadmin)
    region_upsert(code="430100", name="长沙市", parent=province)  # nothing changes
    assert entries() == [
        (1000, "orgs", None, None,
         {"code": "430000", "name": "湖南省", "level": "province", "parent": None}),
        (1000, "orgs", None, sysadmin.pk,
         {"code": "430100", "name": "长沙", "level": "city", "parent": "430000"}),
        (1001, "orgs", None, sysadmin.pk,
         {"code": "430100", "name": "长沙市", "changes": {"name": ["长沙", "长沙市"]}}),
    ]


def test_refused_regions_write_nothing() -> None:
    province = region_upsert(code="430000", name="湖南省")
    officer = f.user(f.person(f.body(province), "李明"))
    before = (entries(), list(Region.objects.values_list("code", "name")))
    with pytest.raises(InvalidInput):
        region_upsert(code="440100", name="广州市", parent=province)
    with pytest.raises(InvalidInput):
        region_upsert(code="43010", name="错误")
    with pytest.raises(PermissionDenied):
        region_upsert(code="430100", name="长沙市", parent=province, actor=officer)
    assert (entries(), list(Region.objects.values_list("code", "name"))) == before


# --- Sectors ----------------------------------------------------------------------------------
def test_sector_ensure_and_update(sysadmin) -> None:  # type: ignore[no-untyped-def]
    sector = sector_ensure(code="market", name="市场监管", sort_order=1)
    sector_ensure(code="market", name="另一个名称")  # kept unchanged: no entry
    sector_update(actor=sysadmin, sector=sector, name="市场监督管理", sort_order=1)
    sector_update(actor=sysadmin, sector=sector, name="市场监督管理", sort_order=1)
    assert entries() == [
        (1010, "orgs", None, None, {"code": "market", "name": "市场监管", "sort_order": 1}),
        (1011, "orgs", None, sysadmin.pk,
         {"code": "market", "name": "市场监督管理",
          "changes": {"name": ["市场监管", "市场监督管理"]}}),
    ]
    assert Sector.objects.get().name == "市场监督管理"


def test_refused_sector_update_writes_nothing(sysadmin) -> None:  # type: ignore[no-untyped-def]
    sector = f.sector()
    with pytest.raises(InvalidInput) as exc:
        sector_update(actor=sysadmin, sector=sector, name="  ", sort_order=2)
    assert exc.value.code == "name_required"
    assert entries() == []
    assert list(Sector.objects.values_list("name", "sort_order")) == [("市场监管", 0)]


# --- Bodies -----------------------------------------------------------------------------------
def _body(sysadmin: Any, **overrides: Any) -> EnforcementBody:
    r = f.regions()
    data: dict[str, Any] = {
        "name": " 芙蓉区市场监督管理局 ", "credit_code": f.credit_code("430102"),
        "kind": "administrative_organ", "level": "county", "region": r["county"],
        "sector": f.sector(), "short_name": "芙市监", "address": "芙蓉中路1号",
        "phone": "0731-84000000",
    }
    data.update(overrides)
    return body_create(actor=sysadmin, **data)


def test_body_created(sysadmin) -> None:  # type: ignore[no-untyped-def]
    bureau = f.body(f.regions()["city"], f.sector("justice", "司法行政"), name="长沙市司法局")
    start = mark()
    body = _body(sysadmin, supervising_body=bureau)
    assert entries(start) == [(1020, "orgs", body.pk, sysadmin.pk, {
        "body": str(body.public_id), "name": "芙蓉区市场监督管理局", "short_name": "芙市监",
        "credit_code": body.credit_code, "kind": "administrative_organ", "level": "county",
        "region": "430102", "sector": "market", "supervising_body": bureau.credit_code,
        "legal_review_office": None, "is_supervisory": False, "address": "芙蓉中路1号",
        "phone": "0731-84000000", "status": "active", "is_demo": False,
    })]


def test_refused_body_create_writes_nothing(sysadmin) -> None:  # type: ignore[no-untyped-def]
    existing = f.body(f.regions()["county"])
    start = mark()
    with pytest.raises(InvalidInput) as exc:
        _body(sysadmin, credit_code=existing.credit_code)
    assert exc.value.code == "body_duplicate"
    officer = f.user(f.person(existing))
    start = mark()
    with pytest.raises(PermissionDenied):
        _body(officer)
    assert entries(start) == []
    assert EnforcementBody.objects.count() == 1


def test_body_updated_with_its_changes(sysadmin) -> None:  # type: ignore[no-untyped-def]
    body = _body(sysadmin)
    office = Department.objects.create(body=body, name="法制科", kind="legal_review")
    city = Region.objects.get(code="430100")
    first = mark()
    body_update(actor=sysadmin, body=body, name="长沙市芙蓉区市场监督管理局", region=city,
                status="suspended", legal_review_office=office, phone="0731-84000000")
    body_update(actor=sysadmin, body=body, name="长沙市芙蓉区市场监督管理局")  # unchanged
    assert entries(first) == [(1021, "orgs", body.pk, sysadmin.pk, {
        "body": str(body.public_id), "name": "长沙市芙蓉区市场监督管理局",
        "credit_code": body.credit_code, "changes": {
            "name": ["芙蓉区市场监督管理局", "长沙市芙蓉区市场监督管理局"],
            "region": ["430102", "430100"], "legal_review_office": [None, "法制科"],
            "status": ["active", "suspended"],
        },
    })]
    body.refresh_from_db()
    assert (body.name, body.region_id, body.status, body.legal_review_office_id) == (
        "长沙市芙蓉区市场监督管理局", city.pk, "suspended", office.pk)


def test_refused_body_updates_change_nothing(sysadmin) -> None:  # type: ignore[no-untyped-def]
    body = _body(sysadmin)
    other = f.body(f.regions()["other_county"])
    foreign = Department.objects.create(body=other, name="外局法制科", kind="legal_review")
    officer = f.user(f.person(body))
    snapshot = (entries(), list(EnforcementBody.objects.order_by("pk").values()))
    refusals = [
        ({"supervising_body": body}, "body_supervises_itself"),
        ({"legal_review_office": foreign}, "department_other_body"),
        ({"credit_code": other.credit_code}, "body_duplicate"),
        ({"name": " "}, "name_required"),
        ({"status": "closed"}, "status_unknown"),
    ]
    for fields, code in refusals:
        with pytest.raises(InvalidInput) as exc:
            body_update(actor=sysadmin, body=body, **{"name": "新名称", **fields})
        assert exc.value.code == code
    with pytest.raises(PermissionDenied):
        body_update(actor=officer, body=body, name="新名称")
    assert (entries(), list(EnforcementBody.objects.order_by("pk").values())) == snapshot


# --- Departments ------------------------------------------------------------------------------
def test_departments_created_and_changed(sysadmin) -> None:  # type: ignore[no-untyped-def]
    body = f.body(f.regions()["county"])
    admin = f.user(f.person(body, "王芳", roles=("head",)), roles=(AccountRole.BODY_ADMIN,))
    start = mark()
    legal = department_create(actor=admin, body=body, name=" 法制科 ", kind="legal_review")
    second = department_create(actor=None, body=body, name="法规科", kind="legal_review")
    department_update(actor=admin, department=legal, name="法制审核科", kind="handling")
    department_update(actor=admin, department=second, name="法规科")  # unchanged
    assert entries(start) == [
        (1030, "orgs", body.pk, admin.pk,
         {"department": str(legal.public_id), "name": "法制科", "kind": "legal_review",
          "legal_review_office": True}),
        (1030, "orgs", body.pk, None,
         {"department": str(second.public_id), "name": "法规科", "kind": "legal_review",
          "legal_review_office": False}),
        (1031, "orgs", body.pk, admin.pk,
         {"department": str(legal.public_id), "name": "法制审核科", "changes": {
             "name": ["法制科", "法制审核科"], "kind": ["legal_review", "handling"],
             "legal_review_office": [True, False]}}),
    ]
    body.refresh_from_db()
    assert body.legal_review_office_id is None
    # A department that becomes a legal review office is the office of a body without one.
    office = department_create(actor=admin, body=body, name="综合科")
    department_update(actor=admin, department=office, kind="legal_review")
    assert entries()[-1] == (1031, "orgs", body.pk, admin.pk, {
        "department": str(office.public_id), "name": "综合科",
        "changes": {"kind": ["handling", "legal_review"], "legal_review_office": [False, True]}})
    body.refresh_from_db()
    assert body.legal_review_office_id == office.pk


def test_refused_departments_write_nothing() -> None:
    body = f.body(f.regions()["county"])
    other = f.body(f.regions()["other_county"])
    admin_b = f.user(f.person(other, "陈静", roles=("head",)), roles=(AccountRole.BODY_ADMIN,))
    existing = Department.objects.create(body=body, name="执法稽查科")
    spare = Department.objects.create(body=body, name="办公室", kind="office")
    snapshot = (entries(), list(Department.objects.order_by("pk").values()))
    with pytest.raises(InvalidInput):
        department_create(actor=None, body=body, name="执法稽查科")
    with pytest.raises(InvalidInput):
        department_create(actor=None, body=body, name="新科室", kind="secret")
    with pytest.raises(PermissionDenied):
        department_create(actor=admin_b, body=body, name="新科室")
    with pytest.raises(InvalidInput):
        department_update(actor=None, department=spare, name="执法稽查科")
    with pytest.raises(PermissionDenied):
        department_update(actor=admin_b, department=existing, name="改名")
    assert (entries(), list(Department.objects.order_by("pk").values())) == snapshot


def test_entries_read_as_sentences_in_chinese(sysadmin) -> None:  # type: ignore[no-untyped-def]
    """Each template's fields come from the payload its service writes."""
    from django.utils import translation

    from zhifa.ledger.events import render_event

    start = mark()
    province = region_upsert(code="430000", name="湖南省")
    region_upsert(code="430000", name="湖南", actor=sysadmin)
    sector = sector_ensure(code="market", name="市场监管")
    sector_update(actor=sysadmin, sector=sector, name="市场监督管理", sort_order=0)
    body = body_create(actor=sysadmin, name="芙蓉区市场监督管理局",
                       credit_code=f.credit_code("430100"), kind="administrative_organ",
                       level="city", sector=sector,
                       region=region_upsert(code="430100", name="长沙市", parent=province))
    body_update(actor=sysadmin, body=body, short_name="芙蓉市监")
    department = department_create(actor=sysadmin, body=body, name="法制科")
    department_update(actor=sysadmin, department=department, kind="legal_review")
    with translation.override("zh-hans"):
        texts = [render_event(e.event_code, json.loads(e.payload))
                 for e in LedgerEntry.objects.filter(seq__gte=start).order_by("seq")]
    assert texts == [
        "新增行政区划湖南省（430000）", "行政区划湖南（430000）已变更",
        "新增执法领域市场监管（market）", "执法领域市场监督管理（market）已变更",
        "新增行政区划长沙市（430100）", "新增执法主体芙蓉区市场监督管理局",
        "执法主体芙蓉区市场监督管理局的信息已变更", "新增内设机构法制科", "内设机构法制科已变更",
    ]
