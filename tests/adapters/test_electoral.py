"""The Electoral Commission: the enrolment update and removal in the Commission's format,
and its envelope lines keeping every part of an address.
"""

from typing import Any

import pytest
from hypothesis import given

from adapters import electoral
from onceonly.domain.addresses import parse_address
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from tests.adapters.strategies import any_addresses
from tests.adapters.support import (
    DEATH_REGISTRATION,
    FACTS,
    ONE_NAME,
    RURAL,
    SMITH_STREET_NO_UNIT,
    move_changed,
)
from tests.mocks.samples import disclose, sample_death, sample_move


def _electoral_move(data: MoveData) -> dict[str, Any]:
    return electoral.to_electoral_enrolment_update(disclose("update_electoral_roll", data, MOVE))


def _electoral_death(data: DeathData) -> dict[str, Any]:
    disclosure = disclose("remove_from_electoral_roll", data, DEATH, **FACTS)
    return electoral.to_electoral_deceased_removal(disclosure)


def test_electoral_enrolment_update_is_the_commissions_format():
    assert _electoral_move(sample_move()) == {
        "elector": {"surname": "Tūhoe-Synthetic", "given_names": "Mere Ānahera"},
        "date_of_birth": "1988-05-20",
        "previous_address": {
            "address_lines": ["1/21A Smith Street", "Ponsonby", "Auckland 1011"],
            "postcode": "1011",
        },
        "residential_address": {
            "address_lines": ["3/45 Cuba Street", "Te Aro", "Wellington 6011"],
            "postcode": "6011",
        },
        "email": "mere@example.org",
    }


def test_electoral_removal_is_the_commissions_format():
    assert _electoral_death(sample_death()) == {
        "elector": {"surname": "Synthetic", "given_names": "Hōhepa Te Rangi"},
        "date_of_birth": "1941-02-11",
        "residential_address": {
            "address_lines": ["1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
            "postcode": "0573",
        },
        "date_of_death": "2026-11-21",
        "death_registration_number": DEATH_REGISTRATION,
    }


@pytest.mark.parametrize(
    ("address", "lines"),
    [
        (SMITH_STREET_NO_UNIT, ["21A Smith Street", "Auckland 1011"]),
        (RURAL, ["1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"]),
        (
            RURAL.model_copy(update={"suburb": None, "unit": "2"}),
            ["2/1280 State Highway 1", "RD 2", "Kaiwaka 0573"],
        ),
        # A unit's type is never made up: only a typed unit is written with its type.
        (
            RURAL.model_copy(update={"unit": "2", "unit_type": "Flat"}),
            ["Flat 2, 1280 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
        ),
        (
            SMITH_STREET_NO_UNIT.model_copy(
                update={"building_name": "Vero Centre", "level_type": "Level", "level_number": "2"}
            ),
            ["Vero Centre", "Level 2, 21A Smith Street", "Auckland 1011"],
        ),
        # Building, suburb and RD would make five lines, so the building joins the street line.
        (
            RURAL.model_copy(update={"building_name": "Kaiwaka Hall", "number_last": "1282"}),
            ["Kaiwaka Hall, 1280-1282 State Highway 1", "Kaiwaka", "RD 2", "Kaiwaka 0573"],
        ),
    ],
)
def test_electoral_address_lines(address, lines):
    assert electoral.address_lines(address) == lines
    assert electoral.residential_address(address) == {
        "address_lines": lines,
        "postcode": address.postcode,
    }


def test_electoral_without_email_and_with_one_given_name():
    update = _electoral_move(move_changed(name=ONE_NAME, email=None))
    assert "email" not in update
    assert update["elector"] == {"surname": "Ngāta", "given_names": "Aroha"}


@given(any_addresses)
def test_electoral_lines_keep_every_part_of_the_address(address):
    lines = electoral.address_lines(address)
    assert 2 <= len(lines) <= electoral.MAX_ADDRESS_LINES
    assert lines[-1] == f"{address.city} {address.postcode}"
    # Read back as NZ Post's lines, they are the same address: no part lost or made up.
    assert parse_address("\n".join(lines)) == address
