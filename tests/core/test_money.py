import pytest

from zhifa.core.money import fen_to_chinese_upper, fen_to_yuan, yuan_to_fen


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (50, "0.50"), (12345, "123.45"), (500000, "5,000.00"),
     (123456789, "1,234,567.89"), (-150, "-1.50"), (10**10, "100,000,000.00")],
)
def test_fen_to_yuan(fen: int, text: str) -> None:
    assert fen_to_yuan(fen) == text


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0", 0), ("0.01", 1), (".5", 50), ("1.", 100), ("100", 10000), ("1,234.5", 123450),
     ("1，234.56", 123456), (" 5000 ", 500000), ("-2.30", -230), ("0.29", 29),
     ("1.13", 113), ("99999999.99", 9999999999), ("12345678901234.56", 1234567890123456)],
)
def test_yuan_to_fen_is_exact(text: str, fen: int) -> None:
    # 0.29 and 1.13 are the classic float traps: float(0.29) * 100 == 28.999999999999996.
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["", " ", "-", ".", "1.234", "1.2.3", "abc", "1e3", "+5",
                                  "5元", "1.-5", "0x10"])
def test_yuan_to_fen_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_round_trip() -> None:
    for fen in (0, 1, 9, 10, 99, 100, 101, 123456789, 10**12 + 7):
        assert yuan_to_fen(fen_to_yuan(fen)) == fen


@pytest.mark.parametrize(
    ("fen", "upper"),
    [
        (500000, "人民币伍仟元整"),
        (1000100, "人民币壹万零壹元整"),
        (105, "人民币壹元零伍分"),
        (0, "人民币零元整"),
        (10**10, "人民币壹亿元整"),
        (123456789, "人民币壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        (1, "人民币壹分"),
        (10, "人民币壹角整"),
        (10000000, "人民币壹拾万元整"),
        (1010101, "人民币壹万零壹佰零壹元零壹分"),
        (200000001, "人民币贰佰万元零壹分"),
        (10000100000, "人民币壹亿零壹仟元整"),
        (1000000000001, "人民币壹佰亿元零壹分"),
    ],
)
def test_fen_to_chinese_upper(fen: int, upper: str) -> None:
    assert fen_to_chinese_upper(fen) == upper


def test_fen_to_chinese_upper_rejects_negative() -> None:
    with pytest.raises(ValueError):
        fen_to_chinese_upper(-1)
