"""Procedures as data: the built-in definitions against the real deadline-rule table, and an
agency's own procedure saved, parsed, used and refused when it cannot run."""

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import translation

from tests import factories as f
from zhifa.cases.models import CustomProcedure
from zhifa.cases.procedures import BUILTIN, builtin_codes, parse, procedure_get
from zhifa.cases.procedures.base import DefinitionError
from zhifa.cases.services import custom_procedure_save
from zhifa.core.errors import ApplicationError
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, RoleKind, User
from zhifa.workdays.models import DeadlineRule

from .factories import Agency, act, open_case, refused

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def known_rules() -> set[str]:
    return set(DeadlineRule.objects.values_list("code", flat=True))


def rules_named(raw: dict[str, Any]) -> set[str]:
    out = set(raw.get("pausable", ())) | set(raw.get("starts", ()))
    for a in raw["actions"]:
        out |= {s if isinstance(s, str) else s["rule"] for s in a.get("starts", ())}
        out |= set(a.get("meets", ())) | set(a.get("cancels", ()))
    return out


@pytest.mark.parametrize("code", builtin_codes())
def test_every_builtin_procedure_parses_with_the_real_rule_table(code: str) -> None:
    proc = parse(BUILTIN[code], known_rules=known_rules())
    assert proc.code == code
    assert proc == procedure_get(code)
    assert rules_named(BUILTIN[code]) <= known_rules()


def test_the_builtins_are_the_six_procedures() -> None:
    assert builtin_codes() == ["summary", "general", "coercive", "inspection", "licensing",
                               "generic"]


@pytest.mark.parametrize("code", builtin_codes())
def test_every_label_of_a_builtin_procedure_is_translated(code: str) -> None:
    proc = procedure_get(code)
    labels: list[Any] = [proc.label]
    labels += [s.label for s in proc.stages]
    for a in proc.actions:
        labels.append(a.label)
        for fld in a.fields:
            labels.append(fld.label)
            labels += [c.label for c in fld.choices]
    with translation.override("zh-hans"):
        untranslated = [str(lbl) for lbl in labels if not CJK.search(str(lbl))]
    assert untranslated == []


def test_an_unknown_rule_is_refused_when_the_table_is_known() -> None:
    raw = {**BUILTIN["generic"], "starts": ["apl_decision_91"]}
    with pytest.raises(DefinitionError) as exc:
        parse(raw, known_rules=known_rules())
    assert str(exc.value) == "generic: unknown deadline rule 'apl_decision_91'"


# --- an agency's own procedure ---------------------------------------------------------------

DATE = {"name": "acted_on", "kind": "date", "label": "办理日期"}


def definition(**over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "category": "other",
        "stages": [{"code": "opened", "label": "已受理"},
                   {"code": "checked", "label": "已核查"},
                   {"code": "done", "label": "已办结", "terminal": True, "status": "closed"}],
        "actions": [
            {"code": "check", "label": "现场核查", "from": "opened", "to": "checked",
             "guards": ["two_certified_officers"], "starts": ["review_7"],
             "fields": [DATE, {"name": "note", "kind": "textarea", "label": "核查情况"}]},
            {"code": "finish", "label": "作出确认决定", "from": "checked", "to": "done",
             "approval": True, "deciding": True, "meets": ["review_7"], "fields": [DATE]},
        ],
    }
    raw.update(over)
    return raw


def body_admin(a: Agency) -> User:
    return f.user(f.person(a.body, "赵六", roles=(RoleKind.HEAD,)),
                  roles=(AccountRole.BODY_ADMIN,))


def test_a_custom_procedure_is_saved_on_the_ledger_and_runs(a: Agency) -> None:
    admin = body_admin(a)
    row = custom_procedure_save(actor=admin, body=a.body, code="confirmation", name="行政确认",
                                definition=definition())
    assert (row.code, row.name, row.active) == ("confirmation", "行政确认", True)
    entry = LedgerEntry.objects.get(stream="cases.config")
    assert entry.event_code == 4009
    proc = procedure_get("confirmation", body=a.body)
    assert (proc.label, proc.initial, [s.code for s in proc.stages]) == (
        "行政确认", "opened", ["opened", "checked", "done"])
    case = open_case(a, "confirmation", received_on=dt.date(2026, 9, 1), title="行政确认申请")
    assert (case.procedure, case.stage, case.number) == ("confirmation", "opened",
                                                         "芙蓉市监X202600001")
    act(a, case, "check", acted_on=dt.date(2026, 9, 2), note="材料属实")
    assert case.deadlines.get(rule_code="review_7").due == dt.date(2026, 9, 11)
    act(a, case, "finish", acted_on=dt.date(2026, 9, 3))
    assert (case.stage, case.status) == ("done", "closed")


def test_a_custom_procedure_keeps_the_guards(a: Agency) -> None:
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认", definition=definition())
    case = open_case(a, "confirmation", received_on=dt.date(2026, 9, 1), officers=[a.officer])
    refused(a, case, "check", "two_certified_officers", acted_on=dt.date(2026, 9, 2),
            note="核查")


def test_an_edited_definition_is_used_at_once(a: Agency) -> None:
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认", definition=definition())
    assert procedure_get("confirmation", body=a.body).action("check").label == "现场核查"
    edited = definition()
    edited["actions"][0] = {**edited["actions"][0], "label": "书面核查"}
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认（修订）", definition=edited)
    proc = procedure_get("confirmation", body=a.body)
    assert (proc.label, proc.action("check").label) == ("行政确认（修订）", "书面核查")
    assert CustomProcedure.objects.count() == 1


def test_a_custom_procedure_belongs_to_its_body_and_can_be_switched_off(a: Agency) -> None:
    custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                          name="行政确认", definition=definition(), active=False)
    # switched off: no new case may use it, but its open cases keep running on it
    assert procedure_get("confirmation", body=a.body).code == "confirmation"
    for body in (a.body, a.other_body):
        with pytest.raises(ApplicationError) as exc:
            procedure_get("confirmation", body=body, active_only=True)
        assert (exc.value.code, exc.value.message) == ("procedure_unknown", "未知的程序。")
    with pytest.raises(ApplicationError):
        procedure_get("confirmation", body=a.other_body)
    before = LedgerEntry.objects.count()
    with pytest.raises(ApplicationError) as exc:
        open_case(a, "confirmation", received_on=dt.date(2026, 9, 1))
    assert exc.value.code == "procedure_unknown"
    assert LedgerEntry.objects.count() == before


def _action(**over: Any) -> dict[str, Any]:
    return {**definition()["actions"][0], **over}


@pytest.mark.parametrize(("raw", "error"), [
    (definition(actions=[_action(guards=["nope"]), definition()["actions"][1]]),
     "confirmation.check: unknown guard 'nope'"),
    (definition(actions=[_action(starts=["no_such_rule"]), definition()["actions"][1]]),
     "confirmation.check: unknown deadline rule 'no_such_rule'"),
    (definition(actions=[_action(effect="explode"), definition()["actions"][1]]),
     "confirmation.check: unknown effect 'explode'"),
    (definition(actions=[_action(fields=[{"name": "scan", "kind": "file"}]),
                         definition()["actions"][1]]),
     "confirmation.check.scan: unknown field kind 'file'"),
    (definition(actions=[_action(to="nowhere"), definition()["actions"][1]]),
     "confirmation.check: unknown target stage 'nowhere'"),
    (definition(stages=[*definition()["stages"], {"code": "orphan", "label": "孤立"}]),
     "confirmation: stages not reachable: orphan"),
    (definition(actions=[definition()["actions"][0],
                         {"code": "skip", "from": "opened", "to": "done", "fields": [DATE]}]),
     "confirmation: stage 'checked' has no way out"),
    (definition(stages=[]), "confirmation: stages must be present and unique"),
    (definition(actions=[{"label": "无编码"}]), "'code'"),
])
def test_a_definition_that_cannot_run_is_refused(a: Agency, raw: dict[str, Any],
                                                 error: str) -> None:
    before = (CustomProcedure.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ApplicationError) as exc:
        custom_procedure_save(actor=a.u_sysadmin, body=a.body, code="confirmation",
                              name="行政确认", definition=raw)
    assert exc.value.code == "procedure_definition"
    assert exc.value.status == 400
    assert exc.value.message == f"程序定义无效：{error}"
    assert (CustomProcedure.objects.count(), LedgerEntry.objects.count()) == before


@pytest.mark.parametrize(("code", "name", "error"), [
    ("general", "另一个普通程序", "procedure_code"),
    ("bad code", "行政确认", "procedure_code"),
    ("confirmation", "  ", "procedure_name"),
])
def test_a_custom_procedure_needs_a_free_code_and_a_name(a: Agency, code: str, name: str,
                                                         error: str) -> None:
    with pytest.raises(ApplicationError) as exc:
        custom_procedure_save(actor=a.u_sysadmin, body=a.body, code=code, name=name,
                              definition=definition())
    assert exc.value.code == error
    assert CustomProcedure.objects.count() == 0


def test_only_the_bodys_administrators_save_procedures(a: Agency) -> None:
    before = (CustomProcedure.objects.count(), LedgerEntry.objects.count())
    for actor in (a.u_officer, a.u_head, a.u_supervisor):
        with pytest.raises(ApplicationError) as exc:
            custom_procedure_save(actor=actor, body=a.body, code="confirmation",
                                  name="行政确认", definition=definition())
        assert (exc.value.code, exc.value.status) == ("missing_manage_catalog", 403)
    assert (CustomProcedure.objects.count(), LedgerEntry.objects.count()) == before
