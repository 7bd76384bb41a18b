"""The rendering engine: default templates, DOCX and PDF output, template checks (no database)."""

import hashlib
import io
import zipfile
from typing import Any

import docx
import pytest
from docx.enum.text import WD_BREAK
from docx.shared import Mm
from pypdf import PdfReader

from zhifa.core.errors import InvalidInput
from zhifa.documents import doctypes
from zhifa.documents.render import defaults, engine
from zhifa.documents.render.chinese import money_figures, money_upper
from zhifa.documents.render.pdf import FETCHER
from zhifa.documents.render.qr import qr_png

PARTY = "长沙市芙蓉区某某餐饮有限公司"
CODE = "ABCD-EFGH-JKMN"
URL = "http://127.0.0.1:8000/v/ABCDEFGHJKMN"


def context(t: doctypes.DocType, **extra: Any) -> dict[str, Any]:
    """Every placeholder of the type with a recognisable value; textareas on two lines."""
    values: dict[str, Any] = {
        "机关名称": "长沙市芙蓉区市场监督管理局", "机关简称": "芙市监",
        "文号": "芙市监罚〔2026〕12号", "当事人": PARTY, "证件名称": "统一社会信用代码",
        "证件号码": "91430102MA4L123456", "法定代表人": "张三",
        "当事人地址": "长沙市芙蓉区五一大道1号", "案件编号": "芙市监立〔2026〕7号",
        "案由": "销售过期食品案", "承办人员": "李四（43010001）、王五（43010002）",
        "日期": "2026年11月26日", "日期大写": "二〇二六年十一月二十六日",
        "罚款金额": money_figures(500_000), "罚款金额大写": money_upper(500_000),
        "没收金额": money_figures(32_000), "没收金额大写": money_upper(32_000),
        "合计金额": money_figures(532_000), "合计金额大写": money_upper(532_000),
        "核验码": CODE, "核验网址": URL, "核验二维码": qr_png(URL),
    }
    for f in t.fields:
        if f.kind == "textarea":
            values[f.name] = f"{f.name}第一行内容\n{f.name}第二行内容"
        else:
            values[f.name] = f"{f.name}值"
    values.update(extra)
    return values


def docx_text(data: bytes) -> list[str]:
    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def template(*lines: str) -> bytes:
    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


AMOUNT_TYPES = set(defaults.AMOUNTS)


# -- default templates -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [t.code for t in doctypes.TYPES])
def test_default_template_is_valid_and_prints_every_field(code: str) -> None:
    t = doctypes.doctype(code)
    data = defaults.default_template(code)
    assert engine.template_problems(code, data) == []
    found = engine.template_placeholders(data)
    assert {f.name for f in t.fields} <= found
    assert found <= set(doctypes.placeholders(t))
    assert ("文号" in found) == (t.number_word is not None or t.serial)
    assert {"核验码", "核验二维码", "核验网址", "当事人"} <= found


def test_default_templates_are_deterministic() -> None:
    for t in doctypes.TYPES:
        fresh = defaults._Builder(t).build()
        assert fresh == defaults.default_template(t.code)
        # fixed entry dates: nothing of the clock in the package
        assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(fresh)).infolist()} == {
            (1980, 1, 1, 0, 0, 0)}
    assert len({defaults.default_template(t.code) for t in doctypes.TYPES}) == len(doctypes.TYPES)


def test_date_upper_is_a_placeholder() -> None:
    assert "日期大写" in doctypes.COMMON


# -- rendering every type ----------------------------------------------------------------------


@pytest.mark.parametrize("code", [t.code for t in doctypes.TYPES])
def test_every_type_renders_to_docx_and_pdf(code: str) -> None:
    t = doctypes.doctype(code)
    values = context(t)
    out = engine.render_docx(defaults.default_template(code), values)

    document = docx.Document(io.BytesIO(out))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert "{{" not in text and "{%" not in text
    assert t.title in paragraphs
    assert any(PARTY in p for p in paragraphs)
    assert f"核验码：{CODE}" in paragraphs
    assert len(document.inline_shapes) == 1  # the QR code
    for f in t.fields:
        if f.kind == "textarea":
            # each line of a drafted value is a paragraph of its own
            assert f"{f.name}：{f.name}第一行内容" in paragraphs
            assert f"{f.name}第二行内容" in paragraphs
        else:
            assert f"{f.name}值" in text
    if code in AMOUNT_TYPES:
        assert "5,000.00元（人民币伍仟元整）" in text
        assert "5,320.00元（人民币伍仟叁佰贰拾元整）" in text
    if t.number_word is not None or t.serial:
        assert "芙市监罚〔2026〕12号" in paragraphs

    pdf = engine.docx_to_pdf(out, title=t.title)
    printed = pdf_text(pdf).replace("\n", "")
    assert PARTY in printed
    assert t.title in printed
    if code in AMOUNT_TYPES:
        assert "5,000.00元" in printed and "人民币伍仟元整" in printed
    if t.reasons:
        for name in defaults.REASON_NAMES:
            assert f"{name}第一行内容" in printed
            assert f"{name}第二行内容" in printed
    assert "— 1 —" in pdf_text(pdf)


def test_party_lines_without_a_value_disappear() -> None:
    t = doctypes.doctype("penalty_decision")
    out = engine.render_docx(defaults.default_template(t.code),
                             context(t, 法定代表人="", 当事人地址="", 证件名称="", 罚款金额="",
                                     没收金额=""))
    text = docx_text(out)
    assert not any(p.startswith(("法定代表人", "地址：", "罚款：", "合计：")) for p in text)
    # an identity without its kind still prints under a neutral label
    assert "证件号码：91430102MA4L123456" in text


def test_draft_without_verification_code_prints_no_verification_block() -> None:
    t = doctypes.doctype("prior_notice")
    values = context(t, 文号="草稿")
    del values["核验码"], values["核验二维码"]
    out = engine.render_docx(defaults.default_template(t.code), values)
    document = docx.Document(io.BytesIO(out))
    assert len(document.inline_shapes) == 0
    assert not any(p.text.startswith("核验") for p in document.paragraphs)
    assert "草稿" in [p.text for p in document.paragraphs]


def test_values_are_printed_as_text_not_markup() -> None:
    hostile = '<w:p>&amp; "引号" \x07\x0c{{ 机关名称 }}'
    out = engine.render_docx(template("{{ 当事人 }}", "{{ 没有这个 }}|"), {"当事人": hostile})
    assert docx_text(out) == ['<w:p>&amp; "引号" {{ 机关名称 }}', "|"]


def test_python_internals_are_refused_before_rendering() -> None:
    with pytest.raises(InvalidInput) as err:
        engine.render_docx(template("{{ 当事人.__class__.__mro__ }}x"), {"当事人": "甲"})
    assert err.value.code == "template_unsafe"
    assert "当事人" in err.value.message


def test_render_is_deterministic() -> None:
    t = doctypes.doctype("penalty_decision")
    tpl = defaults.default_template(t.code)
    first = engine.render_docx(tpl, context(t))
    assert engine.render_docx(tpl, context(t)) == first
    assert engine.render_docx(tpl, context(t, 当事人="另一家公司")) != first
    pdf = engine.docx_to_pdf(first)
    assert hashlib.sha256(engine.docx_to_pdf(first)).digest() == hashlib.sha256(pdf).digest()


# -- agency templates --------------------------------------------------------------------------


def test_table_picture_and_page_break_print() -> None:
    d = docx.Document()
    d.add_paragraph("{{ 机关名称 }}")
    table = d.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    table.cell(0, 0).merge(table.cell(0, 2)).text = "财物清单"
    table.cell(1, 0).text = "名称"
    table.cell(1, 1).merge(table.cell(2, 1)).text = "{{ 当事人 }}"
    table.cell(2, 2).text = "数量"
    run = d.add_paragraph().add_run()
    run.add_picture(io.BytesIO(qr_png(URL)), width=Mm(20))
    run.add_break(WD_BREAK.PAGE)
    run.add_text("第二页")
    buf = io.BytesIO()
    d.save(buf)
    out = engine.render_docx(buf.getvalue(), {"机关名称": "某局", "当事人": PARTY})
    pdf = engine.docx_to_pdf(out)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    first = reader.pages[0].extract_text().replace("\n", "")
    assert "财物清单" in first and PARTY in first and "数量" in first
    assert "第二页" in reader.pages[1].extract_text()


def test_unknown_placeholder_is_a_problem() -> None:
    data = template("{{ 当事人 }}{{ 证件号码 }}{{ 罚没款 }}", "{{ 核验码 }}{{ 模板版本 }}")
    problems = engine.template_problems("correction_order", data)
    assert len(problems) == 1
    assert "{{ 罚没款 }}" in problems[0]


def test_missing_statutory_element_is_a_problem() -> None:
    t = doctypes.doctype("penalty_decision")
    names = [n for n in doctypes.placeholders(t) if n != "证据采信理由"]
    data = template(*(f"{{{{ {n} }}}}" for n in names))
    problems = engine.template_problems(t.code, data)
    assert len(problems) == 1
    assert "{{ 证据采信理由 }}" in problems[0]
    # the whole remedy missing names each placeholder of it
    names = [n for n in doctypes.placeholders(t) if n not in defaults.REMEDY_NAMES]
    problems = engine.template_problems(t.code, template(*(f"{{{{ {n} }}}}" for n in names)))
    assert len(problems) == 1
    assert all(f"{{{{ {n} }}}}" in problems[0] for n in defaults.REMEDY_NAMES)


def test_date_in_chinese_numerals_prints_the_date_element() -> None:
    t = doctypes.doctype("seizure_decision")
    names = [n for n in doctypes.placeholders(t) if n != "日期"]
    assert engine.template_problems(t.code, template(*(f"{{{{ {n} }}}}" for n in names))) == []


def test_syntax_error_is_reported() -> None:
    with pytest.raises(InvalidInput) as err:
        engine.template_problems("penalty_decision", template("{{ 当事人 ", "{% if %}"))
    assert err.value.code == "template_syntax"


@pytest.mark.parametrize("data", [
    b"",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    "当事人".encode(),
    b"PK\x03\x04broken",
])
def test_non_docx_upload_is_refused(data: bytes) -> None:
    for call in (lambda: engine.template_placeholders(data),
                 lambda: engine.template_problems("penalty_decision", data),
                 lambda: engine.render_docx(data, {})):
        with pytest.raises(InvalidInput) as err:
            call()
        assert err.value.code == "template_not_docx"


def test_zip_that_is_not_a_word_document_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InvalidInput) as err:
        engine.template_placeholders(buf.getvalue())
    assert err.value.code == "template_not_docx"


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x.png", "file:///etc/passwd",
                                 "https://example.com/font.otf"])
def test_printing_fetches_nothing(url: str) -> None:
    with pytest.raises(ValueError):
        FETCHER.fetch(url)


def test_characters_outside_the_cut_faces_still_print() -> None:
    """The PDFs use faces cut to GB 2312 for speed; a rarer character in a name falls back
    to the full system face instead of disappearing."""
    out = engine.render_docx(template("当事人：{{ 当事人 }}"), {"当事人": "王堃、李喆、𠮷野家"})
    pdf = engine.docx_to_pdf(out)
    assert "当事人：王堃、李喆、𠮷野家" in pdf_text(pdf)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    faces = {str(f.get_object()["/BaseFont"]).split("+")[-1]
             for f in page["/Resources"]["/Font"].values()}
    # the cut face serves the common characters, the system face the rare ones
    assert faces == {"ZhifaSerif", "Noto-Serif-CJK-SC"}
