"""Rendering: a DOCX template and a context → the DOCX of a document, and its PDF.

Templates are DOCX files with Jinja placeholders (docxtpl): the system defaults of
``render.defaults`` and the templates agencies upload and file (备案). An uploaded template is
untrusted input. It may use two things only: a placeholder printed as it is (``{{ 当事人 }}``)
and a part shown when a placeholder is not empty (``{%p if 法定代表人 %}…{%p endif %}``, also
``if not``/``else``). Anything else Jinja can do — loops, calls, filters, attributes,
arithmetic, ``set``, macros, includes — is refused, at upload (``template_problems``) and again
when rendering: it could hide a statutory element behind a condition that is never true, or
make the issuing process loop or fill its memory. A statutory element must print
unconditionally (a condition on the placeholder itself only hides it when it is empty, which
the elements check refuses at issue), and every template prints the verification code and the
template version. Rendering runs in Jinja's sandbox with XML-escaped values, and refuses an
output larger than ``MAX_OUTPUT_BYTES``.

Pure: no database; the services pass the bytes in and store the bytes out.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from docx import Document
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from zhifa.core.errors import InvalidInput
from zhifa.documents import doctypes
from zhifa.documents.render.ooxml import is_docx_package, normalise_zip
from zhifa.documents.render.tohtml import docx_html

QR_KEY = "核验二维码"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
QR_WIDTH = Mm(25)
# a placeholder in an element may be printed in another form that carries the same fact
ALTERNATIVES: dict[str, tuple[str, ...]] = {"日期": ("日期", "日期大写")}
# control characters a value may carry from a paste; they are not allowed in XML (tab and
# newline are kept: docxtpl prints a tab, and a newline becomes a paragraph)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\ufffe\uffff\ud800-\udfff]")
# docxtpl turns this character in a value into a new paragraph with the same formatting
NEW_PARAGRAPH = "\a"
# every template prints how to verify the document and which template version made it
VERIFY_KEYS = ("核验码", QR_KEY)
VERSION_KEY = "模板版本"
# a condition on a placeholder may hide that placeholder (it prints nothing when empty); the
# condition on the verification code hides the whole verification block, which a draft's
# preview has no code for
GUARDS: dict[str, frozenset[str]] = {
    "核验码": frozenset({"核验码", QR_KEY, "核验网址", VERSION_KEY}),
}
# a rendered document larger than this is refused (a template printing a long value many
# times could otherwise fill the issuing process's memory)
MAX_OUTPUT_BYTES = 20 * 1024 ** 2
# docxtpl renders these core properties of the package as templates too
_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


# -- templates ---------------------------------------------------------------------------------


class _Template(DocxTemplate):
    """docxtpl's template, refusing at rendering time what ``template_problems`` refuses at
    upload (a template stored before a rule existed is held to it too) and an output that
    would be too large."""

    output_size = 0

    def render_init(self) -> None:
        super().render_init()
        self.output_size = 0

    def _checked(self, source: str, context: Mapping[str, Any], env: Any) -> None:
        scan = _scan(env or _environment(), source)
        if scan.refused:
            raise InvalidInput(
                _("The template cannot be filled in: %(problems)s")
                % {"problems": "；".join(scan.refused)},
                code="template_unsafe", detail={"problems": scan.refused})
        # an upper bound of what this part prints: its text and each value where it prints
        self.output_size += len(source.encode()) + sum(
            count * _size(context.get(name)) for name, count in scan.outputs.items())
        if self.output_size > MAX_OUTPUT_BYTES:
            raise _too_large()

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any],
                        jinja_env: Any = None) -> Any:
        self._checked(src_xml, context, jinja_env)
        return super().render_xml_part(src_xml, part, context, jinja_env)

    def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
        # the core properties (title, subject...) are plain strings: no paragraphs or pictures
        plain = {k: (v.replace(NEW_PARAGRAPH, " ") if isinstance(v, str) else
                     "" if isinstance(v, InlineImage) else v) for k, v in context.items()}
        env = SandboxedEnvironment(undefined=ChainableUndefined)
        for prop in _PROPERTIES:
            self._checked(getattr(self.docx.core_properties, prop) or "", plain, env)
        # and not XML-escaped here: python-docx escapes them when it writes the part
        super().render_properties(plain, env)


def _size(value: Any) -> int:
    """The most bytes a value prints (escaped: ``&`` → ``&amp;``)."""
    if isinstance(value, str):
        return len(value.encode()) * 2
    if isinstance(value, InlineImage) or value is None:
        return 0  # a picture is one reference to one part
    return len(str(value)) * 2


def _too_large() -> InvalidInput:
    return InvalidInput(
        _("The document would be larger than %(size)s MB: the template prints too much.")
        % {"size": MAX_OUTPUT_BYTES // 1024 ** 2}, code="template_output_too_large")


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


# -- what a template may say ----------------------------------------------------------------

# the constructs refused, by Jinja node: (what it is, how it looks); the first match of a
# node's classes wins
_CONSTRUCTS: tuple[tuple[type[nodes.Node], Any, str], ...] = (
    (nodes.For, _lazy("a loop"), "{% for %}"),
    (nodes.Macro, _lazy("a macro"), "{% macro %}"),
    (nodes.CallBlock, _lazy("a call block"), "{% call %}"),
    (nodes.FilterBlock, _lazy("a filter block"), "{% filter %}"),
    (nodes.Include, _lazy("an include"), "{% include %}"),
    (nodes.Import, _lazy("an import"), "{% import %}"),
    (nodes.FromImport, _lazy("an import"), "{% from … import %}"),
    (nodes.Extends, _lazy("template inheritance"), "{% extends %}"),
    (nodes.Block, _lazy("a block"), "{% block %}"),
    (nodes.Assign, _lazy("an assignment"), "{% set %}"),
    (nodes.AssignBlock, _lazy("an assignment"), "{% set %}"),
    (nodes.With, _lazy("a with block"), "{% with %}"),
    (nodes.Scope, _lazy("a scoped block"), "{% autoescape %}"),
    (nodes.ScopedEvalContextModifier, _lazy("an autoescape block"), "{% autoescape %}"),
    (nodes.EvalContextModifier, _lazy("an autoescape block"), "{% autoescape %}"),
    (nodes.Call, _lazy("a call"), "名称()"),
    (nodes.Filter, _lazy("a filter"), "名称|过滤器"),
    (nodes.Test, _lazy("a test"), "名称 is …"),
    (nodes.Getattr, _lazy("an attribute"), "名称.属性"),
    (nodes.Getitem, _lazy("an index"), "名称[…]"),
    (nodes.Slice, _lazy("a slice"), "名称[…:…]"),
    (nodes.Concat, _lazy("a concatenation"), "名称 ~ 名称"),
    (nodes.And, _lazy("a logical operator"), "and"),
    (nodes.Or, _lazy("a logical operator"), "or"),
    (nodes.BinExpr, _lazy("arithmetic"), "+ - * / // % **"),
    (nodes.UnaryExpr, _lazy("arithmetic or a negation"), "- / not"),
    (nodes.Compare, _lazy("a comparison"), "== != < >"),
    (nodes.CondExpr, _lazy("an inline condition"), "… if … else …"),
    (nodes.Const, _lazy("a literal"), "\"…\" / 123"),
    (nodes.Literal, _lazy("a literal"), "[…] / {…}"),
    (nodes.Name, _lazy("a name assigned in the template"), "名称"),
)
_ALLOWED_HINT = {"example": "{{ 当事人 }}", "condition": "{%p if 法定代表人 %}…{%p endif %}"}


def _describe(node: nodes.Node) -> str:
    what, looks = next(((w, lk) for kind, w, lk in _CONSTRUCTS if isinstance(node, kind)),
                       (_lazy("a construct"), type(node).__name__))
    names = sorted({n.name for n in node.find_all(nodes.Name)}
                   | ({node.name} if isinstance(node, nodes.Name) else set()))
    where = f"（{'、'.join(names)}）" if names else ""
    return str(_("Not allowed in a template: %(construct)s. A template may only print "
                 "placeholders such as %(example)s and show a part only when a placeholder "
                 "is not empty, with %(condition)s.")
               % {"construct": f"{what} {looks}{where}", **_ALLOWED_HINT})


class _Scan:
    """What one template source does: the names it uses, where it prints them, and the
    constructs it may not use."""

    def __init__(self) -> None:
        self.names: set[str] = set()
        self.printed: set[str] = set()          # printed somewhere
        self.unconditional: set[str] = set()    # printed with no condition hiding it
        self.outputs: dict[str, int] = {}       # how many times each name prints
        self.refused: list[str] = []

    def refuse(self, node: nodes.Node) -> None:
        message = _describe(node)
        if message not in self.refused:
            self.refused.append(message)

    def body(self, body: list[nodes.Node], guards: tuple[str | None, ...]) -> None:
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        continue
                    if isinstance(child, nodes.Name) and child.ctx == "load":
                        self.output(child.name, guards)
                    else:
                        self.refuse(child)
            elif isinstance(node, nodes.If):
                name = self.test(node.test)
                self.body(node.body, (*guards, name))
                # an elif or else branch prints when an earlier test failed: never a guard
                for branch in node.elif_:
                    self.test(branch.test)
                    self.body(branch.body, (*guards, None))
                self.body(node.else_, (*guards, None))
            else:
                self.refuse(node)

    def test(self, test: nodes.Node) -> str | None:
        """The name a condition tests, when it is a bare name (the only guard); a negated
        name is allowed and guards nothing."""
        negated = isinstance(test, nodes.Not)
        inner = test.node if isinstance(test, nodes.Not) else test
        if isinstance(inner, nodes.Name) and inner.ctx == "load":
            self.names.add(inner.name)
            return None if negated else inner.name
        self.refuse(inner)
        return None

    def output(self, name: str, guards: tuple[str | None, ...]) -> None:
        self.names.add(name)
        self.printed.add(name)
        self.outputs[name] = self.outputs.get(name, 0) + 1
        if all(g is not None and name in GUARDS.get(g, frozenset({g})) for g in guards):
            self.unconditional.add(name)

    def merge(self, other: _Scan) -> None:
        self.names |= other.names
        self.printed |= other.printed
        self.unconditional |= other.unconditional
        for name, count in other.outputs.items():
            self.outputs[name] = self.outputs.get(name, 0) + count
        self.refused += [m for m in other.refused if m not in self.refused]


def _scan(env: Any, source: str) -> _Scan:
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise _syntax_error(exc) from exc
    scan = _Scan()
    scan.body(tree.body, ())
    return scan


def _sources(tpl: _Template) -> list[str]:
    """The sources docxtpl renders, prepared as it prepares them (``DocxTemplate.render``):
    the body, the headers and footers, the footnotes (each patched: ``{%p …%}`` and the
    other docxtpl tags become plain Jinja) and the core properties."""
    out = [re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(tpl.get_xml()))]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _rel, part in tpl.get_headers_footers(uri):
            out.append(tpl.patch_xml(tpl.get_part_xml(part)))
    for part in tpl.docx.part.package.parts:
        if part.content_type == FOOTNOTES_TYPE:
            blob = part.blob
            out.append(tpl.patch_xml(blob.decode("utf-8") if isinstance(blob, bytes) else blob))
    out += [getattr(tpl.docx.core_properties, p) or "" for p in _PROPERTIES]
    return out


def _template_scan(template: bytes) -> _Scan:
    tpl = _open(template)
    env = _environment()
    scan = _Scan()
    for source in _sources(tpl):
        scan.merge(_scan(env, source))
    return scan


def template_placeholders(template: bytes) -> set[str]:
    """The names the template uses (body, headers, footers, footnotes and properties)."""
    return _template_scan(template).names


def _quoted(names: list[str] | tuple[str, ...]) -> str:
    return "、".join(f"{{{{ {n} }}}}" for n in names)


def template_problems(doc_type: str, template: bytes) -> list[str]:
    """Why the template cannot serve ``doc_type`` (empty: it can).

    A template may use only placeholders and conditions on a placeholder (see the module),
    only the placeholders of its type; it must print every statutory element of the type
    (e.g. a penalty decision without the three reasons, or without the remedy, is refused —
    APL art. 59, 湘政办发〔2019〕23号) unconditionally: an element is printed when each of
    its placeholders (or an equivalent form) is printed outside any condition but one on the
    placeholder itself. And it prints the verification code (or its QR code) and the template
    version, under no condition but one on the code.
    """
    t = doctypes.doctype(doc_type)
    scan = _template_scan(template)
    allowed = set(doctypes.placeholders(t))
    problems = list(scan.refused)
    problems += [_("Unknown placeholder: %(placeholder)s") % {"placeholder": _quoted([name])}
                 for name in sorted(scan.names - allowed)]
    for element in t.elements:
        missing, hidden = [], []
        for p in element.placeholders:
            forms = set(ALTERNATIVES.get(p, (p,)))
            if not forms & scan.printed:
                missing.append(p)
            elif not forms & scan.unconditional:
                hidden.append(p)
        if missing:
            problems.append(
                _("The template does not print the statutory element “%(element)s” "
                  "(%(source)s): %(placeholders)s missing.")
                % {"element": str(element.label), "source": element.source,
                   "placeholders": _quoted(missing)})
        if hidden:
            problems.append(
                _("The template prints the statutory element “%(element)s” (%(source)s) only "
                  "under a condition: %(placeholders)s must print unconditionally.")
                % {"element": str(element.label), "source": element.source,
                   "placeholders": _quoted(hidden)})
    verify = " / ".join(_quoted([k]) for k in VERIFY_KEYS)
    if not set(VERIFY_KEYS) & scan.printed:
        problems.append(_("The template does not print the verification code: %(placeholders)s "
                          "missing.") % {"placeholders": verify})
    elif not set(VERIFY_KEYS) & scan.unconditional:
        problems.append(_("The template prints the verification code only under a condition: "
                          "%(placeholders)s must print unconditionally (or under %(condition)s).")
                        % {"placeholders": verify, "condition": "{%p if 核验码 %}"})
    if VERSION_KEY not in scan.printed:
        problems.append(_("The template does not print the template version: %(placeholders)s "
                          "missing.") % {"placeholders": _quoted([VERSION_KEY])})
    elif VERSION_KEY not in scan.unconditional:
        problems.append(_("The template prints the template version only under a condition: "
                          "%(placeholders)s must print unconditionally (or under %(condition)s).")
                        % {"placeholders": _quoted([VERSION_KEY]),
                           "condition": "{%p if 核验码 %}"})
    return [str(p) for p in problems]


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
    if buf.tell() > MAX_OUTPUT_BYTES:
        raise _too_large()
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
