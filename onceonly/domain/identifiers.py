"""New Zealand identifiers checked by their published rules: IRD numbers, NHI numbers (both
formats) and driver licences.

Pure functions, so the API, the adapters and the tests share one definition of "valid".
People write identifiers with spaces or dashes and in either case; each `normalise_*` gives
the one form that is stored and sent to agencies.

IRD numbers are checked with python-stdnum (`stdnum.nz.ird`), a well-kept library; only the
issued range is ours, because IR raises its upper bound and stdnum fixes it in code.
NHI numbers keep our own code: python-nhi answers only yes or no (no check character to issue
with), takes any script's digits and fails on an empty string. Both rules are tested against
those libraries in tests/unit/test_identifier_references.py.
"""

import re
from dataclasses import dataclass

from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.nz import ird as stdnum_ird

_SEPARATORS = re.compile(r"[\s-]")

# NHI letters exclude I and O (mistaken for 1 and 0), so A=1 ... Z=24 (HISO 10046:2023).
# The new format's check letter is 23 less the weighted sum mod 23 (1..23, so never Z); the
# 2022 draft's mod 24 refuses real NHIs.
_NHI_NEW_MODULUS = 23
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_NHI_OLD_FORMAT = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{4}")
_NHI_NEW_FORMAT = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}")
_NHI_OLD_BASE = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{3}")
_NHI_NEW_BASE = re.compile(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]")
_NHI_WEIGHTS = (7, 6, 5, 4, 3, 2)

# NZTA prints the licence number (two letters, six digits) and a three-digit card version.
_DRIVER_LICENCE_NUMBER = re.compile(r"[A-Z]{2}[0-9]{6}")
_LICENCE_VERSION = re.compile(r"[0-9]{3}")


@dataclass(frozen=True)
class IrdNumberRange:
    """The IRD numbers issued so far: both bounds exclusive, as IRD's validation spec words it.

    IRD raises the upper bound as it issues more numbers, so the bound is configuration, not
    code: a deployment reads its two bounds from its settings and passes
    `IrdNumberRange(lowest, highest)` to `is_valid_ird_number`. The defaults are today's.
    """

    lowest: int = 10_000_000
    highest: int = 150_000_000

    def __post_init__(self) -> None:
        """Refuse a range no nine-digit number can fall in."""
        if not 0 <= self.lowest < self.highest <= 1_000_000_000:
            raise ValueError("an IRD number range needs 0 <= lowest < highest <= 1,000,000,000")

    def __contains__(self, number: int) -> bool:
        """True when `number` lies strictly between the bounds."""
        return self.lowest < number < self.highest


IRD_ISSUED_RANGE = IrdNumberRange()
"""The issued range in IRD's current validation specification."""


def normalise_ird_number(raw: str) -> str:
    """The nine-digit form of an IRD number written with or without dashes or spaces."""
    try:
        digits = stdnum_ird.compact(raw)
    except StdnumValidationError:
        digits = ""
    if not re.fullmatch(r"[0-9]{8,9}", digits):
        raise ValueError("an IRD number has 8 or 9 digits")
    return digits.zfill(9)


def ird_check_digit(base8: str) -> int | None:
    """The check digit for the eight digits before it, or None when no digit can be valid."""
    # stdnum answers "10" when neither of IR's weightings gives a digit.
    check = stdnum_ird.calc_check_digit(base8)
    return None if check == "10" else int(check)


def is_valid_ird_number(raw: str, issued: IrdNumberRange = IRD_ISSUED_RANGE) -> bool:
    """True for an IRD number in the issued range whose check digit is right."""
    try:
        digits = normalise_ird_number(raw)
    except ValueError:
        return False
    return int(digits) in issued and ird_check_digit(digits[:8]) == int(digits[8])


def _ascii_upper(raw: str) -> str:
    # Only ASCII is upper-cased: the long s (U+017F) upper-cases to S and would pass.
    text = _SEPARATORS.sub("", raw)
    return text.upper() if text.isascii() else text


def normalise_nhi_number(raw: str) -> str:
    """An NHI number in upper case without spaces or dashes (NHIs are case-insensitive)."""
    return _ascii_upper(raw)


def _nhi_value(char: str) -> int:
    return int(char) if char.isdigit() else _NHI_LETTERS.index(char) + 1


def _nhi_weighted_sum(base: str) -> int:
    return sum(_nhi_value(c) * w for c, w in zip(base[:6], _NHI_WEIGHTS, strict=True))


def nhi_check_character(first_six: str) -> str | None:
    """The check character that completes an NHI's first six characters (HISO 10046:2023).

    The old format (AAANNN) takes a digit: 11 less the weighted sum mod 11, with 10 written
    as 0; a sum of 0 mod 11 has no check digit, and None says so. The new format (AAANNA)
    takes a letter: 23 less the weighted sum mod 23, as a letter value (A=1 ... Y=23).
    """
    base = normalise_nhi_number(first_six)
    if _NHI_NEW_BASE.fullmatch(base):
        check = _NHI_NEW_MODULUS - _nhi_weighted_sum(base) % _NHI_NEW_MODULUS
        return _NHI_LETTERS[check - 1]
    if _NHI_OLD_BASE.fullmatch(base):
        remainder = _nhi_weighted_sum(base) % 11
        return None if remainder == 0 else str((11 - remainder) % 10)
    raise ValueError("the first six characters of an NHI are AAANNN or AAANNA, without I or O")


def is_valid_nhi_number(raw: str) -> bool:
    """True for an NHI in the old (AAANNNC) or new (AAANNAX) format with a right check character."""
    nhi = normalise_nhi_number(raw)
    if not (_NHI_OLD_FORMAT.fullmatch(nhi) or _NHI_NEW_FORMAT.fullmatch(nhi)):
        return False
    return nhi_check_character(nhi[:6]) == nhi[6]


def normalise_driver_licence_number(raw: str) -> str:
    """A driver licence number in upper case without spaces or dashes, as in AB123456."""
    return _ascii_upper(raw)


def is_valid_driver_licence_number(raw: str) -> bool:
    """True for a driver licence number of two letters and six digits (any case, spaced or not).

    NZTA publishes no check digit for licence numbers, so the format is the whole rule.
    """
    return bool(_DRIVER_LICENCE_NUMBER.fullmatch(normalise_driver_licence_number(raw)))


def is_valid_licence_version(raw: str) -> bool:
    """True for a licence version: the three digits printed on the card, as in 101 or 004."""
    return bool(_LICENCE_VERSION.fullmatch(raw))
