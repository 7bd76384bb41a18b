"""Text that goes into the report's files: the PDF is printed from HTML and the XLSX is XML,
both of which forbid some control characters (openpyxl refuses them; a note pasted from
another program may hold one)."""

from __future__ import annotations

import re

# XML 1.0 forbids these (tab, line feed and carriage return are allowed)
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (tabs and line ends are kept)."""
    return XML_ILLEGAL.sub("", text)
