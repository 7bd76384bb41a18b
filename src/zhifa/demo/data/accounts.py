"""The demo logins: one per role. Demo only: the password is printed on purpose."""

from typing import NamedTuple

from .bodies import ACCOUNTS_BODY, SUPERVISOR_BODY

DEMO_PASSWORD = "Demo@2026"


class LoginSpec(NamedTuple):
    username: str
    role: str  # orgs.models.AccountRole
    body: str | None
    # Which person of the body gets the account (see loader.people): a person slot.
    slot: str | None


LOGINS: list[LoginSpec] = [
    LoginSpec("officer", "officer", ACCOUNTS_BODY, "officer"),
    LoginSpec("auxiliary", "auxiliary", ACCOUNTS_BODY, "auxiliary"),
    LoginSpec("reviewer", "reviewer", ACCOUNTS_BODY, "reviewer"),
    LoginSpec("head", "head", ACCOUNTS_BODY, "head"),
    LoginSpec("bodyadmin", "body_admin", ACCOUNTS_BODY, "office"),
    LoginSpec("supervisor", "supervisor", SUPERVISOR_BODY, "supervisor"),
    LoginSpec("sysadmin", "system_admin", None, None),
]

DEMO_USERNAMES = frozenset(login.username for login in LOGINS)
