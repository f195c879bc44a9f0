"""Slow agencies, signed callbacks and an agency outage on the real stack (issue 6): IRD issues
a newborn's number later and calls back signed, BDM reviews a death before registering it and
is polled, forged or replayed callbacks never reach a workflow, and an agency down for two
minutes delays only its own steps.
"""

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import datetime
from typing import Any

import httpx
import pytest

from mocks.agencies.bdm.reviews import REJECTION
from onceonly.callbacks import SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECONDS, sign_callback
from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathData
from onceonly.domain.people import intake_context
from onceonly.domain.step_graph import applies
from onceonly.samples import birth_request_data, death_request_data, move_request_data
from onceonly.store import embedded_store_file
from tests.adapters.built_in import BUILT_IN_WORK_QUEUES
from tests.integration.conftest import (
    Stack,
    agency_faults,
    check_each_agency_holds_exactly_its_step,
    citizen,
    issued_ird_number,
    records_of,
    registered_death,
    running_stack,
    start_and_grant,
    step_of,
    today,
    wait_for,
    wait_until_finished,
)
from tests.integration.history import (
    OUTCOME_READY,
    activities_scheduled,
    pending_submissions,
    updates_accepted,
    wakes,
)

pytestmark = pytest.mark.integration
OUTAGE_SECONDS = 120


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack with slow IRD and BDM, as `onceonly up` runs them by default."""
    slow = {"MOCK_IRD_ISSUE_DELAY_SECONDS": "2", "MOCK_BDM_DEATH_REVIEW_SECONDS": "2"}
    yield from running_stack(tmp_path_factory.mktemp("slow-agencies"), **slow)


def body(stack: Stack, event_type: str) -> dict[str, Any]:
    samples = {"birth": birth_request_data, "move": move_request_data, "death": death_request_data}
    return {"event_type": event_type, "data": samples[event_type](today(stack))}


def is_in(step_id: str, state: str) -> Callable[[dict[str, Any]], bool]:
    return lambda event: step_of(event, step_id)["state"] == state


def seen_callbacks(stack: Stack, agency: str) -> set[str]:
    """The callback ids the API took for `agency` (in the embedded store, in the state dir)."""
    path = embedded_store_file(stack.settings)
    if not path.exists():
        return set()
    with closing(sqlite3.connect(path)) as db:
        rows = db.execute("SELECT callback_id FROM callbacks_taken WHERE agency = ?", (agency,))
        return {row[0] for row in rows}


def at(moment: str | None) -> datetime:
    assert moment is not None
    return datetime.fromisoformat(moment)


# -- 1. A callback: IRD issues the child's number later ---------------------------------------


def test_irds_callback_completes_the_child_ird_number_and_best_start_gets_it(stack: Stack):
    seen_before = seen_callbacks(stack, "ird")
    with citizen(stack, "parent-slow-ird") as api:
        # A few seconds more than the stack's default, so the waiting step is surely seen.
        with agency_faults(stack, "ird", issue_delay_seconds=4):
            event_id = start_and_grant(api, body(stack, "birth"))
            waiting = wait_for(api, event_id, is_in("child_ird_number", "submitted"), 30)
        event = wait_until_finished(api, event_id, 60)

    submitted = step_of(waiting, "child_ird_number")
    assert submitted["reference"].startswith("NB-")
    assert at(submitted["outcome_due"]) > at(submitted["accepted_at"])
    assert submitted["completed_at"] is None and submitted["overdue"] is False
    # best_start needs the number: it had not gone to MSD while IRD decided.
    assert step_of(waiting, "best_start")["state"] == "granted"

    assert event["status"] == "completed", event
    done = step_of(event, "child_ird_number")
    assert done["state"] == "completed" and done["reference"] == submitted["reference"]
    assert done["accepted_at"] == submitted["accepted_at"]
    waited = at(done["completed_at"]) - at(done["accepted_at"])
    # IRD decided after its delay; a callback-mode agency is polled only hourly, so the step
    # ended this soon because IRD's signed callback woke it.
    assert 3 < waited.total_seconds() < 60, waited
    assert wakes(stack, event_id) == 1
    assert "check_agency_status" in activities_scheduled(stack, event_id)
    assert len(seen_callbacks(stack, "ird") - seen_before) == 1

    number = issued_ird_number(stack, submitted["reference"])
    [best_start] = records_of(stack, "msd", event_id)
    assert best_start["idempotency_key"] == f"{event_id}/best_start"
    assert best_start["received"]["child"]["ird_number"] == number


# -- 2. Polling: BDM reviews a death before registering it -------------------------------------


def test_bdms_review_is_polled_until_the_death_is_registered_for_every_dependant(stack: Stack):
    raw = death_request_data(today(stack))
    with citizen(stack, "executor-polled") as api:
        event_id = start_and_grant(api, {"event_type": "death", "data": raw})
        waiting = wait_for(api, event_id, is_in("register_death", "submitted"), 30)
        event = wait_until_finished(api, event_id, 60)

    under_review = step_of(waiting, "register_death")
    assert under_review["reference"].startswith("REV-")
    assert under_review["accepted_at"] and under_review["outcome_due"]
    data = DeathData.model_validate(raw, context=intake_context(today(stack)))
    dossier = data.model_dump(mode="json")
    after = [step for step in DEATH.steps if "register_death" in step.depends_on]
    dependants = [step for step in after if applies(step, dossier)]
    assert all(step_of(waiting, step.id)["state"] == "granted" for step in dependants)

    number = registered_death(stack, under_review["reference"])
    facts = {"deceased__death_registration_number": number}
    # Every dependant's record holds the number BDM gave after its review, in its own format.
    check_each_agency_holds_exactly_its_step(stack, DEATH, event, data, facts)
    scheduled = activities_scheduled(stack, event_id)
    assert "await_agency_outcome" in scheduled
    assert wakes(stack, event_id) == 0  # BDM calls no one back: polled


def test_a_death_bdm_rejects_after_review_fails_with_bdms_reason_and_goes_no_further(
    stack: Stack,
):
    with (
        citizen(stack, "executor-rejected") as api,
        agency_faults(stack, "bdm", review_rejects=True),
    ):
        event_id = start_and_grant(api, body(stack, "death"))
        event = wait_for(api, event_id, is_in("register_death", "failed"), 60)

    registration = step_of(event, "register_death")
    assert registration["error"] == REJECTION
    assert registration["reference"].startswith("REV-")
    for step in DEATH.steps:
        if step.id != "register_death":
            assert step_of(event, step.id)["state"] != "completed", step.id
            if step.agency not in BUILT_IN_WORK_QUEUES:  # no mock: staff are its system
                assert not records_of(stack, step.agency, event_id), step.id


# -- 3. Callbacks that must not reach the workflow --------------------------------------------


def post_callback(
    stack: Stack,
    agency: str,
    envelope: dict[str, str],
    *,
    secret: str | None = None,
    timestamp: int | None = None,
    signed_body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a callback as `agency`, signed with its secret now unless told otherwise."""
    content = json.dumps(envelope).encode()
    when = int(time.time()) if timestamp is None else timestamp
    key = (secret or stack.settings.agency_callback_secrets.get(agency, "none")).encode()
    signature = sign_callback(key, when, content if signed_body is None else signed_body)
    sent = (
        {TIMESTAMP_HEADER: str(when), SIGNATURE_HEADER: signature} if headers is None else headers
    )
    return httpx.post(
        f"{stack.api_url}/v1/agency-callbacks/{agency}",
        content=content,
        headers={"Content-Type": "application/json", **sent},
        timeout=30,
    )


def test_forged_stale_replayed_or_misdirected_callbacks_never_touch_the_workflow(stack: Stack):
    with citizen(stack, "parent-forged-callbacks") as api:
        # IRD takes long enough here that the step is waiting throughout.
        with agency_faults(stack, "ird", issue_delay_seconds=600):
            event_id = start_and_grant(api, body(stack, "birth"))
            before = wait_for(api, event_id, is_in("child_ird_number", "submitted"), 30)
        waiting = step_of(before, "child_ird_number")
        updates_before = updates_accepted(stack, event_id)
        envelope = {
            "callback_id": "cb-test-0001",
            "idempotency_key": f"{event_id}/child_ird_number",
            "reference": waiting["reference"],
            "state": "completed",
        }
        other = {**envelope, "reference": "NB-99999999"}
        registered = step_of(before, "register_birth")
        not_waiting = {
            **envelope,
            "idempotency_key": f"{event_id}/register_birth",
            "reference": registered["reference"],
        }
        stale = int(time.time()) - TOLERANCE_SECONDS - 60
        no_event = {**envelope, "idempotency_key": f"birth-{'0' * 32}/child_ird_number"}
        refused = {
            "forged": (post_callback(stack, "ird", envelope, secret="not-irds-secret"), 401),
            "tampered": (
                post_callback(stack, "ird", other, signed_body=json.dumps(envelope).encode()),
                401,
            ),
            "stale": (post_callback(stack, "ird", envelope, timestamp=stale), 401),
            "unsigned": (post_callback(stack, "ird", envelope, headers={}), 401),
            "unknown agency": (post_callback(stack, "nobody", envelope), 404),
            "no such event": (post_callback(stack, "ird", no_event), 404),
            "wrong reference": (post_callback(stack, "ird", other), 409),
            "step not waiting": (post_callback(stack, "ird", not_waiting), 409),
            "wrong agency": (post_callback(stack, "msd", envelope), 409),
        }
        for case, (response, expected) in refused.items():
            assert response.status_code == expected, (case, response.text)
            assert response.headers["content-type"] == "application/problem+json", case
        assert updates_accepted(stack, event_id) == updates_before
        unchanged = step_of(api.get(f"/v1/life-events/{event_id}").json(), "child_ird_number")
        assert unchanged == waiting

        # IRD's own signed callback wakes the step once: it asks IRD, which has not decided.
        woken = post_callback(stack, "ird", envelope)
        assert woken.status_code == 202, woken.text
        replayed = post_callback(stack, "ird", envelope)
        assert replayed.status_code == 409
        assert replayed.json()["detail"] == "callback_id: this callback was received"
        assert updates_accepted(stack, event_id) == [*updates_before, OUTCOME_READY]
        deadline = time.monotonic() + 30
        while "check_agency_status" not in activities_scheduled(stack, event_id):
            assert time.monotonic() < deadline, "the woken step did not ask IRD"
            time.sleep(0.2)
        after = step_of(api.get(f"/v1/life-events/{event_id}").json(), "child_ird_number")
        assert after["state"] == "submitted" and after["reference"] == waiting["reference"]
        assert updates_accepted(stack, event_id) == [*updates_before, OUTCOME_READY]


# -- 4. An agency outage ----------------------------------------------------------------------


def test_msd_down_for_two_minutes_delays_only_its_own_steps_and_every_event_completes(
    stack: Stack,
):
    kinds = ["move", "move", "death", "birth"]
    events: list[str] = []
    others_done_after: float | None = None
    with citizen(stack, "citizen-during-outage") as api:
        with agency_faults(stack, "msd", error_rate=1.0):
            down_at = time.monotonic()
            for kind in kinds:
                events.append(start_and_grant(api, body(stack, kind)))
            while (elapsed := time.monotonic() - down_at) < OUTAGE_SECONDS:
                views = [api.get(f"/v1/life-events/{event_id}").json() for event_id in events]
                steps = [step for view in views for step in applicable(view)]
                assert not [step for step in steps if step["state"] == "failed"], steps
                msd = [step for step in steps if step["agency"] == "msd"]
                assert {step["state"] for step in msd} <= {"granted", "submitting"}, msd
                others = [step for step in steps if step["agency"] != "msd"]
                if others_done_after is None and all(s["state"] == "completed" for s in others):
                    others_done_after = elapsed
                time.sleep(2)
            # Other agencies' steps were not held up; MSD's wait, retrying, and reached nothing.
            assert others_done_after is not None and others_done_after < 60, others_done_after
            for view in views:
                msd = [step for step in applicable(view) if step["agency"] == "msd"]
                assert msd and {step["state"] for step in msd} == {"submitting"}, view
                # Each is being retried, and only MSD's calls are.
                retried = pending_submissions(stack, view["id"])
                assert len(retried) == len(msd), retried
                assert all(n > 2 and "msd is unavailable" in why for n, why in retried), retried
            assert not [r for e in events for r in records_of(stack, "msd", e)]
            # MSD calling back before its answer reached the step is early, not wrong: 425,
            # and it calls again (as the mocks do) instead of the step waiting for its poll.
            birth = events[kinds.index("birth")]
            early = {
                "callback_id": "cb-early-0001",
                "idempotency_key": f"{birth}/best_start",
                "reference": "MSD-EARLY",
                "state": "completed",
            }
            too_early = post_callback(stack, "msd", early)
            assert too_early.status_code == 425, too_early.text
            assert too_early.headers["retry-after"] == "1"
        finished = {event_id: wait_until_finished(api, event_id, 180) for event_id in events}

    for event_id, event in finished.items():
        assert event["status"] == "completed", event
        for agency in {step["agency"] for step in applicable(event)}:
            keys = Counter(r["idempotency_key"] for r in records_of(stack, agency, event_id))
            expected = {
                f"{event_id}/{step['id']}": 1
                for step in applicable(event)
                if step["agency"] == agency
            }
            assert keys == expected, (event_id, agency, keys)


def applicable(event: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in event["steps"] if step["state"] != "not_applicable"]
