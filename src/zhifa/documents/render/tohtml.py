"""DOCX → HTML for printing with WeasyPrint.

Not a general converter: it covers what enforcement document templates use — paragraphs with
alignment, indents, spacing and line height, runs with bold, italic, underline, size, colour
and font, line and page breaks, tabs, tables (borders, merged cells, column widths) and inline
pictures — read through the style chain (document defaults → paragraph style → character style
→ direct formatting) the way Word resolves it. Headers and footers are not printed; the page
number is added by the page style. Fonts map onto the Noto CJK faces installed with the system
(fonts-noto-cjk): serif faces for 仿宋/宋体/楷体/标宋 and Latin serif, sans faces for 黑体 and
Latin sans.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from typing import Any

from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree

from zhifa.documents.render.fonts import (
    SANS_CUT,
    SANS_FAMILY,
    SERIF_CUT,
    SERIF_FAMILY,
    font_face_css,
)

# the cut faces first (``fonts``), the full system faces for any character they lack
SERIF = f"'{SERIF_CUT}','{SERIF_FAMILY}',serif"
SANS = f"'{SANS_CUT}','{SANS_FAMILY}',sans-serif"
SANS_HINTS = ("黑", "hei", "sans", "arial", "helvetica", "雅黑", "等线", "dengxian", "calibri",
              "verdana", "tahoma")
# 小标宋 is a heavy display face; the nearest installed face is the bold serif
HEAVY_HINTS = ("小标宋", "标宋", "大标宋")

DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP_NS = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
VML_NS = "urn:schemas-microsoft-com:vml"
EMU_PER_PT = 12700

# a piece of a paragraph: (the CSS of its text, its HTML); None: not text (break, picture)
Segment = tuple[str | None, str]
# values of an uploaded template that reach the HTML or its CSS: only these forms
HEX_COLOUR = re.compile(r"[0-9A-Fa-f]{6}")
IMAGE_TYPE = re.compile(r"image/(png|jpeg|gif|bmp)")
# Word allows 63 columns; a larger span is a damaged or hostile table
MAX_SPAN = 63


def _int(value: str | None) -> int:
    """An integer attribute, 0 when absent or not a number (a damaged template prints
    without the measure instead of failing)."""
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _tw(value: str | None) -> float | None:
    """Twentieths of a point → points."""
    if value is None:
        return None
    try:
        return int(float(value)) / 20
    except (ValueError, OverflowError):  # "nan", "inf": a damaged template
        return None


def _on(el: Any) -> bool:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``)."""
    return el.get(qn("w:val"), "true").lower() not in ("0", "false", "off", "none")


def _w(el: Any, name: str) -> Any:
    return el.find(qn(f"w:{name}")) if el is not None else None


@dataclass
class RunStyle:
    bold: bool = False
    italic: bool = False
    underline: bool = False
    strike: bool = False
    hidden: bool = False
    size: float = 10.0          # points; Word's default when nothing says otherwise
    font: str = ""
    color: str = ""
    valign: str = ""

    def apply(self, rpr: Any) -> None:
        if rpr is None:
            return
        for tag, attr in (("b", "bold"), ("i", "italic"), ("strike", "strike"),
                          ("vanish", "hidden")):
            el = _w(rpr, tag)
            if el is not None:
                setattr(self, attr, _on(el))
        el = _w(rpr, "u")
        if el is not None:
            self.underline = el.get(qn("w:val"), "single") != "none"
        el = _w(rpr, "sz")
        if el is not None and el.get(qn("w:val"), "").isdecimal():
            self.size = int(el.get(qn("w:val"))) / 2
        el = _w(rpr, "rFonts")
        if el is not None:
            name = (el.get(qn("w:eastAsia")) or el.get(qn("w:ascii"))
                    or el.get(qn("w:hAnsi")))
            if name:
                self.font = name
        el = _w(rpr, "color")
        if el is not None:
            value = el.get(qn("w:val"), "")
            self.color = "" if value.lower() == "auto" else value
        el = _w(rpr, "vertAlign")
        if el is not None:
            self.valign = el.get(qn("w:val"), "")

    def css(self) -> str:
        name = self.font.lower()
        family = SANS if any(h in name for h in SANS_HINTS) else SERIF
        out = [f"font-family:{family}", f"font-size:{self.size:g}pt"]
        if self.bold or any(h in self.font for h in HEAVY_HINTS):
            out.append("font-weight:700")
        if self.italic:
            out.append("font-style:italic")
        decorations = [d for d, on in (("underline", self.underline),
                                       ("line-through", self.strike)) if on]
        if decorations:
            out.append("text-decoration:" + " ".join(decorations))
        if HEX_COLOUR.fullmatch(self.color):
            out.append(f"color:#{self.color}")
        if self.valign in ("superscript", "subscript"):
            out.append("vertical-align:" + ("super" if self.valign == "superscript" else "sub"))
            out.append("font-size:smaller")
        return ";".join(out)


@dataclass
class ParaStyle:
    align: str = ""
    ind: dict[str, str] = field(default_factory=dict)
    spacing: dict[str, str] = field(default_factory=dict)
    page_break_before: bool = False

    def apply(self, ppr: Any) -> None:
        if ppr is None:
            return
        el = _w(ppr, "jc")
        if el is not None:
            self.align = el.get(qn("w:val"), "")
        for tag, store in (("ind", self.ind), ("spacing", self.spacing)):
            el = _w(ppr, tag)
            if el is not None:
                for key, value in el.attrib.items():
                    store[etree.QName(key).localname] = value
        el = _w(ppr, "pageBreakBefore")
        if el is not None:
            self.page_break_before = _on(el)

    def css(self, size: float) -> str:
        out = []
        align = {"center": "center", "right": "right", "end": "right", "both": "justify",
                 "distribute": "justify", "left": "left", "start": "left"}.get(self.align)
        if align:
            out.append(f"text-align:{align}")
            if self.align == "distribute":
                out.append("text-align-last:justify")
        ind = self.ind
        left = _tw(ind.get("left") or ind.get("start")) or 0.0
        right = _tw(ind.get("right") or ind.get("end")) or 0.0
        if _int(ind.get("leftChars") or ind.get("startChars")):
            left = _int(ind.get("leftChars") or ind.get("startChars")) / 100 * size
        if _int(ind.get("rightChars") or ind.get("endChars")):
            right = _int(ind.get("rightChars") or ind.get("endChars")) / 100 * size
        first = 0.0
        # the character measures win over the absolute ones, as in Word
        if _int(ind.get("hangingChars")):
            first = -_int(ind["hangingChars"]) / 100 * size
        elif ind.get("hanging"):
            first = -(_tw(ind["hanging"]) or 0.0)
        elif _int(ind.get("firstLineChars")):
            first = _int(ind["firstLineChars"]) / 100 * size
        elif ind.get("firstLine"):
            first = _tw(ind["firstLine"]) or 0.0
        if left:
            out.append(f"margin-left:{left:g}pt")
        if right:
            out.append(f"margin-right:{right:g}pt")
        if first:
            out.append(f"text-indent:{first:g}pt")
        sp = self.spacing
        line = sp.get("line")
        rule = sp.get("lineRule", "auto")
        if line and line.lstrip("-").isdecimal():
            if rule == "auto":
                # "single" in Word is about 1.3 lines of a CJK face
                out.append(f"line-height:{int(line) / 240 * 1.3:.3f}")
            else:
                out.append(f"line-height:{int(line) / 20:g}pt")
        else:
            out.append("line-height:1.3")
        for side in ("before", "after"):
            lines = sp.get(f"{side}Lines")
            value = (int(lines) / 100 * size * 1.3 if lines and lines.isdecimal()
                     else _tw(sp.get(side)))
            if value:
                out.append(f"margin-{'top' if side == 'before' else 'bottom'}:{value:g}pt")
        return ";".join(out)


class Converter:
    """One document; ``html(title)`` gives the page."""

    def __init__(self, document: DocxDocument) -> None:
        self.doc = document
        self.part = document.part
        styles = document.styles.element
        self.styles: dict[str, Any] = {
            s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))
        }
        defaults = _w(styles, "docDefaults")
        self.default_rpr = _w(_w(defaults, "rPrDefault"), "rPr")
        self.default_ppr = _w(_w(defaults, "pPrDefault"), "pPr")
        self.default_para_style = next(
            (sid for sid, s in self.styles.items()
             if s.get(qn("w:type")) == "paragraph" and _on_attr(s.get(qn("w:default")))),
            None)
        self.classes: dict[str, str] = {}

    # -- styles ----------------------------------------------------------------------------------

    def _chain(self, style_id: str | None) -> list[Any]:
        """The style and the styles it is based on, base first."""
        chain: list[Any] = []
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            style = self.styles[style_id]
            chain.append(style)
            based = _w(style, "basedOn")
            style_id = based.get(qn("w:val")) if based is not None else None
        return chain[::-1]

    def para_style(self, p: Any) -> tuple[ParaStyle, RunStyle, RunStyle]:
        """The paragraph's format, its mark's run format and the base of its runs."""
        ppr = _w(p, "pPr")
        ps = _w(ppr, "pStyle")
        chain = self._chain(ps.get(qn("w:val")) if ps is not None else self.default_para_style)
        pstyle = ParaStyle()
        pstyle.apply(self.default_ppr)
        mark = RunStyle()
        mark.apply(self.default_rpr)
        for style in chain:
            pstyle.apply(_w(style, "pPr"))
            mark.apply(_w(style, "rPr"))
        pstyle.apply(ppr)
        base = RunStyle(**mark.__dict__)
        mark.apply(_w(ppr, "rPr"))  # the paragraph mark: the height of an empty paragraph
        return pstyle, mark, base

    def run_style(self, base: RunStyle, r: Any) -> RunStyle:
        style = RunStyle(**base.__dict__)
        rpr = _w(r, "rPr")
        rs = _w(rpr, "rStyle")
        if rs is not None:
            for s in self._chain(rs.get(qn("w:val"))):
                style.apply(_w(s, "rPr"))
        style.apply(rpr)
        return style

    # -- blocks ----------------------------------------------------------------------------------

    def html(self, title: str = "") -> str:
        body = "".join(self.blocks(self.doc.element.body))
        rules = "".join(f".{name}{{{css}}}" for css, name in self.classes.items())
        return (
            '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title><style>{font_face_css()}{self.page_css()}"
            f"{BASE_CSS}"
            f"{rules}</style></head><body>{body}</body></html>"
        )

    def page_css(self) -> str:
        sect = _w(self.doc.element.body, "sectPr")
        size = _w(sect, "pgSz")
        mar = _w(sect, "pgMar")
        width = _tw(size.get(qn("w:w"))) if size is not None else None
        height = _tw(size.get(qn("w:h"))) if size is not None else None
        page_size = f"{width:g}pt {height:g}pt" if width and height else "A4"
        margins = ["72pt", "90pt", "72pt", "90pt"]
        if mar is not None:
            for i, side in enumerate(("top", "right", "bottom", "left")):
                value = _tw(mar.get(qn(f"w:{side}")))
                if value is not None:
                    margins[i] = f"{abs(value):g}pt"
        return (f"@page{{size:{page_size};margin:{' '.join(margins)};"
                "@bottom-right{content:\"— \" counter(page) \" —\";"
                f"font-family:{SERIF};font-size:14pt;vertical-align:top;padding-top:7mm}}}}")

    def blocks(self, parent: Any) -> list[str]:
        out: list[str] = []
        for child in parent:
            tag = child.tag
            if tag == qn("w:p"):
                out.extend(self.paragraph(child))
            elif tag == qn("w:tbl"):
                out.append(self.table(child))
            elif tag == qn("w:sdt"):
                content = _w(child, "sdtContent")
                if content is not None:
                    out.extend(self.blocks(content))
            elif tag == qn("w:customXml"):
                out.extend(self.blocks(child))
        return out

    def cls(self, css: str) -> str:
        """A class for a declaration block: one rule per distinct style, not one per element
        (WeasyPrint parses every style attribute on its own)."""
        name = self.classes.get(css)
        if name is None:
            name = self.classes[css] = f"s{len(self.classes)}"
        return name

    def paragraph(self, p: Any) -> list[str]:
        pstyle, mark, base = self.para_style(p)
        # a page break inside the paragraph starts a new printed paragraph on the next page
        pieces: list[list[Segment]] = [[]]
        self.inline(p, base, pieces)
        empty = not any(pieces[0]) and len(pieces) == 1
        # the paragraph carries the format of its runs; an empty one the size of its mark
        text_css = (mark if empty else base).css()
        out = []
        for i, piece in enumerate(pieces):
            css = f"{pstyle.css(mark.size)};{text_css}"
            if (i == 0 and pstyle.page_break_before) or i > 0:
                css += ";break-before:page"
            content = "".join(
                seg_html if seg_css is None or seg_css == text_css
                else f'<span class="{self.cls(seg_css)}">{seg_html}</span>'
                for seg_css, seg_html in piece) or "\u00a0"
            out.append(f'<p class="{self.cls(css)}">{content}</p>')
        return out

    def inline(self, parent: Any, base: RunStyle, pieces: list[list[Segment]]) -> None:
        for child in parent:
            tag = child.tag
            if tag == qn("w:r"):
                self.run(child, base, pieces)
            elif tag in (qn("w:hyperlink"), qn("w:ins"), qn("w:smartTag"), qn("w:fldSimple"),
                         qn("w:customXml"), qn("w:moveTo")):
                self.inline(child, base, pieces)
            elif tag == qn("w:sdt"):
                content = _w(child, "sdtContent")
                if content is not None:
                    self.inline(content, base, pieces)

    def run(self, r: Any, base: RunStyle, pieces: list[list[Segment]]) -> None:
        style = self.run_style(base, r)
        if style.hidden:
            return
        css = style.css()

        def add(seg_css: str | None, content: str) -> None:
            piece = pieces[-1]
            if seg_css is not None and piece and piece[-1][0] == seg_css:
                piece[-1] = (seg_css, piece[-1][1] + content)   # runs of one format merge
            else:
                piece.append((seg_css, content))

        for child in r:
            tag = child.tag
            if tag == qn("w:t"):
                if child.text:
                    add(css, html.escape(child.text))
            elif tag == qn("w:tab"):
                add(None, '<span class="tab"></span>')
            elif tag in (qn("w:br"), qn("w:cr")):
                if child.get(qn("w:type")) == "page":
                    pieces.append([])
                else:
                    add(None, "<br>")
            elif tag == qn("w:noBreakHyphen"):
                add(css, "\u2011")
            elif tag in (qn("w:drawing"), qn("w:pict")):
                add(None, self.picture(child))

    def picture(self, el: Any) -> str:
        blip = el.find(f".//{{{DRAWING_NS}}}blip")
        rid = blip.get(f"{{{REL_NS}}}embed") if blip is not None else None
        if rid is None:
            data = el.find(f".//{{{VML_NS}}}imagedata")
            rid = data.get(f"{{{REL_NS}}}id") if data is not None else None
        part = self.part.related_parts.get(rid) if rid else None
        # the content type is the template's word: only the raster types a browser engine
        # shows go into the page, and escaped
        if part is None or not IMAGE_TYPE.fullmatch(part.content_type or ""):
            return ""
        uri = html.escape(
            f"data:{part.content_type};base64,{base64.b64encode(part.blob).decode()}", quote=True)
        style = ""
        extent = el.find(f".//{{{WP_NS}}}extent")
        if extent is not None:
            try:
                w = int(extent.get("cx")) / EMU_PER_PT
                h = int(extent.get("cy")) / EMU_PER_PT
                style = f' style="width:{w:.2f}pt;height:{h:.2f}pt"'
            except (TypeError, ValueError):
                style = ""
        return f'<img src="{uri}" alt=""{style}>'

    def table(self, tbl: Any) -> str:
        tblpr = _w(tbl, "tblPr")
        borders = self._has_borders(tblpr)
        grid = [(_tw(c.get(qn("w:w"))) or 0.0) for c in tbl.findall(qn("w:tblGrid") + "/"
                                                                    + qn("w:gridCol"))]
        jc = _w(tblpr, "jc")
        centred = jc is not None and jc.get(qn("w:val")) == "center"
        rows = tbl.findall(qn("w:tr"))
        # vertical merges: find each restart cell's row span by grid column
        layout: list[list[tuple[Any, int, int]]] = []   # (tc, grid column, column span)
        for tr in rows:
            col = 0
            cells = []
            for tc in tr.findall(qn("w:tc")):
                span_el = _w(_w(tc, "tcPr"), "gridSpan")
                span = (min(max(_int(span_el.get(qn("w:val"))), 1), MAX_SPAN)
                        if span_el is not None else 1)
                cells.append((tc, col, span))
                col += span
            layout.append(cells)
        rowspans: dict[int, int] = {}
        skip: set[int] = set()
        open_merge: dict[int, Any] = {}
        for cells in layout:
            for tc, col, _span in cells:
                vmerge = _w(_w(tc, "tcPr"), "vMerge")
                if vmerge is None:
                    open_merge.pop(col, None)
                elif vmerge.get(qn("w:val")) == "restart":
                    open_merge[col] = tc
                    rowspans[id(tc)] = 1
                elif col in open_merge:
                    rowspans[id(open_merge[col])] += 1
                    skip.add(id(tc))
        cls = ' class="bordered"' if borders else ""
        style = ' style="margin-left:auto;margin-right:auto"' if centred else ""
        out = [f"<table{cls}{style}>"]
        if grid and all(grid):
            out.append("<colgroup>" + "".join(f'<col style="width:{w:g}pt">' for w in grid)
                       + "</colgroup>")
        for cells in layout:
            out.append("<tr>")
            for tc, _col, span in cells:
                if id(tc) in skip:
                    continue
                attrs = f' colspan="{span}"' if span > 1 else ""
                if rowspans.get(id(tc), 1) > 1:
                    attrs += f' rowspan="{rowspans[id(tc)]}"'
                valign = _w(_w(tc, "tcPr"), "vAlign")
                if valign is not None:
                    v = {"center": "middle", "bottom": "bottom"}.get(
                        valign.get(qn("w:val"), ""), "top")
                    attrs += f' style="vertical-align:{v}"'
                out.append(f"<td{attrs}>{''.join(self.blocks(tc))}</td>")
            out.append("</tr>")
        out.append("</table>")
        return "".join(out)

    def _has_borders(self, tblpr: Any) -> bool:
        candidates = [_w(tblpr, "tblBorders")]
        ts = _w(tblpr, "tblStyle")
        if ts is not None:
            candidates += [_w(_w(s, "tblPr"), "tblBorders")
                           for s in reversed(self._chain(ts.get(qn("w:val"))))]
        for borders in candidates:
            if borders is None:
                continue
            return any(b.get(qn("w:val"), "none") not in ("nil", "none") for b in borders)
        return False


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")


BASE_CSS = (
    f"html{{font-family:{SERIF}}}body{{margin:0}}"
    "p{margin:0;white-space:pre-wrap;overflow-wrap:break-word}"
    "img{vertical-align:bottom}"
    "span.tab{display:inline-block;width:2em}"
    "table{border-collapse:collapse;margin-top:0;margin-bottom:0}"
    "td{vertical-align:top;padding:0 5pt}"
    "table.bordered td{border:0.5pt solid #000}"
)


def docx_html(document: DocxDocument, title: str = "") -> str:
    """The printable HTML of a python-docx document."""
    return Converter(document).html(title)
