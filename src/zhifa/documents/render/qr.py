"""The verification QR code printed at the foot of every issued document."""

from __future__ import annotations

import io
from functools import lru_cache

import segno

# printed about 2.5 cm wide (the default templates place it at 25 mm): at 300 dpi that is
# ~295 pixels, so each module gets a whole number of pixels close to it and stays sharp
PRINT_PX = 295
DPI = 300
BORDER = 4  # the quiet zone the standard asks for (ISO/IEC 18004: four modules)


# an issue computes the printed values twice (before its transaction and inside it): the
# second time costs nothing
@lru_cache(maxsize=256)
def qr_png(text: str) -> bytes:
    """A PNG of ``text`` (a verification address) as a QR code, error level M."""
    code = segno.make(text, error="m", micro=False, boost_error=False)
    modules = code.symbol_size(scale=1, border=BORDER)[0]
    scale = max(1, round(PRINT_PX / modules))
    buf = io.BytesIO()
    code.save(buf, kind="png", scale=scale, border=BORDER, dpi=DPI)
    return buf.getvalue()
