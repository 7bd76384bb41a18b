"""People (执法人员名册): one row per person, created with ``orgs.services.person_create``."""

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.orgs.models import Department, Person
from zhifa.orgs.permissions import Perm
from zhifa.orgs.selectors import person_id_number_for, visible_people
from zhifa.orgs.services import person_create

from ..vocab import ROLE_KINDS
from .base import (
    Action,
    Column,
    Kind,
    Reference,
    SourceRow,
    format_date,
    max_length,
)
from .reader import ImportContext, NewValues, RowReader


def _max(field: str) -> int | None:
    return max_length(Person, field)


class PeopleKind(Kind):
    key = "people"
    title = gettext_lazy("People")
    manage_perm = Perm.MANAGE_PEOPLE
    view_perm = Perm.VIEW_REGISTRY
    columns = (
        Column("body_credit_code", gettext_lazy("Body credit code"),
               gettext_lazy("Unified social credit code (18 characters) of the enforcement "
                            "body the person works for."),
               required=True, example="11430100MB12345675", width=22),
        Column("department", gettext_lazy("Department"),
               gettext_lazy("Name of a department of that body, as registered. May be empty."),
               example="执法稽查科", max_length=max_length(Department, "name")),
        Column("name", gettext_lazy("Full name"), gettext_lazy("Name as on the ID card."),
               required=True,
               example="张三", max_length=_max("name"), width=12),
        Column("id_number", gettext_lazy("ID number"),
               gettext_lazy("Citizen ID number, 18 characters (GB 11643), last one a digit or "
                            "X. Must not be registered already."),
               required=True, example="430102198503150014", width=22),
        Column("role_kinds", gettext_lazy("Role kinds"),
               gettext_lazy("One or more of the allowed values, separated by 、 or a comma."),
               required=True, example="执法人员、负责人", vocabulary=ROLE_KINDS, multiple=True,
               width=22),
        Column("post", gettext_lazy("Post"), gettext_lazy("Post or title. May be empty."),
               example="科长", max_length=_max("post")),
        Column("phone", gettext_lazy("Phone"), gettext_lazy("Office phone. May be empty."),
               example="0731-88888888", max_length=_max("phone")),
        Column("legal_qualification_number",
               gettext_lazy("Legal professional qualification number"),
               gettext_lazy("Certificate number of the legal professional qualification "
                            "(法律职业资格). Fill in together with its date, or leave both "
                            "empty."),
               example="A20184301020001", max_length=_max("legal_qualification_number"),
               width=24),
        Column("legal_qualification_date", gettext_lazy("Legal qualification date"),
               gettext_lazy("Date the qualification was granted, YYYY-MM-DD."),
               example="2018-12-20"),
        Column("status", gettext_lazy("Status"),
               gettext_lazy("In post or left. Exports only; ignored on import."),
               export_only=True, width=10),
    )
    notes = (
        gettext_lazy("One row per person. A person whose ID number is already registered is "
                     "reported as an error, not updated."),
    )
    error_columns = {
        "person_duplicate": "id_number",
        "person_unavailable": "id_number",
        "id_number_format": "id_number",
        "id_number_checksum": "id_number",
        "name_required": "name",
        "role_required": "role_kinds",
        "role_unknown": "role_kinds",
        "qualification_incomplete": "legal_qualification_number",
        "department_other_body": "department",
        "body_out_of_scope": "body_credit_code",
    }

    def plan(self, ctx: ImportContext, rows: list[SourceRow]) -> list[Action]:
        actions: list[Action] = []
        id_numbers = NewValues(
            Person, "id_number", rows, code="person_duplicate",
            in_file=_("The same ID number is already on row %(row)s."),
            registered=_("A person with this ID number is already registered."),
            # Registered in another body: say so without saying where, or whether at all
            # beyond "cannot be registered" (an ID number is personal information).
            scope_field="body_id",
            elsewhere=("person_unavailable", _(
                "This ID number cannot be registered. If the person is transferring from "
                "another enforcement body, ask a system administrator to record the transfer."
            )),
        )
        for row in rows:
            r = RowReader(ctx, row)
            body = r.body("body_credit_code")
            department = r.department("department", body)
            name = r.text("name")
            id_number = r.id_number("id_number")
            if id_number is not None:
                id_numbers.check(r, id_number, scope=self._scope(ctx, body, id_numbers, id_number))
            role_kinds = r.choices("role_kinds", ROLE_KINDS)
            post = r.text("post")
            phone = r.text("phone")
            qualification = r.text("legal_qualification_number")
            qualified_on = r.date("legal_qualification_date")
            if qualification and qualified_on is None and not r.raw("legal_qualification_date"):
                r.fail("legal_qualification_date", "required",
                       _("Give the date of the legal professional qualification."))
            if qualified_on is not None and not qualification:
                r.fail("legal_qualification_number", "required",
                       _("Give the number of the legal professional qualification."))
            if not r.ok or body is None or id_number is None:
                continue
            actions.append(Action(rows=[row], run=partial(
                person_create, actor=ctx.actor, body=body, name=name, id_number=id_number,
                role_kinds=role_kinds, department=department, post=post, phone=phone,
                legal_qualification_number=qualification,
                legal_qualification_date=qualified_on,
            )))
        return actions

    @staticmethod
    def _scope(ctx: ImportContext, body: Any, id_numbers: NewValues, id_number: str) -> Any:
        """The body an ID number is checked against. When the row's body code is wrong, an ID
        number registered in the user's own body (or, for a system administrator, anywhere)
        is a plain duplicate; only one registered in another body gets the neutral message."""
        if body is not None:
            return body.pk
        if ctx.is_system_admin:
            return id_numbers.registered.get(id_number)
        own = ctx.own_body
        return own.pk if own is not None else None

    def export_rows(self, actor: Any) -> Iterator[dict[str, str]]:
        people = visible_people(actor).order_by("body__name", "name", "id")
        for person in people:
            yield {
                "body_credit_code": person.body.credit_code,
                "department": person.department.name if person.department else "",
                "name": person.name,
                "id_number": person_id_number_for(actor, person),
                "role_kinds": ROLE_KINDS.display_many(r.kind for r in person.roles.all()),
                "post": person.post,
                "phone": person.phone,
                "legal_qualification_number": person.legal_qualification_number,
                "legal_qualification_date": format_date(person.legal_qualification_date),
                "status": str(person.get_status_display()),
            }

    def references(self) -> list[Reference]:
        return []
