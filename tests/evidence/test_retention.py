"""Retention: class resolution order, the six-month floor, permanent classes and adopted
items, ``retain_until`` from the closing day (or the upload day), recompute, a class chosen
by hand, changes of a class applied to its files, and who may do what."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f
from tests.cases.factories import open_case
from zhifa.core.errors import ApplicationError
from zhifa.evidence.events import ITEM_UPDATED, RETENTION_CHANGED, RETENTION_CLASS_SAVED
from zhifa.evidence.models import EvidenceFile, RetentionClass
from zhifa.evidence.retention import (
    DEFAULT_MONTHS,
    add_months,
    evidence_item_adopt,
    file_retention_set,
    resolve_class,
    retention_class_save,
    retention_recompute,
)
from zhifa.orgs.models import AccountRole, RoleKind

from .custody_factories import (
    CLOSED_ON,
    case_with_files,
    close,
    entries,
    generic_case,
    snapshot,
    text_bytes,
)
from .factories import item, stored


def cls(a, code, months, *, body="own", **kwargs):
    actor = a.u_sysadmin if body is None else a.u_head
    return retention_class_save(actor=actor, body=a.body if body == "own" else body, code=code,
                                name=f"类 {code}", months=months, **kwargs)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (dt.date(2025, 3, 10), 6, dt.date(2025, 9, 10)),
    (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
    (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
    (dt.date(2025, 8, 31), 6, dt.date(2026, 2, 28)),
    (dt.date(2025, 12, 15), 1, dt.date(2026, 1, 15)),
    (dt.date(2025, 12, 15), 25, dt.date(2028, 1, 15)),
])
def test_add_months(day, months, expected) -> None:
    assert add_months(day, months) == expected


def test_resolution_order_most_specific_and_own_body_first(a) -> None:
    enforcement_item = f.item(a.body)
    case = open_case(a, "generic", received_on=dt.date(2025, 2, 1), item=enforcement_item)
    assert resolve_class(case) is None  # the built-in default
    inst_default = cls(a, "inst", 12, body=None)
    assert resolve_class(case) == inst_default
    inst_sector = cls(a, "inst-sector", 24, body=None, sector=a.market)
    assert resolve_class(case) == inst_sector
    # classes of other bodies and criteria that do not fit never apply
    other_head = f.user(f.person(a.other_body, "孙丽", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    retention_class_save(actor=other_head, body=a.other_body, code="other", name="外单位",
                         months=120)
    cls(a, "wrong-procedure", 60, procedure="general")
    cls(a, "wrong-item", 60, item=f.item(a.body))
    assert resolve_class(case) == inst_sector
    own_default = cls(a, "own", 18)
    assert resolve_class(case) == own_default  # any class of the body beats the installation
    own_procedure = cls(a, "own-procedure", 30, procedure="generic")
    assert resolve_class(case) == own_procedure
    own_sector = cls(a, "own-sector", 36, sector=a.market)
    assert resolve_class(case) == own_sector
    own_item = cls(a, "own-item", 48, item=enforcement_item)
    assert resolve_class(case) == own_item
    # taken out of use one by one, the next in the order applies
    for current, following in [(own_item, own_sector), (own_sector, own_procedure),
                               (own_procedure, own_default), (own_default, inst_sector),
                               (inst_sector, inst_default)]:
        retention_class_save(actor=a.u_sysadmin, body=current.body, code=current.code,
                             name=current.name, months=current.months, item=current.item,
                             sector=current.sector, procedure=current.procedure,
                             active=False, retention_class=current)
        assert resolve_class(case) == following


def test_same_rank_prefers_the_longest_then_permanent(a) -> None:
    case = generic_case(a)
    cls(a, "short", 12, sector=a.market)
    longer = cls(a, "long", 36, sector=a.market)
    assert resolve_class(case) == longer
    permanent = cls(a, "forever", None, sector=a.market)
    assert resolve_class(case) == permanent


def test_minimum_six_months(a) -> None:
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        cls(a, "short", DEFAULT_MONTHS - 1)
    assert err.value.code == "retention_too_short"
    assert set(err.value.detail) == {"months"}
    assert snapshot() == before
    ok = cls(a, "six", DEFAULT_MONTHS)
    assert ok.months == 6
    (payload,) = entries("evidence.config", RETENTION_CLASS_SAVED.code)
    assert payload["code"] == "six" and payload["months"] == 6 and payload["created"] is True
    assert payload["body"] == a.body.name


def test_class_code_unique_per_body_and_valid_procedure(a) -> None:
    cls(a, "dup", 12)
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        cls(a, "dup", 24)
    assert err.value.code == "invalid_fields" and "code" in err.value.detail
    with pytest.raises(ApplicationError) as err:
        cls(a, "bad-procedure", 24, procedure="no_such_procedure")
    assert err.value.code == "invalid_fields" and "procedure" in err.value.detail
    assert snapshot() == before


@pytest.mark.parametrize(("actor", "body", "code"), [
    ("u_officer", "own", "missing_manage_recording"),
    ("u_head", None, "missing_administer_system"),
    ("u_head", "other", "retention_out_of_scope"),
    ("u_supervisor", "own", "missing_manage_recording"),
])
def test_who_saves_classes(a, actor, body, code) -> None:
    target = {"own": a.body, "other": a.other_body, None: None}[body]
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        retention_class_save(actor=getattr(a, actor), body=target, code="x", name="x",
                             months=12)
    assert err.value.code == code
    assert snapshot() == before


def test_open_case_files_have_no_end_then_closing_sets_it(a) -> None:
    case, (file,) = case_with_files(a, closed=False)
    assert (file.retention_class, file.permanent, file.retain_until) == (None, False, None)
    close(a, case)  # recomputes, as the close step does
    file.refresh_from_db()
    assert file.retain_until == add_months(CLOSED_ON, DEFAULT_MONTHS) == dt.date(2025, 9, 10)
    (payload,) = entries(case.stream, RETENTION_CHANGED.code)
    assert payload["retain_until"] == "2025-09-10" and payload["permanent"] is False
    assert payload["before"] == {"class": None, "permanent": False, "retain_until": None}
    assert payload["months"] == 6 and payload["class"] is None
    # nothing changes: nothing recorded
    before = snapshot()
    assert retention_recompute(case) == 0
    assert snapshot() == before


def test_closed_case_without_closing_day_counts_from_upload(a) -> None:
    case, (file,) = case_with_files(a, closed=False)
    case.status, case.closed_on = "closed", None
    case.save(update_fields=["status", "closed_on"])
    assert retention_recompute(case, actor=a.u_head) == 1
    file.refresh_from_db()
    assert file.retain_until == add_months(timezone.localdate(file.created_at), 6)


def test_file_added_to_a_closed_case_gets_its_end_at_once(a) -> None:
    cls(a, "year", 12)
    case, _files = case_with_files(a)
    late = stored(a, item(a, case, title="补充材料"), text_bytes("补充"), "late.txt")
    assert late.retain_until == add_months(CLOSED_ON, 12)
    assert late.retention_class.code == "year"


def test_adopted_item_files_are_permanent_and_back(a) -> None:
    case, (file,) = case_with_files(a)
    it = file.item
    evidence_item_adopt(actor=a.u_officer, item=it, adopted=True)
    file.refresh_from_db()
    assert (file.permanent, file.retain_until) == (True, None)
    (updated,) = entries(case.stream, ITEM_UPDATED.code)
    assert updated["adopted"] is True and updated["seq"] == it.seq
    changed = entries(case.stream, RETENTION_CHANGED.code)
    assert changed[-1]["permanent"] is True and changed[-1]["reason"] == "adopted"
    # a new file of an adopted item is permanent at once
    extra = stored(a, it, text_bytes("另一份"), "more.txt")
    assert (extra.permanent, extra.retain_until) == (True, None)
    # twice: no change, no entry
    before = snapshot()
    evidence_item_adopt(actor=a.u_officer, item=it, adopted=True)
    assert snapshot() == before
    evidence_item_adopt(actor=a.u_officer, item=it, adopted=False)
    file.refresh_from_db()
    assert (file.permanent, file.retain_until) == (False, dt.date(2025, 9, 10))


@pytest.mark.parametrize(("actor", "archived", "code"), [
    ("u_other", False, "case_out_of_scope"),
    ("u_supervisor", False, "missing_handle_cases"),
    ("u_officer", True, "case_archived"),
])
def test_adopt_refused_changes_nothing(a, actor, archived, code) -> None:
    case, (file,) = case_with_files(a)
    if archived:
        case.status = "archived"
        case.save(update_fields=["status"])
    before = snapshot()
    with pytest.raises(ApplicationError) as err:
        evidence_item_adopt(actor=getattr(a, actor), item=file.item, adopted=True)
    assert err.value.code == code
    assert snapshot() == before


def test_class_set_by_hand_stays_and_can_go_back(a) -> None:
    case, (file,) = case_with_files(a)
    # a class for another procedure: it applies to this file only when chosen by hand
    forever = cls(a, "forever", None, procedure="general")
    assert resolve_class(case) is None
    file_retention_set(actor=a.u_head, file=file, retention_class=forever)
    file.refresh_from_db()
    assert (file.retention_class, file.permanent, file.retain_until) == (forever, True, None)
    assert file.meta["retention_manual"] is True
    changed = entries(case.stream, RETENTION_CHANGED.code)[-1]
    assert changed["reason"] == "set_by_hand" and changed["class"] == "forever"
    assert changed["before"] == {"class": None, "permanent": False,
                                 "retain_until": "2025-09-10"}
    # a new class for the case's procedure does not override a class chosen by hand
    cls(a, "generic-ten", 120, procedure="generic")
    retention_recompute(case)
    file.refresh_from_db()
    assert file.retention_class == forever
    # back to automatic: the resolved class
    file_retention_set(actor=a.u_head, file=file, retention_class=None)
    file.refresh_from_db()
    assert file.retention_class.code == "generic-ten" and "retention_manual" not in file.meta
    assert file.retain_until == add_months(CLOSED_ON, 120)


def test_file_retention_set_refusals_change_nothing(a) -> None:
    _case, (file,) = case_with_files(a)
    other_head = f.user(f.person(a.other_body, "孙丽", roles=(RoleKind.HEAD,)),
                        roles=(AccountRole.HEAD,))
    foreign = retention_class_save(actor=other_head, body=a.other_body, code="x", name="外",
                                   months=24)
    mine = cls(a, "mine", 24)
    RetentionClass.objects.filter(pk=mine.pk).update(active=False)
    mine.refresh_from_db()
    before = snapshot()
    for actor, target, code in [
        (a.u_officer, None, "missing_manage_recording"),
        (other_head, None, "retention_out_of_scope"),
        (a.u_head, foreign, "retention_class_not_found"),
        (a.u_head, mine, "retention_class_not_found"),
    ]:
        with pytest.raises(ApplicationError) as err:
            file_retention_set(actor=actor, file=file, retention_class=target)
        assert err.value.code == code
    assert snapshot() == before


def test_retention_can_change_on_an_archived_case(a) -> None:
    case, (file,) = case_with_files(a)
    case.status = "archived"
    case.save(update_fields=["status"])
    forever = cls(a, "keep", None, procedure="general")
    file_retention_set(actor=a.u_head, file=file, retention_class=forever)
    file.refresh_from_db()
    assert file.permanent is True


def test_a_change_of_months_applies_to_the_files_of_the_class(a) -> None:
    year = cls(a, "year", 12)
    case, (file,) = case_with_files(a)
    assert file.retention_class == year and file.retain_until == add_months(CLOSED_ON, 12)
    retention_class_save(actor=a.u_head, body=a.body, code="year", name="两年", months=24,
                         retention_class=year)
    file.refresh_from_db()
    assert file.retain_until == add_months(CLOSED_ON, 24)
    changed = entries(case.stream, RETENTION_CHANGED.code)[-1]
    assert changed["reason"] == "class_changed" and changed["retain_until"] == "2027-03-10"
    # a change of name only: no file entry
    count = len(entries(case.stream, RETENTION_CHANGED.code))
    retention_class_save(actor=a.u_head, body=a.body, code="year", name="两年（改名）",
                         months=24, retention_class=year)
    assert len(entries(case.stream, RETENTION_CHANGED.code)) == count
    assert EvidenceFile.objects.get(pk=file.pk).retain_until == dt.date(2027, 3, 10)
