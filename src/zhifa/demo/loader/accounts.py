"""One login per role. ``account_create`` gives the system administrator (role
``system_admin``) the Django admin as well.

Hashing with argon2 takes about half a second per password. All demo logins share one
password, so it is hashed once and ``account_create`` stores that hash for every account:
the load stays fast and the logins are unchanged.
"""

from django.contrib.auth.hashers import make_password

from zhifa.orgs.services import account_create

from ..data.accounts import DEMO_PASSWORD, LOGINS
from . import LoadContext, person_in_slot


def load(ctx: LoadContext) -> None:
    encoded = make_password(DEMO_PASSWORD)
    for login in LOGINS:
        person = None
        if login.body is not None and login.slot is not None:
            person = person_in_slot(ctx, login.body, login.slot)
        account_create(
            actor=None, username=login.username, password_hash=encoded, roles=[login.role],
            person=person,
        )
