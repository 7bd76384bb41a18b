"""Agency configuration without code: approval ladders and custom (generic) procedures."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import AccountRole, EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of

from ..events import CUSTOM_PROCEDURE_SAVED, LADDER_SAVED
from ..models import ApprovalLadder, CustomProcedure
from ..procedures import BUILTIN, DefinitionError, parse, procedure_get

LADDER_ROLES = {AccountRole.OFFICER, AccountRole.REVIEWER, AccountRole.HEAD}


def _require_body_admin(actor: Any, body: EnforcementBody) -> None:
    perms = perms_of(actor)
    if Perm.ADMINISTER_SYSTEM in perms:
        return
    if Perm.MANAGE_CATALOG not in perms or actor.person.body_id != body.pk:
        raise PermissionDenied(_("Only the body's administrators can configure its "
                                 "procedures."), code="missing_manage_catalog")


@transaction.atomic
def approval_ladder_save(*, actor: Any, body: EnforcementBody, procedure: str, action: str = "",
                         steps: Sequence[str]) -> ApprovalLadder:
    """承办人 → 审核 → 负责人: ``steps`` are account roles in order; an empty list means the
    action needs no approval in this body."""
    _require_body_admin(actor, body)
    proc = procedure_get(procedure, body=body)
    if action:
        act = proc.action(action)
        if act is None or not act.approval:
            raise InvalidInput(_("This action does not go through approval."),
                               code="ladder_action")
    steps = [str(s) for s in steps]
    bad = [s for s in steps if s not in LADDER_ROLES]
    if bad or len(steps) > 5:
        raise InvalidInput(_("Each step is one of: officer, legal reviewer, head (at most 5)."),
                           code="ladder_steps")
    ladder, _created = ApprovalLadder.objects.update_or_create(
        body=body, procedure=proc.code, action=action, defaults={"steps": steps})
    ledger_append(actor=actor, event=LADDER_SAVED, stream="cases.config", body=body,
                  payload={"body": body.credit_code, "procedure": proc.code, "action": action,
                           "steps": steps})
    return ladder


@transaction.atomic
def custom_procedure_save(*, actor: Any, body: EnforcementBody, code: str, name: str,
                          definition: dict[str, Any], active: bool = True) -> CustomProcedure:
    _require_body_admin(actor, body)
    code = code.strip()
    if not code.isidentifier() or code in BUILTIN:
        raise InvalidInput(_("Choose a code of letters, digits and underscores that is not a "
                             "built-in procedure."), code="procedure_code")
    if not name.strip():
        raise InvalidInput(_("Enter a name."), code="procedure_name")
    from zhifa.workdays.models import DeadlineRule

    raw = {**definition, "code": code, "label": name.strip()}
    try:
        parse(raw, known_rules=set(DeadlineRule.objects.values_list("code", flat=True)))
    except (DefinitionError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidInput(_("The procedure definition is not valid: %(error)s") % {
            "error": exc}, code="procedure_definition") from None
    row, _created = CustomProcedure.objects.update_or_create(
        body=body, code=code, defaults={"name": name.strip(), "definition": definition,
                                        "active": active})
    ledger_append(actor=actor, event=CUSTOM_PROCEDURE_SAVED, stream="cases.config", body=body,
                  payload={"body": body.credit_code, "code": code, "name": name.strip(),
                           "definition": definition, "active": active})
    return row
