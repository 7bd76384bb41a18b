"""Validators against published examples and hand-computed check characters.

The check-character formulas are written afresh here from the standards (see
``shared/domain/reference.md`` §11) rather than imported, so a wrong production table cannot
agree with itself.
"""

import datetime as dt

import pytest

from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    check_region_code,
    mask_id_number,
    region_level,
)

# --- GB 11643-1999 ------------------------------------------------------------------------
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ID_CHECK_TABLE = ["1", "0", "X", "9", "8", "7", "6", "5", "4", "3", "2"]


def id_check(first17: str) -> str:
    return ID_CHECK_TABLE[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


@pytest.mark.parametrize("value", ["11010519491231002X", "440524188001010014"])
def test_id_number_standard_examples_are_valid(value: str) -> None:
    assert check_id_number(value) == value


def test_id_number_hand_computed_check_matches_the_standard_examples() -> None:
    assert id_check("11010519491231002") == "X"
    assert id_check("44052418800101001") == "4"


def test_id_number_lower_case_x_is_normalised() -> None:
    assert check_id_number(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize("value", ["110105194912310021", "440524188001010015",
                                   "11010519491231002Y"[:17] + "0"])
def test_id_number_wrong_check_character(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_id_number(value)
    assert exc.value.code == "id_number_checksum"


@pytest.mark.parametrize("birth", ["19990230", "20230229", "19851301", "19850000"])
def test_id_number_impossible_birth_date(birth: str) -> None:
    first17 = "430102" + birth + "123"
    with pytest.raises(IdentifierError) as exc:
        check_id_number(first17 + id_check(first17))
    assert exc.value.code == "id_number_birth_date"


def test_id_number_birth_date_in_the_future_or_too_old() -> None:
    for birth in ("20300101", "18491231"):
        first17 = "430102" + birth + "123"
        with pytest.raises(IdentifierError) as exc:
            check_id_number(first17 + id_check(first17), today=dt.date(2026, 1, 1))
        assert exc.value.code == "id_number_birth_date"


def test_id_number_leap_day_is_a_real_date() -> None:
    first17 = "430102" + "20000229" + "123"
    value = first17 + id_check(first17)
    assert check_id_number(value, today=dt.date(2026, 1, 1)) == value


@pytest.mark.parametrize(
    "value",
    ["", "1101051949123100", "1101051949123100201", "11010519491231002A",
     "X1010519491231002X", "110105 19491231002", "110105194912310 2X"],
)
def test_id_number_bad_format(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_id_number(value)
    assert exc.value.code == "id_number_format"


def test_id_number_address_code_cannot_start_with_zero() -> None:
    first17 = "030102" + "19850315" + "123"
    with pytest.raises(IdentifierError) as exc:
        check_id_number(first17 + id_check(first17))
    assert exc.value.code == "id_number_region"


def test_mask_id_number_keeps_first_six_and_last_four() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


# --- GB 32100-2015 ------------------------------------------------------------------------
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc_check(first17: str) -> str:
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def test_credit_code_published_example_is_valid() -> None:
    assert uscc_check("91350100M000100Y4") == "3"
    assert check_credit_code("91350100M000100Y43") == "91350100M000100Y43"


GENERATED_FIRST17 = [
    "11430000" + "006123456",  # a government organ (1 = organ, 1 = organ)
    "12430100" + "MB1234567",  # a public institution
    "91430102" + "MA4L0XY2B",  # an enterprise
    "93430202" + "0A0000000",  # a farmers' cooperative
    "Y1110105" + "000000001",  # registered by another authority
]


@pytest.mark.parametrize("first17", GENERATED_FIRST17)
def test_credit_code_generated_examples_are_valid(first17: str) -> None:
    code = first17 + uscc_check(first17)
    assert check_credit_code(code.lower()) == code


@pytest.mark.parametrize("first17", GENERATED_FIRST17)
def test_credit_code_every_other_check_character_is_rejected(first17: str) -> None:
    right = uscc_check(first17)
    for wrong in USCC_CHARSET:
        if wrong == right:
            continue
        with pytest.raises(IdentifierError) as exc:
            check_credit_code(first17 + wrong)
        assert exc.value.code == "credit_code_checksum"


@pytest.mark.parametrize("letter", ["I", "O", "S", "V", "Z"])
def test_credit_code_forbidden_letters(letter: str) -> None:
    # The letter replaces one character of the subject identifier; whatever the check
    # character, the code is malformed.
    code = "91350100M000100Y43"
    with pytest.raises(IdentifierError) as exc:
        check_credit_code(code[:9] + letter + code[10:])
    assert exc.value.code == "credit_code_format"
    with pytest.raises(IdentifierError) as exc:
        check_credit_code(code[:17] + letter)
    assert exc.value.code == "credit_code_format"


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433",
                                   "913501A0M000100Y43", "91350100M000100Y4-"])
def test_credit_code_wrong_length_or_shape(value: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_credit_code(value)
    assert exc.value.code == "credit_code_format"


# --- GB/T 2260 region codes ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "level"),
    [("430000", "province"), ("110000", "province"), ("430100", "city"),
     ("430102", "county"), ("110105", "county"), ("430102001", "township")],
)
def test_region_codes_and_levels(code: str, level: str) -> None:
    assert check_region_code(f" {code} ") == code
    assert region_level(code) == level


@pytest.mark.parametrize("code", ["", "030000", "43000", "4300000", "43010200", "43A102",
                                  "4301020011"])
def test_region_code_bad_format(code: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_region_code(code)
    assert exc.value.code == "region_code_format"
