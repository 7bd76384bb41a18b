"""Amounts and dates in their printed Chinese forms (no database)."""

from datetime import date

import pytest

from zhifa.documents.render.chinese import date_upper, date_zh, money_figures, money_upper
from zhifa.documents.render.qr import qr_png

YUAN = 100


@pytest.mark.parametrize(("fen", "upper"), [
    (0, "人民币零元整"),
    (5, "人民币伍分"),                                  # 0.05
    (50, "人民币伍角"),                                 # 0.50
    (1 * YUAN, "人民币壹元整"),
    (105, "人民币壹元零伍分"),                           # 1.05
    (1005, "人民币壹拾元零伍分"),                         # 10.05
    (10 * YUAN, "人民币壹拾元整"),
    (16 * YUAN, "人民币壹拾陆元整"),
    (100 * YUAN, "人民币壹佰元整"),
    (300 * YUAN + 50, "人民币叁佰元伍角"),                # zero on the 元 place before 角
    (1_000 * YUAN + 5, "人民币壹仟元零伍分"),
    (1_005 * YUAN, "人民币壹仟零伍元整"),
    (1_680 * YUAN + 32, "人民币壹仟陆佰捌拾元叁角贰分"),
    (5_000 * YUAN, "人民币伍仟元整"),
    (10_000 * YUAN, "人民币壹万元整"),
    (10_500 * YUAN, "人民币壹万零伍佰元整"),
    (100_500 * YUAN, "人民币壹拾万零伍佰元整"),
    (107_000 * YUAN, "人民币壹拾万柒仟元整"),            # zero on the 万 place before 仟
    (1_000_000 * YUAN, "人民币壹佰万元整"),
    (1_000_500 * YUAN, "人民币壹佰万零伍佰元整"),
    (100_000_000 * YUAN, "人民币壹亿元整"),
    (100_000_001 * YUAN, "人民币壹亿零壹元整"),
    (100_007_000 * YUAN, "人民币壹亿零柒仟元整"),        # a whole empty 万 section keeps 零
    (100_010_000 * YUAN, "人民币壹亿零壹万元整"),
    (1_234_567_890 * YUAN + 12, "人民币壹拾贰亿叁仟肆佰伍拾陆万柒仟捌佰玖拾元壹角贰分"),
])
def test_money_upper(fen: int, upper: str) -> None:
    assert money_upper(fen) == upper


@pytest.mark.parametrize(("fen", "figures"), [
    (0, "0.00元"), (5, "0.05元"), (1005, "10.05元"), (500_000, "5,000.00元"),
    (10_000_000_001, "100,000,000.01元"),
])
def test_money_figures(fen: int, figures: str) -> None:
    assert money_figures(fen) == figures


@pytest.mark.parametrize("fn", [money_upper, money_figures])
def test_money_refuses_negative_and_absurd(fn) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        fn(-1)
    with pytest.raises(ValueError):
        fn(10**18)
    with pytest.raises(TypeError):
        fn(1.5)


@pytest.mark.parametrize(("d", "zh", "upper"), [
    (date(2026, 11, 26), "2026年11月26日", "二〇二六年十一月二十六日"),
    (date(2026, 1, 5), "2026年1月5日", "二〇二六年一月五日"),
    (date(2000, 10, 10), "2000年10月10日", "二〇〇〇年十月十日"),
    (date(2019, 12, 20), "2019年12月20日", "二〇一九年十二月二十日"),
    (date(2031, 3, 31), "2031年3月31日", "二〇三一年三月三十一日"),
])
def test_dates(d: date, zh: str, upper: str) -> None:
    assert date_zh(d) == zh
    assert date_upper(d) == upper


def test_qr_png_is_a_deterministic_png_of_print_size() -> None:
    png = qr_png("http://127.0.0.1:8000/v/ABCDEFGHJKMN")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert png == qr_png("http://127.0.0.1:8000/v/ABCDEFGHJKMN")
    width = int.from_bytes(png[16:20], "big")
    assert 250 <= width <= 340  # about 2.5 cm at 300 dpi
