"""Every kind of agency call (submit, withdraw, amend, status) retries at the one pace its
adapter's policy declares: the real adapters, against a loopback port nobody listens on (the
agency is down) or a listener that never answers (the agency hangs)."""

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from temporalio.testing import ActivityEnvironment

from activities.corrections import AgencyAmendments
from activities.status import AgencyStatusChecks
from activities.submissions import AgencySubmissions
from adapters.base import AgencyPolicy, AgencyUnavailable
from adapters.ird import IrdAdapter
from adapters.msd import MsdAdapter
from onceonly.domain.amendments import AgencyAmendment, correction_idempotency_key
from onceonly.domain.catalogue import MOVE
from onceonly.domain.submission import (
    AgencySubmission,
    AgencyWithdrawal,
    StatusCheck,
    idempotency_key,
    withdrawal_idempotency_key,
)
from onceonly.local_stack import free_port
from onceonly.store.sqlite import SqliteDisclosureLog
from tests.mocks.samples import disclose, sample_move

EVENT_ID = f"move-{'a' * 32}"
ATTEMPT = 4
IRD_STEP = MOVE.step("update_ird_address")
MSD_STEP = MOVE.step("update_msd_address")


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def down() -> str:
    """An agency base URL on loopback where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def hanging() -> Iterator[str]:
    """An agency that takes the connection and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def at_attempt(attempt: int) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, attempt=attempt)
    return env


async def unavailable(run: Callable[..., Awaitable[Any]], *args: Any) -> AgencyUnavailable:
    with pytest.raises(AgencyUnavailable) as raised:
        await at_attempt(ATTEMPT).run(run, *args)
    return raised.value


def ird_amendment() -> AgencyAmendment:
    return AgencyAmendment(
        event_id=EVENT_ID,
        event_type="move",
        citizen_key="k" * 64,
        step_id=IRD_STEP.id,
        agency="ird",
        service=IRD_STEP.service,
        reference="IRD-AC-1",
        idempotency_key=correction_idempotency_key(EVENT_ID, IRD_STEP.id, 1),
        disclosure=disclose(IRD_STEP.id, sample_move(), MOVE),
        receipt_id="5f0c1c9e-7a53-4a47-9d6e-0d8d2b1f4c11",
        receipt="header.payload.signature",
    )


def ird_check() -> StatusCheck:
    return StatusCheck(
        event_id=EVENT_ID,
        step_id=IRD_STEP.id,
        agency="ird",
        service=IRD_STEP.service,
        reference="IRD-AC-1",
    )


async def test_every_kind_of_call_to_a_down_agency_retries_at_its_adapters_pace(
    http, down, tmp_path
):
    ird = IrdAdapter(http, down, "key")
    msd = MsdAdapter(http, down, "key")
    adapters: dict[str, Any] = {"ird": ird, "msd": msd}
    log = SqliteDisclosureLog(tmp_path / "disclosures.db")
    submission = AgencySubmission(
        event_id=EVENT_ID,
        step_id=IRD_STEP.id,
        agency="ird",
        service=IRD_STEP.service,
        idempotency_key=idempotency_key(EVENT_ID, IRD_STEP.id),
        disclosure=disclose(IRD_STEP.id, sample_move(), MOVE),
        citizen_key="k" * 64,
        event_type="move",
    )
    withdrawal = AgencyWithdrawal(
        event_id=EVENT_ID,
        step_id=MSD_STEP.id,
        agency="msd",
        service=MSD_STEP.service,
        reference="MSD-COC-1",
        idempotency_key=withdrawal_idempotency_key(EVENT_ID, MSD_STEP.id),
    )
    calls: dict[str, tuple[Callable[..., Awaitable[Any]], Any, AgencyPolicy]] = {
        "submit": (AgencySubmissions(adapters, log).submit_to_agency, submission, ird.policy),
        "withdraw": (AgencySubmissions(adapters, log).withdraw_from_agency, withdrawal, msd.policy),
        "amend": (AgencyAmendments(adapters, log).amend_at_agency, ird_amendment(), ird.policy),
        "status": (AgencyStatusChecks(adapters).check_agency_status, ird_check(), ird.policy),
    }
    for kind, (run, argument, policy) in calls.items():
        error = await unavailable(run, argument)
        assert error.next_retry_delay == policy.retry_delay(ATTEMPT), kind
        assert error.next_retry_delay is not None
        assert error.reason == "ConnectError", kind
    # IRD backs off to 10 minutes, MSD to the default 5: each its own pace.
    assert ird.policy.retry_delay(20) == timedelta(minutes=10)
    assert msd.policy.retry_delay(20) == timedelta(minutes=5)


async def test_a_status_call_unanswered_within_the_policys_limit_is_retried_at_its_pace(
    http, hanging
):
    ird = IrdAdapter(http, hanging, "key")
    ird.policy = AgencyPolicy(call_timeout=timedelta(milliseconds=200))
    checks = AgencyStatusChecks({"ird": ird})
    error = await asyncio.wait_for(unavailable(checks.check_agency_status, ird_check()), 10)
    assert error.reason == f"no answer within {timedelta(milliseconds=200)}"
    assert error.next_retry_delay == ird.policy.retry_delay(ATTEMPT)
