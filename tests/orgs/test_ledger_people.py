"""People: registering, correcting, moving, leaving and returning each write one ledger entry;
ID numbers are masked and phone numbers keep their last four digits; a refused change writes
nothing and changes nothing."""

import datetime as dt
import json
import string
from typing import Any

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.ledger.events import event_get
from zhifa.ledger.models import LedgerEntry
from zhifa.orgs.models import AccountRole, Department, Person, PersonRole
from zhifa.orgs.services import person_create, person_set_status, person_update

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


def masked(id_number: str) -> str:
    return id_number[:6] + "********" + id_number[-4:]


def people() -> list[tuple[Any, ...]]:
    return sorted(
        (p.pk, p.body_id, p.department_id, p.name, p.id_number, p.post, p.phone, p.status,
         p.legal_qualification_number, p.legal_qualification_date, tuple(p.role_kinds()))
        for p in Person.objects.all()
    )


@pytest.fixture
def w() -> Any:
    class W:
        regions = f.regions()
        body_a = f.body(regions["county"], name="芙蓉区市场监督管理局")
        body_b = f.body(regions["other_county"], name="荷塘区市场监督管理局")
        dept_a = Department.objects.create(body=body_a, name="执法稽查科")
        legal_a = Department.objects.create(body=body_a, name="法制科", kind="legal_review")
        dept_b = Department.objects.create(body=body_b, name="稽查科")
        admin_a = f.user(f.person(body_a, "王芳", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_a")
        admin_b = f.user(f.person(body_b, "陈静", roles=("head",)),
                         roles=(AccountRole.BODY_ADMIN,), username="admin_b")
        sysadmin = f.user(None, roles=(AccountRole.SYSTEM_ADMIN,), username="root")
    return W


def test_person_created(w: Any) -> None:
    id_number = f.id_number()
    start = mark()
    person = person_create(
        actor=w.admin_a, body=w.body_a, name=" 陈红 ", id_number=id_number.lower(),
        role_kinds=["reviewer", "head", "reviewer"], department=w.legal_a, post="科长",
        phone="0731-84001234", legal_qualification_number="A2018001",
        legal_qualification_date=dt.date(2018, 12, 20),
    )
    assert entries(start) == [(1040, "orgs", w.body_a.pk, w.admin_a.pk, {
        "person": str(person.public_id), "name": "陈红", "id_number": masked(id_number),
        "body": w.body_a.credit_code, "department": "法制科", "post": "科长",
        "phone": "*********1234", "role_kinds": ["head", "reviewer"],
        "legal_qualification_number": "A2018001", "legal_qualification_date": "2018-12-20",
    })]
    assert id_number not in LedgerEntry.objects.get(seq=start).payload


def test_refused_person_create_writes_nothing(w: Any) -> None:
    taken = f.person(w.body_a, "张三").id_number
    before, start = people(), mark()
    refusals = [
        ({"id_number": taken}, InvalidInput, "person_duplicate"),
        ({"id_number": taken[:-1] + ("1" if taken[-1] != "1" else "2")}, InvalidInput,
         "id_number_checksum"),
        ({"role_kinds": []}, InvalidInput, "role_required"),
        ({"department": w.dept_b}, InvalidInput, "department_other_body"),
        ({"actor": w.admin_b}, PermissionDenied, "body_out_of_scope"),
    ]
    for overrides, error, code in refusals:
        data: dict[str, Any] = {"actor": w.admin_a, "body": w.body_a, "name": "刘洋",
                                "id_number": f.id_number(), "role_kinds": ["officer"]}
        data.update(overrides)
        with pytest.raises(error) as exc:
            person_create(**data)
        assert exc.value.code == code
    assert (people(), entries(start)) == (before, [])


def test_person_updated_with_masked_changes(w: Any) -> None:
    person = f.person(w.body_a, "刘洋", department=w.dept_a, post="科员",
                      phone="13800005678")
    new_id = f.id_number(birth="19900101")
    start = mark()
    person_update(actor=w.admin_a, person=person, name="刘阳", id_number=new_id,
                  post="副科长", phone="13900001111", role_kinds=["officer", "reviewer"],
                  department=w.legal_a)
    person_update(actor=w.admin_a, person=person, post="副科长", role_kinds=["reviewer",
                                                                          "officer"])
    assert entries(start) == [(1041, "orgs", w.body_a.pk, w.admin_a.pk, {
        "person": str(person.public_id), "name": "刘阳", "id_number": masked(new_id),
        "changes": {
            "name": ["刘洋", "刘阳"],
            "id_number": [masked(person.id_number), masked(new_id)],
            "department": ["执法稽查科", "法制科"], "post": ["科员", "副科长"],
            "phone": ["*******5678", "*******1111"],
            "role_kinds": [["officer"], ["officer", "reviewer"]],
        },
    })]
    person.refresh_from_db()
    assert (person.name, person.id_number, person.department_id, person.phone,
            person.role_kinds()) == ("刘阳", new_id, w.legal_a.pk, "13900001111",
                                     ["officer", "reviewer"])


def test_moving_a_person_leaves_the_department_behind(w: Any) -> None:
    person = f.person(w.body_a, "刘洋", department=w.dept_a)
    start = mark()
    person_update(actor=w.sysadmin, person=person, body=w.body_b)
    assert entries(start) == [(1041, "orgs", w.body_b.pk, w.sysadmin.pk, {
        "person": str(person.public_id), "name": "刘洋", "id_number": masked(person.id_number),
        "changes": {"body": [w.body_a.credit_code, w.body_b.credit_code],
                    "department": ["执法稽查科", None]},
    })]
    person.refresh_from_db()
    assert (person.body_id, person.department_id) == (w.body_b.pk, None)


def test_refused_person_updates_change_nothing(w: Any) -> None:
    person = f.person(w.body_a, "刘洋", department=w.dept_a)
    other = f.person(w.body_a, "李明")
    before, start = people(), mark()
    refusals = [
        (w.admin_a, {"id_number": other.id_number}, InvalidInput, "person_duplicate"),
        (w.admin_a, {"name": " "}, InvalidInput, "name_required"),
        (w.admin_a, {"role_kinds": ["officer", "chief"]}, InvalidInput, "role_unknown"),
        (w.admin_a, {"department": w.dept_b}, InvalidInput, "department_other_body"),
        (w.admin_a, {"legal_qualification_number": "A1"}, InvalidInput,
         "qualification_incomplete"),
        (w.admin_b, {"post": "科长"}, PermissionDenied, "body_out_of_scope"),
        (w.admin_a, {"body": w.body_b}, PermissionDenied, "body_out_of_scope"),
    ]
    for actor, fields, error, code in refusals:
        with pytest.raises(error) as exc:
            person_update(actor=actor, person=person, **{"post": "科长", **fields})
        assert exc.value.code == code
    assert (people(), entries(start)) == (before, [])
    assert PersonRole.objects.filter(person=person).count() == 1


def test_leaving_and_returning(w: Any) -> None:
    person = f.person(w.body_a, "刘洋")
    start = mark()
    person_set_status(actor=w.admin_a, person=person, status="left")
    person_set_status(actor=w.admin_a, person=person, status="left")  # already left
    person_set_status(actor=None, person=person, status="active")
    ref = {"person": str(person.public_id), "name": "刘洋",
           "id_number": masked(person.id_number)}
    assert entries(start) == [
        (1042, "orgs", w.body_a.pk, w.admin_a.pk, ref),
        (1043, "orgs", w.body_a.pk, None, ref),
    ]
    before = people()
    with pytest.raises(InvalidInput):
        person_set_status(actor=w.admin_a, person=person, status="retired")
    with pytest.raises(PermissionDenied):
        person_set_status(actor=w.admin_b, person=person, status="left")
    assert (people(), len(entries(start))) == (before, 2)
