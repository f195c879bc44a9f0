"""TODO"""

import time

import httpx
import pytest

from adapters.base import AgencyUnavailable
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from tests.mocks.births import (
    BIRTH_AGENCIES,
    SERVICES,
    birth_body,
    birth_disclosure,
    post_birth,
)
from tests.mocks.services import records
from tests.mocks.support import BASE_URL


@pytest.mark.parametrize("agency", BIRTH_AGENCIES)
async def test_an_agency_that_is_down_is_unavailable_and_records_nothing(client, adapters, agency):
    faults = {"error_rate": 1.0, "latency_ms": 0}
    assert (await client.put(f"/{agency}/_faults", json=faults)).json() == faults
    assert (await client.get(f"/{agency}/_faults")).json() == faults
    with pytest.raises(AgencyUnavailable, match="503") as unavailable:
        await adapters[agency].submit(SERVICES[agency], birth_disclosure(agency), "k")
    assert not unavailable.value.non_retryable
    assert await records(client, agency) == []
    await client.put(f"/{agency}/_faults", json={"error_rate": 0.0})
    await adapters[agency].submit(SERVICES[agency], birth_disclosure(agency), "k")
    assert len(await records(client, agency)) == 1


async def test_faults_are_per_agency(client, adapters):
    await client.put("/ird/_faults", json={"error_rate": 1.0})
    await adapters["bdm"].submit(SERVICES["bdm"], birth_disclosure("bdm"), "k")
    assert (await client.get("/bdm/_faults")).json()["error_rate"] == 0.0


async def test_fault_settings_are_validated(client):
    assert (await client.put("/msd/_faults", json={"error_rate": 1.5})).status_code == 422
    assert (await client.put("/msd/_faults", json={"errors": 0.5})).status_code == 422


async def test_latency_is_added(client, adapters):
    await client.put("/health/_faults", json={"latency_ms": 60})
    started = time.monotonic()
    await adapters["health"].submit(SERVICES["health"], birth_disclosure("health"), "k")
    assert time.monotonic() - started >= 0.06


async def test_faults_and_keys_come_from_the_environment(db_path):
    environ = {
        "MOCK_IRD_ERROR_RATE": "1",
        "MOCK_IRD_LATENCY_MS": "5",
        "MOCK_BDM_API_KEY": "s3cret",
    }
    app = create_app(db_path, environ=environ)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        assert (await client.get("/ird/_faults")).json() == {"error_rate": 1.0, "latency_ms": 5}
        assert (await post_birth(client, "ird", birth_body("ird"))).status_code == 503
        assert (await post_birth(client, "bdm", birth_body("bdm"))).status_code == 401
        assert (await post_birth(client, "bdm", birth_body("bdm"), key="s3cret")).status_code == 201


def test_a_bad_fault_variable_names_itself(db_path):
    with pytest.raises(ValueError, match="MOCK_MSD_ERROR_RATE"):
        create_app(db_path, environ={"MOCK_MSD_ERROR_RATE": "lots"})
