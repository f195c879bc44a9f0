"""Kāinga Ora: the tenancy end notice in its format, names listed family first."""

import pytest

from adapters import kaingaora
from adapters.disclosure import full_name
from onceonly.domain.catalogue import DEATH
from onceonly.domain.people import PersonName
from tests.mocks.samples import disclose, sample_death


def test_the_tenancy_end_notice_is_kainga_oras_format():
    disclosure = disclose("end_tenancy", sample_death(), DEATH)
    assert kaingaora.to_tenancy_end_notice(disclosure) == {
        "Tenant": {
            "Name": "SYNTHETIC, Hōhepa Te Rangi",
            "DateOfBirth": "1941-02-11",
            "DateOfDeath": "2026-11-21",
        },
        # Kāinga Ora knows its homes by street address: the RD is not part of it.
        "TenancyAddress": {
            "UnitType": None,
            "Unit": None,
            "LevelType": None,
            "LevelNumber": None,
            "BuildingName": None,
            "StreetNumber": "1280",
            "StreetNumberLast": None,
            "Street": "State Highway 1",
            "Suburb": "Kaiwaka",
            "Town": "Kaiwaka",
            "Postcode": "0573",
        },
        "Contact": {"Name": "SYNTHETIC-PŌMARE, Aroha", "Phone": "+64 27 555 0100"},
    }


@pytest.mark.parametrize(
    ("name", "listed"),
    [
        (PersonName(given_names=["Aroha", "Mere"], family_name="Ngāta"), "NGĀTA, Aroha Mere"),
        (PersonName(given_names=["Tāne"], family_name="Wīremu-Pōmare"), "WĪREMU-PŌMARE, Tāne"),
        (PersonName(given_names=["Siobhán"], family_name="O'Brien"), "O'BRIEN, Siobhán"),
        # Combining macrons (a + U+0304) stay combining, over the capital.
        (PersonName(given_names=["Mere"], family_name="Nga\u0304ta"), "NGA\u0304TA, Mere"),
    ],
)
def test_kainga_ora_lists_names_family_first_in_capitals_keeping_macrons(name, listed):
    assert kaingaora.listed_name(name) == listed
    assert full_name(name) == " ".join([*name.given_names, name.family_name])
