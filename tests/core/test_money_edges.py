import pytest

from zhifa.core.money import fen_to_chinese_upper, yuan_to_fen


@pytest.mark.parametrize(("text", "fen"), [("１２３.４", 12340), ("１，０００", 100000)])
def test_full_width_input_reads_as_ascii(text: str, fen: int) -> None:
    assert yuan_to_fen(text) == fen


@pytest.mark.parametrize("text", ["١٢", "1e3", "."])
def test_other_digit_systems_and_notations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        yuan_to_fen(text)


def test_upper_case_amount_limits() -> None:
    assert fen_to_chinese_upper(10**18 - 1).startswith("人民币玖仟玖佰玖拾玖万亿")
    with pytest.raises(ValueError):
        fen_to_chinese_upper(10**18)
    with pytest.raises(TypeError):
        fen_to_chinese_upper(True)
