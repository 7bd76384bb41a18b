"""Reading one row's cells into values: every problem becomes a row error with a stable code,
and lookups (bodies, regions, sectors, departments, articles) are cached for the whole file."""

import datetime as dt
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Max, QuerySet
from django.utils.translation import gettext as _

from zhifa.catalog.models import Article
from zhifa.catalog.selectors import article_in_force
from zhifa.core.errors import NotFound
from zhifa.core.money import yuan_to_fen
from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    check_region_code,
)
from zhifa.orgs.models import Department, EnforcementBody, Region, Sector
from zhifa.orgs.permissions import Perm, perms_of
from zhifa.orgs.selectors import visible_bodies, visible_regions, visible_sectors

from ..report import ImportReport
from ..vocab import Vocabulary, normalise, split_list
from .base import SourceRow

if TYPE_CHECKING:
    from .base import Kind

# 2018-12-20, 2018/12/20, 2018.12.20 and 2018年12月20日 (Excel date cells arrive as the first).
_DATE_RE = re.compile(
    r"^(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|年(\d{1,2})月(\d{1,2})日)$"
)
_INT_RE = re.compile(r"^\d+$")
_REFERENCE_SEPARATORS = ";；\n"


class ImportContext:
    """The importing user, the report, and lookups cached for the whole file."""

    def __init__(self, *, actor: Any, kind: "Kind", report: ImportReport) -> None:
        self.actor = actor
        self.kind = kind
        self.report = report
        self.perms = perms_of(actor)
        self._bodies: dict[str, EnforcementBody | None] = {}
        self._regions: dict[str, Region | None] = {}
        self._departments: dict[tuple[int, str], Department | None] = {}
        self._sectors: list[Sector] | None = None

    @property
    def is_system_admin(self) -> bool:
        return Perm.ADMINISTER_SYSTEM in self.perms

    @property
    def own_body(self) -> EnforcementBody | None:
        person = getattr(self.actor, "person", None)
        return person.body if person is not None else None

    def body_in_scope(self, body: EnforcementBody) -> bool:
        """Body administrators import for their own body only; system administrators any."""
        if self.is_system_admin:
            return True
        own = self.own_body
        return own is not None and own.pk == body.pk

    # Every lookup goes through the registry's scoped selectors: a body outside the user's
    # scope is as unknown as one never registered.
    def body_by_code(self, code: str) -> EnforcementBody | None:
        if code not in self._bodies:
            self._bodies[code] = visible_bodies(self.actor).filter(credit_code=code).first()
        return self._bodies[code]

    def region_by_code(self, code: str) -> Region | None:
        if code not in self._regions:
            self._regions[code] = visible_regions(self.actor).filter(code=code).first()
        return self._regions[code]

    def department(self, body: EnforcementBody, name: str) -> Department | None:
        """A department of ``body``, a body the user sees (``body_by_code``)."""
        key = (body.pk, normalise(name))
        if key not in self._departments:
            self._departments[key] = next(
                (d for d in body.departments.all() if normalise(d.name) == key[1]), None
            )
        return self._departments[key]

    def sectors_matching(self, text: str) -> list[Sector]:
        """Sectors whose code or name is ``text`` (a name may be ambiguous)."""
        if self._sectors is None:
            self._sectors = list(visible_sectors(self.actor))
        wanted = normalise(text)
        by_code = [s for s in self._sectors if normalise(s.code) == wanted]
        return by_code or [s for s in self._sectors if normalise(s.name) == wanted]


class RowReader:
    """Reads one row's cells; each problem becomes a row error and the value comes back as
    None (or empty), so the whole row is checked and every problem is reported at once."""

    def __init__(self, ctx: ImportContext, row: SourceRow) -> None:
        self.ctx = ctx
        self.row = row
        self.errors = 0

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def raw(self, key: str) -> str:
        return self.row.values.get(key, "")

    def fail(self, key: str, code: str, message: str, value: str | None = None) -> None:
        label = str(self.ctx.kind.column(key).label) if key else ""
        self.ctx.report.add(
            row=self.row.number, column=label, value=self.raw(key) if value is None else value,
            code=code, message=message,
        )
        self.errors += 1

    def _required(self, key: str) -> bool:
        """True when the cell is empty (after reporting it if the column is required)."""
        if self.raw(key):
            return False
        if self.ctx.kind.column(key).required:
            self.fail(key, "required", _("This column is required."))
        return True

    # --- scalar values ----------------------------------------------------------------------
    def text(self, key: str) -> str:
        if self._required(key):
            return ""
        value = self.raw(key)
        limit = self.ctx.kind.column(key).max_length
        if limit is not None and len(value) > limit:
            self.fail(key, "too_long",
                      _("At most %(count)s characters are allowed.") % {"count": limit})
            return ""
        return value

    def date(self, key: str) -> dt.date | None:
        if self._required(key):
            return None
        match = _DATE_RE.match("".join(self.raw(key).split()))
        try:
            if match is None:
                raise ValueError
            month, day = (match[3], match[4]) if match[2] else (match[5], match[6])
            return dt.date(int(match[1]), int(month), int(day))
        except ValueError:
            self.fail(key, "date_format", _("Write a real date as YYYY-MM-DD, e.g. 2024-03-01."))
            return None

    def integer(self, key: str) -> int | None:
        if self._required(key):
            return None
        value = self.raw(key)
        if not _INT_RE.match(value) or len(value) > 9:
            self.fail(key, "integer_format", _("Write a whole number, e.g. 15."))
            return None
        return int(value)

    def amount(self, key: str, *, places: int = 2) -> int | None:
        """A non-negative decimal with at most ``places`` decimals, as an integer scaled by
        10**places: yuan to fen for places=2 (``core.money.yuan_to_fen``)."""
        if self._required(key):
            return None
        value = self.raw(key)
        try:
            if value.startswith("-"):
                raise ValueError(value)
            if places == 2:
                return yuan_to_fen(value)
            whole, _sep, frac = value.replace(",", "").partition(".")
            if not (whole or "0").isdigit() or (frac and not frac.isdigit()) or len(frac) > places:
                raise ValueError(value)
            return int(whole or "0") * 10**places + int((frac + "0" * places)[:places])
        except ValueError:
            self.fail(key, "amount_format",
                      _("Write a non-negative number with at most %(places)s decimals.")
                      % {"places": places})
            return None

    def choice(self, key: str, vocabulary: Vocabulary) -> str | None:
        if self._required(key):
            return None
        value = vocabulary.parse(self.raw(key))
        if value is None:
            self.fail(key, vocabulary.error_code,
                      _("Not an allowed value. Allowed: %(values)s.")
                      % {"values": vocabulary.allowed()})
        return value

    def choices(self, key: str, vocabulary: Vocabulary) -> list[str]:
        if self._required(key):
            return []
        values: list[str] = []
        for part in vocabulary.split(self.raw(key)):
            value = vocabulary.parse(part)
            if value is None:
                self.fail(key, vocabulary.error_code,
                          _("“%(value)s” is not an allowed value. Allowed: %(values)s.")
                          % {"value": part, "values": vocabulary.allowed()}, value=part)
            elif value not in values:
                values.append(value)
        return values

    # --- identifiers ------------------------------------------------------------------------
    def id_number(self, key: str) -> str | None:
        if self._required(key):
            return None
        try:
            return check_id_number(self.raw(key))
        except IdentifierError as exc:
            self.fail(key, exc.code, exc.message)
            return None

    def credit_code(self, key: str) -> str | None:
        if self._required(key):
            return None
        try:
            return check_credit_code(self.raw(key))
        except IdentifierError as exc:
            self.fail(key, exc.code, exc.message)
            return None

    # --- references to the registry and the catalogues ---------------------------------------
    def body(self, key: str) -> EnforcementBody | None:
        """The body with this credit code, in the importing user's scope."""
        code = self.credit_code(key)
        if code is None:
            return None
        body = self.ctx.body_by_code(code)
        if body is None:
            self.fail(key, "body_unknown",
                      _("No enforcement body with this unified social credit code is "
                        "registered in your scope."))
            return None
        return body if self.in_scope(key, body) else None

    def in_scope(self, key: str, body: EnforcementBody) -> bool:
        """Whether the row may be imported for ``body``; reported on ``key`` when not."""
        if self.ctx.body_in_scope(body):
            return True
        self.fail(key, "body_out_of_scope",
                  _("You can only import rows for your own enforcement body."))
        return False

    def _region(self, key: str, code: str) -> Region | None:
        try:
            code = check_region_code(code)
        except IdentifierError as exc:
            self.fail(key, exc.code, exc.message, value=code)
            return None
        region = self.ctx.region_by_code(code)
        if region is None:
            self.fail(key, "region_unknown",
                      _("No region with code %(code)s is registered.") % {"code": code},
                      value=code)
        return region

    def region(self, key: str) -> Region | None:
        if self._required(key):
            return None
        return self._region(key, self.raw(key))

    def regions(self, key: str) -> list[Region]:
        if self._required(key):
            return []
        found = [self._region(key, code) for code in split_list(self.raw(key))]
        return list(dict.fromkeys(r for r in found if r is not None))

    def _sector(self, key: str, text: str) -> Sector | None:
        matches = self.ctx.sectors_matching(text)
        if len(matches) == 1:
            return matches[0]
        if matches:
            self.fail(key, "sector_unknown",
                      _("Several sectors are called “%(value)s”; use the sector code.")
                      % {"value": text}, value=text)
        else:
            self.fail(key, "sector_unknown",
                      _("No sector with code or name “%(value)s” is registered.")
                      % {"value": text}, value=text)
        return None

    def sector(self, key: str) -> Sector | None:
        if self._required(key):
            return None
        return self._sector(key, self.raw(key))

    def sectors(self, key: str) -> list[Sector]:
        if self._required(key):
            return []
        found = [self._sector(key, text) for text in split_list(self.raw(key))]
        return list(dict.fromkeys(s for s in found if s is not None))

    def department(self, key: str, body: EnforcementBody | None) -> Department | None:
        name = self.text(key)
        if not name or body is None:
            return None
        department = self.ctx.department(body, name)
        if department is None:
            self.fail(key, "department_unknown",
                      _("The body has no department with this name."))
        return department

    def articles(self, key: str, day: dt.date | None) -> list[Article]:
        """References ``law_code:article_number`` separated by ";", each resolved to the text
        of that article in force on ``day`` (APL art. 37: the rules in force at the time)."""
        if self._required(key):
            return []
        found: list[Article] = []
        for reference in split_list(self.raw(key), _REFERENCE_SEPARATORS):
            law_code, sep, number = reference.replace("：", ":").rpartition(":")
            number = number.strip()
            if not sep or not law_code.strip() or not _INT_RE.match(number):
                self.fail(key, "article_format",
                          _("Write each reference as law code:article number, e.g. "
                            "administrative-penalty-law:28; separate several with ;."),
                          value=reference)
                continue
            if day is None:
                continue  # the date is wrong and reported; nothing to resolve against
            try:
                found.append(
                    article_in_force(law_code=law_code.strip(), number=int(number), day=day)
                )
            except NotFound:
                self.fail(key, "article_unknown",
                          _("No text of article %(number)s of “%(law)s” was in force on "
                            "%(date)s.")
                          % {"number": number, "law": law_code.strip(),
                             "date": day.isoformat()},
                          value=reference)
        return list(dict.fromkeys(found))


def existing_values(
    model: Any, field_name: str, candidates: Iterable[str], *, scope_field: str = "pk"
) -> dict[str, Any]:
    """Which of ``candidates`` are already stored in ``model.field_name`` (a column unique
    across the database, so this read cannot be scoped: it finds exactly what the service
    would refuse), each with its ``scope_field``. One query per 500 values instead of one per
    row (SQLite limits the parameters of a query)."""
    values = sorted({c.strip().upper() for c in candidates if c.strip()}
                    | {c.strip() for c in candidates if c.strip()})
    found: dict[str, Any] = {}
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found.update(model.objects.filter(**{f"{field_name}__in": chunk})
                     .values_list(field_name, scope_field))
    return found


class NewValues:
    """A column whose values must be new: neither registered already nor earlier in the file.
    The column key is also the model's field name.

    With ``scope_field`` and ``elsewhere`` (a code and a message), a value registered in
    another scope than the row's is reported with ``elsewhere``: a message that does not say
    where it is registered."""

    def __init__(self, model: Any, key: str, rows: list[SourceRow], *, code: str,
                 in_file: str, registered: str, scope_field: str = "pk",
                 elsewhere: tuple[str, str] | None = None) -> None:
        self.key = key
        self.code = code
        self.in_file = in_file  # with %(row)s, the earlier row
        self.registered_message = registered
        self.elsewhere = elsewhere
        self.registered = existing_values(model, key, [row.values.get(key, "") for row in rows],
                                          scope_field=scope_field)
        self.first_row: dict[str, int] = {}

    def check(self, r: RowReader, value: str, scope: Any = None) -> None:
        if value in self.first_row:
            r.fail(self.key, self.code, self.in_file % {"row": self.first_row[value]})
        elif value in self.registered:
            if self.elsewhere is not None and self.registered[value] != scope:
                r.fail(self.key, *self.elsewhere)
            else:
                r.fail(self.key, self.code, self.registered_message)
        self.first_row.setdefault(value, r.row.number)


class VersionOrder:
    """A new version must take effect after the one before it, in the database or earlier in
    the file, as the catalogue services require (``version_effective_date``). Versions are
    counted per scope (a body, a region) and code, among ``versions``: the user's scoped
    selector (``visible_items``, ``visible_benchmarks``), which holds every version of an
    entry the user may add a version to."""

    def __init__(self, versions: QuerySet[Any], scope_field: str, *, in_database: str,
                 in_file: str) -> None:
        self.versions = versions
        self.scope_field = scope_field
        self.in_database = in_database  # with %(date)s, the version in force
        self.in_file = in_file  # with %(row)s and %(date)s, the earlier row's version
        self._latest: dict[tuple[int, str], tuple[dt.date, int | None]] = {}

    def check(self, r: RowReader, scope_id: int, code: str, effective_from: dt.date) -> None:
        key = (scope_id, code)
        if key not in self._latest:
            current = self.versions.filter(
                **{self.scope_field: scope_id}, code=code
            ).aggregate(day=Max("effective_from"))["day"]
            if current is not None:
                self._latest[key] = (current, None)
        if key in self._latest:
            previous, previous_row = self._latest[key]
            if effective_from <= previous:
                message = self.in_database if previous_row is None else self.in_file
                r.fail("effective_from", "version_effective_date",
                       message % {"date": previous.isoformat(), "row": previous_row})
                return
        self._latest[key] = (effective_from, r.row.number)
