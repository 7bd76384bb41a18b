"""Loading the demo province (``zhifa demo load``).

The load runs in one transaction: it either creates the whole data set or nothing. It is
idempotent: when the demo province is already there it changes nothing. It refuses a
database that holds data the demo did not create, so real data is never mixed with demo data.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from zhifa.cases.models import Case, CaseStep
from zhifa.catalog.models import (
    DiscretionBenchmark,
    EnforcementItem,
    HearingThreshold,
    Law,
    RandomInspectionItem,
    ReviewCatalogue,
)
from zhifa.core.errors import ApplicationError, PermissionDenied
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Certificate, EnforcementBody, Person, User
from zhifa.orgs.permissions import Perm, perms_of

from .data.accounts import DEMO_PASSWORD, LOGINS
from .data.publicity import CLERK_LOGINS
from .loader import LoadContext, load_all
from .state import is_demo_loaded


class DemoRefused(ApplicationError):
    status = 409
    code = "demo_database_not_empty"


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    person: str
    body: str


@dataclass
class DemoLoadResult:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


def _foreign_data() -> dict[str, int]:
    """Rows the demo would not have created, in a database without the demo province."""
    counts = {
        "bodies": EnforcementBody.objects.filter(is_demo=False).count(),
        "accounts": User.objects.count(),
        "laws": Law.objects.count(),
        "benchmarks": DiscretionBenchmark.objects.count(),
        "hearing_thresholds": HearingThreshold.objects.count(),
    }
    return {name: n for name, n in counts.items() if n}


def demo_counts() -> dict[str, int]:
    demo_bodies = EnforcementBody.objects.filter(is_demo=True)
    return {
        "bodies": demo_bodies.count(),
        "sectors": demo_bodies.values("sector").distinct().count(),
        "people": Person.objects.filter(body__in=demo_bodies).count(),
        "certificates": Certificate.objects.filter(person__body__in=demo_bodies).count(),
        "items": EnforcementItem.objects.filter(body__in=demo_bodies).count(),
        "inspection_items": RandomInspectionItem.objects.filter(body__in=demo_bodies).count(),
        "benchmarks": DiscretionBenchmark.objects.count(),
        "review_catalogues": ReviewCatalogue.objects.filter(body__in=demo_bodies).count(),
        "laws": Law.objects.count(),
        "cases": Case.objects.filter(is_demo=True).count(),
        "case_steps": CaseStep.objects.filter(case__is_demo=True).count(),
        "ledger_entries": LedgerEntry.objects.count(),
    }


def demo_logins() -> list[DemoLogin]:
    """The demo logins that exist, in the order of ``data.accounts.LOGINS``, then the
    publicity clerks' (``data.publicity.CLERK_LOGINS``)."""
    logins = [*LOGINS, *CLERK_LOGINS]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[login.username for login in logins])
        .select_related("person", "person__body")
    }
    rows = []
    for login in logins:
        user = users.get(login.username)
        if user is None:
            continue
        person = user.person
        rows.append(DemoLogin(
            role=str(AccountRole(login.role).label), username=login.username,
            password=DEMO_PASSWORD, person=person.name if person else "—",
            body=person.body.name if person else "—",
        ))
    return rows


def demo_load(*, actor: Any = None) -> DemoLoadResult:
    """Load the demo province, or do nothing if it is already loaded.

    ``actor=None`` is the command line; an account must be a system administrator."""
    if actor is not None and Perm.ADMINISTER_SYSTEM not in perms_of(actor):
        raise PermissionDenied(_("Only system administrators can load the demo data."),
                               code="missing_administer_system")
    with transaction.atomic():
        if is_demo_loaded():
            return DemoLoadResult(created=False, counts=demo_counts(), logins=demo_logins())
        foreign = _foreign_data()
        if foreign:
            raise DemoRefused(
                _("This database already holds data that is not demo data; the demo data is "
                  "loaded only into an empty database. Nothing was changed."),
                detail=foreign,
            )
        load_all(LoadContext())
        return DemoLoadResult(created=True, counts=demo_counts(), logins=demo_logins())
