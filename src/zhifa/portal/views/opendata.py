"""Open data on the portal: the public records as CSV, the 双公示 credit-publicity penalty
export (CSV and XLSX), the Atom feed of changes, and the page that describes them.

Every file is built from ``zhifa.disclosure.exports`` (the same rows as the JSON API) and
holds only published records in their publicity period: a withdrawn, ended or expired record
leaves every file at once (within the cache time). Exports are bounded
(``EXPORT_MAX_ROWS`` rows per request, newest decision first; older records by a date range)
and the CSV files stream. Like every portal page they are anonymous, cacheable and set no
cookie (``public_page``)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.xmlutils import SimplerXMLGenerator

from zhifa.core.money import fen_to_yuan
from zhifa.disclosure import exports
from zhifa.disclosure.fields import FIELDS
from zhifa.disclosure.models import Category, State, WithdrawalKind

from ..http import public_page

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ATOM_NS = "http://www.w3.org/2005/Atom"
# XML 1.0 forbids these (the XML writer refuses them): dropped from every text of the feed
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# -- filters ------------------------------------------------------------------------------------

class BadFilter(ValueError):
    pass


def _param(request: HttpRequest, *names: str) -> str:
    """The first of ``names`` given (the portal search's names and the API's both work)."""
    for name in names:
        value = request.GET.get(name, "").strip()
        if value:
            return value
    return ""


def _date(request: HttpRequest, *names: str) -> dt.date | None:
    raw = _param(request, *names)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise BadFilter(_("%(field)s is not a date (YYYY-MM-DD).") % {"field": names[0]}
                        ) from None


def parse_filters(request: HttpRequest, *, category: str | None = None
                  ) -> exports.Filters | None:
    """The export's filters: ``q``, ``agency`` (or ``body``: a body's public id), ``region``
    (a region code), ``category``, ``from``/``to`` (or ``date_from``/``date_to``: decision
    dates). None when the body or region does not exist (an empty file); ``BadFilter`` when
    a value is malformed."""
    q = " ".join(request.GET.get("q", "").split())
    if len(q) > 200:
        raise BadFilter(_("The search text is too long."))
    body: uuid.UUID | None = None
    raw_body = _param(request, "agency", "body")
    if raw_body:
        try:
            body = uuid.UUID(raw_body)
        except ValueError:
            raise BadFilter(_("Unknown enforcement body.")) from None
    if category is None:
        category = request.GET.get("category", "").strip() or None
        if category is not None and category not in Category.values:
            raise BadFilter(_("Unknown category."))
    date_from = _date(request, "from", "date_from")
    date_to = _date(request, "to", "date_to")
    if date_from and date_to and date_from > date_to:
        raise BadFilter(_("The start date is after the end date."))
    return exports.resolve_filters(q=q, body=body, region=_param(request, "region") or None,
                                   category=category, date_from=date_from, date_to=date_to)


def _bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _export(request: HttpRequest, *, category: str | None = None
            ) -> tuple[exports.Export | None, HttpResponse | None]:
    try:
        filters = parse_filters(request, category=category)
    except BadFilter as exc:
        return None, _bad_request(str(exc))
    if filters is None:
        return exports.Export(total=0, total_is_estimate=False, rows=iter(())), None
    return exports.export_records(filters), None


def _describe(response: HttpResponse, export: exports.Export, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Total-Count"] = str(export.total)
    response["X-Export-Max-Rows"] = str(exports.EXPORT_MAX_ROWS)
    response["X-Export-Truncated"] = "true" if export.truncated else "false"
    return response


# -- CSV and XLSX -------------------------------------------------------------------------------

@public_page
def publications_csv(request: HttpRequest) -> HttpResponse:
    export, error = _export(request)
    if error is not None:
        return error
    assert export is not None
    header = [name for name, _get in exports.CSV_COLUMNS]
    rows = (exports.csv_row(p) for p in export.rows)
    response = StreamingHttpResponse(exports.csv_chunks(header, rows),
                                     content_type="text/csv; charset=utf-8")
    return _describe(response, export, "publications.csv")  # type: ignore[arg-type]


def _credit_rows(export: exports.Export) -> Iterator[list[str]]:
    return (exports.credit_row(p) for p in export.rows)


@public_page
def credit_csv(request: HttpRequest) -> HttpResponse:
    export, error = _export(request, category=Category.PENALTY)
    if error is not None:
        return error
    assert export is not None
    header = [name for name, _get in exports.CREDIT_COLUMNS]
    response = StreamingHttpResponse(exports.csv_chunks(header, _credit_rows(export)),
                                     content_type="text/csv; charset=utf-8")
    return _describe(response, export, "credit-penalties.csv")  # type: ignore[arg-type]


@public_page
def credit_xlsx(request: HttpRequest) -> HttpResponse:
    export, error = _export(request, category=Category.PENALTY)
    if error is not None:
        return error
    assert export is not None
    header = [name for name, _get in exports.CREDIT_COLUMNS]
    data = exports.xlsx_bytes("行政处罚", header, _credit_rows(export))
    return _describe(HttpResponse(data, content_type=XLSX_TYPE), export,
                     "credit-penalties.xlsx")


# -- Atom ---------------------------------------------------------------------------------------

def _rfc3339(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _content_html(pub: Any) -> str:
    fields = exports.record_fields(pub)
    rows = [(label, fields[key]) for key, label in FIELDS if fields.get(key)]
    amounts = [(label, _("%(amount)s yuan") % {"amount": fen_to_yuan(fen)})
               for label, fen in ((_("Fine"), pub.fine), (_("Confiscated"), pub.confiscation))
               if fen]
    return str(format_html("<dl>{}</dl>", format_html_join(
        "", "<dt>{}</dt><dd>{}</dd>", ((str(label), value) for label, value in rows + amounts))))


GONE_TITLES: dict[str, Any] = {
    State.WITHDRAWN: gettext_lazy("Withdrawn: %(number)s"),
    State.ENDED: gettext_lazy("Publicity ended early: %(number)s"),
    State.EXPIRED: gettext_lazy("Publicity period over: %(number)s"),
}


def _gone_summary(change: exports.Change) -> str:
    pub = change.publication
    if change.state == State.WITHDRAWN:
        kinds = dict(WithdrawalKind.choices)
        kind = str(kinds.get(pub.withdrawal_kind, ""))
        return f"{kind} {pub.withdrawal_reason}".strip()
    if change.state == State.ENDED:
        return _("The publicity of this decision ended early (credit restored).")
    return _("The publicity period of this decision is over.")


def _xml(text: Any) -> str:
    """``text`` without the characters XML 1.0 forbids (a record's text may hold one)."""
    return XML_ILLEGAL.sub("", str(text))


def _open(xml: SimplerXMLGenerator, name: str, attrs: dict[str, str] | None = None) -> None:
    safe = {k: _xml(v) for k, v in (attrs or {}).items()}
    xml.startElement(name, safe)  # type: ignore[arg-type]  # a plain dict works


def _text(xml: SimplerXMLGenerator, name: str, text: Any = None,
          attrs: dict[str, str] | None = None) -> None:
    """An element holding ``text`` (if any) and ``attrs``, XML-safe."""
    xml.addQuickElement(name, None if text is None else _xml(text),
                        {k: _xml(v) for k, v in (attrs or {}).items()})


def _entry(xml: SimplerXMLGenerator, request: HttpRequest, change: exports.Change) -> None:
    pub = change.publication
    link = request.build_absolute_uri(exports.portal_path(pub))
    _open(xml, "entry")
    _text(xml, "id", f"urn:uuid:{pub.public_id}")
    _text(xml, "updated", _rfc3339(change.at))
    _text(xml, "link", attrs={"rel": "alternate", "href": link})
    _open(xml, "author")
    _text(xml, "name", pub.body.name)
    xml.endElement("author")
    _text(xml, "category", attrs={"term": pub.category,
                                  "label": str(Category(pub.category).label)})
    if change.state == State.PUBLISHED:
        _text(xml, "title", pub.title)
        if pub.published_at is not None:
            _text(xml, "published", _rfc3339(pub.published_at))
        _text(xml, "summary", " · ".join(filter(None, (
            pub.decision_number, pub.party_display, pub.body.name,
            pub.decision_date.isoformat()))))
        _text(xml, "content", _content_html(pub), {"type": "html"})
    else:
        _text(xml, "title", str(GONE_TITLES[change.state]) % {"number": pub.decision_number})
        _text(xml, "summary", _gone_summary(change))
    xml.endElement("entry")


@public_page
def feed(request: HttpRequest) -> HttpResponse:
    """The latest changes: a published record is an entry with its public fields; a
    withdrawn, ended or expired one is an entry with the same id, a later ``updated``, its
    reason and no content, so that a reader replaces what it kept."""
    changes = exports.latest_changes()
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    xml = SimplerXMLGenerator(response, "utf-8", short_empty_elements=True)
    xml.startDocument()
    language = getattr(request, "LANGUAGE_CODE", "zh-hans")
    _open(xml, "feed", {"xmlns": ATOM_NS,
                        "xml:lang": "zh-Hans" if language == "zh-hans" else language})
    xml.addQuickElement("id", request.build_absolute_uri(request.path))
    xml.addQuickElement("title", _("Published enforcement decisions"))
    xml.addQuickElement("subtitle", _("Decisions published, withdrawn, ended early and gone "
                                      "offline, newest first."))
    xml.addQuickElement("link", attrs={"rel": "self",
                                       "href": request.build_absolute_uri(request.path)})
    xml.addQuickElement("link", attrs={"rel": "alternate",
                                       "href": request.build_absolute_uri("/portal/")})
    updated = changes[0].at if changes else dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    xml.addQuickElement("updated", _rfc3339(updated))
    _open(xml, "author")
    xml.addQuickElement("name", _("Enforcement publicity"))
    xml.endElement("author")
    for change in changes:
        _entry(xml, request, change)
    xml.endElement("feed")
    xml.endDocument()
    return response


# -- the page -----------------------------------------------------------------------------------

@public_page
def open_data(request: HttpRequest) -> HttpResponse:
    context = {
        "csv_columns": [name for name, _get in exports.CSV_COLUMNS],
        "credit_columns": [name for name, _get in exports.CREDIT_COLUMNS],
        "json_fields": [(key, label) for key, label in FIELDS],
        "max_rows": exports.EXPORT_MAX_ROWS,
        "changes_max": exports.CHANGES_MAX,
        "feed_entries": exports.FEED_ENTRIES,
        "settle_seconds": exports.SETTLE_SECONDS,
        "categories": Category.choices,
    }
    return render(request, "portal/opendata/index.html", context)
