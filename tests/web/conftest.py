"""A small province for the staff UI tests.

430000 province ─ 430100 city (justice bureau: supervisor; body_c) ─ 430102 county (body_a)
               └ 430200 other city ─ 430202 other county (body_b)
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests import factories as f
from zhifa.orgs.models import (
    AccountRole,
    Certificate,
    EnforcementBody,
    Person,
    RoleKind,
    User,
)

PASSWORD = "Zhifa-test-2026"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@dataclass
class World(f.TwoBodies):
    body_c: EnforcementBody
    justice: EnforcementBody
    officer_a: Person
    admin_a_person: Person
    officer_b: Person
    officer_c: Person
    cert_a: Certificate
    cert_b: Certificate
    cert_c: Certificate
    officer: User
    body_admin: User
    officer_b_user: User
    supervisor: User
    sysadmin: User


@pytest.fixture
def world(db: Any) -> World:
    base = f.two_bodies()
    regions = base.regions
    justice_sector = f.sector("justice", "司法行政")
    body_c = f.body(regions["city"], base.environment, name="长沙市生态环境局")
    justice = f.body(regions["city"], justice_sector, name="长沙市司法局", is_supervisory=True)
    officer_a = f.person(base.body_a, name="李明", department=base.dept_a)
    admin_a_person = f.person(base.body_a, name="王芳", roles=(RoleKind.HEAD,))
    officer_b = f.person(base.body_b, name="赵强")
    officer_c = f.person(body_c, name="陈静")
    supervisor_person = f.person(justice, name="周平", roles=(RoleKind.SUPERVISOR,))
    cert_a = f.certificate(officer_a, [regions["county"]], [base.market],
                           number="43010220240001")
    cert_b = f.certificate(officer_b, [regions["other_county"]], [base.market],
                           number="43020220240001")
    cert_c = f.certificate(officer_c, [regions["city"]], [base.environment],
                           number="43010020240009")
    return World(
        **vars(base), body_c=body_c, justice=justice, officer_a=officer_a,
        admin_a_person=admin_a_person, officer_b=officer_b, officer_c=officer_c,
        cert_a=cert_a, cert_b=cert_b, cert_c=cert_c,
        officer=f.user(officer_a, username="liming", password=PASSWORD),
        body_admin=f.user(admin_a_person, (AccountRole.BODY_ADMIN,), username="wangfang",
                          password=PASSWORD),
        officer_b_user=f.user(officer_b, username="zhaoqiang", password=PASSWORD),
        supervisor=f.user(supervisor_person, (AccountRole.SUPERVISOR,), username="zhouping",
                          password=PASSWORD),
        sysadmin=f.user(None, (AccountRole.SYSTEM_ADMIN,), username="sysadmin",
                        password=PASSWORD),
    )


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Log the test client in as a user (the axes backend cannot restore sessions)."""

    def _login(user: User) -> Client:
        client.force_login(user, backend=MODEL_BACKEND)
        return client

    return _login


@pytest.fixture
def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
