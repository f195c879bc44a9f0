"""Withdrawing what a step sent (MSD, Health's immunisation register, the council's dog
registration): the adapters against the mocks, the refusal where no withdrawal is offered,
and the withdrawal activity.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.submissions import AgencySubmissions
from adapters.base import (
    AgencyRejected,
    AgencyUnavailable,
    WithdrawalNotOffered,
    WithdrawingAdapter,
)
from adapters.council import CouncilAdapter
from adapters.health import HealthAdapter
from adapters.msd import MsdAdapter
from adapters.registry import build_adapters
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec
from onceonly.domain.submission import (
    WITHDRAWAL_NOT_OFFERED,
    AgencyWithdrawal,
    WithdrawalAnswer,
    withdrawal_idempotency_key,
)
from onceonly.store.sqlite import SqliteDisclosureLog
from tests.adapters.support import BASE_URL, KEYS
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

WITHDRAWAL_FACTS = {
    "child__ird_number": "130000010",
    "child__nhi_number": "ZAA00AC",  # the mock's first NHI number, check letter and all
    "deceased__death_registration_number": "2026/000777",
}


WITHDRAWING_ADAPTERS = {cls.agency: cls for cls in (MsdAdapter, HealthAdapter, CouncilAdapter)}


@dataclass(frozen=True)
class Step:
    """A step whose agency can undo it, and what the agency's withdrawal answers."""

    event: LifeEventSpec
    step_id: str
    outcome: str
    first_withdrawal: str

    @property
    def agency(self) -> str:
        """The step's agency."""
        return self.event.step(self.step_id).agency

    @property
    def service(self) -> str:
        """The step's service, as the step runner names it to the adapter."""
        return self.event.step(self.step_id).service

    def disclosure(self) -> dict[str, Any]:
        """The sample dossier's disclosure to the step (a move made three days ago, which
        the council takes), with the facts earlier steps issued."""
        samples: dict[str, Callable[[], Any]] = {
            "birth": sample_birth,
            "move": lambda: sample_move().model_copy(
                update={"move_date": nz_today() - timedelta(days=3)}
            ),
            "death": sample_death,
        }
        data = samples[self.event.event_type]()
        facts = {k: v for k, v in WITHDRAWAL_FACTS.items() if k.replace("__", ".") in self.fields}
        return disclose(self.step_id, data, self.event, **facts)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the step declares."""
        return tuple(self.event.step(self.step_id).fields)


WITHDRAWABLE = {
    step.step_id: step
    for step in (
        Step(BIRTH, "best_start", "withdrawn", "WD-000001"),
        Step(MOVE, "update_msd_address", "withdrawn", "WD-000001"),
        Step(DEATH, "funeral_grant", "withdrawn", "WD-000001"),
        Step(BIRTH, "immunisation_register", "deleted", "NIRD-000001"),
        Step(MOVE, "council_dog_registration", "withdrawn", "CAN-000001"),
    )
}


# Steps whose agency can be withdrawn from, but not for this service.
NOT_OFFERED = [
    (DEATH, "stop_msd_payments"),
    (BIRTH, "health_enrolment"),
    (MOVE, "update_health_address"),
    (DEATH, "notify_health"),
    (MOVE, "council_rates"),
    (DEATH, "notify_council"),
]


def _withdrawing_adapter(client: httpx.AsyncClient, agency: str) -> Any:
    return WITHDRAWING_ADAPTERS[agency](client, BASE_URL, KEYS[agency])


async def _withdrawals(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    withdrawals: list[dict[str, Any]] = response.json()["withdrawals"]
    return withdrawals


@pytest.fixture
def activities(client: httpx.AsyncClient, tmp_path: Path) -> AgencySubmissions:
    adapters = build_adapters(client, BASE_URL, KEYS)
    return AgencySubmissions(adapters, SqliteDisclosureLog(tmp_path / "disclosures.db"))


def _withdrawal(event: LifeEventSpec, step_id: str, reference: str) -> AgencyWithdrawal:
    step = event.step(step_id)
    return AgencyWithdrawal(
        event_id="event-1",
        step_id=step_id,
        agency=step.agency,
        service=step.service,
        reference=reference,
        idempotency_key=withdrawal_idempotency_key("event-1", step_id),
    )


async def test_the_three_agencies_have_the_capability(client):
    for agency in WITHDRAWING_ADAPTERS:
        assert isinstance(_withdrawing_adapter(client, agency), WithdrawingAdapter)


@pytest.mark.parametrize("step_id", WITHDRAWABLE)
async def test_the_adapter_withdraws_what_it_submitted(client, step_id):
    step = WITHDRAWABLE[step_id]
    adapter = _withdrawing_adapter(client, step.agency)
    submitted = await adapter.submit(step.service, step.disclosure(), f"event-1/{step_id}")
    key = withdrawal_idempotency_key("event-1", step_id)

    withdrawn = await adapter.withdraw(step.service, submitted.reference, key)

    assert withdrawn == WithdrawalAnswer(reference=step.first_withdrawal, outcome=step.outcome)
    [held] = await _withdrawals(client, step.agency)
    assert held["idempotency_key"] == key
    assert submitted.reference in held["received"].values()


@pytest.mark.parametrize("step_id", WITHDRAWABLE)
async def test_a_retried_withdrawal_lands_on_the_same_withdrawal(client, step_id):
    step = WITHDRAWABLE[step_id]
    adapter = _withdrawing_adapter(client, step.agency)
    submitted = await adapter.submit(step.service, step.disclosure(), "event-1/step")
    first = await adapter.withdraw(step.service, submitted.reference, "event-1/step/withdrawal")
    again = await adapter.withdraw(step.service, submitted.reference, "event-1/step/withdrawal")
    assert again == first
    assert len(await _withdrawals(client, step.agency)) == 1


@pytest.mark.parametrize(("event", "step_id"), NOT_OFFERED)
async def test_a_service_without_online_withdrawal_sends_nothing(event, step_id):
    step = event.step(step_id)
    sent: list[httpx.Request] = []

    def agency(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:
        with pytest.raises(WithdrawalNotOffered) as raised:
            await _withdrawing_adapter(client, step.agency).withdraw(
                step.service, "REF-000001", "k"
            )
    assert sent == []
    assert raised.value.type == WITHDRAWAL_NOT_OFFERED
    assert raised.value.non_retryable
    assert raised.value.message == f"{step.agency} offers no online withdrawal for {step.service}"


@pytest.mark.parametrize("step_id", WITHDRAWABLE)
async def test_a_reference_the_agency_never_issued_is_rejected(client, step_id):
    step = WITHDRAWABLE[step_id]
    adapter = _withdrawing_adapter(client, step.agency)
    submitted = await adapter.submit(step.service, step.disclosure(), "event-1/step")
    unissued = submitted.reference[:-1] + "9"
    with pytest.raises(AgencyRejected, match="HTTP 404") as raised:
        await adapter.withdraw(step.service, unissued, "event-1/step/withdrawal")
    assert raised.value.non_retryable
    assert await _withdrawals(client, step.agency) == []


@pytest.mark.parametrize("step_id", WITHDRAWABLE)
async def test_a_failing_agency_is_retried_later(client, step_id):
    step = WITHDRAWABLE[step_id]
    adapter = _withdrawing_adapter(client, step.agency)
    submitted = await adapter.submit(step.service, step.disclosure(), "event-1/step")
    await client.put(f"/{step.agency}/_faults", json={"error_rate": 1.0})
    with pytest.raises(AgencyUnavailable) as raised:
        await adapter.withdraw(step.service, submitted.reference, "event-1/step/withdrawal")
    assert not raised.value.non_retryable


@pytest.mark.parametrize("step_id", WITHDRAWABLE)
async def test_an_answer_that_is_no_withdrawal_is_rejected(step_id):
    step = WITHDRAWABLE[step_id]
    sent: list[httpx.Request] = []

    def agency(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        # The agency's answer to the submission, not to a withdrawal.
        return httpx.Response(200, json={"status": "received", "outcome": "received"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(agency)) as client:
        with pytest.raises(AgencyRejected, match="documented format"):
            await _withdrawing_adapter(client, step.agency).withdraw(step.service, "A/B 1", "key-1")
    [request] = sent
    # The reference is one path segment, whatever it holds; the key goes with it.
    assert "/A%2FB%201/" in f"{request.url.raw_path.decode()}/"
    assert request.headers["Idempotency-Key"] == "key-1"


async def test_the_activity_withdraws_through_the_agencys_adapter(client, activities):
    step = WITHDRAWABLE["funeral_grant"]
    submitted = await _withdrawing_adapter(client, "msd").submit(
        step.service, step.disclosure(), "e/1"
    )
    withdrawal = _withdrawal(DEATH, "funeral_grant", submitted.reference)

    answer = await ActivityEnvironment().run(activities.withdraw_from_agency, withdrawal)

    assert answer == WithdrawalAnswer(reference="WD-000001", outcome="withdrawn")
    [held] = await _withdrawals(client, "msd")
    assert held["idempotency_key"] == "event-1/funeral_grant/withdrawal"


@pytest.mark.parametrize(
    ("event", "step_id", "message"),
    [
        # BDM's adapter has no withdrawal at all: a registered birth stands.
        (BIRTH, "register_birth", "bdm offers no online withdrawal for birth-registration"),
        # MSD's has, but not for stopped payments.
        (DEATH, "stop_msd_payments", "msd offers no online withdrawal for stop-payments"),
    ],
)
async def test_the_activity_fails_at_once_where_no_withdrawal_is_offered(
    client, activities, event, step_id, message
):
    withdrawal = _withdrawal(event, step_id, "REF-000001")
    with pytest.raises(ApplicationError) as raised:
        await ActivityEnvironment().run(activities.withdraw_from_agency, withdrawal)
    assert raised.value.type == WITHDRAWAL_NOT_OFFERED
    assert raised.value.non_retryable
    assert raised.value.message == message


async def test_the_activity_passes_on_the_agencys_refusal(client, activities):
    withdrawal = _withdrawal(MOVE, "council_dog_registration", "DOG-000042")
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await ActivityEnvironment().run(activities.withdraw_from_agency, withdrawal)


async def test_the_activity_passes_on_an_unavailable_agency(client, activities):
    await client.put("/health/_faults", json={"error_rate": 1.0})
    withdrawal = _withdrawal(BIRTH, "immunisation_register", "NIR-000001")
    with pytest.raises(AgencyUnavailable):
        await ActivityEnvironment().run(activities.withdraw_from_agency, withdrawal)


async def test_the_activity_refuses_an_agency_it_has_no_adapter_for(activities):
    withdrawal = _withdrawal(BIRTH, "best_start", "BS-000001").model_copy(
        update={"agency": "nowhere"}
    )
    with pytest.raises(ApplicationError, match="no adapter") as raised:
        await ActivityEnvironment().run(activities.withdraw_from_agency, withdrawal)
    assert raised.value.non_retryable
