"""The recorded-matters list (音像记录事项清单): which steps each agency records on audio and
video, in full or as circumstances require (国办发〔2018〕118号; RULES.md "Whole-process
recording"). The installation's default lines (no body) apply to every body that has no line
of its own for the step; ``coverage`` reads the lists.

A line recorded in full must name a step that states its on-site interval and runs the
``av_recorded`` guard, otherwise nothing could check it; and no line may lower what the law
requires in full (sealing up, impoundment, forced demolition).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.fields import ONSITE_FROM, ONSITE_UNTIL
from zhifa.cases.hooks import FULL_RECORDING_SOURCE
from zhifa.cases.models import CustomProcedure
from zhifa.cases.procedures import BUILTIN, Action, Procedure, procedure_from_row, procedure_get
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from ..coverage import STATUTORY
from ..events import MATTER_SAVED
from ..models import RecordedMatter, Requirement

CONFIG_STREAM = "evidence.config"
MANDATORY, AS_NEEDED = Requirement.MANDATORY.value, Requirement.AS_NEEDED.value
_SRC = FULL_RECORDING_SOURCE

# The installation's default list (RULES.md "Whole-process recording"; typical local lists in
# reference.md §8.1): in full for sealing up, impoundment and forced demolition; as
# circumstances require for on-site enforcement, evidence collection, hearings, service by
# leaving and by announcement.
DEFAULT_MATTERS: tuple[dict[str, Any], ...] = (
    {"matter": "查封、扣押财产", "procedure": "coercive", "action": "apply_measure",
     "when": {"measure": ["seal", "seize"]}, "requirement": MANDATORY,
     "source": f"{_SRC}；行政强制法第十八条"},
    {"matter": "强制拆除", "procedure": "general", "action": "direct_execution",
     "when": {"kind": ["demolition"]}, "requirement": MANDATORY,
     "source": f"{_SRC}；行政强制法第四十四条"},
    {"matter": "其他行政强制执行", "procedure": "general", "action": "direct_execution",
     "when": {"kind": ["other"]}, "requirement": AS_NEEDED,
     "source": f"{_SRC}；行政强制法第三十七条"},
    {"matter": "现场检查", "procedure": "inspection", "action": "start_inspection",
     "when": {}, "requirement": AS_NEEDED, "source": f"{_SRC}；行政处罚法第五十五条"},
    {"matter": "现场检查、勘验", "procedure": "general", "action": "record_investigation",
     "when": {"kind": ["inspection"]}, "requirement": AS_NEEDED,
     "source": f"{_SRC}；行政处罚法第五十五条"},
    {"matter": "调查取证", "procedure": "general", "action": "record_investigation",
     "when": {"kind": ["questioning", "sampling", "other"]}, "requirement": AS_NEEDED,
     "source": f"{_SRC}；行政处罚法第五十五条"},
    {"matter": "先行登记保存证据", "procedure": "general", "action": "preserve_evidence",
     "when": {}, "requirement": AS_NEEDED, "source": f"{_SRC}；行政处罚法第五十六条"},
    {"matter": "当场作出行政处罚决定", "procedure": "summary", "action": "decide_on_spot",
     "when": {}, "requirement": AS_NEEDED, "source": f"{_SRC}；行政处罚法第五十二条"},
    {"matter": "听证", "procedure": "general", "action": "hold_hearing", "when": {},
     "requirement": AS_NEEDED, "source": f"{_SRC}；行政处罚法第六十四条"},
    {"matter": "留置送达", "procedure": "general", "action": "serve_notice",
     "when": {"method": ["left"]}, "requirement": AS_NEEDED, "source": _SRC},
    {"matter": "留置送达", "procedure": "general", "action": "serve_decision",
     "when": {"method": ["left"]}, "requirement": AS_NEEDED, "source": _SRC},
    {"matter": "公告送达", "procedure": "general", "action": "serve_notice",
     "when": {"method": ["announcement"]}, "requirement": AS_NEEDED, "source": _SRC},
    {"matter": "公告送达", "procedure": "general", "action": "serve_decision",
     "when": {"method": ["announcement"]}, "requirement": AS_NEEDED, "source": _SRC},
)


def _key(procedure: str, action: str, when: Mapping[str, Any]) -> tuple[str, str, str]:
    items = sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in when.items())
    return procedure, action, repr(items)


def ensure_default_matters(model: Any = None) -> int:
    """Add the default lines the installation does not have yet (matched by procedure, action
    and conditions, so an edited or deactivated default is left as it is); returns how many
    were added. Seed data like the deadline rules: no ledger entry (changes made later go
    through ``recorded_matter_save``). ``model``: the historical model inside a data
    migration."""
    model = model or RecordedMatter
    have = {_key(p, a, w or {}) for p, a, w in
            model.objects.filter(body__isnull=True).values_list("procedure", "action", "when")}
    added = 0
    for line in DEFAULT_MATTERS:
        if _key(line["procedure"], line["action"], line["when"]) in have:
            continue
        model.objects.create(body=None, active=True, **line)
        added += 1
    return added


# --- Saving a line ---------------------------------------------------------------------------
def may_manage_matters(actor: Any, body: EnforcementBody | None) -> bool:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return True
    return body is not None and Perm.MANAGE_RECORDING in perms \
        and actor.person.body_id == body.pk


def _require(actor: Any, body: EnforcementBody | None) -> None:
    """Heads and body administrators keep their own body's list; the installation's default
    list is the system administrators'."""
    if may_manage_matters(actor, body):
        return
    if body is None:
        raise PermissionDenied(_("Only system administrators can change the default list of "
                                 "recorded matters."), code="missing_administer_system")
    if Perm.MANAGE_RECORDING not in perms_of(actor):
        raise PermissionDenied(_("You do not have permission for this action."),
                               code="missing_manage_recording")
    raise PermissionDenied(_("You can only change the recorded-matters list of your own "
                             "enforcement body."), code="body_out_of_scope")


def _procedure(code: str, body: EnforcementBody | None) -> Procedure:
    if code in BUILTIN:
        return procedure_get(code)
    rows = CustomProcedure.objects.filter(code=code)
    row = (rows.filter(body=body) if body is not None else rows).first()
    if row is None:
        raise InvalidInput(_("Unknown procedure: %(code)s.") % {"code": code[:64]},
                           code="matter_procedure_unknown")
    return procedure_from_row(row)


def _clean_when(when: Mapping[str, Any] | None, act: Action) -> dict[str, Any]:
    """Conditions on fields of the step: choices among the field's values, or yes/no."""
    if when is None:
        return {}
    if not isinstance(when, Mapping):
        raise InvalidInput(_("The conditions must map field names to values."),
                           code="matter_when_invalid")
    fields = {f.name: f for f in act.fields}
    out: dict[str, Any] = {}
    for name, wanted in when.items():
        f = fields.get(name)
        if f is None or f.kind not in {"choice", "multichoice", "bool"}:
            raise InvalidInput(_("The step has no field “%(field)s” to set a condition on (a "
                                 "choice or a yes/no field).") % {"field": str(name)[:64]},
                               code="matter_when_invalid")
        if f.kind == "bool":
            if not isinstance(wanted, bool):
                raise InvalidInput(_("The condition on “%(field)s” is yes or no.") % {
                    "field": name}, code="matter_when_invalid")
            out[name] = wanted
            continue
        values = [wanted] if isinstance(wanted, str) else wanted
        if not isinstance(values, list | tuple) or not values or not all(
                isinstance(v, str) and v in f.choice_values() for v in values):
            raise InvalidInput(_("The condition on “%(field)s” must list some of its choices: "
                                 "%(choices)s.") % {
                "field": name, "choices": ", ".join(c.value for c in f.choices)},
                code="matter_when_invalid")
        out[name] = sorted(set(values), key=list(values).index)
    return out


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether some step's data could meet both sets of conditions."""
    for name in a.keys() & b.keys():
        left = {str(v) for v in (a[name] if isinstance(a[name], list) else [a[name]])}
        right = {str(v) for v in (b[name] if isinstance(b[name], list) else [b[name]])}
        if not left & right:
            return False
    return True


def _checkable(act: Action) -> bool:
    names = {f.name for f in act.fields}
    return {ONSITE_FROM, ONSITE_UNTIL} <= names and "av_recorded" in act.guards


def _payload(line: RecordedMatter, body: EnforcementBody | None, *,
             created: bool) -> dict[str, Any]:
    return {"line": str(line.public_id), "body": body.credit_code if body else None,
            "body_name": body.name if body else None, "matter": line.matter,
            "procedure": line.procedure, "action": line.action, "when": line.when,
            "requirement": line.requirement, "source": line.source, "active": line.active,
            "created": created}


@transaction.atomic
def recorded_matter_save(
    *, actor: Any, body: EnforcementBody | None, matter: str, procedure: str, action: str,
    requirement: str, when: Mapping[str, Any] | None = None, source: str = "",
    active: bool = True, line: RecordedMatter | None = None,
) -> RecordedMatter:
    """Add a line to ``body``'s list (None: the installation's default list), or change
    ``line``, which stays in its list. Every field is given each time."""
    _require(actor, body)
    if line is not None:
        line = RecordedMatter.objects.select_for_update().get(pk=line.pk)
        if line.body_id != (body.pk if body is not None else None):
            raise InvalidInput(_("A line stays in the list it belongs to."),
                               code="matter_body_fixed")
    matter = (matter or "").strip()
    if not matter or len(matter) > 200:
        raise InvalidInput(_("Name the matter (at most 200 characters)."),
                           code="matter_name_required")
    if requirement not in Requirement.values:
        raise InvalidInput(_("Choose whether the matter is recorded in full or as "
                             "circumstances require."), code="matter_requirement_invalid")
    proc = _procedure(str(procedure), body)
    act = proc.action(str(action))
    if act is None:
        raise InvalidInput(_("The procedure “%(procedure)s” has no step “%(action)s”.") % {
            "procedure": proc.label, "action": str(action)[:64]}, code="matter_action_unknown")
    conditions = _clean_when(when, act)
    if requirement == MANDATORY and active and not _checkable(act):
        raise InvalidInput(
            _("“%(action)s” cannot be required in full: the step does not state its on-site "
              "start and end, or does not check the recordings (the av_recorded guard).")
            % {"action": act.label}, code="matter_not_checkable")
    if requirement != MANDATORY or not active:
        for rule in STATUTORY:
            if (rule.procedure, rule.action) == (proc.code, act.code) and _overlap(
                    conditions, rule.when):
                raise InvalidInput(
                    _("“%(matter)s” must be recorded in full by law: a line for this step "
                      "may add conditions recorded in full, but not lower or remove that "
                      "requirement.") % {"matter": rule.matter},
                    code="matter_statutory")
    created = line is None
    if line is None:
        line = RecordedMatter(body=body)
    line.matter, line.procedure, line.action = matter, proc.code, act.code
    line.when, line.requirement, line.active = conditions, requirement, bool(active)
    line.source = (source or "").strip()[:200]
    line.save()
    ledger_append(actor=actor, event=MATTER_SAVED, stream=CONFIG_STREAM, body=body,
                  payload=_payload(line, body, created=created))
    return line
