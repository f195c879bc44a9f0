"""Synthetic data for the demo and the tests: no real person's details."""

from datetime import date, timedelta
from typing import Any


def birth_request_data(today: date) -> dict[str, Any]:
    """A birth as a parent would enter it: a baby born a week ago in Ponsonby, registered by
    the birth parent alone (a registration naming the other parent needs their own consent:
    `with_other_parent`)."""
    return {
        "child": {
            "name": {"given_names": ["Aroha", "Mere"], "family_name": "Ngāta-Synthetic"},
            "date_of_birth": (today - timedelta(days=7)).isoformat(),
            "sex": "female",
            "place_of_birth": "Auckland City Hospital",
        },
        "birth_parent": {
            "name": {"given_names": ["Hēni"], "family_name": "Ngāta-Synthetic", "known_as": "Hen"},
            "date_of_birth": "1994-03-14",
            "ird_number": "049-091-850",
            "email": "heni@example.org",
            "phone": "021 555 0199",
        },
        "address": {
            "unit": "1",
            "number": "21A",
            "street": "Smith Street",
            "suburb": "Ponsonby",
            "city": "Auckland",
            "postcode": "1011",
        },
        "health": {
            "gp_practice": "Ponsonby Family Doctors",
            "well_child_provider": "Whānau Āwhina Plunket",
        },
    }


def with_other_parent(birth: dict[str, Any]) -> dict[str, Any]:
    """The birth naming the other parent, who is then asked for their own consent."""
    other_parent = {
        "name": {"given_names": ["Tama", "Rawiri"], "family_name": "Synthetic"},
        "date_of_birth": "1992-08-02",
    }
    return {**birth, "other_parent": other_parent}


def move_request_data(today: date) -> dict[str, Any]:
    """A move as the mover would enter it: a couple, a teenager and a dog, Ponsonby to Wellington.

    Every optional number is given, so every moving step applies.
    """
    return {
        "mover": {
            "name": {"given_names": ["Mere", "Ānahera"], "family_name": "Tūhoe-Synthetic"},
            "date_of_birth": "1988-05-20",
            "email": "mere@example.org",
            "phone": "021 555 0142",
            "ird_number": "049-091-850",
            "nhi_number": "ZZZ0016",
            "msd_client_number": "123456789",
            "driver_licence": {"number": "DL123456", "version": "101"},
        },
        "household": [
            {
                "name": {"given_names": ["Rāwiri"], "family_name": "Synthetic"},
                "date_of_birth": "1986-01-09",
                "relationship": "partner",
                "email": "rawiri@example.org",
            },
            {
                "name": {"given_names": ["Kiri"], "family_name": "Tūhoe-Synthetic"},
                "date_of_birth": "2012-10-30",
                "relationship": "child",
            },
        ],
        "previous_address": {
            "unit": "1",
            "number": "21A",
            "street": "Smith Street",
            "suburb": "Ponsonby",
            "city": "Auckland",
            "postcode": "1011",
        },
        "new_address": {
            "unit": "3",
            "number": "45",
            "street": "Cuba Street",
            "suburb": "Te Aro",
            "city": "Wellington",
            "postcode": "6011",
        },
        "move_date": (today - timedelta(days=3)).isoformat(),
        "gp_practice": "Te Aro Health Centre",
        "dogs": [{"name": "Pātiki", "breed": "Huntaway", "microchip": "982000123456789"}],
    }


def death_request_data(today: date) -> dict[str, Any]:
    """A death as the next of kin would tell it: a father who lived rurally, told by his
    daughter, with a funeral grant. Every optional number is given, so every step applies.
    """
    return {
        "deceased": {
            "name": {
                "given_names": ["Hōhepa", "Te Rangi"],
                "family_name": "Synthetic",
                "known_as": "Joe",
            },
            "date_of_birth": "1941-02-11",
            "date_of_death": (today - timedelta(days=4)).isoformat(),
            "sex": "male",
            "place_of_death": "Whangārei Hospital",
            "last_address": {
                "number": "1280",
                "street": "State Highway 1",
                "suburb": "Kaiwaka",
                "rural_delivery": 2,
                "city": "Kaiwaka",
                "postcode": "0573",
            },
            "ird_number": "136-410-132",
            "nhi_number": "ZAC5361",
            "msd_client_number": "987654321",
            "driver_licence": {"number": "HS654321", "version": "004"},
            "passport_number": "LA123456",
            "veteran_service_number": "A123456",
            "kainga_ora_tenant": True,
        },
        "notifier": {
            "name": {"given_names": ["Aroha"], "family_name": "Synthetic-Pōmare"},
            "relationship": "child",
            "authority": "executor",
            "phone": "027 555 0100",
            "email": "aroha@example.org",
            "postal_address": {
                "kind": "PO Box",
                "box_number": "1234",
                "lobby": "Whangārei",
                "city": "Whangārei",
                "postcode": "0140",
            },
        },
        "funeral_grant": {
            "funeral_director": "Northland Funeral Services",
            "funeral_cost": "8450.00",
            "paid_by_notifier": True,
        },
    }
