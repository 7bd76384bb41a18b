"""The system default template (系统默认模板) of every document type.

Generated from ``doctypes`` with python-docx, so a new field of a type is printed by the next
default version without anyone editing a Word file. The layout follows GB/T 9704-2012 where an
enforcement document can (A4, type area 156 × 225 mm, 22 lines of 28 characters, body in
仿宋_GB2312 三号, titles in 方正小标宋简体 二号, headings in 黑体), and the document formats
of the enforcement bodies: the body's name and the title centred, the number (文号) on the
right, the party, the drafted parts each under its label, the remedy (APL art. 59: channels
and deadlines), the body and the date with the seal, and the verification code at the foot.

The bytes depend on the code only (fixed core properties and zip entry dates): the services
key the system template version by their hash, so a deployment that changes nothing here keeps
the version in force.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from functools import lru_cache

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from zhifa.documents import doctypes
from zhifa.documents.render.ooxml import normalise_zip

BODY_FONT = "仿宋_GB2312"
TITLE_FONT = "方正小标宋简体"
HEADING_FONT = "黑体"
BODY_SIZE = Pt(16)    # 三号
TITLE_SIZE = Pt(22)   # 二号
SMALL_SIZE = Pt(10.5)  # 五号: the verification lines are not part of the text
LINE = Pt(29)         # 225 mm / 22 lines (GB/T 9704-2012 5.2.2)
TITLE_LINE = Pt(36)
INDENT = Pt(32)       # two characters of 三号
# fixed so that the bytes depend on the code only
CREATED = datetime(2026, 1, 1, tzinfo=UTC)

REMEDY_NAMES = ("复议机关", "复议期限", "诉讼法院", "诉讼期限")
REASON_NAMES = ("证据采信理由", "依据选择理由", "裁量理由")

# types that print the amounts of the case, after the field holding the penalty, with the
# labels of their lines: (fine, confiscation, total)
AMOUNTS: dict[str, tuple[str, tuple[str, str, str]]] = {
    "penalty_decision": ("处罚内容", ("罚款", "没收违法所得、非法财物", "合计")),
    "summary_decision": ("处罚内容", ("罚款", "没收违法所得、非法财物", "合计")),
    "prior_notice": ("拟处罚内容", ("拟罚款", "拟没收违法所得、非法财物", "合计")),
}
# APL art. 73: reconsideration or litigation does not suspend the penalty
NOT_SUSPENDED = {"penalty_decision", "summary_decision"}

# records and forms the party signs: (who signs for the party, who signs for the body)
RECORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "on_site_record": (("当事人",), ("执法人员",)),
    "questioning_record": (("被询问人",), ("询问人", "记录人")),
    "hearing_record": (("当事人",), ("主持人", "记录人")),
    "inspection_record": (("当事人",), ("检查人员",)),
    "seizure_list": (("当事人",), ("执法人员",)),
    "e_service_consent": (("受送达人",), ("执法人员",)),
    "service_receipt": (("受送达人",), ("送达人",)),
}
# internal forms and reports: signed by the officers, no seal
INTERNAL = {"case_source", "registration_approval", "investigation_report", "closing_report"}
# licensing speaks of the applicant (行政许可法)
APPLICANT = {"acceptance_notice", "missing_materials_notice", "licensing_decision"}

# the decisions with written reasons print in numbered parts; 三、说理 is the part
# 湘政办发〔2019〕23号 requires (evidence, choice of basis, discretion)
SECTIONS: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    "penalty_decision": (
        ("一、违法事实和证据", ("违法事实", "证据")),
        ("二、违法依据和处罚依据", ("违法依据", "处罚依据")),
        ("三、说理", REASON_NAMES),
        ("四、处罚决定", ("处罚内容", "履行方式和期限")),
    ),
    "no_penalty_decision": (
        ("一、违法事实和证据", ("违法事实", "证据")),
        ("二、不予处罚的理由和依据", ("不予处罚理由", "不予处罚依据")),
        ("三、说理", REASON_NAMES),
    ),
}


def _set_fonts(rpr: object, name: str) -> None:
    """One font for every script of a run or style (the theme fonts would win otherwise)."""
    fonts = rpr.get_or_add_rFonts()  # type: ignore[attr-defined]
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


class _Builder:
    def __init__(self, t: doctypes.DocType) -> None:
        self.t = t
        self.doc: DocxDocument = Document()
        self._setup()

    # -- page, styles, properties --------------------------------------------------------------

    def _setup(self) -> None:
        doc = self.doc
        package = doc.part.package
        # the stock package carries the thumbnail of a blank page: drop it
        for rid, rel in list(package.rels.items()):
            if rel.reltype == RT.THUMBNAIL:
                del package.rels[rid]
        props = doc.core_properties
        props.title = self.t.title
        props.author = ""
        props.comments = ""
        props.subject = ""
        props.keywords = ""
        props.last_modified_by = ""
        props.revision = 1
        props.created = CREATED
        props.modified = CREATED

        styles = doc.styles.element
        rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr is not None:
            _set_fonts(rpr, BODY_FONT)
            lang = rpr.find(qn("w:lang"))
            if lang is not None:
                lang.set(qn("w:val"), "zh-CN")
                lang.set(qn("w:eastAsia"), "zh-CN")
        spacing = styles.find(qn("w:docDefaults") + "/" + qn("w:pPrDefault") + "/"
                              + qn("w:pPr") + "/" + qn("w:spacing"))
        if spacing is not None:
            spacing.set(qn("w:after"), "0")
        normal = doc.styles["Normal"]
        _set_fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        normal.font.size = BODY_SIZE
        fmt = normal.paragraph_format
        fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE

        section = doc.sections[0]
        section.page_width = Mm(210)
        section.page_height = Mm(297)
        # type area 156 × 225 mm: top 37 mm, binding side 28 mm (GB/T 9704-2012 5.2.1)
        section.top_margin = Mm(37)
        section.bottom_margin = Mm(35)
        section.left_margin = Mm(28)
        section.right_margin = Mm(26)
        section.header_distance = Mm(15)
        section.footer_distance = Mm(20)
        self._page_number(section.footer.paragraphs[0])

    def _page_number(self, p: Paragraph) -> None:
        """"— 1 —" at the right, 4号 (GB/T 9704-2012 7.5)."""
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        self._run(p, "— ", size=Pt(14))
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        p._p.append(field)
        inner = self._run(p, "1", size=Pt(14))
        field.append(inner._r)
        self._run(p, " —", size=Pt(14))

    # -- paragraphs ------------------------------------------------------------------------------

    def _run(self, p: Paragraph, text: str, *, bold: bool = False, font: str | None = None,
             size: Length | None = None) -> Run:
        run = p.add_run(text)
        if bold:
            run.bold = True
        if font:
            _set_fonts(run._r.get_or_add_rPr(), font)
        if size is not None:
            run.font.size = size
        return run

    def para(self, *runs: tuple[str, bool], align: WD_ALIGN_PARAGRAPH | None = None,
             indent: bool = False, font: str | None = None, size: Length | None = None,
             line: Length | None = None, right_indent: Length | None = None) -> Paragraph:
        """A paragraph of (text, bold) runs."""
        p = self.doc.add_paragraph()
        fmt = p.paragraph_format
        if align is not None:
            fmt.alignment = align
        if indent:
            fmt.first_line_indent = INDENT
            # Word measures the indent in characters when this is set (2 characters)
            fmt.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
        if right_indent is not None:
            fmt.right_indent = right_indent
        if line is not None:
            fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            fmt.line_spacing = line
        for text, bold in runs:
            self._run(p, text, bold=bold, font=font, size=size)
        return p

    def tag(self, text: str) -> None:
        """A paragraph holding only a docxtpl tag: removed with its paragraph when rendered."""
        self.doc.add_paragraph(text)

    def blank(self) -> None:
        self.doc.add_paragraph()

    def labelled(self, label: str, value: str, *, indent: bool = True) -> None:
        self.para((f"{label}：", True), (value, False), indent=indent)

    def field(self, name: str) -> None:
        self.labelled(name, f"{{{{ {name} }}}}")

    def heading(self, text: str) -> None:
        self.para((text, False), indent=True, font=HEADING_FONT)

    # -- the parts of a document -----------------------------------------------------------------

    def build(self) -> bytes:
        t = self.t
        self.para(("{{ 机关名称 }}", False), align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT,
                  size=TITLE_SIZE, line=TITLE_LINE)
        self.para((t.title, False), align=WD_ALIGN_PARAGRAPH.CENTER, font=TITLE_FONT,
                  size=TITLE_SIZE, line=TITLE_LINE)
        if t.number_word is not None or t.serial:
            self.para(("{{ 文号 }}", False), align=WD_ALIGN_PARAGRAPH.RIGHT)
        self.blank()
        if t.code in INTERNAL:
            self.labelled("案件编号", "{{ 案件编号 }}", indent=False)
            self.labelled("案由", "{{ 案由 }}", indent=False)
        self.party()
        if t.code in RECORDS:
            self.labelled("执法人员", "{{ 承办人员 }}", indent=False)
        self.body()
        if any(f.name == "复议机关" for f in t.fields):
            self.remedy()
        if t.code in RECORDS:
            self.record_signatures(*RECORDS[t.code])
        elif t.code in INTERNAL:
            self.blank()
            self.labelled("承办人员", "{{ 承办人员 }}", indent=False)
            self.para(("{{ 日期 }}", False), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)
        else:
            self.seal()
        self.verification()
        buf = io.BytesIO()
        self.doc.save(buf)
        return normalise_zip(buf.getvalue())

    def party(self) -> None:
        label = "申请人" if self.t.code in APPLICANT else "当事人"
        self.labelled(label, "{{ 当事人 }}", indent=False)
        # a condition on the element's own placeholder (a party without an identity number
        # prints no empty line; issue refuses an empty one); the label is the kind of the
        # identity, or a neutral one (templates may only test a placeholder, see engine)
        self.tag("{%p if 证件号码 %}")
        self.labelled("{% if 证件名称 %}{{ 证件名称 }}{% else %}证件号码{% endif %}",
                      "{{ 证件号码 }}", indent=False)
        self.tag("{%p endif %}")
        self.tag("{%p if 法定代表人 %}")
        self.labelled("法定代表人", "{{ 法定代表人 }}", indent=False)
        self.tag("{%p endif %}")
        self.tag("{%p if 当事人地址 %}")
        self.labelled("地址", "{{ 当事人地址 }}", indent=False)
        self.tag("{%p endif %}")

    def body(self) -> None:
        t = self.t
        names = [f.name for f in t.fields if f.name not in REMEDY_NAMES]
        sections = SECTIONS.get(t.code)
        if sections is None:
            plain = [n for n in names if n not in REASON_NAMES]
            sections = (("", tuple(plain)),)
            if t.reasons:
                sections += (("说理", REASON_NAMES),)
        printed: set[str] = set()
        for heading, fields in sections:
            if heading:
                self.heading(heading)
            for name in fields:
                self.field(name)
                printed.add(name)
                if t.code in AMOUNTS and name == AMOUNTS[t.code][0]:
                    self.amounts(*AMOUNTS[t.code][1])
        # a field the sections above forgot still prints (a new field added to the type)
        for name in names:
            if name not in printed:
                self.field(name)

    def amounts(self, fine: str, confiscation: str, total: str) -> None:
        """Amounts in figures and in uppercase (人民币伍仟元整): the words guard the figures."""
        self.tag("{%p if 罚款金额 %}")
        self.labelled(fine, "{{ 罚款金额 }}（{{ 罚款金额大写 }}）")
        self.tag("{%p endif %}")
        self.tag("{%p if 没收金额 %}")
        self.labelled(confiscation, "{{ 没收金额 }}（{{ 没收金额大写 }}）")
        self.labelled(total, "{{ 合计金额 }}（{{ 合计金额大写 }}）")
        self.tag("{%p endif %}")

    def remedy(self) -> None:
        who = "申请人" if self.t.code in APPLICANT else "当事人"
        self.para((f"{who}如不服本决定，可以自收到本决定书之日起{{{{ 复议期限 }}}}内向"
                   "{{ 复议机关 }}申请行政复议，也可以自收到本决定书之日起{{ 诉讼期限 }}内"
                   "向{{ 诉讼法院 }}提起行政诉讼。", False), indent=True)
        if self.t.code in NOT_SUSPENDED:
            self.para(("行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外。",
                       False), indent=True)

    def seal(self) -> None:
        if self.t.serial:
            # a decision on the spot is signed by the officers and acknowledged by the party
            # there and then (APL art. 52)
            self.blank()
            self.labelled("执法人员", "{{ 承办人员 }}", indent=False)
            self.para(("当事人签收：", True), ("　" * 8 + "年　　月　　日", False))
        self.blank()
        self.para(("{{ 机关名称 }}", False), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)
        self.para(("（印章）", False), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)
        self.para(("{{ 日期 }}", False), align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=INDENT)

    def record_signatures(self, party: tuple[str, ...], officers: tuple[str, ...]) -> None:
        self.blank()
        labels = [f"{who}（签名）：" for who in (*party, *officers)]
        width = max(len(label) for label in labels)
        for label in labels:
            # padded with ideographic spaces so that the date columns line up
            self.para((label, True), ("　" * (width - len(label) + 8) + "年　　月　　日", False))

    def verification(self) -> None:
        self.tag("{%p if 核验码 %}")
        self.blank()
        p = self.para(("{{ 核验二维码 }}", False), align=WD_ALIGN_PARAGRAPH.LEFT)
        # an exact line height would clip the picture in Word
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        self.para(("核验码：{{ 核验码 }}", False), align=WD_ALIGN_PARAGRAPH.LEFT, size=SMALL_SIZE,
                  line=Pt(16))
        self.para(("核验网址：{{ 核验网址 }}", False), align=WD_ALIGN_PARAGRAPH.LEFT,
                  size=SMALL_SIZE, line=Pt(16))
        # which template version made the document (issue 5: the document shows it)
        self.para(("文书模板：{{ 模板版本 }}", False), align=WD_ALIGN_PARAGRAPH.LEFT,
                  size=SMALL_SIZE, line=Pt(16))
        self.tag("{%p endif %}")


@lru_cache(maxsize=64)
def default_template(doc_type: str) -> bytes:
    """The system default DOCX of a type (``KeyError`` for an unknown type)."""
    return _Builder(doctypes.doctype(doc_type)).build()
