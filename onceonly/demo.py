"""`onceonly demo birth|move|death`: a citizen's whole journey against a running stack,
through the API only: prefill from registers where the event offers it, start the event, grant
every checkpoint but one, follow progress, print the timeline.
"""

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from onceonly.auth import mint_token
from onceonly.domain.inbox import inbox_task_id
from onceonly.domain.life_event import DEAD_END_STATES, SATISFIED_STATES
from onceonly.samples import birth_request_data, death_request_data, move_request_data
from onceonly.settings import Settings


@dataclass(frozen=True)
class Journey:
    """One event's demo: its sample data, the registers it prefills from, the step declined."""

    data: Callable[[date], dict[str, Any]]
    declined_step: str
    prefill_from: tuple[str, ...] = ()


JOURNEYS = {
    # IRD is declined to show a decline and its dependant (Best Start) being skipped.
    "birth": Journey(birth_request_data, "child_ird_number"),
    # The address moved from and the household come from the address register.
    "move": Journey(move_request_data, "update_acc_address", ("addresses", "ird")),
    "death": Journey(death_request_data, "end_tenancy"),
}
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}
POLL_SECONDS = 0.5
TIMEOUT_SECONDS = 120.0


def waits_on_staff(event_id: str, step: dict[str, Any]) -> bool:
    """The step waits on a task in its agency's staff inbox (its reference is the task's id):
    under `onceonly up`, the council's, until someone completes it at /inbox."""
    task_id = inbox_task_id(event_id, step["id"], "submission")
    return bool(step["state"] == "submitted" and step["reference"] == task_id)


def settled(event: dict[str, Any]) -> bool:
    """Finished, or with nothing left to happen but agency staff working through tasks."""
    ended = {state.value for state in DEAD_END_STATES | SATISFIED_STATES}
    steps = event["steps"]
    waiting = [step for step in steps if waits_on_staff(event["id"], step)]
    left = [step for step in steps if step["state"] not in ended and step not in waiting]
    return event["status"] in FINISHED or bool(waiting and not left)


class DemoFailed(RuntimeError):
    """The stack answered something the journey did not expect."""


def _check(response: httpx.Response) -> Any:
    if response.is_error:
        raise DemoFailed(
            f"{response.request.method} {response.request.url}: "
            f"{response.status_code} {response.text}"
        )
    return response.json()


def _progress_line(event: dict[str, Any]) -> str:
    states = " ".join(f"{step['id']}={step['state']}" for step in event["steps"])
    return f"  [{event['status']}] {states}"


def timeline(event: dict[str, Any]) -> str:
    """A readable table of the event's steps: agency, state, fields sent, reference."""
    rows = [("step", "agency", "state", "agency reference", "fields sent")]
    for step in event["steps"]:
        sent = ", ".join(step["fields"]) if step["state"] == "completed" else "(nothing sent)"
        reference = step["reference"] or step["error"] or "-"
        rows.append((step["id"], step["agency"], step["state"], reference, sent))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:4], widths, strict=True))
        + "  "
        + row[4]
        for row in rows
    ]
    prefilled = [
        f"prefilled {part['path']} from {part['source']}"
        + ("" if part["confirmed"] else " (changed by the citizen)")
        for part in event.get("prefilled", [])
    ]
    staff = [step["id"] for step in event["steps"] if waits_on_staff(event["id"], step)]
    tasks = (
        [f"waiting on agency staff (tasks in their inbox, /inbox): {', '.join(staff)}"]
        if staff
        else []
    )
    return "\n".join([f"life event {event['id']}: {event['status']}", *lines, *prefilled, *tasks])


def merged(data: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    """`data` with every part the registers' draft holds taken from the draft (confirmed)."""
    result = dict(data)
    for key, value in draft.items():
        inner = result.get(key)
        if isinstance(value, dict) and isinstance(inner, dict):
            result[key] = merged(inner, value)
        else:
            result[key] = value
    return result


def play(settings: Settings, api_url: str, citizen_id: str, event_type: str) -> dict[str, Any]:
    """Run the journey and answer with the event's final view."""
    journey = JOURNEYS[event_type]
    token = mint_token(settings, citizen_id)
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=30.0) as api:
        body: dict[str, Any] = {"event_type": event_type, "data": journey.data(today)}
        if journey.prefill_from:
            asked = {"event_type": event_type, "sources": list(journey.prefill_from)}
            draft = _check(api.post("/v1/prefill", json=asked))
            for part in draft["filled"]:
                print(f"  prefilled {part['path']} from {part['source']}")
            body["data"] = merged(body["data"], draft["data"])
            body["prefill_id"] = draft["id"]
        event = _check(api.post("/v1/life-events", json=body))
        print(f"started {event_type} event {event['id']} ({len(event['steps'])} steps)")
        decisions = [
            {
                "step_id": step["id"],
                "decision": "decline" if step["id"] == journey.declined_step else "grant",
            }
            for step in event["steps"]
            if step["state"] == "awaiting_consent"
        ]
        for decision in decisions:
            print(f"  consent: {decision['decision']} {decision['step_id']}")
        _check(api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions}))
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while not settled(event):
            if time.monotonic() > deadline:
                raise DemoFailed(f"event not finished after {TIMEOUT_SECONDS:.0f}s")
            time.sleep(POLL_SECONDS)
            event = _check(api.get(f"/v1/life-events/{event['id']}"))
            # One line, rewritten in place: a live progress display on a terminal.
            sys.stdout.write("\r\033[K" + _progress_line(event) if sys.stdout.isatty() else "")
            sys.stdout.flush()
        if sys.stdout.isatty():
            sys.stdout.write("\n")
        final: dict[str, Any] = event
        return final
