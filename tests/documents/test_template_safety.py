"""Uploaded templates are untrusted: only placeholders and conditions on a placeholder, every
statutory element printed unconditionally, the verification code and template version
printed; refused at upload and again when rendering; hostile template values kept out of the
printing HTML (no database)."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import docx
import pytest
from django.utils import translation
from docx.shared import Mm

from zhifa.core.errors import InvalidInput
from zhifa.documents import doctypes
from zhifa.documents.render import defaults, engine
from zhifa.documents.render.qr import qr_png
from zhifa.documents.render.tohtml import docx_html


@pytest.fixture(autouse=True)
def _english() -> Any:
    """The problems are read in English here (their zh-Hans text is the translators')."""
    with translation.override("en"):
        yield

PENALTY = doctypes.doctype("penalty_decision")
ALL = list(doctypes.placeholders(PENALTY))


def template(*lines: str, header: str = "", title: str = "") -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    if header:
        d.sections[0].header.paragraphs[0].text = header
    if title:
        d.core_properties.title = title
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def penalty(replace: dict[str, list[str]] | None = None, *extra: str, **kwargs: Any) -> bytes:
    """Every placeholder of the penalty decision on its own line, some replaced by lines."""
    replace = replace or {}
    lines: list[str] = []
    for name in ALL:
        lines += replace.get(name, [f"{{{{ {name} }}}}"])
    return template(*lines, *extra, **kwargs)


def test_the_plain_template_passes() -> None:
    assert engine.template_problems(PENALTY.code, penalty()) == []


# -- statutory content cannot be hidden --------------------------------------------------------


@pytest.mark.parametrize("lines", [
    ["{% if 0 %}{{ 证据采信理由 }}{% endif %}"],
    ["{%p if 0 %}", "{{ 证据采信理由 }}", "{%p endif %}"],
])
def test_an_element_behind_a_false_condition_is_refused(lines: list[str]) -> None:
    problems = engine.template_problems(PENALTY.code, penalty({"证据采信理由": lines}))
    assert len(problems) == 2
    assert "a literal" in problems[0]
    assert "only under a condition" in problems[1] and "{{ 证据采信理由 }}" in problems[1]
    assert "湘政办发〔2019〕23号" in problems[1]


@pytest.mark.parametrize("lines", [
    ["{%p if 当事人 %}", "{{ 证据采信理由 }}", "{%p endif %}"],
    ["{% if not 证据采信理由 %}{{ 证据采信理由 }}{% endif %}"],
    ["{% if 证据采信理由 %}有{% else %}{{ 证据采信理由 }}{% endif %}"],
    ["{% if 当事人 %}{% elif 证据采信理由 %}{{ 证据采信理由 }}{% endif %}"],
    # a condition on itself inside a condition on something else still hides it
    ["{% if 法定代表人 %}{% if 证据采信理由 %}{{ 证据采信理由 }}{% endif %}{% endif %}"],
])
def test_an_element_printed_only_under_a_condition_is_refused(lines: list[str]) -> None:
    problems = engine.template_problems(PENALTY.code, penalty({"证据采信理由": lines}))
    assert len(problems) == 1, problems
    assert "only under a condition" in problems[0] and "{{ 证据采信理由 }}" in problems[0]


def test_an_element_conditional_only_on_itself_passes() -> None:
    """Empty, it would print an empty line; issue refuses an empty element anyway."""
    data = penalty({"证件号码": ["{%p if 证件号码 %}", "证件号码：{{ 证件号码 }}", "{%p endif %}"],
                    "当事人": ["{% if 当事人 %}{{ 当事人 }}{% endif %}"]})
    assert engine.template_problems(PENALTY.code, data) == []


def test_an_element_printed_once_unconditionally_is_enough() -> None:
    data = penalty({"裁量理由": ["{% if 当事人 %}{{ 裁量理由 }}{% endif %}", "{{ 裁量理由 }}"]})
    assert engine.template_problems(PENALTY.code, data) == []


def test_the_date_in_either_form_unconditionally() -> None:
    data = penalty({"日期": ["{% if 当事人 %}{{ 日期 }}{% endif %}"], "日期大写": []})
    problems = engine.template_problems(PENALTY.code, data)
    assert len(problems) == 1 and "{{ 日期 }}" in problems[0], problems
    data = penalty({"日期": ["{% if 当事人 %}{{ 日期 }}{% endif %}"]})
    assert engine.template_problems(PENALTY.code, data) == []


# -- the verification code and the template version --------------------------------------------


def test_the_verification_code_and_template_version_are_required() -> None:
    data = penalty({"核验码": [], "核验二维码": [], "模板版本": []})
    problems = engine.template_problems(PENALTY.code, data)
    assert len(problems) == 2
    assert "verification code" in problems[0] and "{{ 核验码 }}" in problems[0]
    assert "template version" in problems[1] and "{{ 模板版本 }}" in problems[1]
    # the QR code alone is a verification code
    data = penalty({"核验码": []})
    assert engine.template_problems(PENALTY.code, data) == []


def test_the_verification_block_may_depend_on_the_code_only() -> None:
    block = ["{%p if 核验码 %}", "{{ 核验二维码 }}", "核验码：{{ 核验码 }}",
             "核验网址：{{ 核验网址 }}", "文书模板：{{ 模板版本 }}", "{%p endif %}"]
    data = penalty({"核验码": block, "核验二维码": [], "核验网址": [], "模板版本": []})
    assert engine.template_problems(PENALTY.code, data) == []
    hidden = ["{%p if 当事人 %}", *block, "{%p endif %}"]
    data = penalty({"核验码": hidden, "核验二维码": [], "核验网址": [], "模板版本": []})
    problems = engine.template_problems(PENALTY.code, data)
    assert len(problems) == 2
    assert "verification code only under a condition" in problems[0]
    assert "template version only under a condition" in problems[1]
    # the code's condition does not cover an element
    data = penalty({"裁量理由": ["{% if 核验码 %}{{ 裁量理由 }}{% endif %}"]})
    assert len(engine.template_problems(PENALTY.code, data)) == 1


# -- only placeholders and conditions ----------------------------------------------------------


REFUSED = [
    ("{% for i in range(99999) %}{{ 当事人 }}{% endfor %}", "{% for %}"),
    ("{{ 当事人 * 10**9 }}", "arithmetic"),
    ("{{ 罚款金额 + 没收金额 }}", "arithmetic"),
    ("{{ 当事人 ~ 案由 }}", "a concatenation"),
    ("{{ 当事人 | upper }}", "a filter"),
    ("{{ 当事人.名称 }}", "an attribute"),
    ("{{ 当事人[0] }}", "an index"),
    ("{{ range(10) }}", "a call"),
    ("{{ 当事人 or '无' }}", "a logical operator"),
    ("{{ 当事人 if 案由 else 案由 }}", "an inline condition"),
    ("{{ '固定文字' }}", "a literal"),
    ("{% if 当事人 == '甲' %}x{% endif %}", "a comparison"),
    ("{% if 当事人 is defined %}x{% endif %}", "a test"),
    ("{% if 当事人 and 案由 %}x{% endif %}", "a logical operator"),
    ("{% set 当事人 = '乙' %}", "{% set %}"),
    ("{% macro m() %}x{% endmacro %}", "{% macro %}"),
    ("{% include '其他' %}", "{% include %}"),
    ("{% import '其他' as x %}", "{% import %}"),
    ("{% extends '其他' %}", "{% extends %}"),
    ("{% block b %}x{% endblock %}", "{% block %}"),
    ("{% with x = 1 %}{% endwith %}", "{% with %}"),
    ("{% autoescape false %}{{ 当事人 }}{% endautoescape %}", "autoescape"),
    ("{% filter upper %}x{% endfilter %}", "a filter block"),
]


@pytest.mark.parametrize(("line", "named"), REFUSED)
def test_other_jinja_is_refused_at_upload(line: str, named: str) -> None:
    problems = engine.template_problems(PENALTY.code, penalty({}, line))
    assert problems, line
    assert named in problems[0], problems


@pytest.mark.parametrize(("line", "named"), REFUSED)
def test_other_jinja_is_refused_when_rendering(line: str, named: str) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.render_docx(template("{{ 当事人 }}", line), {"当事人": "甲", "罚款金额": 1})
    assert err.value.code == "template_unsafe"
    assert named in err.value.message


def test_docxtpl_paragraph_and_row_tags_are_checked_after_docxtpl_prepares_them() -> None:
    # {%p …%} becomes plain Jinja once docxtpl has taken the paragraph away
    problems = engine.template_problems(
        PENALTY.code, penalty({}, "{%p for i in range(9) %}", "x", "{%p endfor %}"))
    assert len(problems) == 1 and "{% for %}" in problems[0]
    d = docx.Document(io.BytesIO(penalty()))
    table = d.add_table(rows=3, cols=1)
    table.cell(0, 0).text = "{%tr for i in range(99999) %}"
    table.cell(1, 0).text = "{{ 当事人 }}"
    table.cell(2, 0).text = "{%tr endfor %}"
    buf = io.BytesIO()
    d.save(buf)
    problems = engine.template_problems(PENALTY.code, buf.getvalue())
    assert len(problems) == 1 and "{% for %}" in problems[0]
    # a condition split across runs by Word is read as docxtpl reads it
    d = docx.Document(io.BytesIO(penalty()))
    p = d.add_paragraph()
    for piece in ("{% i", "f 当事人 * ", "2 %}x{% en", "dif %}"):
        p.add_run(piece)
    buf = io.BytesIO()
    d.save(buf)
    problems = engine.template_problems(PENALTY.code, buf.getvalue())
    assert len(problems) == 1 and "arithmetic" in problems[0]


def test_headers_and_properties_are_checked() -> None:
    problems = engine.template_problems(
        PENALTY.code, penalty({}, header="{% for i in range(9) %}页{% endfor %}"))
    assert len(problems) == 1 and "{% for %}" in problems[0]
    problems = engine.template_problems(PENALTY.code, penalty({}, title="{{ 当事人 * 9 }}"))
    assert len(problems) == 1 and "arithmetic" in problems[0]
    # and a placeholder the type does not know in a header is unknown
    problems = engine.template_problems(PENALTY.code, penalty({}, header="{{ 没有这个 }}"))
    assert len(problems) == 1 and "{{ 没有这个 }}" in problems[0]
    for kwargs in ({"header": "{% for i in range(9) %}页{% endfor %}"},
                   {"title": "{{ 当事人 * 9 }}"}):
        with pytest.raises(InvalidInput) as err:
            engine.render_docx(template("{{ 当事人 }}", **kwargs), {"当事人": "甲"})
        assert err.value.code == "template_unsafe"


def test_placeholders_are_read_from_every_part() -> None:
    data = template("{{ 当事人 }}", "{%p if 法定代表人 %}", "{%p endif %}", header="{{ 机关名称 }}",
                    title="{{ 文书名称 }}")
    assert engine.template_placeholders(data) == {"当事人", "法定代表人", "机关名称", "文书名称"}


# -- the size of a rendered document -----------------------------------------------------------


def test_a_document_too_large_is_refused_before_it_is_rendered(monkeypatch: Any) -> None:
    monkeypatch.setattr(engine, "MAX_OUTPUT_BYTES", 200_000)
    data = template(*(["{{ 证据 }}"] * 50))
    small = engine.render_docx(data, {"证据": "甲" * 100})
    assert small[:2] == b"PK"
    rendered: list[str] = []
    real = engine.DocxTemplate.render_xml_part

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        rendered.append("x")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(engine.DocxTemplate, "render_xml_part", spy)
    with pytest.raises(InvalidInput) as err:
        engine.render_docx(data, {"证据": "甲" * 2_000})
    assert err.value.code == "template_output_too_large"
    assert rendered == []  # refused from the estimate, nothing rendered


# -- the system defaults -----------------------------------------------------------------------


@pytest.mark.parametrize("code", [t.code for t in doctypes.TYPES])
def test_system_defaults_use_only_what_uploads_may(code: str) -> None:
    data = defaults.default_template(code)
    assert engine.template_problems(code, data) == []
    scan = engine._template_scan(data)
    assert scan.refused == []
    assert {"核验码", "模板版本"} <= scan.unconditional
    t = doctypes.doctype(code)
    for element in t.elements:
        for p in element.placeholders:
            assert set(engine.ALTERNATIVES.get(p, (p,))) & scan.unconditional, (code, p)


def test_the_identity_label_of_the_default_template() -> None:
    base = {"当事人": "某公司", "证件号码": "91430102MA4L123456", "核验码": "ABCD"}
    for kind, label in (("统一社会信用代码", "统一社会信用代码"), ("", "证件号码")):
        out = engine.render_docx(defaults.default_template("penalty_decision"),
                                 {**base, "证件名称": kind})
        text = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
        assert f"{label}：91430102MA4L123456" in text
    out = engine.render_docx(defaults.default_template("penalty_decision"),
                             {**base, "证件号码": ""})
    text = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert not any("91430102" in p or p.startswith("证件号码") for p in text)


# -- the printing HTML -------------------------------------------------------------------------


def _with_picture() -> bytes:
    d = docx.Document()
    d.add_paragraph("正文")
    d.add_paragraph().add_run().add_picture(io.BytesIO(qr_png("https://x/v/1")), width=Mm(20))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _patched(data: bytes, name: str, change: Any) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == name:
                content = change(content.decode()).encode()
            z.writestr(item, content)
    return out.getvalue()


def test_a_picture_prints_as_a_data_uri() -> None:
    page = docx_html(docx.Document(io.BytesIO(_with_picture())))
    assert page.count('<img src="data:image/png;base64,') == 1


@pytest.mark.parametrize("content_type", [
    'image/png"><script>alert(1)</script><img src="',
    "text/html",
    "image/svg+xml",
])
def test_a_hostile_picture_type_is_not_printed(content_type: str) -> None:
    data = _patched(_with_picture(), "[Content_Types].xml",
                    lambda xml: re.sub(r'(Extension="png" ContentType=")[^"]*"',
                                       lambda m: m.group(1) + content_type.replace(
                                           '"', "&quot;").replace("<", "&lt;")
                                       .replace(">", "&gt;") + '"', xml))
    page = docx_html(docx.Document(io.BytesIO(data)))
    assert "<img" not in page and "<script" not in page and "svg" not in page
    assert "正文" in page


def test_a_hostile_colour_is_not_printed() -> None:
    d = docx.Document()
    d.add_paragraph("正文").runs[0].font.color.rgb = docx.shared.RGBColor(0xC0, 0, 0)
    buf = io.BytesIO()
    d.save(buf)
    good = docx_html(docx.Document(io.BytesIO(buf.getvalue())))
    assert "color:#C00000" in good
    for hostile in ("}*{x:y", "red;}<", "GGGGGG"):
        data = _patched(buf.getvalue(), "word/document.xml",
                        lambda xml, h=hostile: xml.replace(
                            'w:val="C00000"', 'w:val="' + h.replace("<", "&lt;") + '"'))
        page = docx_html(docx.Document(io.BytesIO(data)))
        assert "color:#" not in page, hostile
        assert hostile.replace("<", "&lt;") not in page and hostile not in page
        assert "正文" in page


def test_damaged_measures_print_without_them() -> None:
    d = docx.Document()
    p = d.add_paragraph("正文")
    ind = p.paragraph_format.element.get_or_add_pPr().get_or_add_ind()
    ind.set(docx.oxml.ns.qn("w:firstLineChars"), "二百")
    ind.set(docx.oxml.ns.qn("w:left"), "inf")
    table = d.add_table(rows=1, cols=1)
    tcpr = table.cell(0, 0)._tc.get_or_add_tcPr()
    span = docx.oxml.OxmlElement("w:gridSpan")
    span.set(docx.oxml.ns.qn("w:val"), "100000000")
    tcpr.append(span)
    buf = io.BytesIO()
    d.save(buf)
    page = docx_html(docx.Document(io.BytesIO(buf.getvalue())))
    assert "正文" in page and "text-indent" not in page and "margin-left" not in page
    assert 'colspan="63"' in page
