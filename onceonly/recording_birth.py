"""The recorded paths of a birth (`tests/histories/birth/`): all granted, a decline whose
dependant is skipped, expiry, a failed step retried by an operator, a cancellation, and all
granted again once the immunisation register joined the birth behind its patch.
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
)
