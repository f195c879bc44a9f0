"""New Zealand identifiers validated by their check digits: IRD numbers and NHI numbers.

Pure functions, so the API, the adapters and the tests share one definition of "valid".
"""

import re

# IRD's published algorithm: two weightings, the second used only when the first gives 10.
_IRD_PRIMARY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_IRD_SECONDARY_WEIGHTS = (7, 4, 3, 2, 5, 2, 7, 6)
# IRD numbers are issued between these bounds (exclusive), per IRD's validation spec.
_IRD_LOWEST = 10_000_000
_IRD_HIGHEST = 150_000_000

# NHI letters exclude I and O, so A=1 ... Z=24 (HISO 10046:2023).
_NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_NHI_OLD_FORMAT = re.compile(r"^[A-HJ-NP-Z]{3}\d{4}$")
_NHI_NEW_FORMAT = re.compile(r"^[A-HJ-NP-Z]{3}\d{2}[A-HJ-NP-Z]{2}$")
_NHI_WEIGHTS = (7, 6, 5, 4, 3, 2)


def normalise_ird_number(raw: str) -> str:
    """The nine-digit form of an IRD number written with or without dashes or spaces."""
    digits = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"[0-9]{8,9}", digits):
        raise ValueError("an IRD number has 8 or 9 digits")
    return digits.zfill(9)


def _ird_check_digit(base: str, weights: tuple[int, ...]) -> int:
    remainder = sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def ird_check_digit(base8: str) -> int | None:
    """The check digit for the eight digits before it, or None when no digit can be valid."""
    check = _ird_check_digit(base8, _IRD_PRIMARY_WEIGHTS)
    if check == 10:
        check = _ird_check_digit(base8, _IRD_SECONDARY_WEIGHTS)
    return None if check == 10 else check


def is_valid_ird_number(raw: str) -> bool:
    """True for an IRD number in the issued range whose check digit is right."""
    try:
        digits = normalise_ird_number(raw)
    except ValueError:
        return False
    if not _IRD_LOWEST < int(digits) < _IRD_HIGHEST:
        return False
    return ird_check_digit(digits[:8]) == int(digits[8])


def normalise_nhi_number(raw: str) -> str:
    """An NHI number in upper case without surrounding spaces (NHIs are case-insensitive)."""
    return raw.strip().upper()


def _nhi_value(char: str) -> int:
    return int(char) if char.isdigit() else _NHI_LETTERS.index(char) + 1


def _nhi_weighted_sum(nhi: str) -> int:
    return sum(_nhi_value(c) * w for c, w in zip(nhi[:6], _NHI_WEIGHTS, strict=True))


def is_valid_nhi_number(raw: str) -> bool:
    """True for an NHI in the old (AAANNNN) or new (AAANNAA) format with a right check character."""
    nhi = normalise_nhi_number(raw)
    if _NHI_NEW_FORMAT.match(nhi):
        return 24 - _nhi_weighted_sum(nhi) % 24 == _nhi_value(nhi[6])
    if _NHI_OLD_FORMAT.match(nhi):
        remainder = _nhi_weighted_sum(nhi) % 11
        return remainder != 0 and (11 - remainder) % 10 == int(nhi[6])
    return False
