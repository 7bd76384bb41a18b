"""Ledger events of the registry (codes 1000–1999; stable, never reused or renumbered).

Streams: ``"orgs"`` for regions, sectors, bodies, departments, people and certificates;
``"accounts"`` for logins. One chain per concern rather than per body: a body's own entries
are found by the entry's ``body`` (set to the body concerned, ``None`` for what every body
shares: regions, sectors, the expiry sweep, system administrators' accounts).

Payloads identify what changed by its codes, numbers and names (``public_id`` where the row
has one) and hold the new values; updates hold ``changes``: ``{field: [old, new]}`` of the
fields that changed, related rows by their code or name. ID numbers are masked
(``core.validators.mask_id_number``), personal phone numbers keep their last four digits,
passwords and their hashes never appear.
"""

from django.utils.translation import gettext_lazy as _

from zhifa.ledger.events import register_event

ORGS_STREAM = "orgs"
ACCOUNTS_STREAM = "accounts"

REGION_CREATED = register_event(1000, "orgs.region_created",
                                _("Region {name} ({code}) created"))
REGION_UPDATED = register_event(1001, "orgs.region_updated",
                                _("Region {name} ({code}) changed"))
SECTOR_CREATED = register_event(1010, "orgs.sector_created",
                                _("Sector {name} ({code}) created"))
SECTOR_UPDATED = register_event(1011, "orgs.sector_updated",
                                _("Sector {name} ({code}) changed"))
BODY_CREATED = register_event(1020, "orgs.body_created",
                              _("Enforcement body {name} created"))
BODY_UPDATED = register_event(1021, "orgs.body_updated",
                              _("Enforcement body {name} changed"))
DEPARTMENT_CREATED = register_event(1030, "orgs.department_created",
                                    _("Department {name} created"))
DEPARTMENT_UPDATED = register_event(1031, "orgs.department_updated",
                                    _("Department {name} changed"))
PERSON_CREATED = register_event(1040, "orgs.person_created", _("{name} registered"))
PERSON_UPDATED = register_event(1041, "orgs.person_updated", _("Details of {name} changed"))
PERSON_LEFT = register_event(1042, "orgs.person_left", _("{name} left the body"))
PERSON_RETURNED = register_event(1043, "orgs.person_returned", _("{name} back in post"))
CERTIFICATE_ISSUED = register_event(1050, "orgs.certificate_issued",
                                    _("Certificate {number} issued to {holder}"))
CERTIFICATE_UPDATED = register_event(1051, "orgs.certificate_updated",
                                     _("Certificate {number} corrected"))
CERTIFICATE_STATUS_CHANGED = register_event(
    1052, "orgs.certificate_status_changed",
    _("Status of certificate {number} changed with effect from {effective_date}"))
CERTIFICATES_EXPIRED = register_event(
    1053, "orgs.certificates_expired",
    _("Expiry sweep of {today}: {count} certificates marked expired"))
ACCOUNT_CREATED = register_event(1060, "orgs.account_created",
                                 _("Account {username} created"))
ACCOUNT_UPDATED = register_event(1061, "orgs.account_updated",
                                 _("Account {username} changed"))
ACCOUNT_ROLES_CHANGED = register_event(1062, "orgs.account_roles_changed",
                                       _("Roles of account {username} changed"))
ACCOUNT_DISABLED = register_event(1063, "orgs.account_disabled",
                                  _("Account {username} disabled"))
ACCOUNT_ENABLED = register_event(1064, "orgs.account_enabled",
                                 _("Account {username} enabled"))
ACCOUNT_PASSWORD_SET = register_event(1065, "orgs.account_password_set",
                                      _("Password of account {username} set"))
ACCOUNT_PASSWORD_UNUSABLE = register_event(
    1066, "orgs.account_password_unusable",
    _("Password sign-in of account {username} turned off"))
