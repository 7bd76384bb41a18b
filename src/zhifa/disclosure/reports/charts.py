"""Bar charts as inline SVG for the printed report (WeasyPrint draws SVG itself; nothing is
fetched). Horizontal bars: the Chinese headings stay readable however long they are."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 70
ROW_HEIGHT = 24
BAR_HEIGHT = 14
PAD = 6
BAR_COLOUR = "#9b1c1c"
FONT = "'ZhifaSans','Noto Sans CJK SC',sans-serif"


def _text_width(text: str, size: float) -> float:
    """A rough width: CJK characters are square, others about half as wide."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def _fit(text: str, size: float, room: float) -> str:
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def bar_chart(rows: Sequence[tuple[str, int, str]], *, title: str) -> str:
    """An SVG of one bar per ``(label, value, shown value)`` row, scaled to the largest
    value; empty string when there is no row."""
    if not rows:
        return ""
    top = max(value for _label, value, _shown in rows) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 2 * PAD
    height = PAD * 2 + ROW_HEIGHT * len(rows)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="{escape(FONT)}" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LABEL_WIDTH + PAD}" y1="{PAD}" x2="{LABEL_WIDTH + PAD}" '
        f'y2="{height - PAD}" stroke="#888" stroke-width="0.8"/>',
    ]
    for i, (label, value, shown) in enumerate(rows):
        y = PAD + i * ROW_HEIGHT
        mid = y + ROW_HEIGHT / 2
        bar = room * value / top if value > 0 else 0
        parts.append(
            f'<text x="{LABEL_WIDTH}" y="{mid + 4:.1f}" text-anchor="end" fill="#1d2430">'
            f"{escape(_fit(label, 11, LABEL_WIDTH - PAD))}</text>")
        if bar:
            parts.append(
                f'<rect x="{LABEL_WIDTH + PAD}" y="{mid - BAR_HEIGHT / 2:.1f}" '
                f'width="{max(bar, 1):.1f}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>')
        parts.append(
            f'<text x="{LABEL_WIDTH + PAD + bar + 4:.1f}" y="{mid + 4:.1f}" fill="#1d2430">'
            f"{escape(shown)}</text>")
    parts.append("</svg>")
    return "".join(parts)
