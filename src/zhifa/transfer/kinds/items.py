"""Enforcement items (权责清单): one row per item version, created with
``catalog.services.item_create``; the basis cites articles in force on the effective date."""

from collections.abc import Iterator
from functools import partial
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.selectors import visible_items
from zhifa.catalog.services import item_create
from zhifa.orgs.models import Department
from zhifa.orgs.permissions import Perm

from ..vocab import ITEM_CATEGORIES, PROCEDURE_TYPES, TIME_UNITS
from .base import (
    BACKDATING_NOTE,
    Action,
    Column,
    Kind,
    Reference,
    SourceRow,
    article_references,
    format_date,
    law_reference,
    max_length,
)
from .reader import ImportContext, RowReader, VersionOrder


def _max(field: str) -> int | None:
    return max_length(EnforcementItem, field)


_OFFICE_MAX = max_length(Department, "name")


class ItemsKind(Kind):
    key = "items"
    title = gettext_lazy("Enforcement items")
    manage_perm = Perm.MANAGE_CATALOG
    view_perm = Perm.VIEW_CATALOG
    columns = (
        Column("body_credit_code", gettext_lazy("Body credit code"),
               gettext_lazy("Unified social credit code of the body whose power list holds "
                            "the item."),
               required=True, example="11430100MB12345675", width=22),
        Column("code", gettext_lazy("Item code"),
               gettext_lazy("The item's code in the power list. A code the body already has "
                            "adds a new version from the effective date."),
               required=True, example="CF-SCJG-001", max_length=_max("code")),
        Column("name", gettext_lazy("Item name"), gettext_lazy("Name of the item."),
               required=True, example="对销售不符合食品安全标准的食品的行政处罚",
               max_length=_max("name"), width=36),
        Column("category", gettext_lazy("Category"), gettext_lazy("One of the allowed values."),
               required=True, example="行政处罚", vocabulary=ITEM_CATEGORIES, width=12),
        Column("procedure_type", gettext_lazy("Procedure type"),
               gettext_lazy("One of the allowed values."), required=True, example="普通程序",
               vocabulary=PROCEDURE_TYPES, width=14),
        Column("legal_basis", gettext_lazy("Legal basis (articles)"),
               gettext_lazy("Articles as law code:article number, several separated by ; "
                            "(see the legal provisions sheet). Each resolves to the text in "
                            "force on the effective date. Give this or the basis text."),
               example="food-safety-law:124; administrative-penalty-law:28", width=30),
        Column("basis_text", gettext_lazy("Legal basis (text)"),
               gettext_lazy("The basis as cited in the power list."),
               example="《中华人民共和国食品安全法》第一百二十四条", width=36),
        Column("time_limit", gettext_lazy("Time limit"),
               gettext_lazy("A whole number; give its unit too."), example="90", width=10),
        Column("time_limit_unit", gettext_lazy("Time limit unit"),
               gettext_lazy("One of the allowed values."), example="自然日",
               vocabulary=TIME_UNITS, width=12),
        Column("accepting_office", gettext_lazy("Accepting office"),
               gettext_lazy("Name of the body's department that accepts the matter. May be "
                            "empty."),
               example="执法稽查科", max_length=_OFFICE_MAX),
        Column("deciding_office", gettext_lazy("Deciding office"),
               gettext_lazy("Name of the body's department that decides. May be empty."),
               example="局领导班子", max_length=_OFFICE_MAX),
        Column("reconsideration_body", gettext_lazy("Reconsideration body"),
               gettext_lazy("Where to apply for administrative reconsideration."),
               example="长沙市人民政府", max_length=_max("reconsideration_body"), width=20),
        Column("reconsideration_days", gettext_lazy("Reconsideration period (days)"),
               gettext_lazy("Empty means 60 days (Administrative Reconsideration Law art. "
                            "20)."), example="60", width=12),
        Column("litigation_court", gettext_lazy("Court"),
               gettext_lazy("Court for administrative litigation."), example="长沙市芙蓉区人民法院",
               max_length=_max("litigation_court"), width=20),
        Column("litigation_months", gettext_lazy("Litigation period (months)"),
               gettext_lazy("Empty means 6 months (Administrative Litigation Law art. 46)."),
               example="6", width=12),
        Column("effective_from", gettext_lazy("Effective date"),
               gettext_lazy("Date this version takes effect, YYYY-MM-DD."), required=True,
               example="2024-01-01"),
    )
    notes = (
        gettext_lazy("One row per item version. Rows with the same body and item code are "
                     "successive versions and need increasing effective dates."),
        BACKDATING_NOTE,
    )
    error_columns = {
        "version_effective_date": "effective_from",
        "version_backdated": "effective_from",
        "article_not_in_force": "legal_basis",
        "category_unknown": "category",
        "procedure_unknown": "procedure_type",
        "time_unit_unknown": "time_limit_unit",
        "department_other_body": "accepting_office",
        "catalog_out_of_scope": "body_credit_code",
    }

    def plan(self, ctx: ImportContext, rows: list[SourceRow]) -> list[Action]:
        actions: list[Action] = []
        versions = VersionOrder(
            visible_items(ctx.actor), "body_id",
            in_database=_("This item already has a version in force from %(date)s; a "
                          "new version must take effect later."),
            in_file=_("Row %(row)s has a version of this item from %(date)s; a "
                      "later row must take effect later."),
        )
        for row in rows:
            r = RowReader(ctx, row)
            body = r.body("body_credit_code")
            code = r.text("code")
            name = r.text("name")
            category = r.choice("category", ITEM_CATEGORIES)
            procedure_type = r.choice("procedure_type", PROCEDURE_TYPES)
            effective_from = r.date("effective_from")
            articles = r.articles("legal_basis", effective_from)
            basis_text = r.text("basis_text")
            if not r.raw("legal_basis") and not basis_text:
                r.fail("legal_basis", "required",
                       _("Give the legal basis as articles or as text."))
            time_limit = r.integer("time_limit")
            unit = r.choice("time_limit_unit", TIME_UNITS)
            if time_limit is not None and not r.raw("time_limit_unit"):
                r.fail("time_limit_unit", "required", _("Give the unit of the time limit."))
            if unit is not None and not r.raw("time_limit"):
                r.fail("time_limit", "required", _("Give the time limit for this unit."))
            accepting = r.department("accepting_office", body)
            deciding = r.department("deciding_office", body)
            reconsideration_body = r.text("reconsideration_body")
            reconsideration_days = r.integer("reconsideration_days")
            court = r.text("litigation_court")
            litigation_months = r.integer("litigation_months")
            if body is not None and code and effective_from is not None:
                versions.check(r, body.pk, code, effective_from)
            if not r.ok or body is None or category is None or procedure_type is None:
                continue
            assert effective_from is not None
            extra: dict[str, Any] = {}
            if reconsideration_days is not None:
                extra["reconsideration_days"] = reconsideration_days
            if litigation_months is not None:
                extra["litigation_months"] = litigation_months
            actions.append(Action(rows=[row], run=partial(
                item_create, actor=ctx.actor, body=body, code=code, name=name,
                category=category, procedure_type=procedure_type,
                effective_from=effective_from, legal_basis=articles, basis_text=basis_text,
                accepting_office=accepting, deciding_office=deciding, time_limit=time_limit,
                time_limit_unit=unit or "", reconsideration_body=reconsideration_body,
                litigation_court=court, **extra,
            )))
        return actions

    def export_rows(self, actor: Any) -> Iterator[dict[str, str]]:
        items = (
            visible_items(actor)
            .select_related("accepting_office", "deciding_office")
            .prefetch_related("legal_basis__version__law")
            .order_by("body__name", "body_id", "code", "version")
        )
        for item in items:
            yield {
                "body_credit_code": item.body.credit_code,
                "code": item.code,
                "name": item.name,
                "category": ITEM_CATEGORIES.display(item.category),
                "procedure_type": PROCEDURE_TYPES.display(item.procedure_type),
                "legal_basis": article_references(item.legal_basis.all()),
                "basis_text": item.basis_text,
                "time_limit": "" if item.time_limit is None else str(item.time_limit),
                "time_limit_unit": (
                    TIME_UNITS.display(item.time_limit_unit) if item.time_limit_unit else ""
                ),
                "accepting_office": item.accepting_office.name if item.accepting_office else "",
                "deciding_office": item.deciding_office.name if item.deciding_office else "",
                "reconsideration_body": item.reconsideration_body,
                "reconsideration_days": str(item.reconsideration_days),
                "litigation_court": item.litigation_court,
                "litigation_months": str(item.litigation_months),
                "effective_from": format_date(item.effective_from),
            }

    def references(self) -> list[Reference]:
        return [law_reference()]
