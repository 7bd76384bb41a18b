import datetime as dt

import pytest

from tests import factories as f
from zhifa.core.errors import InvalidInput, PermissionDenied
from zhifa.orgs.models import Department, Person, PersonRole
from zhifa.orgs.services import department_create, person_create

pytestmark = pytest.mark.django_db

ID = "11010519491231002X"


def counts() -> tuple[int, int]:
    return Person.objects.count(), PersonRole.objects.count()


def test_person_create_normalises_and_records_roles() -> None:
    b = f.body(f.regions()["county"])
    p = person_create(actor=None, body=b, name=" 李明 ", id_number=ID.lower(),
                      role_kinds=["officer", "reviewer", "officer"],
                      legal_qualification_number="A20201100000000",
                      legal_qualification_date=dt.date(2020, 12, 1))
    p = Person.objects.get(pk=p.pk)
    assert (p.name, p.id_number, p.body_id) == ("李明", ID, b.pk)
    assert p.role_kinds() == ["officer", "reviewer"]
    assert p.id_number_masked == "110105********002X"
    assert p.has_legal_qualification is True


def test_duplicate_id_number_creates_nothing() -> None:
    b = f.body(f.regions()["county"])
    person_create(actor=None, body=b, name="李明", id_number=ID, role_kinds=["officer"])
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        person_create(actor=None, body=b, name="李明二", id_number=ID.lower(),
                      role_kinds=["officer"])
    assert exc.value.code == "person_duplicate"
    assert counts() == before


@pytest.mark.parametrize(
    ("id_number", "code"),
    [("110105194912310021", "id_number_checksum"), ("1101051949123100", "id_number_format"),
     ("110105199902300027", "id_number_birth_date")],
)
def test_bad_id_number_creates_nothing(id_number: str, code: str) -> None:
    b = f.body(f.regions()["county"])
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        person_create(actor=None, body=b, name="李明", id_number=id_number,
                      role_kinds=["officer"])
    assert exc.value.code == code
    assert counts() == before


def test_department_of_another_body_is_refused() -> None:
    r = f.regions()
    a, b = f.body(r["county"]), f.body(r["other_county"])
    dep_b = department_create(actor=None, body=b, name="执法一科")
    before = counts()
    with pytest.raises(InvalidInput) as exc:
        person_create(actor=None, body=a, name="李明", id_number=ID, role_kinds=["officer"],
                      department=dep_b)
    assert exc.value.code == "department_other_body"
    assert counts() == before
    assert Department.objects.count() == 1


def test_only_the_bodys_administrators_create_people() -> None:
    w = f.scoping_world()
    before = counts()
    for actor in (w.u_officer_a, w.u_admin_b, w.u_supervisor, w.u_no_person, w.u_inactive):
        with pytest.raises(PermissionDenied) as exc:
            person_create(actor=actor, body=w.body_a, name="新人", id_number=ID,
                          role_kinds=["officer"])
        assert exc.value.code == "body_out_of_scope"
        assert counts() == before
    p = person_create(actor=w.u_admin_a, body=w.body_a, name="新人", id_number=ID,
                      role_kinds=["officer"])
    assert p.body_id == w.body_a.pk
    assert counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"name": "  "}, "name_required"),
     ({"role_kinds": []}, "role_required"),
     ({"role_kinds": ["officer", "bogus"]}, "role_unknown"),
     ({"legal_qualification_number": "A2020"}, "qualification_incomplete"),
     ({"legal_qualification_date": dt.date(2020, 1, 1)}, "qualification_incomplete")],
)
def test_bad_person_input_creates_nothing(kwargs: dict, code: str) -> None:  # type: ignore[type-arg]
    b = f.body(f.regions()["county"])
    before = counts()
    args = {"name": "李明", "id_number": ID, "role_kinds": ["officer"], **kwargs}
    with pytest.raises(InvalidInput) as exc:
        person_create(actor=None, body=b, **args)
    assert exc.value.code == code
    assert counts() == before
