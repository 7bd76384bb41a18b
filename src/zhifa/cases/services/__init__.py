"""Every change to a case goes through these services (one transaction each, with its ledger
entry). See ``act.case_act`` for the single gate of procedure actions."""

from .act import approval_decide, approval_withdraw, case_act
from .admin import approval_ladder_save, custom_procedure_save
from .create import PartyIn, case_create, case_officers_set, case_open_from

__all__ = [
    "PartyIn", "approval_decide", "approval_ladder_save", "approval_withdraw", "case_act",
    "case_create", "case_officers_set", "case_open_from", "custom_procedure_save",
]
