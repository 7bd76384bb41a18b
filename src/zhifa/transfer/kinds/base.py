"""What every kind of import shares: columns, rows, the plan of service calls, export
formatting and the reference sheets of templates. Reading cells is in ``reader``."""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhifa.catalog.models import Article, Law
from zhifa.orgs.models import Region, Sector
from zhifa.orgs.permissions import Perm, perms_of

from ..vocab import Vocabulary

if TYPE_CHECKING:
    from .reader import ImportContext

Text = str | Promise

@dataclass(frozen=True)
class Column:
    key: str
    label: Text
    help: Text
    required: bool = False
    example: str = ""
    max_length: int | None = None
    width: int = 16
    vocabulary: Vocabulary | None = None  # values come from this list
    multiple: bool = False  # several values of the vocabulary, separated by 、
    # Written by exports for reading (a status today); not in the template, ignored on import.
    export_only: bool = False


@dataclass
class SourceRow:
    number: int  # as the spreadsheet shows it
    values: dict[str, str]  # column key -> cell text


@dataclass
class Action:
    """One service call planned from one or more rows (a benchmark takes one row per tier)."""

    rows: list[SourceRow]
    run: Callable[[], object]
    count: int = 1
    detail_rows: dict[str, int] = field(default_factory=dict)  # service error detail -> row


# Catalogue versions: ``catalog.services`` refuses past effective dates to body administrators.
BACKDATING_NOTE = gettext_lazy(
    "Body administrators: a version takes effect today or later. Catalogues already in force "
    "before today are recorded by a system administrator."
)


# --- Export formatting -------------------------------------------------------------------------
def format_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def format_scaled(value: int | None, places: int = 2) -> str:
    """12345 (fen) -> "123.45"; 500000 -> "5000"; None -> ""."""
    if value is None:
        return ""
    whole, rest = divmod(abs(value), 10**places)
    text = str(whole)
    if rest:
        text += "." + f"{rest:0{places}d}".rstrip("0")
    return ("-" if value < 0 else "") + text


def article_reference(article: Article) -> str:
    return f"{article.version.law.code}:{article.number}"


def article_references(articles: Iterable[Article]) -> str:
    """``law_code:number`` of each article, by law code and number, separated by "; "."""
    ordered = sorted(articles, key=lambda a: (a.version.law.code, a.number))
    return "; ".join(article_reference(a) for a in ordered)


def max_length(model: Any, name: str) -> int | None:
    """The ``max_length`` of a model field, so that a column checks what the database holds."""
    return model._meta.get_field(name).max_length


class Kind:
    """One kind of import/export. Subclasses declare columns and implement ``plan`` (rows to
    service calls, reporting every problem) and ``export_rows``."""

    key: ClassVar[str]
    title: ClassVar[Text]
    manage_perm: ClassVar[Perm]
    view_perm: ClassVar[Perm]
    columns: ClassVar[tuple[Column, ...]]
    notes: ClassVar[tuple[Text, ...]] = ()
    # Stable codes raised by the services -> the column the user should look at.
    error_columns: ClassVar[dict[str, str]] = {}

    @property
    def import_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.export_only)

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def can_import(self, actor: Any) -> bool:
        return self.manage_perm in perms_of(actor)

    def can_export(self, actor: Any) -> bool:
        return self.view_perm in perms_of(actor)

    def plan(self, ctx: "ImportContext", rows: list[SourceRow]) -> list[Action]:
        raise NotImplementedError

    def export_rows(self, actor: Any) -> Iterator[dict[str, str]]:
        raise NotImplementedError

    def references(self) -> list["Reference"]:
        """Extra sheets of codes for the template (sectors, regions, laws)."""
        return []


# --- Reference sheets for templates ------------------------------------------------------------
# Regions, sectors and laws are public reference data (``visible_regions`` and
# ``visible_sectors`` show all of them to every staff account); the template, which only those
# who may import the kind download, lists them whole.
Reference = tuple[str, list[str], list[list[str]]]


def sector_reference() -> Reference:
    return (
        _("Sectors"),
        [_("Sector code"), _("Sector name")],
        [[s.code, s.name] for s in Sector.objects.order_by("sort_order", "code")],
    )


def region_reference() -> Reference:
    regions = Region.objects.exclude(level="township").order_by("code")
    return (
        _("Regions"),
        [_("Region code"), _("Region name"), _("Level")],
        [[r.code, r.name, str(r.get_level_display())] for r in regions],
    )


def law_reference() -> Reference:
    rows = []
    for law in Law.objects.prefetch_related("versions").order_by("code"):
        versions = "；".join(
            f"{v.label}（{v.effective_from.isoformat()}）" for v in law.versions.all()
        )
        rows.append([law.code, law.title, versions])
    return (_("Legal provisions"), [_("Law code"), _("Title"), _("Versions")], rows)
