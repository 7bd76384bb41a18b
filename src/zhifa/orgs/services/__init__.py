"""State changes of the registry. Views, the API, the admin, imports and the demo loader call
these; each runs in one transaction and writes its ledger entry in it (``orgs.events``)."""

from .accounts import (
    account_create,
    account_set_active,
    account_set_password,
    account_set_roles,
    account_update,
    grantable_roles,
)
from .certificates import (
    allowed_status_changes,
    certificate_issue,
    certificate_status_change,
    certificate_update,
    certificates_expire_due,
)
from .people import person_create, person_set_status, person_update
from .registry import (
    body_create,
    body_update,
    department_create,
    department_update,
    region_upsert,
    sector_ensure,
    sector_update,
)

__all__ = [
    "account_create",
    "account_set_active",
    "account_set_password",
    "account_set_roles",
    "account_update",
    "allowed_status_changes",
    "body_create",
    "body_update",
    "certificate_issue",
    "certificate_status_change",
    "certificate_update",
    "certificates_expire_due",
    "department_create",
    "department_update",
    "grantable_roles",
    "person_create",
    "person_set_status",
    "person_update",
    "region_upsert",
    "sector_ensure",
    "sector_update",
]
