"""A body's document profile: what its documents print besides the case (address, phone,
remedy channels, payment instructions). Prefills drafts."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.core.errors import InvalidInput
from zhifa.ledger.services import ledger_append
from zhifa.orgs.models import EnforcementBody

from ..events import CONFIG_STREAM, PROFILE_SAVED
from ..models import DocumentProfile
from ._access import require_manage

EDITABLE = ("address", "phone", "reconsideration_body", "reconsideration_period", "court",
            "litigation_period", "statement_period", "payment_instructions")


def profile_get(body: EnforcementBody) -> DocumentProfile:
    """The body's profile; an unsaved default (the body's address and phone) if it has
    none."""
    saved = DocumentProfile.objects.filter(body=body).first()
    if saved is not None:
        return saved
    return DocumentProfile(body=body, address=body.address, phone=body.phone)


@transaction.atomic
def profile_save(*, actor: Any, body: EnforcementBody, **fields: Any) -> DocumentProfile:
    """Change the named fields of the body's profile (``field_unknown`` for other names);
    the entry records each change, old → new."""
    require_manage(actor, body)
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InvalidInput(_("Unknown profile fields: %(names)s") % {"names": ", ".join(unknown)},
                           code="field_unknown", detail={"fields": unknown})
    row = DocumentProfile.objects.select_for_update().filter(body=body).first()
    if row is None:
        row = profile_get(body)
    problems: dict[str, str] = {}
    changes: dict[str, list[str]] = {}
    for name, value in fields.items():
        text = "" if value is None else str(value).strip()
        limit = getattr(DocumentProfile._meta.get_field(name), "max_length", None)
        if limit is not None and len(text) > limit:
            problems[name] = str(_("At most %(n)s characters.") % {"n": limit})
            continue
        if getattr(row, name) != text:
            changes[name] = [getattr(row, name), text]
            setattr(row, name, text)
    if problems:
        raise InvalidInput(_("Please correct the highlighted fields."), code="invalid_fields",
                           detail=problems)
    row.save()
    entry = ledger_append(actor=actor, event=PROFILE_SAVED, stream=CONFIG_STREAM, body=body,
                          payload={"body": body.credit_code, "changes": changes})
    row.ledger_seq = entry.seq
    row.save(update_fields=["ledger_seq"])
    return row
