"""The recorded paths of a move (`tests/histories/move-fines/`; `move/` holds the moves
recorded before Collections' step).

Every step of a move is independent (no step waits for another), so a decline skips nothing.
Collections (`update_fines_address`) answers by its daily file, a few seconds later on the
recording stack: every path that grants it waits for its acknowledgement, which wakes the step
as a slow agency's callback does. The mover gives no IRD number but in one
path: IRD's address change asks 14 days on whether it took effect, which no recording can wait
for, so it is not applicable in the paths that must close, and the one path where it applies
is recorded up to that wait.
"""

from typing import Any

from onceonly.domain.catalogue import MOVE
from onceonly.domain.life_event import StepState
from onceonly.ops import cancel_event, retry_step
from onceonly.recorder import OPERATOR, EventPath, Recorder
from onceonly.samples import move_request_data

FOLDER = "move-fines"
"""Moves as they start today, with Collections' daily-file step (`update_fines_address`,
behind its catalogue patch `move-fines-address`); `move/` holds those recorded before it."""
# A step every path leaves open until its other steps are done, so the event stays open for
# what the path does next (a withdrawal, a correction, a cancellation).
LAST = "update_acc_address"
# MSD takes a change of circumstances back when consent is withdrawn: a compensating call.
COMPENSATED = "update_msd_address"
# NZTA is the agency made to fail (its fault knob), then retried by an operator.
FAILING = ("nzta", "update_driver_licence")


def move_data(recorder: Recorder) -> dict[str, Any]:
    """The sample move without the mover's IRD number (see the module's docstring)."""
    data = move_request_data(recorder.today())
    del data["mover"]["ird_number"]
    return data


async def _all_granted(recorder: Recorder) -> str:
    with recorder.citizen("recorded-move-all-granted") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id)
    return event_id


async def _awaiting_proof_of_effect(recorder: Recorder) -> str:
    # With the IRD number: IRD's address change completes, then waits 14 days to ask whether
    # it took effect. The history ends at that wait.
    with recorder.citizen("recorded-move-proof-of-effect") as api:
        event_id = recorder.start(api, "move", move_request_data(recorder.today()))
        recorder.decide(api, event_id)
    return event_id


async def _decline(recorder: Recorder) -> str:
    with recorder.citizen("recorded-move-decline") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id, decline=[LAST])
    return event_id


async def _expiry(recorder: Recorder) -> str:
    # The electoral roll (a statutory step with a deadline, so with a reminder) is left open.
    with recorder.citizen("recorded-move-expiry") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id, leave=["update_electoral_roll"])
    return event_id


async def _withdrawal_compensated(recorder: Recorder) -> str:
    with recorder.citizen("recorded-move-withdrawal") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, [COMPENSATED])
        recorder.withdraw(api, event_id, COMPENSATED)
        await recorder.wait_for_state(event_id, COMPENSATED, StepState.WITHDRAWN)
        recorder.decide(api, event_id)
    return event_id


async def _failed_step_retried_by_operator(recorder: Recorder) -> str:
    agency, step_id = FAILING
    recorder.set_faults(agency, error_rate=1.0)
    try:
        with recorder.citizen("recorded-move-failed-step") as api:
            event_id = recorder.start(api, "move", move_data(recorder))
            recorder.decide(api, event_id)
        await recorder.wait_for_state(event_id, step_id, StepState.FAILED)
    finally:
        recorder.set_faults(agency, error_rate=0.0)
    await retry_step(recorder.client, event_id, step_id)
    return event_id


async def _correction(recorder: Recorder) -> str:
    # The new address reaches every agency of the move: NZTA, the Electoral Commission and MSD
    # take an amendment online, the others are left to an operator, ACC is sent it corrected.
    with recorder.citizen("recorded-move-correction") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, _BEFORE_LAST)
        recorder.correct(api, event_id, {"new_address.unit": "4"}, "wrong unit number")
        await recorder.wait_until_corrected(event_id)
        recorder.decide(api, event_id)
    return event_id


async def _cancelled(recorder: Recorder) -> str:
    with recorder.citizen("recorded-move-cancelled") as api:
        event_id = recorder.start(api, "move", move_data(recorder))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, _BEFORE_LAST)
    await cancel_event(recorder.client, event_id, OPERATOR, "started by mistake")
    return event_id


_STEPS = tuple(step.id for step in MOVE.steps)
_APPLYING = tuple(step for step in _STEPS if step != "update_ird_address")
_BEFORE_LAST = tuple(step for step in _APPLYING if step != LAST)
_DONE = StepState.COMPLETED


def _ended(**states: StepState) -> dict[str, StepState]:
    """Every step completed but IRD's (not applicable) and those named."""
    return {
        **dict.fromkeys(_APPLYING, _DONE),
        "update_ird_address": StepState.NOT_APPLICABLE,
        **states,
    }


MOVE_PATHS = (
    EventPath(FOLDER, "all-granted", _all_granted, "completed", _ended()),
    EventPath(
        FOLDER,
        "all-granted-awaiting-proof-of-effect",
        _awaiting_proof_of_effect,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
        closes=False,
    ),
    EventPath(
        FOLDER, "decline", _decline, "partially_completed", _ended(**{LAST: StepState.DECLINED})
    ),
    EventPath(
        FOLDER,
        "expiry",
        _expiry,
        "partially_completed",
        _ended(update_electoral_roll=StepState.EXPIRED),
    ),
    EventPath(
        FOLDER,
        "withdrawal-compensated",
        _withdrawal_compensated,
        "partially_completed",
        _ended(**{COMPENSATED: StepState.WITHDRAWN}),
    ),
    EventPath(
        FOLDER,
        "failed-step-retried-by-operator",
        _failed_step_retried_by_operator,
        "completed",
        _ended(),
    ),
    EventPath(FOLDER, "correction", _correction, "completed", _ended()),
    EventPath(
        FOLDER, "cancelled", _cancelled, "cancelled", _ended(**{LAST: StepState.AWAITING_CONSENT})
    ),
)
