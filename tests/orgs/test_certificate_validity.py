"""``certificate_validity``: was this certificate valid for this area and category on a date?"""

import datetime as dt

import pytest

from tests import factories as f
from zhifa.orgs.models import Certificate
from zhifa.orgs.selectors import certificate_validity
from zhifa.orgs.services import certificate_status_change

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    r = f.regions()
    market = f.sector()
    env = f.sector("environment", "生态环境")
    b = f.body(r["county"], market)
    cert = f.certificate(f.person(b), [r["city"]], [market], issue=D(2024, 1, 1),
                         expiry=D(2029, 12, 31))
    return r, market, env, cert


def fresh(cert: Certificate) -> Certificate:
    # A new instance so that the status history is read from the database.
    return Certificate.objects.get(pk=cert.pk)


def check(cert: Certificate, day: dt.date, **kwargs):  # type: ignore[no-untyped-def]
    v = certificate_validity(fresh(cert), day=day, **kwargs)
    return v.valid, v.status, v.reasons


def test_dates_around_issue_and_expiry(setup) -> None:  # type: ignore[no-untyped-def]
    _r, _m, _e, cert = setup
    assert check(cert, D(2023, 12, 31)) == (False, "not_yet_issued", ["not_yet_issued"])
    assert check(cert, D(2024, 1, 1)) == (True, "valid", [])
    assert check(cert, D(2026, 6, 1)) == (True, "valid", [])
    assert check(cert, D(2029, 12, 31)) == (True, "valid", [])
    assert check(cert, D(2030, 1, 1)) == (False, "expired", ["expired"])


def test_suspension_then_restoration_by_effective_date(setup) -> None:  # type: ignore[no-untyped-def]
    _r, _m, _e, cert = setup
    certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                              effective_date=D(2025, 3, 1), reason="涉嫌违法办案，暂扣执法证")
    certificate_status_change(actor=None, certificate=cert, to_status="valid",
                              effective_date=D(2025, 4, 1), reason="调查结束，恢复")
    assert fresh(cert).status == "valid"
    assert check(cert, D(2025, 2, 28)) == (True, "valid", [])
    assert check(cert, D(2025, 3, 1)) == (False, "suspended", ["suspended"])
    assert check(cert, D(2025, 3, 31)) == (False, "suspended", ["suspended"])
    assert check(cert, D(2025, 4, 1)) == (True, "valid", [])
    assert check(cert, D(2028, 1, 1)) == (True, "valid", [])


def test_revocation(setup) -> None:  # type: ignore[no-untyped-def]
    _r, _m, _e, cert = setup
    certificate_status_change(actor=None, certificate=cert, to_status="revoked",
                              effective_date=D(2026, 1, 1), reason="调离执法岗位")
    assert check(cert, D(2025, 12, 31)) == (True, "valid", [])
    assert check(cert, D(2026, 1, 1)) == (False, "revoked", ["revoked"])
    assert check(cert, D(2029, 12, 31)) == (False, "revoked", ["revoked"])
    # Past the expiry date the date decides (Certificate.status_on).
    assert check(cert, D(2030, 1, 1)) == (False, "expired", ["expired"])


def test_area_coverage(setup) -> None:  # type: ignore[no-untyped-def]
    r, _m, _e, cert = setup
    day = D(2025, 1, 1)
    assert check(cert, day, region=r["city"]) == (True, "valid", [])
    assert check(cert, day, region=r["county"]) == (True, "valid", [])
    assert check(cert, day, region=r["other_city"]) == (False, "valid", ["area_not_covered"])
    assert check(cert, day, region=r["other_county"]) == (False, "valid", ["area_not_covered"])
    # An area does not cover the province above it.
    assert check(cert, day, region=r["province"]) == (False, "valid", ["area_not_covered"])


def test_category(setup) -> None:  # type: ignore[no-untyped-def]
    r, market, env, cert = setup
    day = D(2025, 1, 1)
    assert check(cert, day, sector=market) == (True, "valid", [])
    assert check(cert, day, sector=env) == (False, "valid", ["category_not_covered"])
    assert check(cert, day, region=r["other_county"], sector=env) == (
        False, "valid", ["area_not_covered", "category_not_covered"],
    )


def test_reasons_combine_status_area_and_category(setup) -> None:  # type: ignore[no-untyped-def]
    r, _m, env, cert = setup
    certificate_status_change(actor=None, certificate=cert, to_status="suspended",
                              effective_date=D(2025, 3, 1), reason="暂扣")
    assert check(cert, D(2025, 5, 1), region=r["other_city"], sector=env) == (
        False, "suspended", ["suspended", "area_not_covered", "category_not_covered"],
    )
