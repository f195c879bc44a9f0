"""The national address register: its answer mapped back to the canonical Residence, and
the register adapter against the mock.
"""

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.addresses import AddressRegister, residence_from
from adapters.base import AgencyRejected, AgencyUnavailable
from mocks.agencies import addresses as mock_addresses
from onceonly.domain.address_model import Address
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import Residence, Resident
from tests.adapters.support import BASE_URL, KEYS, RURAL_NO_LOCALITY

REGISTERED: dict[str, Any] = {
    "address": {
        "unit": "3",
        "streetNumber": "45",
        "street": "Cuba Street",
        "suburb": "Te Aro",
        "ruralDelivery": None,
        "town": "Wellington",
        "postcode": "6011",
    },
    "household": [
        {
            "givenNames": ["Rāwiri"],
            "familyName": "Synthetic",
            "dateOfBirth": "1986-01-09",
            "relationship": "partner",
        },
        {
            "givenNames": ["Kiri", "Te Ao"],
            "familyName": "Tūhoe-Synthetic",
            "dateOfBirth": "2012-10-30",
            "relationship": "son-or-daughter",
        },
    ],
    "asAt": "2026-10-01",
}


RESIDENCE = Residence(
    address=Address(
        unit="3",
        number="45",
        street="Cuba Street",
        suburb="Te Aro",
        city="Wellington",
        postcode="6011",
    ),
    household=(
        Resident(
            name=PersonName(given_names=["Rāwiri"], family_name="Synthetic"),
            date_of_birth=date(1986, 1, 9),
            relationship="partner",
        ),
        Resident(
            name=PersonName(given_names=["Kiri", "Te Ao"], family_name="Tūhoe-Synthetic"),
            date_of_birth=date(2012, 10, 30),
            relationship="child",
        ),
    ),
)


@given(st.from_regex(r"\A[A-Za-z0-9._:-]{1,128}\Z"))
def test_every_synthetic_residence_is_a_canonical_residence(identity):
    answer = mock_addresses.synthetic_residence(identity)
    assert answer == mock_addresses.synthetic_residence(identity)
    residence = residence_from(answer)
    assert len(residence.household) <= 3
    assert [r.relationship for r in residence.household].count("partner") <= 1


def test_the_registers_answer_is_the_canonical_residence():
    assert residence_from(REGISTERED) == RESIDENCE


def test_a_rural_registered_address_keeps_its_rural_delivery():
    rural = {"streetNumber": "1280", "street": "State Highway 1", "suburb": "Kaiwaka"}
    rural |= {"ruralDelivery": "RD 2", "town": "Kaiwaka", "postcode": "0573"}
    residence = residence_from({"address": rural, "asAt": "2026-10-01"})
    assert residence.address == RURAL_NO_LOCALITY.model_copy(update={"suburb": "Kaiwaka"})
    assert residence.household == ()


@pytest.mark.parametrize(
    ("answer", "place"),
    [
        ({"address": {"street": "Cuba Street"}, "asAt": "2026-10-01"}, "streetNumber"),
        (REGISTERED | {"address": REGISTERED["address"] | {"postcode": "60110"}}, "postcode"),
        (
            REGISTERED | {"household": [REGISTERED["household"][0] | {"relationship": "husband"}]},
            "relationship",
        ),
    ],
)
def test_an_answer_that_is_no_residence_is_refused_without_quoting_it(answer, place):
    with pytest.raises(AgencyRejected, match=place) as refused:
        residence_from(answer)
    assert "60110" not in str(refused.value)
    assert "husband" not in str(refused.value)


async def test_the_register_answers_a_seeded_residence_as_canonical(client, register):
    seeded = await client.put(
        "/addresses/_residents/citizen:42",
        json=REGISTERED,
        headers={"X-Api-Key": KEYS["addresses"]},
    )
    assert seeded.status_code == 200
    assert await register.residence("citizen:42") == RESIDENCE


async def test_the_register_answers_any_other_citizen_with_the_same_synthetic_residence(register):
    first = await register.residence("demo-citizen-1")
    assert await register.residence("demo-citizen-1") == first
    assert first == residence_from(mock_addresses.synthetic_residence("demo-citizen-1"))


async def test_the_register_down_is_unavailable(client, register):
    await client.put("/addresses/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable, match="HTTP 503"):
        await register.residence("citizen:42")


@pytest.mark.parametrize("identity", ["not an identity", "a/b", "x" * 129])
async def test_the_register_refuses_a_bad_identity(register, identity):
    with pytest.raises(AgencyRejected, match=r"HTTP 4[0-9]{2}") as refused:
        await register.residence(identity)
    assert identity not in str(refused.value)


async def test_the_register_refuses_a_wrong_key(client):
    wrong = AddressRegister(client, BASE_URL, "wrong-key")
    with pytest.raises(AgencyRejected, match="HTTP 401: a valid API key is required"):
        await wrong.residence("citizen:42")
