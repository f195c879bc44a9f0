"""TODO"""

import asyncio

import httpx
import pytest

from adapters.base import AgencyRejected
from adapters.bdm import BdmAdapter
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
async def test_a_repeat_returns_the_first_answer_and_makes_one_record(client, adapters, agency):
    adapter = adapters[agency]
    first = await adapter.submit(SERVICES[agency], birth_disclosure(agency), "birth-1/" + agency)
    again = await adapter.submit(SERVICES[agency], birth_disclosure(agency), "birth-1/" + agency)
    assert again == first
    held = await records(client, agency)
    assert len(held) == 1
    assert held[0]["idempotency_key"] == "birth-1/" + agency
    assert held[0]["received"] == birth_body(agency)
    assert held[0]["recorded_at"].endswith("+00:00")
    raw = await post_birth(client, agency, birth_body(agency), idempotency_key="birth-1/" + agency)
    assert raw.json() == held[0]["answer"]
    # IRD answers 200; Health's transaction (a FHIR Bundle) succeeds with 200 OK as a whole.
    assert raw.status_code == held[0]["status"] == (200 if agency in ("ird", "health") else 201)


@pytest.mark.parametrize("agency", BIRTH_AGENCIES)
async def test_concurrent_repeats_make_one_record(client, adapters, agency):
    adapter = adapters[agency]
    answers = await asyncio.gather(
        *(adapter.submit(SERVICES[agency], birth_disclosure(agency), "same") for _ in range(10))
    )
    assert all(answer == answers[0] for answer in answers)
    assert len(await records(client, agency)) == 1


async def test_different_keys_make_different_references(adapters):
    bdm = adapters["bdm"]
    first = await bdm.submit(SERVICES["bdm"], birth_disclosure("bdm"), "a")
    second = await bdm.submit(SERVICES["bdm"], birth_disclosure("bdm"), "b")
    assert first.reference != second.reference
    assert second.reference.endswith("/000002")


async def test_the_same_key_for_a_different_submission_is_a_conflict(client, adapters):
    await adapters["bdm"].submit(SERVICES["bdm"], birth_disclosure("bdm"), "k")
    other = birth_disclosure("bdm") | {"child.place_of_birth": "Wellington Hospital"}
    with pytest.raises(AgencyRejected, match="already used"):
        await adapters["bdm"].submit(SERVICES["bdm"], other, "k")
    assert len(await records(client, "bdm")) == 1


async def test_records_survive_recreating_the_app(db_path, app, adapters):
    first = await adapters["bdm"].submit(SERVICES["bdm"], birth_disclosure("bdm"), "before")
    reopened = create_app(db_path, environ={})
    transport = httpx.ASGITransport(reopened)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        bdm = BdmAdapter(client, BASE_URL, "dev-bdm-key")
        assert await bdm.submit(SERVICES["bdm"], birth_disclosure("bdm"), "before") == first
        after = await bdm.submit(SERVICES["bdm"], birth_disclosure("bdm"), "after")
        # The counter survived too: no registration number is issued twice.
        assert after.reference != first.reference
        assert [r["idempotency_key"] for r in await records(client, "bdm")] == ["before", "after"]
