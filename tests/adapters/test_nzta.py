"""NZ Transport Agency: the licence address change and cancellation in NZTA's format, its
split address read back as the canonical address.
"""

from typing import Any

import pytest
from hypothesis import given

from adapters import nzta
from adapters.base import AgencyRejected
from mocks.agencies import nzta as mock_nzta
from onceonly.domain.address_model import Address
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
    as_the_mock_reads,
    move_changed,
)
from tests.mocks.samples import disclose, sample_death, sample_move


def _nzta_move(data: MoveData) -> dict[str, Any]:
    return nzta.to_nzta_address_change(disclose("update_driver_licence", data, MOVE))


def _nzta_death(data: DeathData) -> dict[str, Any]:
    return nzta.to_nzta_cancellation(disclose("cancel_driver_licence", data, DEATH, **FACTS))


def _address_from_nzta(parsed: mock_nzta.ResidentialAddress) -> Address:
    """NZTA's parts, as its register reads them, put back together as a canonical Address."""
    rural = parsed.rural_delivery
    last = parsed.street_number_last
    return Address(
        unit_type=parsed.unit_type,
        unit=parsed.unit_number,
        level_type=parsed.level_type,
        level_number=parsed.level_number,
        building_name=parsed.building_name,
        number=parsed.street_number + (parsed.street_alpha or ""),
        number_last=None if last is None else last + (parsed.street_alpha_last or ""),
        street=parsed.street_name,
        suburb=parsed.suburb,
        rural_delivery=int(rural.removeprefix("RD ")) if rural else None,
        city=parsed.town,
        postcode=parsed.postcode,
    )


def test_nzta_address_change_is_nztas_format():
    assert _nzta_move(sample_move()) == {
        "licenceNumber": "DL123456",
        "licenceVersion": "101",
        "firstName": "Mere",
        "middleNames": "Ānahera",
        "surname": "Tūhoe-Synthetic",
        "dateOfBirth": "19880520",
        "residentialAddress": {
            "unitType": None,
            "unitNumber": "3",
            "levelType": None,
            "levelNumber": None,
            "buildingName": None,
            "streetNumber": "45",
            "streetAlpha": None,
            "streetNumberLast": None,
            "streetAlphaLast": None,
            "streetName": "Cuba Street",
            "suburb": "Te Aro",
            "ruralDelivery": None,
            "town": "Wellington",
            "postcode": "6011",
        },
    }


def test_nzta_cancellation_is_nztas_format():
    assert _nzta_death(sample_death()) == {
        "licenceNumber": "HS654321",
        "licenceVersion": "004",
        "firstName": "Hōhepa",
        "middleNames": "Te Rangi",
        "surname": "Synthetic",
        "dateOfBirth": "19410211",
        "dateOfDeath": "20261121",
        "deathRegistrationNumber": DEATH_REGISTRATION,
    }


def test_nzta_without_unit_with_a_letter_suffix_and_one_given_name():
    change = _nzta_move(move_changed(SMITH_STREET_NO_UNIT, name=ONE_NAME))
    assert (change["firstName"], change["middleNames"], change["surname"]) == (
        "Aroha",
        None,
        "Ngāta",
    )
    assert change["residentialAddress"] == {
        "unitType": None,
        "unitNumber": None,
        "levelType": None,
        "levelNumber": None,
        "buildingName": None,
        "streetNumber": "21",
        "streetAlpha": "A",
        "streetNumberLast": None,
        "streetAlphaLast": None,
        "streetName": "Smith Street",
        "suburb": None,
        "ruralDelivery": None,
        "town": "Auckland",
        "postcode": "1011",
    }


def test_nzta_rural_address_carries_its_rd():
    address = _nzta_move(move_changed(RURAL))["residentialAddress"]
    assert address["ruralDelivery"] == "RD 2"
    assert (address["streetNumber"], address["suburb"], address["town"]) == (
        "1280",
        "Kaiwaka",
        "Kaiwaka",
    )


def test_nzta_needs_the_driver_licence():
    with pytest.raises(AgencyRejected, match=r"no value for mover\.driver_licence"):
        _nzta_move(move_changed(driver_licence=None))


@given(any_addresses)
def test_nztas_split_address_reads_back_as_the_canonical_address(address):
    parsed = as_the_mock_reads(mock_nzta.ResidentialAddress, nzta.nzta_address(address))
    assert _address_from_nzta(parsed) == address
