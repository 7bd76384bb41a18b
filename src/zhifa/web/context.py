"""The staff shell's template context: navigation for the user's role, who is logged in, and
whether the installation holds the demo data set (then every page carries a demo banner).

Values are lazy and cached on the request, so pages that never show them (the admin, the API)
pay no query, and a page that shows them twice pays one.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from zhifa.demo.state import is_demo_loaded
from zhifa.orgs.models import AccountRole
from zhifa.orgs.permissions import Perm, perms_of

# The same msgid as ``settings.SITE_TITLE``, so the product name is translated in this app's
# catalogue (the admin header reads the setting and gets the same words).
SITE_TITLE = _("Zhifa enforcement platform")


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool


# (label, url name or path, permissions or account roles any of which shows the entry;
# empty: every user)
_NAV: tuple[tuple[Any, str, tuple[str, ...]], ...] = (
    (_("Workbench"), "web:home", ()),
    (pgettext_lazy("case list", "Cases"), "web:case_list", (Perm.VIEW_CASES,)),
    (_("Bodies"), "web:body_list", (Perm.VIEW_REGISTRY,)),
    (_("People"), "web:person_list", (Perm.VIEW_REGISTRY,)),
    (_("Certificates"), "web:certificate_list", (Perm.VIEW_REGISTRY,)),
    (_("Enforcement items"), "web:item_list", (Perm.VIEW_CATALOG,)),
    (_("Benchmarks"), "web:benchmark_list", (Perm.VIEW_CATALOG,)),
    # issue 6: the legal reviewers' and heads' queue; the supervisors' indicators
    (_("Legal review"), "web:review_queue", (AccountRole.REVIEWER, AccountRole.HEAD)),
    (_("Legal review indicators"), "web:review_kpis", (Perm.SUPERVISE,)),
    # issue 7: the publicity clerks' queue of publications (supervisors read it)
    (_("Publicity"), "web:publication_queue", (Perm.PUBLISH, Perm.SUPERVISE)),
    (_("Annual reports"), "web:report_list", (Perm.PUBLISH, Perm.SUPERVISE)),
    # issue 4: recording devices, audio/video coverage, disposal of expired evidence
    (_("Recording devices"), "web:device_list", (Perm.VIEW_REGISTRY,)),
    (_("Recording coverage"), "web:evidence_coverage_agency", (Perm.VIEW_CASES,)),
    (_("Evidence disposal"), "web:disposal_list", (Perm.HANDLE_CASES, Perm.APPROVE_DISPOSAL)),
    # issue 5: the body's document templates, and its numbers, form serials and profile
    (_("Document templates"), "web:document_templates", (Perm.MANAGE_DOCUMENTS,)),
    (_("Document settings"), "web:document_settings", (Perm.MANAGE_DOCUMENTS,)),
    (_("Accounts"), "web:account_list", (Perm.MANAGE_PEOPLE,)),
    (_("Import/export"), "transfer:index", (Perm.MANAGE_PEOPLE, Perm.MANAGE_CATALOG)),
    (_("System administration"), "/admin/", (Perm.ADMINISTER_SYSTEM,)),
)


def navigation(request: HttpRequest) -> list[NavItem]:
    held = {str(p) for p in perms_of(request.user)} | set(request.user.roles or [])
    items: list[NavItem] = []
    for label, target, needs in _NAV:
        if needs and not held.intersection(needs):
            continue
        url = target if target.startswith("/") else reverse(target)
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append(NavItem(label=str(label), url=url, active=active))
    return items


@dataclass(frozen=True)
class Account:
    name: str
    body: str
    roles: list[str]


def account(request: HttpRequest) -> Account:
    user: Any = request.user
    person = user.person if user.person_id else None
    labels = dict(AccountRole.choices)
    return Account(
        name=person.name if person else (user.get_full_name() or user.get_username()),
        body=person.body.name if person else "",
        roles=[str(labels.get(r, r)) for r in user.roles or []],
    )


def _demo_flag(request: HttpRequest) -> bool:
    cached = getattr(request, "_zhifa_is_demo", None)
    if cached is None:
        cached = is_demo_loaded()
        request._zhifa_is_demo = cached  # type: ignore[attr-defined]
    return cached


def shell(request: HttpRequest) -> dict[str, Any]:
    context: dict[str, Any] = {
        "site_title": getattr(settings, "SITE_TITLE", SITE_TITLE),
        "is_demo": SimpleLazyObject(lambda: _demo_flag(request)),
    }
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        context["nav"] = SimpleLazyObject(lambda: navigation(request))
        context["account"] = SimpleLazyObject(lambda: account(request))
        context["user_perms"] = SimpleLazyObject(
            lambda: {p.value for p in perms_of(request.user)}
        )
    return context
