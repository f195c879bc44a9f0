"""IRD and NHI numbers and driver licences: known valid and invalid numbers, and properties of
the check digits, including exactly which single-character errors they cannot catch."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from pydantic import ValidationError

from onceonly.domain.identifiers import (
    IRD_ISSUED_RANGE,
    IrdNumberRange,
    ird_check_digit,
    is_valid_driver_licence_number,
    is_valid_ird_number,
    is_valid_licence_version,
    is_valid_nhi_number,
    nhi_check_character,
    normalise_driver_licence_number,
    normalise_ird_number,
    normalise_nhi_number,
)
from onceonly.domain.people import DriverLicence

# IRD's two published weightings and HISO 10046's, restated here so the tests check the
# module against the specifications rather than against itself.
IRD_PRIMARY = (3, 2, 7, 6, 5, 4, 3, 2)
NHI_WEIGHTS = (7, 6, 5, 4, 3, 2)
NHI_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


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
    "nhi", ["JBX3656", "ZZZ0016", "ZAC5361", "zzz0024", "ZBN77VL", "ZZZ00AC", "zdr69yx"]
)
def test_valid_nhi_numbers(nhi):
    assert is_valid_nhi_number(nhi)


@pytest.mark.parametrize(
    "nhi", ["ZZZ0044", "ZZZ0017", "JBX3650", "ZZZ00AA", "ZHW58CN", "IBX3656", "ZZZ001", "ZZZ00016"]
)
def test_invalid_nhi_numbers(nhi):
    assert not is_valid_nhi_number(nhi)


@given(st.from_regex(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]", fullmatch=True))
def test_exactly_one_check_letter_makes_a_new_format_nhi_valid(prefix):
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    assert sum(is_valid_nhi_number(prefix + letter) for letter in letters) == 1
    # Modulus 23 gives check values 1..23: Z (24) is never a check letter.
    assert not is_valid_nhi_number(prefix + "Z")


# --- IRD numbers -------------------------------------------------------------------------

_ird_bases = st.integers(min_value=1_000_001, max_value=14_999_999).map(lambda n: f"{n:08d}")


def _valid_ird(base8: str) -> str:
    check = ird_check_digit(base8)
    assume(check is not None)
    return f"0{base8}{check}"[-9:]


def _uses_secondary_weights(digits: str) -> bool:
    # The primary weighting gives 10 exactly when the weighted sum leaves a remainder of 1.
    return sum(int(d) * w for d, w in zip(digits[:8], IRD_PRIMARY, strict=True)) % 11 == 1


@given(_ird_bases)
def test_every_ird_number_made_with_its_check_digit_is_valid(base8):
    assert is_valid_ird_number(_valid_ird(base8))


@given(_ird_bases, st.lists(st.sampled_from([" ", "-", "  ", " - "]), min_size=9, max_size=9))
def test_ird_numbers_written_with_dashes_or_spaces_normalise(base8, separators):
    number = _valid_ird(base8)
    written = "".join(digit + sep for digit, sep in zip(number, separators, strict=True))
    assert normalise_ird_number(written.strip(" -")) == number
    assert is_valid_ird_number(written.strip(" -"))


@given(_ird_bases, st.integers(min_value=0, max_value=8), st.integers(min_value=1, max_value=9))
def test_a_one_digit_slip_in_an_ird_number_fails_unless_the_weightings_differ(base8, at, shift):
    number = _valid_ird(base8)
    slipped = number[:at] + str((int(number[at]) + shift) % 10) + number[at + 1 :]
    if at == 8:
        # Each base has exactly one check digit, so a slip in the check digit always fails.
        assert not is_valid_ird_number(slipped)
    elif is_valid_ird_number(slipped):
        # Weights 2..7 are units mod 11, so two numbers checked with the same weighting and
        # one digit apart have different check digits: a collision needs one number on
        # each weighting.
        assert _uses_secondary_weights(number) != _uses_secondary_weights(slipped)


def test_the_ird_algorithm_has_one_digit_collisions_across_its_two_weightings():
    # IRD's published algorithm lets these through; the check digit cannot catch every slip.
    assert is_valid_ird_number("100000016")
    assert is_valid_ird_number("101000016")
    assert not _uses_secondary_weights("100000016")
    assert _uses_secondary_weights("101000016")


def test_the_issued_range_is_configurable():
    above_today = "150000017"  # base 15000001 and its check digit 7
    assert ird_check_digit(above_today[:8]) == 7
    assert not is_valid_ird_number(above_today)
    assert is_valid_ird_number(above_today, IrdNumberRange(highest=200_000_000))
    assert not is_valid_ird_number("49091850", IrdNumberRange(lowest=50_000_000))
    assert is_valid_ird_number("49091850", IRD_ISSUED_RANGE)


def test_the_issued_range_is_exclusive_at_both_ends():
    narrow = IrdNumberRange(lowest=49_091_850, highest=49_091_851)
    assert 49_091_850 not in narrow
    assert not is_valid_ird_number("49091850", narrow)
    assert is_valid_ird_number("49091850", IrdNumberRange(49_091_849, 49_091_851))


@pytest.mark.parametrize(("lowest", "highest"), [(10, 10), (20, 10), (-1, 10), (0, 10**10)])
def test_an_impossible_ird_range_is_refused(lowest, highest):
    with pytest.raises(ValueError, match="IRD number range"):
        IrdNumberRange(lowest, highest)


# --- NHI numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nhi", ["ZAA0067", "ZAA0105", "ZAA0121", "ZAA0130", "ZSC21TN", "ZZB30NH", "ZYX61YS"]
)
def test_more_published_test_nhis_are_valid(nhi):
    assert is_valid_nhi_number(nhi)


def test_an_old_format_check_digit_of_10_is_written_0():
    # HISO 10046: 11 less the remainder; a result of 10 is written 0 (ZAA013 sums to 1 mod 11).
    assert nhi_check_character("ZAA013") == "0"
    assert [d for d in "0123456789" if is_valid_nhi_number(f"ZAA013{d}")] == ["0"]


def test_an_old_format_base_with_no_remainder_has_no_check_digit():
    assert nhi_check_character("ZZZ004") is None
    assert not any(is_valid_nhi_number(f"ZZZ004{d}") for d in "0123456789")


@pytest.mark.parametrize(
    "nhi",
    [
        "ZZZ\u0660\u0660\u0661\u0666",  # ZZZ0016 in Arabic-Indic digits
        "ZOZ0016",
        "ZZZ00OX",
        "ZZZ00IX",
        "ZAC53610",
        "ZAC-536",
    ],
)
def test_look_alikes_and_letters_i_and_o_are_not_nhis(nhi):
    assert not is_valid_nhi_number(nhi)


def test_a_long_s_is_not_read_as_an_s():
    # "\u017f".upper() is "S": upper-casing before checking would let the look-alike through.
    assert is_valid_nhi_number("SAC0003")
    assert not is_valid_nhi_number("\u017fAC0003")


@pytest.mark.parametrize("written", ["ZAC5361", "zac5361", " ZAC 5361 ", "ZAC-5361", "z a c 5361"])
def test_nhis_written_with_spaces_dashes_or_lower_case_normalise(written):
    assert normalise_nhi_number(written) == "ZAC5361"
    assert is_valid_nhi_number(written)


@pytest.mark.parametrize("base", ["IAA000", "ZZZ0000", "ZZ0000", "ZZZ0A0", ""])
def test_a_check_character_needs_a_six_character_base(base):
    with pytest.raises(ValueError, match="first six characters"):
        nhi_check_character(base)


_old_nhi_bases = st.from_regex(r"[A-HJ-NP-Z]{3}[0-9]{3}", fullmatch=True)
_new_nhi_bases = st.from_regex(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]", fullmatch=True)


def _nhi_value(char: str) -> int:
    return int(char) if char.isdigit() else NHI_LETTERS.index(char) + 1


@given(_old_nhi_bases | _new_nhi_bases)
def test_every_nhi_made_with_its_check_character_is_valid(base):
    check = nhi_check_character(base)
    assume(check is not None)
    assert is_valid_nhi_number(base + check)
    assert is_valid_nhi_number((base + check).lower())


@given(
    _new_nhi_bases,
    st.integers(min_value=0, max_value=6),
    st.sampled_from(NHI_LETTERS + "IO0123456789"),
)
def test_a_one_character_slip_in_a_new_nhi_fails_unless_a_and_z_swap(base, at, char):
    nhi = base + str(nhi_check_character(base))
    assume(char != nhi[at])
    slipped = nhi[:at] + char + nhi[at + 1 :]
    same_kind = char.isdigit() == nhi[at].isdigit() and char not in "IO"
    if at == 6 or not same_kind:
        # One check letter per base; a letter for a digit (or I, O) breaks the format.
        assert not is_valid_nhi_number(slipped)
        return
    # HISO 10046:2023's new format sums mod 23, a prime above every weight: a slip escapes
    # exactly when the two characters' values are 23 apart, which only A (1) and Z (24) are.
    change = (_nhi_value(char) - _nhi_value(nhi[at])) * NHI_WEIGHTS[at]
    assert is_valid_nhi_number(slipped) == (change % 23 == 0)
    assert is_valid_nhi_number(slipped) == ({char, nhi[at]} == {"A", "Z"})


def test_the_new_nhi_format_lets_only_an_a_for_z_slip_through():
    assert is_valid_nhi_number("ZAA00AC")
    assert is_valid_nhi_number("ZZA00AC")
    assert is_valid_nhi_number("ZAZ00AC")
    assert not is_valid_nhi_number("ZBA00AC")


@given(
    _old_nhi_bases,
    st.integers(min_value=0, max_value=6),
    st.sampled_from(NHI_LETTERS + "0123456789"),
)
def test_a_one_character_slip_in_an_old_nhi_fails_unless_letters_are_11_apart(base, at, char):
    check = nhi_check_character(base)
    assume(check is not None)
    nhi = base + check
    assume(char != nhi[at])
    slipped = nhi[:at] + char + nhi[at + 1 :]
    if char.isdigit() != nhi[at].isdigit() or at == 6:
        assert not is_valid_nhi_number(slipped)
    elif char.isdigit():
        # Digits differ by at most 9 and 11 is prime: a digit slip is always caught.
        assert not is_valid_nhi_number(slipped)
    else:
        apart = abs(_nhi_value(char) - _nhi_value(nhi[at]))
        assert is_valid_nhi_number(slipped) == (apart % 11 == 0)


# --- Driver licences ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "number", ["AB123456", "ab123456", " AB 123456 ", "AB-123-456", "hs654321"]
)
def test_valid_driver_licence_numbers_normalise(number):
    assert is_valid_driver_licence_number(number)
    assert normalise_driver_licence_number(number) == number.upper().replace(" ", "").replace(
        "-", ""
    )


@pytest.mark.parametrize(
    "number",
    [
        *("", "A1234567", "ABC12345", "AB12345", "AB1234567", "12345678", "AB12345X"),
        *("\u0100B123456", "\u017fB123456", "AB\u0661\u0662\u0663\u0664\u0665\u0666"),
    ],
)
def test_invalid_driver_licence_numbers(number):
    assert not is_valid_driver_licence_number(number)


@given(st.from_regex(r"[A-Za-z]{2}[0-9]{6}", fullmatch=True))
def test_every_two_letter_six_digit_licence_number_is_valid(number):
    assert is_valid_driver_licence_number(number)
    assert normalise_driver_licence_number(number) == number.upper()


@pytest.mark.parametrize(("version", "valid"), [("101", True), ("004", True), ("000", True)])
def test_licence_versions_are_three_digits(version, valid):
    assert is_valid_licence_version(version) is valid


@pytest.mark.parametrize("version", ["", "1", "10", "1011", "10a", " 101", "\u0661\u0660\u0661"])
def test_invalid_licence_versions(version):
    assert not is_valid_licence_version(version)


def test_the_driver_licence_model_uses_the_same_rules():
    licence = DriverLicence(number="hs 654321", version="004")
    assert licence.number == "HS654321"
    for fields, field in [
        ({"number": "HS65432", "version": "004"}, "number"),
        ({"number": "HS654321", "version": "04"}, "version"),
    ]:
        with pytest.raises(ValidationError) as error:
            DriverLicence.model_validate(fields)
        assert error.value.errors()[0]["loc"] == (field,)
        assert "HS65432" not in error.value.errors()[0]["msg"]
