"""Opening a case on the page: the choices come from the officer's body, parties are a
repeatable block without JavaScript, and an error keeps everything that was typed."""

import datetime as dt
import re
from html import unescape

import pytest
from django.test import Client

from tests import factories as f
from tests.cases.factories import Agency, agency
from zhifa.cases.models import Case, OfficerRole
from zhifa.cases.services import custom_procedure_save
from zhifa.catalog.models import PartyType
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def a() -> Agency:
    return agency()


def as_user(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user, backend=BACKEND)
    return client


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def form_data(a: Agency, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "procedure": "general", "title": "销售不合格产品案", "item": "",
        "sector": a.market.code, "region": a.regions["county"].code,
        "received_on": "2026-09-01", "source_kind": "complaint", "summary": "群众举报",
        "officers": [str(a.officer.public_id), str(a.officer2.public_id)],
        "parties-TOTAL_FORMS": "2", "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "1", "parties-MAX_NUM_FORMS": "20",
        "parties-0-party_type": PartyType.NATURAL_PERSON, "parties-0-name": "陈某",
        "parties-0-id_number": f.id_number("430102", "19850315"),
        "parties-0-credit_code": "", "parties-0-legal_representative": "",
        "parties-0-address": "长沙市芙蓉区某路1号", "parties-0-phone": "",
        "parties-1-party_type": PartyType.ORGANISATION, "parties-1-name": "长沙某某贸易有限公司",
        "parties-1-id_number": "", "parties-1-credit_code": f.credit_code("430102"),
        "parties-1-legal_representative": "陈某", "parties-1-address": "",
        "parties-1-phone": "",
    }
    data.update(overrides)
    return data


def test_form_offers_the_bodys_choices(client, a):
    item = f.item(a.body, code="A-1", name="对销售不合格产品的行政处罚")
    f.item(a.other_body, code="B-1", name="对无照经营的行政处罚")
    response = as_user(client, a.u_officer).get("/cases/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert [c[0] for c in form.fields["procedure"].choices] == [
        "summary", "general", "coercive", "inspection", "licensing", "generic"]
    items = [str(c[0]) for c in form.fields["item"].choices if c[0]]
    assert items == [str(item.public_id)]
    regions = [str(c[0]) for c in form.fields["region"].choices if c[0]]
    assert regions == [a.regions["county"].code]  # the body's own county only
    officers = list(form.fields["officers"].queryset)
    # certified officers first, then certified staff of other kinds, then the rest
    assert [p.name for p in officers] == ["张伟", "李明", "刘静", "王芳", "钱多"]
    assert form.fields["officers"].initial == [a.officer.public_id, a.officer2.public_id]
    html = response.content.decode()
    assert html.count('name="officers"') == 5
    assert "钱多（无有效执法证）" in html and "张伟（执法证今日有效）" in html


def test_custom_procedure_is_offered_to_its_body_only(client, a):
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="complaint_handling",
                          name="投诉处理程序", definition={
                              "stages": [{"code": "opened", "label": "已登记"},
                                         {"code": "done", "label": "已办结", "terminal": True}],
                              "actions": [{"code": "finish", "label": "办结", "from": "opened",
                                           "to": "done", "fields": [
                                               {"name": "acted_on", "kind": "date",
                                                "label": "日期"}]}]})
    form = as_user(client, a.u_officer).get("/cases/new/").context["form"]
    assert ("complaint_handling", "投诉处理程序") in form.fields["procedure"].choices
    html = client.get("/procedures/complaint_handling/").content.decode()
    assert 'data-stage="opened"' in html and ">已办结</text>" in html
    assert as_user(client, a.u_other).get("/procedures/complaint_handling/").status_code == 404


def test_open_a_case(client, a):
    ledger = LedgerEntry.objects.count()
    response = as_user(client, a.u_officer).post("/cases/new/", form_data(a))
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.public_id}/"
    assert (case.procedure, case.stage, case.title) == ("general", "source", "销售不合格产品案")
    assert case.received_on == dt.date(2026, 9, 1) and case.source_kind == "complaint"
    assert [(p.party_type, p.name) for p in case.parties.all()] == [
        (PartyType.NATURAL_PERSON, "陈某"), (PartyType.ORGANISATION, "长沙某某贸易有限公司")]
    assert case.parties.first().birth_date == dt.date(1985, 3, 15)
    assert sorted((o.person.name, o.role) for o in case.officers.all()) == [
        ("张伟", OfficerRole.ASSISTANT), ("李明", OfficerRole.LEAD)]
    assert LedgerEntry.objects.count() == ledger + 1
    assert LedgerEntry.objects.get(stream=case.stream).event_code == 4001
    page = text_of(client.get(response["Location"]).content.decode())
    assert f"案件{case.number}已建立。" in page


def test_errors_are_shown_and_nothing_is_lost(client, a):
    before = (Case.objects.count(), LedgerEntry.objects.count())
    data = form_data(a, title="", **{"parties-0-id_number": "430102198503150000",
                                     "parties-1-credit_code": ""})
    response = as_user(client, a.u_officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert (Case.objects.count(), LedgerEntry.objects.count()) == before
    html = response.content.decode()
    errors = re.findall(r'<p class="field-error" id="id_([\w-]+)_error">([^<]*)</p>', html)
    fields = [name for name, _message in errors]
    assert fields == ["title", "parties-0-id_number", "parties-1-credit_code"]
    assert dict(errors)["parties-1-credit_code"] == "请填写单位的统一社会信用代码。"
    assert all(re.search(r"[\u4e00-\u9fff]", message) for _name, message in errors)
    # every value typed is still in the form
    assert 'value="430102198503150000"' in html and 'value="长沙某某贸易有限公司"' in html
    assert "群众举报</textarea>" in html
    assert 'value="complaint" selected' in html
    assert 'value="2026-09-01"' in html


def test_add_a_party_keeps_the_form(client, a):
    data = form_data(a, **{"parties-TOTAL_FORMS": "1", "add_party": "1"})
    response = as_user(client, a.u_officer).post("/cases/new/", data)
    assert response.status_code == 200
    assert Case.objects.count() == 0
    html = response.content.decode()
    assert 'name="parties-TOTAL_FORMS" value="2"' in html
    assert 'name="parties-1-name"' in html
    assert 'value="陈某"' in html and "field-error" not in html
    # the added block left empty is dropped
    data = form_data(a, **{"parties-1-name": "", "parties-1-credit_code": "",
                           "parties-1-legal_representative": ""})
    assert client.post("/cases/new/", data).status_code == 302
    assert Case.objects.get().parties.count() == 1


def test_a_case_needs_a_party_and_an_officer(client, a):
    data = form_data(a, officers=[], **{"parties-TOTAL_FORMS": "1", "parties-0-name": "",
                                        "parties-0-id_number": ""})
    response = as_user(client, a.u_officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert Case.objects.count() == 0
    assert "field-error" in response.content.decode()


def test_service_refusal_is_shown(client, a):
    # a date in the future is refused by the form, the region outside the body by the choices
    data = form_data(a, received_on="2099-01-01", region=a.regions["other_county"].code)
    response = as_user(client, a.u_officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert Case.objects.count() == 0
    text = text_of(response.content.decode())
    assert "该日期不能晚于今天。" in text


def test_who_may_open_cases(client, a):
    assert as_user(client, a.u_supervisor).get("/cases/new/").status_code == 403
    assert as_user(client, a.u_sysadmin).get("/cases/new/").status_code == 403
    assert as_user(client, a.u_head).get("/cases/new/").status_code == 200
