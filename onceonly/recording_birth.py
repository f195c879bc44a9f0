"""The recorded paths of a birth (`tests/histories/birth/`): all granted, a decline whose
dependant is skipped, expiry, a failed step retried by an operator, a cancellation, and all
granted again once the immunisation register joined the birth behind its patch; and, as
births start today (`tests/histories/birth-own-queues/`), a withdrawal with compensation and
a correction. IRD issues the child's number later and calls back (a slow agency) in every
path that reaches IRD.
"""

from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import StepState
from onceonly.ops import cancel_event, retry_step
from onceonly.recorder import OPERATOR, EventPath, Recorder, ok
from onceonly.samples import birth_request_data


def _decisions(**decisions: str) -> dict[str, object]:
    """A consent body: the named decisions, and a grant for every other birth step."""
    return {
        "decisions": [
            {"step_id": step.id, "decision": decisions.get(step.id, "grant")}
            for step in BIRTH.steps
        ]
    }


async def _all_granted(recorder: Recorder) -> str:
    with recorder.citizen("recorded-all-granted") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
        ok(api.post(f"/v1/life-events/{event_id}/consents", json=_decisions()))
    return event_id


async def _decline_skips_dependant(recorder: Recorder) -> str:
    with recorder.citizen("recorded-decline") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
        body = _decisions(child_ird_number="decline")
        ok(api.post(f"/v1/life-events/{event_id}/consents", json=body))
    return event_id


async def _expiry(recorder: Recorder) -> str:
    # Every step but the first is granted: they wait for it, and are skipped when it expires.
    with recorder.citizen("recorded-expiry") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
        body = {
            "decisions": [
                {"step_id": step.id, "decision": "grant"}
                for step in BIRTH.steps
                if step.id != "register_birth"
            ]
        }
        ok(api.post(f"/v1/life-events/{event_id}/consents", json=body))
    return event_id


async def _failed_step_retried_by_operator(recorder: Recorder) -> str:
    recorder.set_faults("ird", error_rate=1.0)
    try:
        with recorder.citizen("recorded-failed-step") as api:
            event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
            ok(api.post(f"/v1/life-events/{event_id}/consents", json=_decisions()))
        await recorder.wait_for_state(event_id, "child_ird_number", StepState.FAILED)
    finally:
        recorder.set_faults("ird", error_rate=0.0)
    await retry_step(recorder.client, event_id, "child_ird_number")
    return event_id


async def _cancelled(recorder: Recorder) -> str:
    with recorder.citizen("recorded-cancelled") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
    await cancel_event(recorder.client, event_id, OPERATOR, "duplicate of another event")
    return event_id


# The last step of the birth, left open by the paths that act on the others first, so that
# the event stays open meanwhile.
LAST = "immunisation_register"


async def _withdrawal_compensated(recorder: Recorder) -> str:
    # MSD withdraws the Best Start application: the compensating call.
    with recorder.citizen("recorded-birth-withdrawal") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, ["best_start"])
        recorder.withdraw(api, event_id, "best_start")
        await recorder.wait_for_state(event_id, "best_start", StepState.WITHDRAWN)
        recorder.decide(api, event_id)
    return event_id


async def _correction(recorder: Recorder) -> str:
    # The address reached BDM, IRD, MSD and Health, the parent's phone MSD: none of the
    # birth's services takes an amendment online, so each is left to an operator; the
    # immunisation register, not sent yet, is sent the corrected phone.
    with recorder.citizen("recorded-birth-correction") as api:
        event_id = recorder.start(api, "birth", birth_request_data(recorder.today()))
        recorder.decide(api, event_id, leave=[LAST])
        await recorder.wait_until_done(event_id, [s for s in _STEPS if s != LAST])
        corrected = {"address.unit": "2", "birth_parent.phone": "021 555 0198"}
        recorder.correct(api, event_id, corrected, "wrong unit and phone numbers")
        await recorder.wait_until_corrected(event_id)
        recorder.decide(api, event_id)
    return event_id


_STEPS = tuple(step.id for step in BIRTH.steps)
_DONE = StepState.COMPLETED
BIRTH_PATHS = (
    EventPath("birth", "all-granted", _all_granted, "completed", dict.fromkeys(_STEPS, _DONE)),
    EventPath(
        "birth",
        "decline-skips-dependant",
        _decline_skips_dependant,
        "partially_completed",
        {
            "register_birth": _DONE,
            "child_ird_number": StepState.DECLINED,
            "best_start": StepState.SKIPPED,
            "health_enrolment": _DONE,
            "immunisation_register": _DONE,
        },
    ),
    EventPath(
        "birth",
        "expiry",
        _expiry,
        "partially_completed",
        {
            "register_birth": StepState.EXPIRED,
            "child_ird_number": StepState.SKIPPED,
            "best_start": StepState.SKIPPED,
            "health_enrolment": StepState.SKIPPED,
            "immunisation_register": StepState.SKIPPED,
        },
    ),
    EventPath(
        "birth",
        "failed-step-retried-by-operator",
        _failed_step_retried_by_operator,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
    ),
    EventPath(
        "birth",
        "cancelled",
        _cancelled,
        "cancelled",
        dict.fromkeys(_STEPS, StepState.AWAITING_CONSENT),
    ),
    # Recorded after the immunisation register joined the birth behind its patch.
    EventPath(
        "birth",
        "all-granted-with-immunisation",
        _all_granted,
        "completed",
        dict.fromkeys(_STEPS, _DONE),
    ),
    # Recorded with the move's and death's paths, as births start today.
    EventPath(
        "birth-own-queues",
        "withdrawal-compensated",
        _withdrawal_compensated,
        "partially_completed",
        {**dict.fromkeys(_STEPS, _DONE), "best_start": StepState.WITHDRAWN},
    ),
    EventPath(
        "birth-own-queues", "correction", _correction, "completed", dict.fromkeys(_STEPS, _DONE)
    ),
    # Recorded after staff inbox tasks: each agency that takes no correction online gets a
    # task, which its staff complete, and the event waits for them.
    EventPath(
        "birth-staff-tasks", "correction", _correction, "completed", dict.fromkeys(_STEPS, _DONE)
    ),
)
