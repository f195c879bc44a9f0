"""IRD and NHI numbers: known valid and invalid numbers, and properties of the check digits."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onceonly.domain.identifiers import (
    ird_check_digit,
    is_valid_ird_number,
    is_valid_nhi_number,
    normalise_ird_number,
)


@pytest.mark.parametrize("number", ["49091850", "35901981", "49098576", "136410132", "49-091-850"])
def test_valid_ird_numbers(number):
    assert is_valid_ird_number(number)


@pytest.mark.parametrize(
    "number",
    ["136410133", "9125568", "150000001", "49091851", "4909185", "abcdefgh", "", "049 091 85X"],
)
def test_invalid_ird_numbers(number):
    assert not is_valid_ird_number(number)


def test_ird_numbers_normalise_to_nine_digits():
    assert normalise_ird_number("49-091-850") == "049091850"


@given(st.integers(min_value=1_000_001, max_value=14_999_999))
def test_exactly_one_check_digit_makes_an_ird_number_valid(base):
    base8 = str(base).zfill(8)
    valid = [d for d in range(10) if is_valid_ird_number(base8 + str(d))]
    expected = ird_check_digit(base8)
    assert valid == ([] if expected is None else [expected])


@pytest.mark.parametrize(
    "nhi", ["JBX3656", "ZZZ0016", "ZAC5361", "zzz0024", "ZVU27KZ", "ZZZ00AX", "ZLV86AX"]
)
def test_valid_nhi_numbers(nhi):
    assert is_valid_nhi_number(nhi)


@pytest.mark.parametrize(
    "nhi", ["ZZZ0044", "ZZZ0017", "JBX3650", "ZZZ00AA", "ZHW58CZ", "IBX3656", "ZZZ001", "ZZZ00016"]
)
def test_invalid_nhi_numbers(nhi):
    assert not is_valid_nhi_number(nhi)


@given(st.from_regex(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]", fullmatch=True))
def test_exactly_one_check_letter_makes_a_new_format_nhi_valid(prefix):
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    assert sum(is_valid_nhi_number(prefix + letter) for letter in letters) == 1
