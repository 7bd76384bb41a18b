"""Small helpers for OOXML packages shared by the default templates and the engine."""

from __future__ import annotations

import io
import zipfile

# the earliest date a zip entry can carry: every entry gets it, so equal content gives equal
# bytes (the system template version is keyed by the hash of its bytes)
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
# an uploaded template unpacking to more than this is refused before it is parsed (a zip bomb)
MAX_UNPACKED = 64 * 1024 * 1024


def normalise_zip(data: bytes) -> bytes:
    """The same package with fixed entry dates, attributes and compression."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename), compresslevel=6)
    return out.getvalue()


def is_docx_package(data: bytes) -> bool:
    """Whether ``data`` looks like a WordprocessingML package of a sane unpacked size."""
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            if "[Content_Types].xml" not in z.namelist():
                return False
            return sum(i.file_size for i in z.infolist()) <= MAX_UNPACKED
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
