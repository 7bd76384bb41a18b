"""The registry's Django admin saves through the services: every add and change writes its
ledger entry with the administrator as actor; a refusal is shown on the form and writes
nothing; nothing is deleted from here."""

import json
import string
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import (
    Certificate,
    Department,
    EnforcementBody,
    Person,
    Region,
    Sector,
    User,
)

pytestmark = pytest.mark.django_db


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


def masked(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


@pytest.fixture
def root() -> User:
    return User.objects.create_superuser(username="root", email="root@example.org",
                                         password="Zhifa-test-2026")


@pytest.fixture
def client(root: User) -> Client:
    c = Client()
    c.force_login(root)
    return c


def _management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def test_region_and_sector(client: Client, root: User) -> None:
    province = f.regions()["province"]
    start = mark()
    response = client.post("/admin/orgs/region/add/",
                           {"code": "430300", "name": "湘潭", "parent": province.pk})
    assert response.status_code == 302, response.content.decode()[:3000]
    region = Region.objects.get(code="430300")
    response = client.post(f"/admin/orgs/region/{region.pk}/change/",
                           {"name": "湘潭市", "parent": province.pk})
    assert response.status_code == 302
    response = client.post("/admin/orgs/sector/add/",
                           {"code": "traffic", "name": "交通运输", "sort_order": "3"})
    assert response.status_code == 302
    sector = Sector.objects.get(code="traffic")
    response = client.post(f"/admin/orgs/sector/{sector.pk}/change/",
                           {"name": "交通运输综合执法", "sort_order": "3"})
    assert response.status_code == 302
    assert entries(start) == [
        (1000, "orgs", None, root.pk,
         {"code": "430300", "name": "湘潭", "level": "city", "parent": "430000"}),
        (1001, "orgs", None, root.pk,
         {"code": "430300", "name": "湘潭市", "changes": {"name": ["湘潭", "湘潭市"]}}),
        (1010, "orgs", None, root.pk, {"code": "traffic", "name": "交通运输", "sort_order": 3}),
        (1011, "orgs", None, root.pk,
         {"code": "traffic", "name": "交通运输综合执法",
          "changes": {"name": ["交通运输", "交通运输综合执法"]}}),
    ]


def _body_form(region: Region, sector: Sector, **overrides: str) -> dict[str, str]:
    data = {"name": "雨花区市场监督管理局", "short_name": "雨市监",
            "credit_code": f.credit_code("430111"), "kind": "administrative_organ",
            "level": "county", "region": str(region.pk), "sector": str(sector.pk),
            "supervising_body": "", "address": "", "phone": "", **_management("departments")}
    data.update(overrides)
    return data


def test_body_with_departments(client: Client, root: User) -> None:
    r = f.regions()
    sector = f.sector()
    start = mark()
    response = client.post("/admin/orgs/enforcementbody/add/",
                           _body_form(r["county"], sector, **{
                               **_management("departments", 1),
                               "departments-0-name": "法制科",
                               "departments-0-kind": "legal_review"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    body = EnforcementBody.objects.get()
    office = Department.objects.get()
    assert body.legal_review_office_id == office.pk
    data = _body_form(r["county"], sector, credit_code=body.credit_code,
                      name="长沙市雨花区市场监督管理局", status="active",
                      legal_review_office=str(office.pk), **{
                          **_management("departments", 2, 1),
                          "departments-0-id": str(office.pk),
                          "departments-0-body": str(body.pk),
                          "departments-0-name": "法制审核科",
                          "departments-0-kind": "legal_review",
                          "departments-1-name": "执法稽查科",
                          "departments-1-kind": "handling"})
    response = client.post(f"/admin/orgs/enforcementbody/{body.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    stock = {"name": "雨花区市场监督管理局", "short_name": "雨市监",
             "credit_code": body.credit_code, "kind": "administrative_organ",
             "level": "county", "region": "430102", "sector": "market",
             "supervising_body": None, "legal_review_office": None, "is_supervisory": False,
             "address": "", "phone": "", "status": "active"}
    handling = Department.objects.get(name="执法稽查科")
    assert entries(start) == [
        (1020, "orgs", body.pk, root.pk, {"body": str(body.public_id), **stock,
                                          "is_demo": False}),
        (1030, "orgs", body.pk, root.pk, {"department": str(office.public_id), "name": "法制科",
                                          "kind": "legal_review", "legal_review_office": True}),
        (1021, "orgs", body.pk, root.pk, {
            "body": str(body.public_id), "name": "长沙市雨花区市场监督管理局",
            "credit_code": body.credit_code,
            "changes": {"name": ["雨花区市场监督管理局", "长沙市雨花区市场监督管理局"]}}),
        (1031, "orgs", body.pk, root.pk, {"department": str(office.public_id),
                                          "name": "法制审核科",
                                          "changes": {"name": ["法制科", "法制审核科"]}}),
        (1030, "orgs", body.pk, root.pk, {"department": str(handling.public_id),
                                          "name": "执法稽查科", "kind": "handling",
                                          "legal_review_office": False}),
    ]


def test_body_refusal_keeps_the_form_and_writes_nothing(client: Client) -> None:
    r = f.regions()
    body = f.body(r["county"], name="芙蓉区市场监督管理局")
    start, before = mark(), list(EnforcementBody.objects.values())
    data = _body_form(r["county"], f.sector(), credit_code=body.credit_code,
                      name="芙蓉区市场监督管理局（新）", status="active",
                      supervising_body=str(body.pk))
    response = client.post(f"/admin/orgs/enforcementbody/{body.pk}/change/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "执法主体不能监督自身。" in html
    assert 'value="芙蓉区市场监督管理局（新）"' in html
    assert (entries(start), list(EnforcementBody.objects.values())) == ([], before)


def _person_form(body: EnforcementBody, id_number: str, **overrides: Any) -> dict[str, Any]:
    data = {"body": str(body.pk), "department": "", "name": "刘洋", "id_number": id_number,
            "role_kinds": ["officer"], "post": "科员", "phone": "",
            "legal_qualification_number": "", "legal_qualification_date": ""}
    data.update(overrides)
    return data


def test_person_add_change_and_leave(client: Client, root: User) -> None:
    body = f.body(f.regions()["county"], name="芙蓉区市场监督管理局")
    id_number = f.id_number()
    start = mark()
    response = client.post("/admin/orgs/person/add/", _person_form(body, id_number))
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get()
    page = client.get(f"/admin/orgs/person/{person.pk}/change/").content.decode()
    assert 'name="role_kinds" value="officer" id="id_role_kinds_0" checked>' in page
    response = client.post(f"/admin/orgs/person/{person.pk}/change/", _person_form(
        body, id_number, post="科长", role_kinds=["officer", "head"], status="left"))
    assert response.status_code == 302, response.content.decode()[:3000]
    ref = {"person": str(person.public_id), "name": "刘洋", "id_number": masked(id_number)}
    assert entries(start) == [
        (1040, "orgs", body.pk, root.pk, {
            **ref, "body": body.credit_code, "department": None, "post": "科员", "phone": "",
            "role_kinds": ["officer"], "legal_qualification_number": "",
            "legal_qualification_date": None}),
        (1041, "orgs", body.pk, root.pk, {**ref, "changes": {
            "post": ["科员", "科长"], "role_kinds": [["officer"], ["head", "officer"]]}}),
        (1042, "orgs", body.pk, root.pk, ref),
    ]
    person.refresh_from_db()
    assert (person.post, person.status, person.role_kinds()) == ("科长", "left",
                                                                 ["head", "officer"])


def test_person_refusal_writes_nothing(client: Client) -> None:
    body = f.body(f.regions()["county"])
    start = mark()
    response = client.post("/admin/orgs/person/add/", _person_form(
        body, f.id_number(), legal_qualification_number="A2018001"))
    assert response.status_code == 200
    assert "法律职业资格须同时填写证书编号和取得日期。" in response.content.decode()
    assert (entries(start), Person.objects.count()) == ([], 0)


def _cert_form(person: Person, region: Region, sector: Sector,
               **overrides: Any) -> dict[str, Any]:
    data = {"number": "43010200001", "person": str(person.pk), "issuer": "长沙市人民政府",
            "areas": [str(region.pk)], "categories": [str(sector.pk)],
            "issue_date": "2024-01-01", "expiry_date": "2029-12-31",
            **_management("status_changes")}
    data.update(overrides)
    return data


def test_certificate_issue_and_correction(client: Client, root: User) -> None:
    r = f.regions()
    body = f.body(r["county"])
    officer = f.person(body, "李明")
    start = mark()
    response = client.post("/admin/orgs/certificate/add/",
                           _cert_form(officer, r["county"], f.sector()))
    assert response.status_code == 302, response.content.decode()[:3000]
    cert = Certificate.objects.get()
    response = client.post(f"/admin/orgs/certificate/{cert.pk}/change/", _cert_form(
        officer, r["county"], f.sector(), number="43010200002", expiry_date="2030-12-31"))
    assert response.status_code == 302, response.content.decode()[:3000]
    ref = {"certificate": str(cert.public_id), "holder": "李明",
           "person": str(officer.public_id)}
    assert entries(start) == [
        (1050, "orgs", body.pk, root.pk, {
            **ref, "number": "43010200001", "issuer": "长沙市人民政府",
            "issue_date": "2024-01-01", "expiry_date": "2029-12-31", "areas": ["430102"],
            "categories": ["market"]}),
        (1051, "orgs", body.pk, root.pk, {**ref, "number": "43010200002", "changes": {
            "number": ["43010200001", "43010200002"],
            "expiry_date": ["2029-12-31", "2030-12-31"]}}),
    ]


def test_certificate_refusal_keeps_the_form(client: Client) -> None:
    r = f.regions()
    auxiliary = f.person(f.body(r["county"]), "张辅", roles=("auxiliary",))
    start = mark()
    response = client.post("/admin/orgs/certificate/add/",
                           _cert_form(auxiliary, r["county"], f.sector()))
    assert response.status_code == 200
    assert "只有执法人员、负责人、法制审核人员和监督人员可以持有行政执法证" in \
        response.content.decode()
    assert (entries(start), Certificate.objects.count()) == ([], 0)


def test_accounts_in_the_admin(client: Client, root: User) -> None:
    body = f.body(f.regions()["county"])
    person = f.person(body, "李明")
    start = mark()
    response = client.post("/admin/orgs/user/add/", {
        "username": "liming", "person": str(person.pk), "roles": ["officer"],
        "usable_password": "true", "password1": "Qingtian-2027-lu",
        "password2": "Qingtian-2027-lu"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="liming")
    assert user.check_password("Qingtian-2027-lu")
    response = client.post(f"/admin/orgs/user/{user.pk}/change/", {
        "username": "liming", "first_name": "李明", "last_name": "", "email": "",
        "is_active": "on", "person": str(person.pk), "roles": ["officer", "reviewer"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(f"/admin/orgs/user/{user.pk}/password/", {
        "usable_password": "true", "password1": "Xiangjiang-2028-he",
        "password2": "Xiangjiang-2028-he"})
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.check_password("Xiangjiang-2028-he")
    ref = {"account": user.pk, "username": "liming"}
    assert entries(start) == [
        (1060, "accounts", body.pk, root.pk,
         {**ref, "person": str(person.public_id), "name": "李明", "roles": ["officer"]}),
        (1061, "accounts", body.pk, root.pk,
         {**ref, "changes": {"roles": [["officer"], ["officer", "reviewer"]]}}),
        (1065, "accounts", body.pk, root.pk, ref),
    ]
    texts = "".join(LedgerEntry.objects.values_list("payload", flat=True))
    assert "Xiangjiang" not in texts and user.password not in texts


def test_nothing_is_deleted_in_the_admin(client: Client) -> None:
    r = f.regions()
    body = f.body(r["county"])
    person = f.person(body)
    cert = f.certificate(person, [r["county"]], [f.sector()])
    for url in (f"/admin/orgs/region/{r['county'].pk}/delete/",
                f"/admin/orgs/sector/{f.sector().pk}/delete/",
                f"/admin/orgs/enforcementbody/{body.pk}/delete/",
                f"/admin/orgs/person/{person.pk}/delete/",
                f"/admin/orgs/certificate/{cert.pk}/delete/"):
        assert client.post(url, {"post": "yes"}).status_code == 403, url
    assert (Region.objects.count(), EnforcementBody.objects.count(), Person.objects.count(),
            Certificate.objects.count()) == (5, 1, 1, 1)
