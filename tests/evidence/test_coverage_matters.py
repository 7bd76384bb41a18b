"""The recorded-matters list (音像记录事项清单): the installation's defaults, seeded idempotently,
and each body's own lines, saved through ``recorded_matter_save`` with a ledger entry; who may
change which list; what a line may say."""

import json
from typing import Any

import pytest
from django.utils import translation

from tests.cases.factories import Agency
from zhifa.core.errors import ApplicationError
from zhifa.evidence.events import MATTER_SAVED
from zhifa.evidence.models import RecordedMatter
from zhifa.evidence.services.matters import (
    DEFAULT_MATTERS,
    ensure_default_matters,
    recorded_matter_save,
)
from zhifa.ledger.models import LedgerEntry

pytestmark = pytest.mark.django_db


def test_the_migration_seeded_the_default_list() -> None:
    assert RecordedMatter.objects.filter(body__isnull=True).count() == len(DEFAULT_MATTERS)
    assert ensure_default_matters() == 0


@pytest.fixture(autouse=True)
def _no_seeded_defaults(request: pytest.FixtureRequest) -> None:
    """The other tests here start from an empty list (the migration seeded the defaults; each
    test's transaction is rolled back, so the deletion never outlives it)."""
    if request.node.name != "test_the_migration_seeded_the_default_list":
        RecordedMatter.objects.all().delete()

FREEZE = {"matter": "冻结存款", "procedure": "coercive", "action": "apply_measure",
          "when": {"measure": ["freeze"]}, "requirement": "mandatory"}


def state() -> tuple[list[dict[str, Any]], int]:
    return list(RecordedMatter.objects.order_by("id").values()), LedgerEntry.objects.count()


def denied(code: str, **kwargs: Any) -> ApplicationError:
    before = state()
    with pytest.raises(ApplicationError) as exc, translation.override("en"):
        recorded_matter_save(**kwargs)
    assert exc.value.code == code, (exc.value.code, exc.value.message)
    assert state() == before
    return exc.value


def test_the_default_list_is_seeded_once() -> None:
    assert ensure_default_matters() == len(DEFAULT_MATTERS) == 13
    rows = list(RecordedMatter.objects.filter(body__isnull=True).order_by("id").values_list(
        "matter", "procedure", "action", "when", "requirement", "active"))
    assert rows[:3] == [
        ("查封、扣押财产", "coercive", "apply_measure", {"measure": ["seal", "seize"]},
         "mandatory", True),
        ("强制拆除", "general", "direct_execution", {"kind": ["demolition"]}, "mandatory", True),
        ("其他行政强制执行", "general", "direct_execution", {"kind": ["other"]}, "as_needed",
         True)]
    assert {r[0] for r in rows if r[4] == "as_needed"} == {
        "其他行政强制执行", "现场检查", "现场检查、勘验", "调查取证", "先行登记保存证据",
        "当场作出行政处罚决定", "听证", "留置送达", "公告送达"}
    assert ensure_default_matters() == 0
    assert RecordedMatter.objects.count() == 13


def test_an_edited_default_is_not_seeded_again(a: Agency) -> None:
    ensure_default_matters()
    hearing = RecordedMatter.objects.get(body__isnull=True, action="hold_hearing")
    recorded_matter_save(actor=a.u_sysadmin, body=None, matter="听证会", procedure="general",
                         action="hold_hearing", requirement="as_needed", active=False,
                         line=hearing)
    assert ensure_default_matters() == 0
    hearing.refresh_from_db()
    assert (hearing.matter, hearing.active) == ("听证会", False)


def test_a_head_adds_a_line_to_the_bodys_own_list(a: Agency) -> None:
    before = LedgerEntry.objects.count()
    line = recorded_matter_save(actor=a.u_head, body=a.body, source="本局音像记录事项清单",
                                **FREEZE)
    assert (line.body, line.matter, line.when, line.requirement, line.active) == (
        a.body, "冻结存款", {"measure": ["freeze"]}, "mandatory", True)
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert LedgerEntry.objects.count() == before + 1
    assert (entry.event_code, entry.stream, entry.body_id) == (
        MATTER_SAVED.code, "evidence.config", a.body.pk)
    assert json.loads(entry.payload) == {
        "line": str(line.public_id), "body": a.body.credit_code, "body_name": a.body.name,
        "matter": "冻结存款", "procedure": "coercive", "action": "apply_measure",
        "when": {"measure": ["freeze"]}, "requirement": "mandatory",
        "source": "本局音像记录事项清单", "active": True, "created": True}
    # changing it keeps the line (and its list)
    same = recorded_matter_save(actor=a.u_head, body=a.body, line=line,
                                **{**FREEZE, "requirement": "as_needed"})
    assert (same.pk, same.requirement, RecordedMatter.objects.count()) == (
        line.pk, "as_needed", 1)
    assert json.loads(LedgerEntry.objects.order_by("-seq").first().payload)["created"] is False


def test_who_may_change_which_list(a: Agency) -> None:
    denied("missing_manage_recording", actor=a.u_officer, body=a.body, **FREEZE)
    denied("missing_manage_recording", actor=a.u_supervisor, body=a.body, **FREEZE)
    denied("body_out_of_scope", actor=a.u_head, body=a.other_body, **FREEZE)
    exc = denied("missing_administer_system", actor=a.u_head, body=None, **FREEZE)
    assert exc.status == 403
    recorded_matter_save(actor=a.u_sysadmin, body=None, **FREEZE)
    recorded_matter_save(actor=a.u_sysadmin, body=a.other_body, **FREEZE)
    assert RecordedMatter.objects.count() == 2


def test_a_line_stays_in_its_list(a: Agency) -> None:
    line = recorded_matter_save(actor=a.u_sysadmin, body=None, **FREEZE)
    denied("matter_body_fixed", actor=a.u_sysadmin, body=a.body, line=line, **FREEZE)
    # and a head cannot reach the installation's line through their own body
    denied("matter_body_fixed", actor=a.u_head, body=a.body, line=line, **FREEZE)


@pytest.mark.parametrize(("over", "code", "message"), [
    ({"matter": "  "}, "matter_name_required", "Name the matter (at most 200 characters)."),
    ({"requirement": "sometimes"}, "matter_requirement_invalid",
     "Choose whether the matter is recorded in full or as circumstances require."),
    ({"procedure": "nope"}, "matter_procedure_unknown", "Unknown procedure: nope."),
    ({"action": "fly"}, "matter_action_unknown",
     "The procedure “Coercive measure” has no step “fly”."),
    ({"when": {"items": ["x"]}}, "matter_when_invalid",
     "The step has no field “items” to set a condition on (a choice or a yes/no field)."),
    ({"when": {"measure": ["melt"]}}, "matter_when_invalid",
     "The condition on “measure” must list some of its choices: seal, seize, freeze."),
    ({"when": {"measure": []}}, "matter_when_invalid",
     "The condition on “measure” must list some of its choices: seal, seize, freeze."),
    ({"when": {"party_absent": "yes"}}, "matter_when_invalid",
     "The condition on “party_absent” is yes or no."),
    ({"when": ["measure"]}, "matter_when_invalid",
     "The conditions must map field names to values."),
    ({"procedure": "general", "action": "hold_hearing", "when": {}}, "matter_not_checkable",
     "“Record the hearing” cannot be required in full: the step does not state its on-site "
     "start and end, or does not check the recordings (the av_recorded guard)."),
    ({"requirement": "as_needed", "when": {}}, "matter_statutory",
     "“查封、扣押财产” must be recorded in full by law: a line for this step may add conditions "
     "recorded in full, but not lower or remove that requirement."),
    ({"when": {"measure": ["seal"]}, "active": False}, "matter_statutory",
     "“查封、扣押财产” must be recorded in full by law: a line for this step may add conditions "
     "recorded in full, but not lower or remove that requirement."),
    ({"procedure": "general", "action": "direct_execution", "when": {"kind": ["demolition"]},
      "requirement": "as_needed"}, "matter_statutory",
     "“强制拆除” must be recorded in full by law: a line for this step may add conditions "
     "recorded in full, but not lower or remove that requirement."),
])
def test_what_a_line_may_say(a: Agency, over: dict[str, Any], code: str, message: str) -> None:
    exc = denied(code, actor=a.u_head, body=a.body, **{**FREEZE, **over})
    assert (exc.message, exc.status) == (message, 400)


def test_lines_that_do_not_touch_the_statutory_steps_are_free(a: Agency) -> None:
    # freezing as needed, or removed from the body's list; a hearing as needed
    recorded_matter_save(actor=a.u_head, body=a.body, **{**FREEZE, "requirement": "as_needed"})
    recorded_matter_save(actor=a.u_head, body=a.body, **{**FREEZE, "active": False})
    recorded_matter_save(actor=a.u_head, body=a.body, matter="听证", procedure="general",
                         action="hold_hearing", requirement="as_needed")
    # a single value is kept as a list; a yes/no condition as a boolean
    line = recorded_matter_save(actor=a.u_head, body=a.body, matter="无当事人在场的查封",
                                procedure="coercive", action="apply_measure",
                                when={"measure": "seal", "party_absent": True},
                                requirement="mandatory")
    assert line.when == {"measure": ["seal"], "party_absent": True}


# --- API -----------------------------------------------------------------------------------------
API = "/api/v1/evidence/recorded-matters"


def client(user: Any) -> Any:
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_the_lists_through_the_api(a: Agency) -> None:
    ensure_default_matters()
    head = client(a.u_head)
    payload = {**FREEZE, "body": str(a.body.public_id), "source": "本局清单"}
    response = head.post(API, payload, content_type="application/json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert {k: created[k] for k in ("matter", "when", "requirement", "active", "source")} == {
        "matter": "冻结存款", "when": {"measure": ["freeze"]}, "requirement": "mandatory",
        "active": True, "source": "本局清单"}
    assert created["body"] == {"public_id": str(a.body.public_id), "name": a.body.name}
    # the other body's head cannot see this line, and the officer sees it but cannot change it
    other_line = recorded_matter_save(actor=a.u_sysadmin, body=a.other_body, **FREEZE)
    listed = {m["public_id"] for m in client(a.u_officer).get(API).json()}
    assert created["public_id"] in listed and str(other_line.public_id) not in listed
    assert len(listed) == 14  # 13 defaults and the body's own line
    before = state()
    put = {k: v for k, v in payload.items() if k != "body"}
    response = client(a.u_officer).put(f"{API}/{created['public_id']}", put,
                                       content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "missing_manage_recording")
    response = head.put(f"{API}/{other_line.public_id}", put, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "recorded_matter_not_found")
    response = head.post(API, {**payload, "body": str(a.other_body.public_id)},
                         content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (404, "body_not_found")
    response = head.post(API, {**payload, "body": None}, content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (403, "missing_administer_system")
    response = head.put(f"{API}/{created['public_id']}", {**put, "requirement": "as_needed",
                                                          "when": {}},
                        content_type="application/json")
    assert (response.status_code, response.json()["code"]) == (400, "matter_statutory")
    assert state() == before
    response = head.put(f"{API}/{created['public_id']}", {**put, "active": False},
                        content_type="application/json")
    assert (response.status_code, response.json()["active"]) == (200, False)
    from django.test import Client

    assert Client().get(API).status_code == 401


# --- admin ---------------------------------------------------------------------------------------
def test_the_admin_saves_through_the_service(a: Agency) -> None:
    from django.test import Client

    from zhifa.orgs.models import AccountRole, User

    root = User.objects.create_superuser(username="root", password="Zhifa-test-2026",
                                         roles=[AccountRole.SYSTEM_ADMIN])
    c = Client()
    c.force_login(root)
    form = {"body": str(a.body.pk), "matter": "冻结存款", "procedure": "coercive",
            "action": "apply_measure", "when": '{"measure": ["freeze"]}',
            "requirement": "mandatory", "source": "", "active": "on"}
    before = state()
    bad = c.post("/admin/evidence/recordedmatter/add/", {**form, "requirement": "as_needed",
                                                         "when": "{}"})
    assert bad.status_code == 200  # the form again, with the service's reason
    assert "查封、扣押财产" in bad.content.decode()
    assert state() == before
    response = c.post("/admin/evidence/recordedmatter/add/", form)
    assert response.status_code == 302
    line = RecordedMatter.objects.get()
    assert (line.body, line.when, line.requirement) == (a.body, {"measure": ["freeze"]},
                                                        "mandatory")
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert (entry.event_code, json.loads(entry.payload)["created"]) == (MATTER_SAVED.code, True)
    response = c.post(f"/admin/evidence/recordedmatter/{line.pk}/change/",
                      {**form, "body": str(a.other_body.pk), "active": ""})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.body, line.active) == (a.body, False)  # the list cannot change
    assert LedgerEntry.objects.count() == before[1] + 2
