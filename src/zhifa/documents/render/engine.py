"""Rendering: a DOCX template and a context → the DOCX of a document, and its PDF.

Templates are DOCX files with Jinja placeholders (docxtpl): the system defaults of
``render.defaults`` and the templates agencies upload and file (备案). An uploaded template is
untrusted input: it is parsed in Jinja's sandbox, values are XML-escaped, and
``template_problems`` refuses placeholders the type does not know and templates that would not
print a statutory element.

Pure: no database; the services pass the bytes in and store the bytes out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from zhifa.core.errors import InvalidInput
from zhifa.documents import doctypes
from zhifa.documents.render.ooxml import is_docx_package, normalise_zip
from zhifa.documents.render.tohtml import docx_html

QR_KEY = "核验二维码"
QR_WIDTH = Mm(25)
# a placeholder in an element may be printed in another form that carries the same fact
ALTERNATIVES: dict[str, tuple[str, ...]] = {"日期": ("日期", "日期大写")}
# control characters a value may carry from a paste; they are not allowed in XML (tab and
# newline are kept: docxtpl prints a tab, and a newline becomes a paragraph)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# docxtpl turns this character in a value into a new paragraph with the same formatting
NEW_PARAGRAPH = "\a"


# -- templates ---------------------------------------------------------------------------------


class _Template(DocxTemplate):
    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        # the core properties (title, subject...) are plain strings: no paragraphs or pictures
        plain = {k: (v.replace(NEW_PARAGRAPH, " ") if isinstance(v, str) else
                     "" if isinstance(v, InlineImage) else v) for k, v in context.items()}
        # and not XML-escaped here: python-docx escapes them when it writes the part
        super().render_properties(plain, SandboxedEnvironment(undefined=ChainableUndefined))


def _environment() -> SandboxedEnvironment:
    # undefined placeholders print nothing, also when an agency writes {{ 当事人.名称 }}
    return SandboxedEnvironment(autoescape=True, undefined=ChainableUndefined)


def _open(template: bytes) -> _Template:
    if not isinstance(template, bytes | bytearray) or not is_docx_package(bytes(template)):
        raise InvalidInput(_("The template is not a Word document (.docx)."),
                           code="template_not_docx")
    tpl = _Template(io.BytesIO(bytes(template)))
    try:
        tpl.init_docx()
    except Exception as exc:  # python-docx raises many kinds for a damaged package
        raise InvalidInput(_("The template is not a Word document (.docx)."),
                           code="template_not_docx", detail={"error": str(exc)}) from exc
    return tpl


def _syntax_error(exc: TemplateSyntaxError) -> InvalidInput:
    return InvalidInput(
        _("The template's placeholders cannot be read: %(error)s") % {"error": exc.message},
        code="template_syntax", detail={"error": exc.message})


def template_placeholders(template: bytes) -> set[str]:
    """The names the template uses (body, headers and footers)."""
    tpl = _open(template)
    try:
        return set(tpl.get_undeclared_template_variables(jinja_env=_environment()))
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from exc


def _quoted(names: list[str]) -> str:
    return "、".join(f"{{{{ {n} }}}}" for n in names)


def template_problems(doc_type: str, template: bytes) -> list[str]:
    """Why the template cannot serve ``doc_type`` (empty: it can).

    A template may print only the placeholders of its type; and it must print every
    statutory element of the type (e.g. a penalty decision without the three reasons, or
    without the remedy, is refused — APL art. 59, 湘政办发〔2019〕23号): an element is
    printed when each of its placeholders (or an equivalent form) is in the template.
    """
    t = doctypes.doctype(doc_type)
    found = template_placeholders(template)
    allowed = set(doctypes.placeholders(t))
    problems = [_("Unknown placeholder: %(placeholder)s") % {"placeholder": _quoted([name])}
                for name in sorted(found - allowed)]
    for element in t.elements:
        missing = [p for p in element.placeholders
                   if not set(ALTERNATIVES.get(p, (p,))) & found]
        if missing:
            problems.append(
                _("The template does not print the statutory element “%(element)s” "
                  "(%(source)s): %(placeholders)s missing.")
                % {"element": str(element.label), "source": element.source,
                   "placeholders": _quoted(missing)})
    return problems


# -- rendering ---------------------------------------------------------------------------------


def _text(value: str) -> str:
    """A value as printed: one paragraph per line, no control characters."""
    value = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    return NEW_PARAGRAPH.join(value.split("\n"))


def _value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, bytes | bytearray):
        return ""  # pictures only where the engine knows them
    if isinstance(value, list | tuple):
        return [_value(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _value(v) for k, v in value.items()}
    return value


def render_docx(template: bytes, context: Mapping[str, Any]) -> bytes:
    """The document: ``template`` filled with ``context``.

    ``context[核验二维码]`` is the QR code as PNG bytes (printed 25 mm wide); multi-line
    strings print one paragraph per line with the formatting of the placeholder's paragraph;
    placeholders without a value print nothing. Equal input gives equal bytes.
    """
    tpl = _open(template)
    values = {key: _value(value) for key, value in context.items() if key != QR_KEY}
    qr = context.get(QR_KEY)
    values[QR_KEY] = (InlineImage(tpl, io.BytesIO(bytes(qr)), width=QR_WIDTH)
                      if isinstance(qr, bytes | bytearray) and qr else "")
    try:
        tpl.render(values, jinja_env=_environment(), autoescape=True)
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from exc
    except TemplateError as exc:
        raise InvalidInput(
            _("The template cannot be filled in: %(error)s") % {"error": str(exc)},
            code="template_render", detail={"error": str(exc)}) from exc
    buf = io.BytesIO()
    tpl.save(buf)
    return normalise_zip(buf.getvalue())


# -- PDF ---------------------------------------------------------------------------------------

def docx_to_pdf(docx: bytes, *, title: str = "") -> bytes:
    """The PDF of a rendered DOCX (A4 or the document's page size, page numbers bottom right,
    text extractable). Equal input gives equal bytes."""
    try:
        document = Document(io.BytesIO(docx))
    except Exception as exc:  # a damaged package: a bug upstream, not user input
        raise InvalidInput(_("The document is not a Word document (.docx)."),
                           code="document_not_docx", detail={"error": str(exc)}) from exc
    page = docx_html(document, title or (document.core_properties.title or ""))
    # WeasyPrint takes a second to import: only the processes that print load it
    from zhifa.documents.render.pdf import html_to_pdf

    return html_to_pdf(page)
