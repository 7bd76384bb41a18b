"""What a file is, judged by its first bytes, never by its name.

``sniff(head)`` returns the MIME type that the content shows (``filetype`` signatures, plus
plain text when the head decodes as UTF-8 or GB 18030 with no control characters) or ``""``
when nothing is recognised. ``check_allowed`` refuses what evidence may not be: programs,
scripts, archives of unknown content, anything unrecognised.
"""

from __future__ import annotations

import codecs

import filetype
from django.utils.translation import gettext as _

from zhifa.core.errors import ApplicationError

SNIFF_BYTES = 8192

# content types accepted as evidence files
ALLOWED = {
    # video: body cameras and fixed monitors
    "video/mp4", "video/quicktime", "video/x-msvideo", "video/x-matroska", "video/webm",
    "video/x-flv", "video/mpeg", "video/3gpp", "video/x-m4v", "video/x-ms-wmv",
    # audio
    "audio/mpeg", "audio/x-wav", "audio/wav", "audio/mp4", "audio/x-m4a", "audio/aac",
    "audio/ogg", "audio/x-flac", "audio/amr", "audio/x-aiff",
    # images
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff",
    "image/heic", "image/heif",
    # documents
    "application/pdf", "text/plain", "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text", "application/rtf",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}

_CONTROL = set(range(0, 32)) - {9, 10, 12, 13}


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        # incremental: a multi-byte character cut at the end of the head is not an error
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            text = decoder.decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return not any(ord(c) in _CONTROL for c in text)
    return False


def sniff(head: bytes) -> str:
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if _is_text(head):
        return "text/plain"
    return ""


def check_allowed(mime: str, *, filename: str = "") -> None:
    """Raise ``type_not_allowed`` (415) unless ``mime`` (from ``sniff``) may be evidence."""
    if mime in ALLOWED:
        return
    shown = mime or _("unrecognised content")
    raise ApplicationError(
        _("The content of “%(name)s” is %(type)s, which cannot be stored as evidence. "
          "Accepted: video, audio, images, PDF, plain text and office documents.")
        % {"name": filename or "?", "type": shown},
        code="type_not_allowed", status=415, detail={"detected": mime})
