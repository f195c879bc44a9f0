"""The rules around slow agencies: callback signatures and their tolerance, the callback
envelope, the record of callbacks seen, and how polls back off."""

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.status import AgencyStatusChecks, poll_delay
from adapters.base import AgencyPolicy
from adapters.bdm import BdmAdapter
from onceonly.callbacks import (
    TOLERANCE_SECONDS,
    AgencyCallback,
    CallbackRefused,
    sign_callback,
    verify_callback,
)
from onceonly.domain.submission import AgencyStatus, StatusCheck

SECRET = b"dev-ird-callback-secret"
NOW = 1_795_000_000
EVENT = f"birth-{'a' * 32}"
BODY = json.dumps(
    {
        "callback_id": "cb-000001",
        "idempotency_key": f"{EVENT}/child_ird_number",
        "reference": "IR-CASE-1",
        "state": "completed",
    }
).encode()


def test_a_callback_signed_with_the_agencys_secret_verifies():
    signature = sign_callback(SECRET, NOW, BODY)
    assert signature.startswith("v1=")
    verify_callback(SECRET, str(NOW), signature, BODY, now=NOW + 10)


@pytest.mark.parametrize(
    ("timestamp", "signature", "body", "now", "rule"),
    [
        (str(NOW), sign_callback(b"another-secret", NOW, BODY), BODY, NOW, "does not match"),
        (str(NOW), sign_callback(SECRET, NOW, BODY), BODY + b" ", NOW, "does not match"),
        (str(NOW + 1), sign_callback(SECRET, NOW, BODY), BODY, NOW, "does not match"),
        (str(NOW), sign_callback(SECRET, NOW, BODY), BODY, NOW + TOLERANCE_SECONDS + 1, "from now"),
        (str(NOW), sign_callback(SECRET, NOW, BODY), BODY, NOW - TOLERANCE_SECONDS - 1, "from now"),
        (None, sign_callback(SECRET, NOW, BODY), BODY, NOW, "unix seconds"),
        ("yesterday", sign_callback(SECRET, NOW, BODY), BODY, NOW, "unix seconds"),
        (str(NOW), None, BODY, NOW, "v1=<hex>"),
        (str(NOW), "sha256=abc", BODY, NOW, "v1=<hex>"),
    ],
    ids=[
        "other secret",
        "body changed",
        "timestamp changed",
        "stale",
        "from the future",
        "no timestamp",
        "timestamp not seconds",
        "no signature",
        "other scheme",
    ],
)
def test_a_forged_stale_or_malformed_callback_is_refused_naming_the_header(
    timestamp, signature, body, now, rule
):
    with pytest.raises(CallbackRefused, match=rule) as refused:
        verify_callback(SECRET, timestamp, signature, body, now=now)
    assert "Onceonly-" in str(refused.value)


def test_the_envelope_names_the_event_and_step_of_the_request():
    callback = AgencyCallback.model_validate_json(BODY)
    assert (callback.event_id, callback.step_id) == (EVENT, "child_ird_number")
    again = AgencyCallback(
        callback_id="cb-000002",
        idempotency_key=f"{EVENT}/update_ird_address/resubmission-2",
        reference="IR-CASE-2",
        state="completed",
    )
    assert (again.event_id, again.step_id) == (EVENT, "update_ird_address")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"idempotency_key": "not-a-key"}, "idempotency_key"),
        ({"idempotency_key": f"{EVENT}/Child"}, "idempotency_key"),
        ({"callback_id": "short"}, "callback_id"),
        ({"callback_id": "cb 000001 <script>"}, "callback_id"),
        ({"state": "maybe"}, "state"),
        ({"reference": ""}, "reference"),
        ({"extra": "field"}, "extra"),
    ],
)
def test_a_bad_envelope_is_refused_naming_the_field(change, field):
    body = {**json.loads(BODY), **change}
    with pytest.raises(ValidationError) as error:
        AgencyCallback.model_validate(body)
    assert field in {str(e["loc"][0]) for e in error.value.errors()}


def test_polls_back_off_at_the_agencys_pace_up_to_its_maximum():
    policy = AgencyPolicy(
        poll_every=timedelta(seconds=30), backoff=2.0, max_poll_interval=timedelta(minutes=5)
    )
    delays = [poll_delay(policy, polls) for polls in range(1, 7)]
    assert delays == [
        timedelta(seconds=s) for s in (30, 60, 120, 240, 300, 300)
    ]  # fmt: skip


def test_bdm_polls_back_off_to_hourly_but_retries_a_call_it_could_not_take_within_minutes():
    # A review may take days; an outage of a minute must not hold a registration for an hour.
    policy = BdmAdapter.policy
    assert max(poll_delay(policy, polls) for polls in range(1, 20)) == timedelta(hours=1)
    assert max(policy.retry_delay(attempt) for attempt in range(1, 20)) == timedelta(minutes=5)


def test_retries_back_off_from_the_first_wait_up_to_the_maximum():
    policy = AgencyPolicy(
        first_retry=timedelta(seconds=1), backoff=3.0, max_retry_interval=timedelta(seconds=20)
    )
    assert [policy.retry_delay(n).total_seconds() for n in range(1, 6)] == [1, 3, 9, 20, 20]


class NeverDecides:
    """A slow agency that has not decided yet, however often it is asked."""

    agency = "bdm"
    policy = AgencyPolicy(poll_every=timedelta(seconds=0.05), max_poll_interval=timedelta(hours=1))

    def __init__(self, waiting_after: int) -> None:
        self.asked = 0
        self.waiting_after = waiting_after
        self.waiting = asyncio.Event()  # asked `waiting_after` times: the poll waits again

    async def status(self, service: str, reference: str) -> AgencyStatus:
        self.asked += 1
        if self.asked == self.waiting_after:
            self.waiting.set()
        return AgencyStatus(reference=reference, state="pending")


async def test_a_waiting_poll_gives_way_at_once_when_its_worker_shuts_down():
    agency = NeverDecides(waiting_after=4)  # after waits of 0.05, 0.1 and 0.2 s
    env = ActivityEnvironment()
    heartbeats: list[Any] = []
    env.on_heartbeat = lambda *details: heartbeats.append(details)
    check = StatusCheck(
        event_id=EVENT, step_id="register_death", agency="bdm", service="death-registration",
        reference="REV-000001", follow_up="poll",
    )  # fmt: skip
    polling = asyncio.ensure_future(
        env.run(AgencyStatusChecks({"bdm": agency}).await_agency_outcome, check)  # type: ignore[dict-item]
    )
    await asyncio.wait_for(agency.waiting.wait(), timeout=5)
    env.worker_shutdown()
    with pytest.raises(ApplicationError, match="shutting down"):
        await asyncio.wait_for(polling, timeout=2)
    # The count of questions asked goes with the heartbeats, for the retry to go on from.
    assert heartbeats[-1] == (agency.asked,)
