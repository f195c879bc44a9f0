"""Prefill's pure rules: the draft registers' answers make, and which parts the citizen kept."""

from typing import Any

from adapters.addresses import residence_from
from onceonly.demo import merged
from onceonly.domain.address_model import Address
from onceonly.domain.addresses import format_address_line
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.prefill import PrefilledPath, draft_from, provenance

RESIDENCE: dict[str, Any] = {
    "address": {
        "unit": None,
        "number": "7",
        "street": "Rata Street",
        "suburb": "Naenae",
        "rural_delivery": None,
        "city": "Lower Hutt",
        "postcode": "5011",
    },
    "household": [
        {
            "name": {"given_names": ["Tia"], "family_name": "Synthetic", "known_as": None},
            "date_of_birth": "1990-04-01",
            "relationship": "partner",
        }
    ],
}


def test_a_move_is_drafted_from_the_address_register_and_ird():
    draft = draft_from(MOVE, {"addresses": RESIDENCE, "ird": {"ird_number": "049091850"}})
    assert draft.data == {
        "previous_address": RESIDENCE["address"],
        "household": RESIDENCE["household"],
        "mover": {"ird_number": "049091850"},
    }
    assert draft.filled == (
        PrefilledPath(path="previous_address", source="addresses"),
        PrefilledPath(path="household", source="addresses"),
        PrefilledPath(path="mover.ird_number", source="ird"),
    )


def test_the_same_register_fills_each_event_where_that_event_needs_it():
    draft = draft_from(BIRTH, {"addresses": RESIDENCE})
    assert draft.data == {"address": RESIDENCE["address"]}  # a birth has no household to fill


def test_a_register_that_did_not_answer_fills_nothing_and_empty_answers_are_left_out():
    assert draft_from(MOVE, {}).data == {}
    empty_household = {**RESIDENCE, "household": []}
    assert [p.path for p in draft_from(MOVE, {"addresses": empty_household}).filled] == [
        "previous_address"
    ]


def test_a_death_is_drafted_from_bdms_registration():
    record = {
        "registration_number": "2026/000009",
        "name": {"given_names": ["Hōhepa"], "family_name": "Synthetic", "known_as": None},
        "date_of_birth": "1941-02-11",
        "date_of_death": "2026-11-20",
        "sex": "male",
        "place_of_death": "Whangārei Hospital",
    }
    draft = draft_from(DEATH, {"bdm": record})
    assert draft.data["deceased"]["death_registration_number"] == "2026/000009"
    assert draft.data["deceased"]["name"]["given_names"] == ["Hōhepa"]  # macron kept
    assert len(draft.filled) == 6


def test_provenance_says_which_prefilled_parts_the_citizen_kept():
    draft = draft_from(MOVE, {"addresses": RESIDENCE, "ird": {"ird_number": "049091850"}})
    member = {**RESIDENCE["household"][0], "email": "tia@example.org", "nhi_number": None}
    dossier = {
        "previous_address": RESIDENCE["address"],
        "household": [member],  # kept, with an email added by the citizen
        "mover": {"ird_number": "136410132"},  # changed
    }
    kept = {part.path: part.confirmed for part in provenance(draft, dossier)}
    assert kept == {"previous_address": True, "household": True, "mover.ird_number": False}
    assert all(part.source for part in provenance(draft, dossier))


def test_removing_a_prefilled_household_member_is_a_change():
    draft = draft_from(MOVE, {"addresses": RESIDENCE})
    kept = {p.path: p.confirmed for p in provenance(draft, {"previous_address": None})}
    assert kept == {"previous_address": False, "household": False}


def test_a_looked_up_address_replaces_every_part_of_the_one_typed_before():
    # The register answers a Wellington office; the citizen had typed a rural address.
    address_answer: dict[str, Any] = {
            "unitType": "Suite", "unit": "4", "levelType": "Level", "levelNumber": "3",
            "buildingName": "Majestic Centre", "streetNumber": "100",
            "streetNumberLast": "102", "street": "Willis Street",
            "suburb": "Wellington Central", "town": "Wellington", "postcode": "6011",
    }  # fmt: skip
    answer = {"address": address_answer, "household": [], "asAt": "2025-06-01"}
    residence = residence_from(answer).model_dump(mode="json")
    assert set(residence["address"]) == set(Address.model_fields)  # every part, None or not
    typed = {
        "address": {
            "number": "1280", "street": "State Highway 1", "suburb": "Kaiwaka",
            "rural_delivery": 2, "unit": "2", "unit_type": "Flat", "building_name": "Old Mill",
            "city": "Kaiwaka", "postcode": "0573",
        }
    }  # fmt: skip
    draft = draft_from(BIRTH, {"addresses": residence})
    address = Address.model_validate(merged(typed, draft.data)["address"])
    assert format_address_line(address) == (
        "Majestic Centre, Suite 4, Level 3, 100-102 Willis Street, Wellington Central, "
        "Wellington 6011"
    )
    assert address.rural_delivery is None
    # And the other way: a plain address looked up replaces a typed level and building.
    plain = {**address_answer, "unitType": None, "levelType": None, "levelNumber": None}
    plain |= {"buildingName": None, "streetNumberLast": None}
    draft = draft_from(BIRTH, {"addresses": residence_from({**answer, "address": plain})
                               .model_dump(mode="json")})  # fmt: skip
    again = Address.model_validate(merged({"address": residence["address"]}, draft.data)["address"])
    assert format_address_line(again) == (
        "4/100 Willis Street, Wellington Central, Wellington 6011"
    )
