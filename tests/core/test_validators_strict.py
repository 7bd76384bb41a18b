"""Structure checks beyond the check character (GB 32100 positions 1-8, GB/T 2260 provinces)."""

import pytest

from zhifa.core.validators import (
    IdentifierError,
    check_credit_code,
    check_id_number,
    check_region_code,
)

_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def with_check_char(first17: str) -> str:
    # GB 32100: weights 3^i mod 31, check = (31 - sum mod 31) mod 31 (written afresh here).
    total = sum(_CHARS.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + _CHARS[(31 - total % 31) % 31]


def id_with_check(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(c) * w for c, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


@pytest.mark.parametrize(
    ("first17", "code"),
    [("00000000000000000", "credit_code_authority"),  # authority 0 does not exist
     ("B1430100MA4L0000X", "credit_code_authority"),
     ("90430100MA4L0000X", "credit_code_authority"),  # kind 0 does not exist
     ("91000000MA4L0000X", "credit_code_region"),
     ("91990100MA4L0000X", "credit_code_region")],
)
def test_credit_code_structure(first17: str, code: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_credit_code(with_check_char(first17))
    assert exc.value.code == code


@pytest.mark.parametrize("first17", ["91430100MA4L0000X", "12430000006123456", "N2430102MA4L1234X",
                                     "Y1110105MA0000001", "A1110000000000001"])
def test_credit_codes_with_valid_structure_pass(first17: str) -> None:
    code = with_check_char(first17)
    assert check_credit_code(code) == code


@pytest.mark.parametrize("code", ["100000", "990100", "000000", "720000"])
def test_region_codes_outside_the_provinces_fail(code: str) -> None:
    with pytest.raises(IdentifierError) as exc:
        check_region_code(code)
    assert exc.value.code == "region_code_format"


def test_id_number_province_and_residence_permit_prefix() -> None:
    assert check_id_number(id_with_check("83000019900101001")).startswith("83")
    with pytest.raises(IdentifierError) as exc:
        check_id_number(id_with_check("99010519491231002"))
    assert exc.value.code == "id_number_region"
