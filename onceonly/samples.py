"""Synthetic data for the demo and the tests: no real person's details."""

from datetime import date, timedelta
from typing import Any


def birth_request_data(today: date) -> dict[str, Any]:
    """A birth as a parent would enter it: a baby born a week ago to a family in Ponsonby."""
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
        "other_parent": {
            "name": {"given_names": ["Tama", "Rawiri"], "family_name": "Synthetic"},
            "date_of_birth": "1992-08-02",
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
