"""Validators for the national identifier standards.

- Citizen ID number: GB 11643-1999 (18 characters, ISO 7064 MOD 11-2 check character).
- Unified social credit code: GB 32100-2015 (18 characters, MOD 31 check character).
- Administrative division code: GB/T 2260 (6 digits) and GB/T 10114 township codes (9 digits).

Each ``check_*`` function returns the normalised value or raises ``IdentifierError`` whose
``code`` is stable (for the API and import reports) and whose message is translated.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class IdentifierError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Province-level codes of GB/T 2260 (the first two digits of every region code): 11-15 North,
# 21-23 North-east, 31-37 East, 41-46 Central-south, 50-54 South-west, 61-65 North-west,
# 71 Taiwan, 81 Hong Kong, 82 Macao. 83 prefixes the residence-permit numbers of Hong Kong,
# Macao and Taiwan residents (GB 11643 form), valid as ID numbers only.
PROVINCE_PREFIXES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
     "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
     "65", "71", "81", "82"]
)
_ID_ONLY_PREFIXES = frozenset(["83"])


# --- GB 11643-1999 citizen ID number ------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def check_id_number(value: str, *, today: dt.date | None = None) -> str:
    raw = (value or "").strip().upper()
    if not _ID_RE.match(raw):
        raise IdentifierError(
            "id_number_format", _("An ID number has 17 digits followed by a digit or X.")
        )
    if raw[:2] not in PROVINCE_PREFIXES | _ID_ONLY_PREFIXES:
        raise IdentifierError("id_number_region", _("The ID number's address code is invalid."))
    try:
        birth = dt.date(int(raw[6:10]), int(raw[10:12]), int(raw[12:14]))
    except ValueError:
        raise IdentifierError(
            "id_number_birth_date", _("The ID number's birth date is not a real date.")
        ) from None
    if birth.year < 1850 or birth > (today or dt.date.today()):
        raise IdentifierError(
            "id_number_birth_date", _("The ID number's birth date is out of range.")
        )
    if id_number_check_char(raw[:17]) != raw[17]:
        raise IdentifierError(
            "id_number_checksum", _("The ID number's check character is wrong.")
        )
    return raw


def id_number_birth_date(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def mask_id_number(value: str) -> str:
    """Keep the first 6 and last 4 characters: 430102********1234."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --- GB 32100-2015 unified social credit code ---------------------------------------------
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
# GB 32100 position 1, the registering authority: 1-9 (organ establishment, foreign affairs,
# justice, culture, civil affairs, tourism, religion, trade unions, market regulation), A
# (the CMC's establishment office), N (agriculture), Y (others). Position 2, the kind of
# organisation within that authority, is a digit 1-9.
_USCC_AUTHORITY = frozenset("123456789ANY")


def credit_code_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str:
    raw = (value or "").strip().upper()
    if len(raw) != 18 or not _USCC_RE.match(raw):
        raise IdentifierError(
            "credit_code_format",
            _(
                "A unified social credit code has 18 characters from 0-9 and A-Y "
                "without I, O, S, V and Z, with a 6-digit region code in positions 3-8."
            ),
        )
    if raw[0] not in _USCC_AUTHORITY or raw[1] not in "123456789":
        raise IdentifierError(
            "credit_code_authority",
            _("The first two characters of the credit code (registering authority and "
              "organisation kind) are invalid."),
        )
    if raw[2:4] not in PROVINCE_PREFIXES:
        raise IdentifierError(
            "credit_code_region", _("The credit code's region code (positions 3-8) is invalid.")
        )
    if credit_code_check_char(raw[:17]) != raw[17]:
        raise IdentifierError(
            "credit_code_checksum", _("The unified social credit code's check character is wrong.")
        )
    return raw


# --- GB/T 2260 region codes ----------------------------------------------------------------
_REGION_RE = re.compile(r"^[1-9]\d{5}(\d{3})?$")


def region_level(code: str) -> str:
    """province / city / county / township from the shape of a GB/T 2260 (or 10114) code."""
    if len(code) == 9:
        return "township"
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def check_region_code(value: str) -> str:
    raw = (value or "").strip()
    if not _REGION_RE.match(raw) or raw[:2] not in PROVINCE_PREFIXES:
        raise IdentifierError(
            "region_code_format",
            _("A region code has 6 digits (GB/T 2260), or 9 digits for a township."),
        )
    return raw


# --- Django field validators ---------------------------------------------------------------
def _as_validation_error(exc: IdentifierError) -> ValidationError:
    return ValidationError(exc.message, code=exc.code)


def validate_id_number(value: str) -> None:
    try:
        check_id_number(value)
    except IdentifierError as exc:
        raise _as_validation_error(exc) from None


def validate_credit_code(value: str) -> None:
    try:
        check_credit_code(value)
    except IdentifierError as exc:
        raise _as_validation_error(exc) from None


def validate_region_code(value: str) -> None:
    try:
        check_region_code(value)
    except IdentifierError as exc:
        raise _as_validation_error(exc) from None
