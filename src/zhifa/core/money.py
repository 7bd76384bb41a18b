"""Money is kept in fen (分) as integers; these helpers format it."""

import re
import unicodedata

_AMOUNT_RE = re.compile(r"^(\d*)(?:\.(\d{0,2}))?$")

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def fen_to_yuan(fen: int) -> str:
    """12345 -> '123.45'"""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


def yuan_to_fen(text: str) -> int:
    """'1,234.5' -> 123450; exact, no float arithmetic. Full-width digits and separators
    (as typed with a Chinese input method) are read as their ASCII forms; anything else
    raises ``ValueError``."""
    raw = unicodedata.normalize("NFKC", str(text)).strip().replace(",", "")
    if raw.startswith("-"):
        return -yuan_to_fen(raw[1:])
    match = _AMOUNT_RE.match(raw)
    if match is None or not raw.isascii() or raw in ("", "."):
        raise ValueError(raw)
    whole, frac = match.group(1), match.group(2) or ""
    return int(whole or "0") * 100 + int((frac + "00")[:2])


def _four_digits(n: int) -> str:
    out = ""
    zero = False
    for i in range(3, -1, -1):
        d = n // 10**i % 10
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out += "零"
                zero = False
            out += _DIGITS[d] + _SMALL_UNITS[i]
    return out


def fen_to_chinese_upper(fen: int) -> str:
    """Amount in Chinese financial uppercase: 500000 -> '人民币伍仟元整'."""
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("amount in fen must be an int")
    if fen < 0:
        raise ValueError("negative amount")
    if fen >= 10**18:  # 10^16 yuan: beyond the largest unit (万亿) this writes
        raise ValueError("amount too large")
    yuan, rest = divmod(fen, 100)
    jiao, fen_part = divmod(rest, 10)
    groups = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    text = ""
    need_zero = False
    for idx in range(len(groups) - 1, -1, -1):
        g = groups[idx]
        if g == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or g < 1000):
            text += "零"
        text += _four_digits(g) + _BIG_UNITS[idx]
        need_zero = False
    if text:
        text += "元"
    if jiao == 0 and fen_part == 0:
        return "人民币" + (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen_part:
        text += _DIGITS[fen_part] + "分"
    else:
        text += "整"
    return "人民币" + text
