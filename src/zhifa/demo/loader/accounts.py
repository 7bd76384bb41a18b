"""One login per role; the system administrator also gets the Django admin.

``account_create`` hashes every password with argon2 (about half a second each). All demo
logins share one password, so it is hashed once and that hash is stored for every demo
account: the load stays fast and the logins are unchanged.
"""

from typing import cast

from zhifa.orgs.models import User
from zhifa.orgs.services import account_create

from ..data.accounts import DEMO_PASSWORD, LOGINS
from . import LoadContext, person_in_slot


def load(ctx: LoadContext) -> None:
    from ..services import system_admin_create

    encoded = ""
    for login in LOGINS:
        if login.body is None or login.slot is None:
            user = system_admin_create(username=login.username, password=DEMO_PASSWORD)
            encoded = user.password
            continue
        # No password yet (Django stores an unusable one without hashing); set below.
        account_create(
            actor=None, username=login.username, password=cast(str, None), roles=[login.role],
            person=person_in_slot(ctx, login.body, login.slot),
        )
    assert encoded, "LOGINS has a system administrator, whose password is hashed"
    User.objects.filter(username__in=[login.username for login in LOGINS]).update(
        password=encoded
    )
