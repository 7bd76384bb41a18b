"""The faces the PDFs are printed with.

The system's Noto CJK faces (Debian fonts-noto-cjk) hold some 65,000 glyphs in collections of
20–27 MB; WeasyPrint reads and subsets the whole face for every PDF, which costs most of the
time of a one-page document. So each process cuts, once, a face of the characters documents use
— ASCII, Latin-1, punctuation, the CJK symbols, full-width forms and the GB 2312 set (6,763
characters and symbols) — with HarfBuzz, and the pages name it first; a character outside it
(a rare name) falls back to the full system face, so nothing is ever missing, only slower.

Without HarfBuzz or the fonts the pages simply use the system faces by name.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SERIF_FAMILY = "Noto Serif CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"
# the families of the cut faces, as the pages name them
SERIF_CUT = "ZhifaSerif"
SANS_CUT = "ZhifaSans"
# (family of the cut, weight, the system face it is cut from)
FACES: tuple[tuple[str, int, str], ...] = (
    (SERIF_CUT, 400, f"{SERIF_FAMILY}:style=Regular"),
    (SERIF_CUT, 700, f"{SERIF_FAMILY}:style=Bold"),
    (SANS_CUT, 400, f"{SANS_FAMILY}:style=Regular"),
)
# the URL scheme the page's @font-face rules use; served from memory by the engine's fetcher
SCHEME = "zhifa-font"

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_face_destroy (hb_face_t *face);
void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

RANGES = (
    (0x20, 0x7E), (0xA0, 0xFF),        # ASCII, Latin-1
    (0x2000, 0x206F),                  # general punctuation (— … ‰ ※)
    (0x2100, 0x218F),                  # letterlike symbols, roman numerals (№ Ⅲ)
    (0x2460, 0x24FF),                  # circled numbers (①)
    (0x2500, 0x257F),                  # box drawing
    (0x3000, 0x303F),                  # CJK symbols and punctuation (、。〇〔〕《》)
    (0xFF00, 0xFFEF),                  # full-width forms (，：（）)
)


def _gb2312() -> list[int]:
    """The code points of GB 2312 (rows 1–9 symbols, 16–87 characters)."""
    out = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                out.append(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return out


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    data: bytes

    @property
    def url(self) -> str:
        return f"{SCHEME}:{self.family}-{self.weight}"


def _locate(pattern: str) -> tuple[str, int] | None:
    """The file and collection index of the system face fontconfig gives for a pattern."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{family}", pattern],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, rest = out.partition("|")
    index, _, family = rest.partition("|")
    # fc-match always answers; only the face asked for will do
    if not path or pattern.split(":")[0] not in family.split(","):
        return None
    try:
        return path, int(index or 0)
    except ValueError:
        return None


def _cut(hb: Any, ffi: Any, path: str, index: int, codepoints: list[int]) -> bytes | None:
    blob = hb.hb_blob_create_from_file_or_fail(path.encode())
    if blob == ffi.NULL:
        return None
    face = hb.hb_face_create(blob, index)
    subset_input = hb.hb_subset_input_create_or_fail()
    try:
        unicodes = hb.hb_subset_input_unicode_set(subset_input)
        for first, last in RANGES:
            hb.hb_set_add_range(unicodes, first, last)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        cut = hb.hb_subset_or_fail(face, subset_input)
        if cut == ffi.NULL:
            return None
        out_blob = hb.hb_face_reference_blob(cut)
        length = ffi.new("unsigned int *")
        data = hb.hb_blob_get_data(out_blob, length)
        result = bytes(ffi.buffer(data, length[0])) if length[0] else None
        hb.hb_blob_destroy(out_blob)
        hb.hb_face_destroy(cut)
        return result
    finally:
        hb.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


_lock = threading.Lock()
_faces: list[Face] | None = None


def faces() -> list[Face]:
    """The cut faces (built on the first call of the process; empty when impossible)."""
    global _faces
    with _lock:
        if _faces is None:
            _faces = _build()
        return _faces


def _build() -> list[Face]:
    try:
        import cffi

        ffi = cffi.FFI()
        ffi.cdef(_CDEF)
        # the subsetter library links HarfBuzz: its handle finds both sets of functions
        hb: Any = ffi.dlopen("libharfbuzz-subset.so.0")
    except (ImportError, OSError) as exc:
        log.warning("PDF fonts: HarfBuzz subsetter not available (%s); using system faces", exc)
        return []
    codepoints = _gb2312()
    out = []
    for family, weight, pattern in FACES:
        found = _locate(pattern)
        if found is None:
            log.warning("PDF fonts: %s not installed (fonts-noto-cjk)", pattern)
            continue
        try:
            data = _cut(hb, ffi, found[0], found[1], codepoints)
        except AttributeError as exc:  # an old HarfBuzz without these functions
            log.warning("PDF fonts: cannot cut %s (%s)", pattern, exc)
            data = None
        if data:
            out.append(Face(family, weight, data))
    return out


def font_face_css() -> str:
    """The @font-face rules of the cut faces."""
    return "".join(
        f"@font-face{{font-family:'{f.family}';src:url('{f.url}');font-weight:{f.weight};"
        "font-style:normal}" for f in faces())


def by_url() -> dict[str, bytes]:
    return {f.url: f.data for f in faces()}
