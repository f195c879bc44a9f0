"""The national address register mock: where a person lives and who lives with them, looked
up by an opaque identity; records seeded through its control route (behind its key, not its
faults), and a synthetic residence, stable per identity, for anyone it holds no record of.
"""

import json
from typing import Any

import httpx
import pytest

from mocks.agencies import addresses as mock_addresses
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from tests.mocks.services import AUTH, changed, named, problems, records, text
from tests.mocks.support import BASE_URL

KEY = "dev-addresses-key"


RESIDENT = {
    "address": {
        "unitType": "Apartment",
        "unit": "3",
        "levelType": "Level",
        "levelNumber": "1",
        "buildingName": "Cuba Mall Apartments",
        "streetNumber": "45",
        "streetNumberLast": "47",
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
        }
    ],
    "asAt": "2026-10-01",
}


async def _resident(client: httpx.AsyncClient, identity: str, **headers: str) -> httpx.Response:
    sent = AUTH["addresses"](KEY) | headers
    return await client.get(f"/addresses/v1/residents/{identity}", headers=sent)


async def _seed(client: httpx.AsyncClient, identity: str, record: Any) -> httpx.Response:
    return await client.put(
        f"/addresses/_residents/{identity}",
        json=record,
        headers=AUTH["addresses"](KEY),
    )


async def test_the_register_answers_a_seeded_record(client):
    seeded = await _seed(client, "citizen:0042", RESIDENT)
    assert seeded.status_code == 200
    assert seeded.json() == RESIDENT
    response = await _resident(client, "citizen:0042")
    assert response.status_code == 200
    assert response.json() == RESIDENT
    (record,) = await records(client, "addresses")
    assert record["idempotency_key"] == "citizen:0042"
    assert record["answer"] == RESIDENT


async def test_seeding_again_replaces_the_record(client):
    await _seed(client, "c-1", RESIDENT)
    moved = RESIDENT | {"household": [], "asAt": "2026-11-01"}
    await _seed(client, "c-1", moved)
    assert (await _resident(client, "c-1")).json() == moved
    assert len(await records(client, "addresses")) == 1


async def test_an_unknown_identity_gets_the_same_synthetic_residence_every_time(client):
    first = await _resident(client, "demo-citizen-7")
    assert first.status_code == 200
    assert (await _resident(client, "demo-citizen-7")).json() == first.json()
    record = mock_addresses.ResidentRecord.model_validate_json(first.content)
    assert len(record.address.postcode) == 4
    assert record.address.postcode.isdigit()
    assert all("Synthetic" in member.family_name for member in record.household)
    others = [(await _resident(client, f"demo-citizen-{n}")).json() for n in range(8)]
    assert len({json.dumps(other, sort_keys=True) for other in others}) > 1
    # Looking up holds nothing new: the register's records are only what was seeded.
    assert await records(client, "addresses") == []


@pytest.mark.parametrize("identity", ["bad identity!", "x" * 129, "ā-macron"])
async def test_a_bad_identity_is_refused_without_quoting_it(client, identity):
    response = await _resident(client, identity)
    assert response.status_code == 422
    assert "identity" in named("addresses", response)
    assert identity not in json.dumps(response.json(), ensure_ascii=False)


async def test_an_identity_that_is_not_one_path_segment_finds_nothing(client):
    assert (await _resident(client, "a/b")).status_code == 404


async def test_the_register_needs_its_key_for_look_ups_and_seeding(client):
    assert (await _resident(client, "c-1", **{"X-Api-Key": "wrong"})).status_code == 401
    anonymous = await client.put("/addresses/_residents/c-1", json=RESIDENT)
    assert anonymous.status_code == 401
    assert "API key" in text(problems("addresses", anonymous))
    assert await records(client, "addresses") == []


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("address.postcode", "60110", "address.postcode"),
        ("address.ruralDelivery", "R.D. 2", "address.ruralDelivery"),
        ("address.unitType", "Flatette", "address.unitType"),
        ("address.levelType", "Storey", "address.levelType"),
        ("address.levelNumber", "Level 1", "address.levelNumber"),
        ("address.streetNumberLast", "47-49", "address.streetNumberLast"),
        ("household.0.dateOfBirth", "09/01/1986", "household[0].dateOfBirth"),
        ("household.0.relationship", "husband", "household[0].relationship"),
        ("asAt", "2999-01-01", "asAt"),
    ],
)
async def test_seeding_checks_the_record_in_the_registers_format(client, path, value, field):
    response = await _seed(client, "c-1", changed(RESIDENT, path, value))
    assert response.status_code == 422
    assert field in named("addresses", response)
    assert value not in json.dumps(response.json(), ensure_ascii=False)
    assert await records(client, "addresses") == []


async def test_seeding_checks_the_identity(client):
    response = await _seed(client, "not ok", RESIDENT)
    assert response.status_code == 422
    assert "identity" in named("addresses", response)


async def test_register_faults_fail_look_ups_but_not_seeding(client):
    await client.put("/addresses/_faults", json={"error_rate": 1.0})
    assert (await _seed(client, "c-1", RESIDENT)).status_code == 200
    response = await _resident(client, "c-1")
    assert response.status_code == 503
    assert problems("addresses", response)


async def test_the_register_is_seeded_from_a_restarted_app(db_path, client):
    await _seed(client, "c-1", RESIDENT)
    reopened = create_app(db_path, environ={})
    transport = httpx.ASGITransport(reopened)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as again:
        assert (await _resident(again, "c-1")).json() == RESIDENT
