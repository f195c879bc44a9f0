"""The adapters driving the mock agencies: whole events' steps chained through them (each step
given what earlier ones issued), an agency's refusal raised without the value, an unknown
service refused, and how the adapters read transport failures and statuses.
"""

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date

import httpx
import pytest

from adapters import health, ird, msd
from adapters.base import AgencyAnswer, AgencyRejected, AgencyUnavailable
from adapters.bdm import BdmAdapter
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import DeathRecord
from tests.mocks.births import (
    SERVICES,
    birth_disclosure,
)
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move
from tests.mocks.services import records
from tests.mocks.support import BASE_URL

MOVE_MAPPINGS = {
    "update_ird_address": ird.to_ird_address_change,
    "update_msd_address": msd.to_msd_change_of_circumstances,
    "update_health_address": health.to_nhi_address_update,
}


# Canonically valid data that the agency refuses by its own rules; the adapter must raise
# AgencyRejected carrying the agency's message.
AGENCY_RULES = [
    ("bdm", "child.date_of_birth", "2999-01-01", "child.dateOfBirth: must not be after today"),
    ("ird", "birth_parent.ird_number", "049091851", "parentIrdNumber: must be 9 digits"),
    ("msd", "child.ird_number", "123456789", "child.ird_number: must be 9 digits"),
    (
        "health",
        "child.birth_registration_number",
        "1",
        "Bundle.entry[0].resource.identifier[0].value: must be",
    ),
]


@pytest.mark.parametrize(("agency", "field", "value", "message"), AGENCY_RULES)
async def test_the_adapter_raises_the_agencys_refusal(
    client, adapters, agency, field, value, message
):
    disclosure = birth_disclosure(agency) | {field: value}
    with pytest.raises(AgencyRejected) as refused:
        await adapters[agency].submit(SERVICES[agency], disclosure, "k")
    assert message in str(refused.value)
    assert value not in str(refused.value)
    assert refused.value.non_retryable
    assert await records(client, agency) == []


@pytest.mark.parametrize("agency", ["bdm", "ird", "msd", "health"])
async def test_an_unknown_service_is_refused(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", birth_disclosure(agency), "k")


async def test_the_birth_steps_chain_through_the_agencies(adapters):
    birth = sample_birth()
    registered = await adapters["bdm"].submit(
        SERVICES["bdm"], disclose("register_birth", birth), "birth-9/register_birth"
    )
    registration = registered.outputs["child.birth_registration_number"]
    numbered = await adapters["ird"].submit(
        SERVICES["ird"],
        disclose("child_ird_number", birth, child__birth_registration_number=registration),
        "birth-9/child_ird_number",
    )
    child_ird = numbered.outputs["child.ird_number"]
    applied = await adapters["msd"].submit(
        SERVICES["msd"],
        disclose("best_start", birth, child__ird_number=child_ird),
        "birth-9/best_start",
    )
    enrolled = await adapters["health"].submit(
        SERVICES["health"],
        disclose("health_enrolment", birth, child__birth_registration_number=registration),
        "birth-9/health_enrolment",
    )
    assert registration.startswith(f"{registration[:4]}/")
    assert child_ird == "130000010"
    assert applied.reference == "BS-000001"
    assert applied.outputs == {}
    assert enrolled.outputs == {"child.nhi_number": "ZAA00AC"}


@asynccontextmanager
async def _adapter_over(
    handler: Callable[[httpx.Request], httpx.Response],
) -> AsyncIterator[BdmAdapter]:
    """A BDM adapter whose every request `handler` answers (or fails)."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        yield BdmAdapter(client, BASE_URL, "dev-bdm-key")


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
async def test_network_failures_are_unavailable(failure):
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    async with _adapter_over(fail) as adapter:
        with pytest.raises(AgencyUnavailable, match=type(failure).__name__):
            await adapter.submit(SERVICES["bdm"], birth_disclosure("bdm"), "k")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, AgencyUnavailable),
        (502, AgencyUnavailable),
        (408, AgencyUnavailable),
        (404, AgencyRejected),
    ],
)
async def test_statuses_map_to_retryable_or_not(status, error):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<html>oops</html>")

    async with _adapter_over(answer) as adapter:
        with pytest.raises(error, match=f"HTTP {status}"):
            await adapter.submit(SERVICES["bdm"], birth_disclosure("bdm"), "k")


async def test_the_adapter_sends_its_idempotency_key_and_auth():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, json={"registrationNumber": "2026/000007", "status": "registered"}
        )

    async with _adapter_over(answer) as adapter:
        answered = await adapter.submit(SERVICES["bdm"], birth_disclosure("bdm"), "birth-1/x")
    assert answered.reference == "2026/000007"
    assert seen[0].headers["Idempotency-Key"] == "birth-1/x"
    assert seen[0].headers["X-Api-Key"] == "dev-bdm-key"
    assert str(seen[0].url) == f"{BASE_URL}/bdm/v1/birth-registrations"


async def test_the_death_steps_chain_through_the_agencies(client, adapters):
    death = sample_death()
    registered = await adapters["bdm"].submit(
        "death-registration", disclose("register_death", death, DEATH), "death-1/register_death"
    )
    number = registered.outputs["deceased.death_registration_number"]
    assert registered.reference == number
    assert re.fullmatch(r"[0-9]{4}/000001", number)
    answers = {}
    for step_id in ("notify_ird", "stop_msd_payments", "funeral_grant", "notify_health"):
        step = DEATH.step(step_id)
        disclosure = disclose(step_id, death, DEATH, deceased__death_registration_number=number)
        answers[step_id] = await adapters[step.agency].submit(
            step.service, disclosure, f"death-1/{step_id}"
        )
    assert answers == {
        "notify_ird": AgencyAnswer(reference="DC-00000001"),
        "stop_msd_payments": AgencyAnswer(reference="SP-000001"),
        "funeral_grant": AgencyAnswer(reference="FG-000001"),
        "notify_health": AgencyAnswer(reference="NHD-000001"),
    }
    [ird_record] = await records(client, "ird")
    assert ird_record["received"]["deathRegistrationNumber"] == number
    # The registered death is in BDM's register for the other events' prefill.
    assert await adapters["bdm"].death_record(number) == DeathRecord(
        registration_number=number,
        # BDM holds given names as one string; they come back one word to a name.
        name=PersonName(
            given_names=["Hōhepa", "Te", "Rangi"], family_name="Synthetic", known_as="Joe"
        ),
        date_of_birth=date(1941, 2, 11),
        date_of_death=death.deceased.date_of_death,
        sex="male",
        place_of_death="Whangārei Hospital",
    )


async def test_the_moving_steps_go_through_the_agencies_once_per_key(client, adapters):
    move = sample_move()
    for step_id, reference in (
        ("update_ird_address", "AC-00000001"),
        ("update_msd_address", "CC-000001"),
        ("update_health_address", "NHA-000001"),
    ):
        step = MOVE.step(step_id)
        disclosure = disclose(step_id, move, MOVE)
        first = await adapters[step.agency].submit(step.service, disclosure, f"move-1/{step_id}")
        again = await adapters[step.agency].submit(step.service, disclosure, f"move-1/{step_id}")
        assert first == again == AgencyAnswer(reference=reference)
        [record] = await records(client, step.agency)
        assert record["received"] == MOVE_MAPPINGS[step_id](disclosure)


async def test_the_adapter_raises_the_agencys_refusal_without_the_value(client, adapters):
    # Canonically valid, but BDM refuses a death before the birth by its own rule.
    death = sample_death()
    deceased = death.deceased.model_copy(update={"date_of_birth": date(2026, 11, 24)})
    disclosure = disclose("register_death", death.model_copy(update={"deceased": deceased}), DEATH)
    with pytest.raises(AgencyRejected) as refused:
        await adapters["bdm"].submit("death-registration", disclosure, "k")
    assert "deceased.dateOfDeath: must not be before dateOfBirth" in str(refused.value)
    assert refused.value.non_retryable
    assert await records(client, "bdm") == []


@pytest.mark.parametrize("agency", ["bdm", "ird", "msd", "health"])
async def test_an_unknown_service_is_still_refused(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", {}, "k")
