"""An import writes through the services, so every imported row leaves its ledger entry in
the import's transaction: one per person, certificate, item version or benchmark, with the
importing account as actor. A validation run, or a file with any refused row, leaves none."""

import json
import string
from typing import Any

import pytest

from tests import factories as f
from tests.transfer.conftest import World, counts, csv_file, new_id, run_import, xlsx_from_template
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import Certificate, Person

pytestmark = pytest.mark.django_db


def entries(since: int) -> list[tuple[Any, ...]]:
    """The entries from leaf ``since`` on; each template's fields are in its payload."""
    found = []
    for e in LedgerEntry.objects.filter(seq__gte=since).order_by("seq"):
        payload = json.loads(e.payload)
        fields = {name for _text, name, _spec, _conv
                  in string.Formatter().parse(str(event_get(e.event_code).template)) if name}
        assert fields <= payload.keys(), (e.event_code, fields - payload.keys())
        found.append((e.event_code, e.stream, e.body_id, e.actor_id, payload))
    return found


def mark() -> int:
    return LedgerEntry.objects.count()


def _person_row(world: World, id_number: str, **overrides: Any) -> dict[str, Any]:
    row = {"body_credit_code": world.body_a.credit_code, "department": "执法稽查科",
           "name": "刘洋", "id_number": id_number, "role_kinds": "执法人员", "post": "科员",
           "phone": "0731-84000001"}
    row.update(overrides)
    return row


def test_imported_people_are_in_the_ledger(world: World) -> None:
    first, second = new_id(), new_id("19880512")
    content = xlsx_from_template("people", [
        _person_row(world, first),
        _person_row(world, second, name="陈红", department="法制科", role_kinds="法制审核人员",
                    phone=""),
    ])
    start = mark()
    report = run_import(world.admin_a, "people", content)
    assert (report.errors, report.created) == ([], 2)
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[first, second])}
    common = {"body": world.body_a.credit_code, "post": "科员",
              "legal_qualification_number": "", "legal_qualification_date": None}
    assert entries(start) == [
        (1040, "orgs", world.body_a.pk, world.admin_a.pk, {
            **common, "person": str(people[first].public_id), "name": "刘洋",
            "id_number": first[:6] + "********" + first[-4:], "department": "执法稽查科",
            "phone": "*********0001", "role_kinds": ["officer"]}),
        (1040, "orgs", world.body_a.pk, world.admin_a.pk, {
            **common, "person": str(people[second].public_id), "name": "陈红",
            "id_number": second[:6] + "********" + second[-4:], "department": "法制科",
            "phone": "", "role_kinds": ["reviewer"]}),
    ]


def test_validation_run_and_refused_files_leave_no_entry(world: World) -> None:
    taken = f.person(world.body_a, "张三").id_number
    start, before = mark(), counts()
    good = csv_file("people", [_person_row(world, new_id())])
    report = run_import(world.admin_a, "people", good, name="p.csv", dry_run=True)
    assert (report.errors, report.created, report.committed) == ([], 1, False)
    # The second row is refused by ``person_create`` (the ID number is registered): the first,
    # already created inside the import's transaction, rolls back with its entry.
    mixed = csv_file("people", [_person_row(world, new_id()), _person_row(world, taken)])
    report = run_import(world.admin_a, "people", mixed, name="p.csv")
    assert [code for _row, code in report.codes()] == ["person_duplicate"]
    assert not report.committed
    assert (counts(), entries(start)) == (before, [])


def test_imported_certificates_and_items(world: World) -> None:
    officer = f.person(world.body_a, "李明")
    start = mark()
    report = run_import(world.admin_a, "certificates", xlsx_from_template("certificates", [{
        "holder_id_number": officer.id_number, "holder_name": "李明", "number": "43010200009",
        "issuer": "长沙市人民政府",
        "areas": "430102", "categories": "市场监管", "issue_date": "2024-01-01",
        "expiry_date": "2029-12-31"}]))
    assert report.errors == []
    report = run_import(world.sysadmin, "items", xlsx_from_template("items", [
        {"body_credit_code": world.body_a.credit_code, "code": "X-1", "name": "甲事项",
         "category": "行政处罚", "procedure_type": "普通程序",
         "legal_basis": "food-safety-law:124", "effective_from": "2019-01-01"},
        {"body_credit_code": world.body_a.credit_code, "code": "X-1", "name": "甲事项（修订）",
         "category": "行政处罚", "procedure_type": "普通程序",
         "legal_basis": "food-safety-law:124", "effective_from": "2022-01-01"},
    ]))
    assert report.errors == []
    found = entries(start)
    cert = Certificate.objects.get(number="43010200009")
    assert found[0] == (1050, "orgs", world.body_a.pk, world.admin_a.pk, {
        "certificate": str(cert.public_id), "number": "43010200009", "holder": "李明",
        "person": str(officer.public_id), "issuer": "长沙市人民政府",
        "issue_date": "2024-01-01", "expiry_date": "2029-12-31", "areas": ["430102"],
        "categories": ["market"]})
    assert [(code, stream, body, actor, p["code"], p["version"], p["legal_basis"])
            for code, stream, body, actor, p in found[1:]] == [
        (2010, "catalog", world.body_a.pk, world.sysadmin.pk, "X-1", 1,
         ["food-safety-law:124"]),
        (2011, "catalog", world.body_a.pk, world.sysadmin.pk, "X-1", 2,
         ["food-safety-law:124"]),
    ]
