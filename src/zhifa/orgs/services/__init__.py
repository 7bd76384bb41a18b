"""State changes of the registry. Views, the API, the admin, imports and the demo loader call
these; each runs in one transaction.

The tamper-evident ledger arrives with the cases issue; until then the certificate status
history (``CertificateStatusChange``) is the record of status changes.
"""

from .accounts import (
    account_create,
    account_set_active,
    account_set_password,
    account_set_roles,
    grantable_roles,
)
from .certificates import (
    allowed_status_changes,
    certificate_issue,
    certificate_status_change,
    certificates_expire_due,
)
from .registry import (
    body_create,
    department_create,
    person_create,
    region_upsert,
    sector_ensure,
)

__all__ = [
    "account_create",
    "account_set_active",
    "account_set_password",
    "account_set_roles",
    "allowed_status_changes",
    "body_create",
    "certificate_issue",
    "certificate_status_change",
    "certificates_expire_due",
    "department_create",
    "grantable_roles",
    "person_create",
    "region_upsert",
    "sector_ensure",
]
