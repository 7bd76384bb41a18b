"""Reads of annual reports for staff, scoped like the registry: a publicity clerk or head sees
the reports of their own body, a supervisor those of the bodies under their region, a system
administrator all. Anyone else sees none; a report out of scope is "not found".

The public reads published reports only, through ``zhifa.disclosure.selectors.public_reports``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from zhifa.core.errors import NotFound
from zhifa.orgs.models import EnforcementBody
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies

from ..models import AnnualReport

READERS = (Perm.PUBLISH, Perm.SUPERVISE, Perm.ADMINISTER_SYSTEM)


def may_read_reports(user: Any) -> bool:
    return bool(perms_of(user) & set(READERS))


def report_bodies(user: Any) -> QuerySet[EnforcementBody]:
    """The bodies whose reports the user may read."""
    if not may_read_reports(user):
        return EnforcementBody.objects.none()
    return visible_bodies(user)


def visible_reports(user: Any) -> QuerySet[AnnualReport]:
    return (AnnualReport.objects.filter(body__in=report_bodies(user))
            .select_related("body", "body__region", "published_by"))


def report_get_for_user(*, user: Any, public_id: Any) -> AnnualReport:
    try:
        return visible_reports(user).get(public_id=public_id)
    except (AnnualReport.DoesNotExist, ValueError):
        raise NotFound(_("Annual report not found."), code="report_not_found") from None
