"""Names as people write them: given names in order, a known-as name, macrons kept exactly as
given (precomposed or combining) through validation and JSON, and the limits that keep
runaway or control-character text out, reported on the path the API shows."""

import json
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from onceonly.api.problems import from_validation_error
from onceonly.domain.birth import BirthData
from onceonly.domain.people import PersonName, intake_context
from onceonly.samples import birth_request_data

TODAY = date(2026, 3, 2)
A_MACRON = "\u0101"  # ā, precomposed
A_COMBINING = "a\u0304"  # a followed by the combining macron


def test_given_names_keep_their_order_and_a_name_may_hold_a_space():
    name = PersonName(given_names=["Hōhepa", "Te Rangi"], family_name="Synthetic", known_as="Joe")
    assert name.given_names == ["Hōhepa", "Te Rangi"]
    assert name.known_as == "Joe"
    reversed_order = PersonName(given_names=["Te Rangi", "Hōhepa"], family_name="Synthetic")
    assert reversed_order != name.model_copy(update={"known_as": None})


@pytest.mark.parametrize("written", [f"M{A_MACRON}ori", f"M{A_COMBINING}ori"])
def test_macrons_are_kept_exactly_as_given(written):
    name = PersonName(given_names=[written], family_name=written, known_as=written)
    assert name.given_names[0] == name.family_name == name.known_as == written
    assert [len(part) for part in (name.family_name, written)] == [len(written)] * 2
    assert name.family_name.isascii() is False
    restored = PersonName.model_validate_json(name.model_dump_json())
    assert restored == name
    assert unicodedata.is_normalized("NFC", restored.family_name) == (written == f"M{A_MACRON}ori")


def test_the_two_ways_of_writing_a_macron_stay_different_names():
    precomposed = PersonName(given_names=[f"{A_MACRON}nahera"], family_name="Tūhoe")
    combining = PersonName(given_names=[f"{A_COMBINING}nahera"], family_name="Tūhoe")
    assert precomposed != combining


@pytest.mark.parametrize("length", [1, 200])
def test_names_up_to_200_characters_are_accepted(length):
    assert PersonName(given_names=["ā" * length], family_name="ā" * length).family_name


@pytest.mark.parametrize(
    ("fields", "loc", "kind"),
    [
        ({"given_names": ["Aroha", "ā" * 1000]}, ("given_names", 1), "string_too_long"),
        ({"given_names": ["ā" * 201]}, ("given_names", 0), "string_too_long"),
        ({"family_name": "ā" * 1000}, ("family_name",), "string_too_long"),
        ({"known_as": "ā" * 1000}, ("known_as",), "string_too_long"),
        ({"given_names": ["Aro\nha"]}, ("given_names", 0), "value_error"),
        ({"given_names": ["Aroha", "Me\x00re"]}, ("given_names", 1), "value_error"),
        ({"family_name": "Ngāta\x1b[31m"}, ("family_name",), "value_error"),
        ({"known_as": "He\u0085n"}, ("known_as",), "value_error"),
        ({"family_name": "   "}, ("family_name",), "string_too_short"),
        ({"given_names": []}, ("given_names",), "too_short"),
    ],
)
def test_runaway_and_control_character_names_are_refused_on_their_field(fields, loc, kind):
    data = {"given_names": ["Aroha"], "family_name": "Ngāta"} | fields
    with pytest.raises(ValidationError) as error:
        PersonName.model_validate(data)
    [detail] = error.value.errors(include_input=False)
    assert (detail["loc"], detail["type"]) == (loc, kind)


def test_whitespace_controls_around_a_name_are_trimmed_like_spaces():
    # Only surrounding whitespace is trimmed (a pasted newline); inside a name it is refused.
    name = PersonName(given_names=["Aroha\n"], family_name="\tNgāta\u0085")
    assert (name.given_names, name.family_name) == (["Aroha"], "Ngāta")


def test_the_api_names_the_field_path_of_a_runaway_name_and_does_not_echo_it():
    data = birth_request_data(TODAY)
    runaway = "Tāwhaki" * 143  # 1,001 characters
    data["child"]["name"]["given_names"] = ["Aroha", runaway]
    data["birth_parent"]["name"]["family_name"] = "Ngāta\x07"
    with pytest.raises(ValidationError) as error:
        BirthData.model_validate(data, context=intake_context(TODAY))
    problem = from_validation_error(error.value, ("data",)).problem
    assert {(e.field, e.rule) for e in problem.errors} == {
        ("data.child.name.given_names[1]", "String should have at most 200 characters"),
        ("data.birth_parent.name.family_name", "must not contain control characters"),
    }
    assert "Tāwhaki" not in problem.model_dump_json()


_letters = st.sampled_from(
    [*"AaEeHhIiKkMmNnOoPpRrTtUuWwgy", *"ĀāĒēĪīŌōŪū", *(f"{v}\u0304" for v in "AaEeIiOoUu")]
)
_words = st.lists(_letters, min_size=1, max_size=12).map("".join)
_names = st.lists(_words, min_size=1, max_size=3).map(" ".join)  # "Te Rangi": spaces inside


@given(st.lists(_names, min_size=1, max_size=10), _names, st.none() | _names)
def test_names_with_macrons_round_trip_unchanged(given_names, family_name, known_as):
    name = PersonName(given_names=given_names, family_name=family_name, known_as=known_as)
    assert (name.given_names, name.family_name, name.known_as) == (
        given_names,
        family_name,
        known_as,
    )
    dumped = name.model_dump(mode="json")
    assert PersonName.model_validate(dumped) == name
    wire = json.dumps(dumped, ensure_ascii=False)
    assert json.loads(wire) == dumped
    assert PersonName.model_validate(json.loads(wire)) == name
    # Every code point arrives as given: nothing composed, decomposed or stripped to ASCII.
    assert json.loads(wire)["given_names"] == given_names
