"""The recorded paths of a death (`tests/histories/death/`).

BDM registers the death first; every other step needs its number. BDM reviews a registration
before it registers the death (2 s on the local stack) and answers the submission with a
review reference, so every path that reaches BDM holds a slow agency's outcome, asked for by
polling. Registering a death is required by law: it is acknowledged, never declined, so its
dependants are skipped when it expires or when BDM's review rejects it, not on a decline.
The deceased has no MSD client number but in one path: stopping payments asks 14 days on
whether they really stopped, which no recording can wait for, so that step is not applicable
in the paths that must close, and the one path where it applies is recorded up to that wait.
"""

from typing import Any

from onceonly.domain.catalogue import DEATH
from onceonly.domain.life_event import StepState
from onceonly.ops import cancel_event, retry_step
from onceonly.recorder import OPERATOR, EventPath, Recorder
from onceonly.samples import death_request_data

REGISTER = "register_death"
# A step every multi-stage path leaves open until the others are done, so that the event stays
# open for what the path does next (a withdrawal, a correction).
LAST = "end_tenancy"
# MSD takes a funeral grant application back when consent is withdrawn: a compensating call.
COMPENSATED = "funeral_grant"


def death_data(recorder: Recorder) -> dict[str, Any]:
    """The sample death without an MSD client number (see the module's docstring)."""
    data = death_request_data(recorder.today())
    del data["deceased"]["msd_client_number"]
    return data


async def _all_granted(recorder: Recorder) -> str:
    with recorder.citizen("recorded-death-all-granted") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id)
    return event_id


async def _awaiting_proof_of_effect(recorder: Recorder) -> str:
    # With the MSD client number: MSD stops the payments, then waits 14 days to ask whether
    # they really stopped. The history ends at that wait.
    with recorder.citizen("recorded-death-proof-of-effect") as api:
        event_id = recorder.start(api, "death", death_request_data(recorder.today()))
        recorder.decide(api, event_id)
    return event_id


async def _decline(recorder: Recorder) -> str:
    with recorder.citizen("recorded-death-decline") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id, decline=[LAST])
    return event_id


async def _expiry(recorder: Recorder) -> str:
    # Every step but the registration is granted: they wait for it, and are skipped when it
    # expires.
    with recorder.citizen("recorded-death-expiry") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id, leave=[REGISTER])
    return event_id


async def _review_rejected(recorder: Recorder) -> str:
    # BDM's review rejects the registration: the step fails, holds its dependants back while
    # an operator may retry it, then they are skipped.
    recorder.set_faults("bdm", review_rejects=True)
    try:
        with recorder.citizen("recorded-death-review-rejected") as api:
            event_id = recorder.start(api, "death", death_data(recorder))
            recorder.decide(api, event_id)
        await recorder.wait_for_state(event_id, REGISTER, StepState.FAILED)
    finally:
        recorder.set_faults("bdm", review_rejects=False)
    return event_id


async def _withdrawal_compensated(recorder: Recorder) -> str:
    # Two withdrawals after the agencies acted: MSD withdraws the funeral grant application;
    # the registration stays, the law keeping the death register, and the receipt says so.
    # The checkpoint left open keeps the event open until then; a step still waiting for the
    # registration is skipped once it is withdrawn.
    with recorder.citizen("recorded-death-withdrawal") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, _BEFORE_LAST)
        for step_id in (COMPENSATED, REGISTER):
            recorder.withdraw(api, event_id, step_id)
            await recorder.wait_for_state(event_id, step_id, StepState.WITHDRAWN)
    return event_id


async def _failed_step_retried_by_operator(recorder: Recorder) -> str:
    # BDM is down: the registration fails and holds every other step back until it is retried.
    recorder.set_faults("bdm", error_rate=1.0)
    try:
        with recorder.citizen("recorded-death-failed-step") as api:
            event_id = recorder.start(api, "death", death_data(recorder))
            recorder.decide(api, event_id)
        await recorder.wait_for_state(event_id, REGISTER, StepState.FAILED)
    finally:
        recorder.set_faults("bdm", error_rate=0.0)
    await retry_step(recorder.client, event_id, REGISTER)
    return event_id


async def _correction(recorder: Recorder) -> str:
    # The deceased's name reached nearly every agency; none of the death's services takes an
    # amendment online, so each is left to an operator, and Kāinga Ora is sent it corrected.
    with recorder.citizen("recorded-death-correction") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, _BEFORE_LAST)
        name = {"given_names": ["Hōhepa", "Te Rangi"], "family_name": "Synthetic-Hōne"}
        recorder.correct(api, event_id, {"deceased.name": name}, "misspelt family name")
        await recorder.wait_until_corrected(event_id)
        recorder.decide(api, event_id)
    return event_id


async def _cancelled(recorder: Recorder) -> str:
    # Cancelled while BDM reviews the registration: the poll is cancelled, nothing else sent.
    with recorder.citizen("recorded-death-cancelled") as api:
        event_id = recorder.start(api, "death", death_data(recorder))
        recorder.decide(api, event_id)
    await recorder.wait_for_state(event_id, REGISTER, StepState.SUBMITTED)
    await cancel_event(recorder.client, event_id, OPERATOR, "started by mistake")
    return event_id


_STEPS = tuple(step.id for step in DEATH.steps)
_APPLYING = tuple(step for step in _STEPS if step != "stop_msd_payments")
_BEFORE_LAST = tuple(step for step in _APPLYING if step != LAST)
_DEPENDANTS = tuple(step for step in _APPLYING if step != REGISTER)
_DONE = StepState.COMPLETED


def _ended(**states: StepState) -> dict[str, StepState]:
    """Every step completed but MSD's stopping of payments (not applicable) and those named."""
    return {
        **dict.fromkeys(_APPLYING, _DONE),
        "stop_msd_payments": StepState.NOT_APPLICABLE,
        **states,
    }


DEATH_PATHS = (
    EventPath("death", "all-granted", _all_granted, "completed", _ended()),
    EventPath(
        "death",
        "all-granted-awaiting-proof-of-effect",
        _awaiting_proof_of_effect,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
        closes=False,
    ),
    EventPath(
        "death", "decline", _decline, "partially_completed", _ended(**{LAST: StepState.DECLINED})
    ),
    EventPath(
        "death",
        "expiry",
        _expiry,
        "partially_completed",
        _ended(**{REGISTER: StepState.EXPIRED}, **dict.fromkeys(_DEPENDANTS, StepState.SKIPPED)),
    ),
    EventPath(
        "death",
        "review-rejected-skips-dependants",
        _review_rejected,
        "failed",
        _ended(**{REGISTER: StepState.FAILED}, **dict.fromkeys(_DEPENDANTS, StepState.SKIPPED)),
    ),
    EventPath(
        "death",
        "withdrawal-compensated",
        _withdrawal_compensated,
        "partially_completed",
        _ended(
            **dict.fromkeys((COMPENSATED, REGISTER), StepState.WITHDRAWN),
            **{LAST: StepState.SKIPPED},
        ),
    ),
    EventPath(
        "death",
        "failed-step-retried-by-operator",
        _failed_step_retried_by_operator,
        "completed",
        _ended(),
    ),
    EventPath("death", "correction", _correction, "completed", _ended()),
    EventPath(
        "death",
        "cancelled",
        _cancelled,
        "cancelled",
        _ended(**{REGISTER: StepState.SUBMITTED}, **dict.fromkeys(_DEPENDANTS, StepState.GRANTED)),
    ),
)
