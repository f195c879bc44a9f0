"""IRD numbers as the Inland Revenue mock issues and checks them: IRD's check-digit rule, the
numbers it issues newborns, and the numbers it holds for its existing customers.

Every demo citizen is an IRD customer: the mock derives a customer's number from a SHA-256
hash of their opaque identity, so the same identity always has the same valid number and the
mock stores nothing about anyone. Customers' numbers lie below the newborns' range, so the
two never meet.
"""

import hashlib
import re

from mocks.kit.store import NextNumber

# IRD's published check-digit weights; the second set is used only when the first gives 10.
_PRIMARY_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_SECONDARY_WEIGHTS = (7, 4, 3, 2, 5, 2, 7, 6)
# IRD numbers are issued strictly between these bounds.
_LOWEST = 10_000_000
_HIGHEST = 150_000_000
# ASCII digits only: str.isdigit() and \d would also take other scripts' digits.
_NINE_DIGITS = re.compile(r"[0-9]{9}")
# The mock issues children numbers from 130-000-000 up, clear of the usual test numbers.
_FIRST_CHILD_BASE = 13_000_000
# Customers' bases run from the lowest valid one up to the children's first.
_FIRST_CUSTOMER_BASE = _LOWEST // 10 + 1
_CUSTOMER_BASES = _FIRST_CHILD_BASE - _FIRST_CUSTOMER_BASE


def _check_digit(base: str, weights: tuple[int, ...]) -> int:
    remainder = sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11
    return 0 if remainder == 0 else 11 - remainder


def check_digit(base8: str) -> int | None:
    """IRD's check digit for eight digits, or None when that base can carry no valid digit."""
    check = _check_digit(base8, _PRIMARY_WEIGHTS)
    if check == 10:
        check = _check_digit(base8, _SECONDARY_WEIGHTS)
    return None if check == 10 else check


def is_valid_ird_number(digits: str) -> bool:
    """True for nine digits in IRD's issued range whose check digit is right."""
    if not _NINE_DIGITS.fullmatch(digits) or not _LOWEST < int(digits) < _HIGHEST:
        return False
    return check_digit(digits[:8]) == int(digits[8])


def ird_number_for(sequence: int) -> str | None:
    """The IRD number the mock issues as its `sequence`-th child, or None if that base is unusable.

    The base is the sequence counted up from 13,000,000, plus its check digit.
    """
    base = _FIRST_CHILD_BASE + sequence
    if base * 10 >= _HIGHEST:
        raise ValueError("the mock has issued every IRD number in its range")
    base8 = f"{base:08d}"
    check = check_digit(base8)
    return None if check is None else f"{base8}{check}"


def issue_ird_number(next_number: NextNumber) -> str:
    """The next IRD number with a valid check digit, skipping bases that cannot carry one."""
    while True:
        number = ird_number_for(next_number("ird.number"))
        if number is not None:
            return number


def customer_ird_number(identity: str) -> str:
    """The IRD number the mock holds for the customer with this opaque identity.

    The hash picks a base between 1,000,001 and 12,999,999; a base that can carry no check
    digit gives way to the next one up (wrapping round), so every identity has a number.
    """
    digest = int.from_bytes(hashlib.sha256(identity.encode()).digest()[:8], "big")
    offset = digest % _CUSTOMER_BASES
    while True:
        base8 = f"{_FIRST_CUSTOMER_BASE + offset:08d}"
        check = check_digit(base8)
        if check is not None:
            return f"{base8}{check}"
        offset = (offset + 1) % _CUSTOMER_BASES
