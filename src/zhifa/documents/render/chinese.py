"""Chinese forms of amounts and dates as printed on enforcement documents.

Amounts are integers in fen (分) everywhere in the platform; a document prints a fine twice, in
figures and in the financial uppercase numerals (大写), so that an altered figure is caught by
the words. The uppercase follows the rules of the People's Bank for filling in amounts on
instruments (《正确填写票据和结算凭证的基本规定》):

- the amount starts with 人民币; the highest digit 1 of a ten is written 壹拾;
- a zero (or a run of zeros) between non-zero digits is written as one 零;
- where the run of zeros ends on the 万 / 亿 place or on the 元 place and the next digit is
  not zero, 零 may be left out; this module leaves it out (人民币叁佰元伍角, 壹拾万柒仟元)
  unless a whole four-digit section is empty (壹亿零柒仟元), which keeps it readable;
- 整 follows 元 when there are no 角 and 分; nothing follows 角 or 分.

Dates: ``date_zh`` is the GB/T 9704-2012 form of a document date (Arabic numerals, no leading
zeros: 2026年11月26日); ``date_upper`` the form in Chinese numerals used by some agencies on
decisions and seals (二〇二六年十一月二十六日).
"""

from __future__ import annotations

from datetime import date

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
SECTIONS = ("", "万", "亿", "万亿")
# 9999万亿元 and 99分: far beyond any amount a body decides; bigger amounts are a typo
MAX_FEN = 10**16 * 100 - 1

SMALL = "〇一二三四五六七八九"


def _check(fen: int) -> None:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError("an amount is an int of fen")
    if fen < 0:
        raise ValueError("an amount cannot be negative")
    if fen > MAX_FEN:
        raise ValueError("amount out of range")


def money_figures(fen: int) -> str:
    """``500000`` → ``"5,000.00元"``."""
    _check(fen)
    yuan, cents = divmod(fen, 100)
    return f"{yuan:,}.{cents:02d}元"


def _yuan_upper(yuan: int) -> str:
    """The integer part in uppercase, without 元 (empty for 0)."""
    digits = [int(c) for c in str(yuan)] if yuan else []
    n = len(digits)
    out: list[str] = []
    pending_zero = False
    for i, d in enumerate(digits):
        pos = n - 1 - i                      # place value: 0 = 元 place, 4 = 万 place, ...
        place, section = pos % 4, pos // 4
        if d == 0:
            pending_zero = True
        else:
            if pending_zero:
                # the zeros ended on the 万/亿 place right before a 仟: the section unit just
                # written separates the numbers, so 零 may be left out; an empty section keeps
                # it (壹亿零柒仟, not 壹亿柒仟 which reads like 壹亿柒仟万)
                higher = yuan // 10 ** (4 * (section + 1)) % 10000
                if not (place == 3 and higher):
                    out.append("零")
                pending_zero = False
            out.append(DIGITS[d] + PLACES[place])
        if place == 0 and section:
            value = yuan // 10 ** (4 * section) % 10000
            if value:
                out.append(SECTIONS[section])
    return "".join(out)


def money_upper(fen: int) -> str:
    """``500000`` → ``"人民币伍仟元整"``; ``1005`` → ``"人民币壹拾元零伍分"``."""
    _check(fen)
    yuan, cents = divmod(fen, 100)
    jiao, fen_digit = divmod(cents, 10)
    if not fen:
        return "人民币零元整"
    out = _yuan_upper(yuan)
    if yuan:
        out += "元"
    if not cents:
        return f"人民币{out}整"
    if jiao:
        # a zero on the 元 place before 角 is left out (叁佰元伍角)
        out += DIGITS[jiao] + "角"
    elif yuan:
        out += "零"                             # 壹拾元零伍分: the 角 place is empty
    if fen_digit:
        out += DIGITS[fen_digit] + "分"
    return "人民币" + out


def date_zh(d: date) -> str:
    """``date(2026, 11, 26)`` → ``"2026年11月26日"`` (GB/T 9704-2012 7.3.5.3)."""
    return f"{d.year}年{d.month}月{d.day}日"


def _small_number(n: int) -> str:
    """1..31 in Chinese numerals: 十, 十一, 二十, 二十六, 三十一."""
    tens, ones = divmod(n, 10)
    out = ""
    if tens:
        out = ("" if tens == 1 else SMALL[tens]) + "十"
    if ones:
        out += SMALL[ones]
    return out


def date_upper(d: date) -> str:
    """``date(2026, 11, 26)`` → ``"二〇二六年十一月二十六日"``."""
    year = "".join(SMALL[int(c)] for c in str(d.year))
    return f"{year}年{_small_number(d.month)}月{_small_number(d.day)}日"
