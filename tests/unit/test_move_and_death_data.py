"""The moving and death dossiers' own rules, each naming the field it is about."""

from datetime import date, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData, is_adult
from onceonly.domain.people import intake_context
from onceonly.samples import death_request_data, move_request_data

TODAY = date(2026, 11, 25)


def _errors(model: type[MoveData] | type[DeathData], raw: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ValidationError) as error:
        model.model_validate(raw, context=intake_context(TODAY))
    return {
        ".".join(map(str, e["loc"])): e["msg"].removeprefix("Value error, ")
        for e in error.value.errors()
    }


def test_the_samples_are_valid():
    MoveData.model_validate(move_request_data(TODAY), context=intake_context(TODAY))
    DeathData.model_validate(death_request_data(TODAY), context=intake_context(TODAY))


@pytest.mark.parametrize("days", [366, -366, 5000])
def test_a_move_date_more_than_a_year_away_is_refused(days):
    raw = {**move_request_data(TODAY), "move_date": (TODAY + timedelta(days=days)).isoformat()}
    assert _errors(MoveData, raw) == {"move_date": "must be within a year of today"}


def test_a_move_to_the_same_address_is_refused():
    raw = move_request_data(TODAY)
    raw["new_address"] = raw["previous_address"]
    assert _errors(MoveData, raw) == {"new_address": "must differ from previous_address"}


@pytest.mark.parametrize("street", ["PO Box 1234", "p.o. box 5", "Private Bag 92019"])
def test_a_po_box_is_not_a_residential_address(street):
    raw = move_request_data(TODAY)
    raw["new_address"] = {**raw["new_address"], "street": street}
    assert _errors(MoveData, raw) == {
        "new_address.street": "must be a street, not a PO Box or Private Bag"
    }


def test_a_death_before_the_birth_is_refused():
    raw = death_request_data(TODAY)
    raw["deceased"]["date_of_death"] = "1940-01-01"
    assert _errors(DeathData, raw) == {"deceased.date_of_death": "must not be before date_of_birth"}


def test_a_death_in_the_future_is_refused():
    raw = death_request_data(TODAY)
    raw["deceased"]["date_of_death"] = (TODAY + timedelta(days=1)).isoformat()
    assert _errors(DeathData, raw) == {"deceased.date_of_death": "must not be in the future"}


@pytest.mark.parametrize(
    ("part", "value", "rule"),
    [
        ("ird_number", "136-410-133", "must be an IRD number with a valid check digit"),
        ("driver_licence", {"number": "D1234567", "version": "004"}, "two letters and six digits"),
        ("passport_number", "123456", "one or two letters and six digits"),
    ],
)
def test_deceased_identifiers_are_checked(part, value, rule):
    raw = death_request_data(TODAY)
    raw["deceased"][part] = value
    errors = _errors(DeathData, raw)
    assert len(errors) == 1
    assert rule in next(iter(errors.values()))
    assert next(iter(errors)).startswith(f"deceased.{part}")


@pytest.mark.parametrize(
    ("name", "rule"),
    [("x" * 1000, "at most 200 characters"), ("Mere\u0000", "control characters")],
)
def test_notifier_names_are_bounded_and_printable(name, rule):
    raw = death_request_data(TODAY)
    raw["notifier"]["name"]["family_name"] = name
    errors = _errors(DeathData, raw)
    assert list(errors) == ["notifier.name.family_name"]
    assert rule in errors["notifier.name.family_name"]


def test_the_notifier_may_give_a_po_box_for_letters():
    data = DeathData.model_validate(death_request_data(TODAY), context=intake_context(TODAY))
    assert data.notifier.postal_address.model_dump()["kind"] == "PO Box"


def test_adulthood_starts_on_the_sixteenth_birthday():
    assert is_adult(date(2010, 11, 25), TODAY)
    assert not is_adult(date(2010, 11, 26), TODAY)
