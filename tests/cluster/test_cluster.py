"""Two workers and two APIs on one PostgreSQL are one service (issue 16): what one API
started, the other shows, corrects and guards as its own.

Through API #1 a birth and a move are started and granted; through API #2 the disclosure
log equals what the agencies hold, field for field; a correction reaches every agency that
holds the field; one signed callback sent to both APIs at once is taken once; a worker killed
mid-run loses nothing; one citizen's requests across both APIs spend one rate budget; and no
process met a permission error (each runs as an unprivileged user, in a working directory
it cannot write).
"""

import asyncio
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from mocks.kit.callbacks import Callback, signed_request
from onceonly.domain.catalogue import BIRTH, MOVE
from onceonly.domain.move import MoveData
from onceonly.domain.people import intake_context
from onceonly.samples import birth_request_data, move_request_data
from tests.cluster.checks import (
    corrected,
    disclosures_equal_records,
    holders,
    reach,
    spend_budget,
)
from tests.cluster.cluster import Cluster
from tests.integration.conftest import (
    Stack,
    agency_faults,
    check_each_agency_holds_exactly_its_step,
    citizen,
    records_of,
    start_and_grant,
    step_of,
    today,
    wait_for,
    wait_until_finished,
)

# Under a minute alone; a loaded machine (make test runs everything at once) takes longer.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

Figures = dict[str, Any]
PARENT, CALLER, MANY, SPENDER = "cluster-parent", "cluster-caller", "cluster-many", "spender"
IRD_STEP = "child_ird_number"  # IRD issues the number later and calls back
LATE_IRD_SECONDS = 30  # long enough to send the copies before IRD's own callback comes
BIRTHS_WHEN_KILLED = 6  # enough that some are mid-step on the killed worker
KILLED_SECONDS = 150  # the killed worker's calls time out after 30 s, then run elsewhere
BIRTH_AGENCIES = sorted({step.agency for step in BIRTH.steps})
# A budget the test spends in a second: one budget shared, or one per API, tell apart.
BURST, PER_MINUTE = 20, 60
# Fields several agencies hold: a birth's child's name (5 steps), the mover's name (8).
BIRTH_FIX = ("child.name", {"given_names": ["Aroha", "Mereana"], "family_name": "Ngāta-Synthetic"})
MOVE_FIX = ("mover.name", {"given_names": ["Mere", "Ānahera"], "family_name": "Tuhoe-Synthetic"})


def birth(stack: Stack, earlier: int = 0) -> dict[str, Any]:
    """The sample birth; `earlier` days earlier, so that one citizen's births are each
    another birth (the same one twice while open is refused as a duplicate)."""
    data = birth_request_data(today(stack))
    born = date.fromisoformat(data["child"]["date_of_birth"]) - timedelta(days=earlier)
    data["child"]["date_of_birth"] = born.isoformat()
    return {"event_type": "birth", "data": data}


def waiting_on_ird(stack: Stack) -> tuple[str, str]:
    """A birth whose IRD step waits a while for IRD's callback: its id, IRD's reference."""
    with (
        agency_faults(stack, "ird", issue_delay_seconds=LATE_IRD_SECONDS),
        citizen(stack, CALLER) as api,
    ):
        event_id = start_and_grant(api, birth(stack))
        event = wait_for(api, event_id, lambda e: step_of(e, IRD_STEP)["state"] == "submitted")
    return event_id, str(step_of(event, IRD_STEP)["reference"])


def posted_at_once(urls: list[str], body: bytes, headers: dict[str, str]) -> list[int]:
    """The statuses of one request posted to each URL at the same instant."""
    together = threading.Barrier(len(urls))

    def post(url: str) -> int:
        together.wait()
        return httpx.post(url, content=body, headers=headers, timeout=30).status_code

    with ThreadPoolExecutor(len(urls)) as pool:
        return list(pool.map(post, urls))


def birth_and_move(stack: Stack) -> list[str]:
    """A birth and a move by PARENT, started and granted: their ids."""
    move = {"event_type": "move", "data": move_request_data(today(stack))}
    with citizen(stack, PARENT) as api:
        return [start_and_grant(api, birth(stack)), start_and_grant(api, move)]


def callback_taken_once(one: Stack, two: Stack, waiting: tuple[str, str], figures: Figures):
    """One signed callback, sent to both APIs at the same instant, then again to each."""
    event_id, reference = waiting
    callback = Callback(f"cb-{secrets.token_hex(16)}", f"{event_id}/{IRD_STEP}", reference,
                        "completed")  # fmt: skip
    secret = one.settings.agency_callback_secrets["ird"].encode()
    body, headers = signed_request(callback, secret, time.time())
    urls = [f"{api.api_url}/v1/agency-callbacks/ird" for api in (one, two)]
    figures["callback at once (API #1, #2)"] = at_once = posted_at_once(urls, body, headers)
    figures["callback replayed (API #1, #2)"] = replayed = posted_at_once(urls, body, headers)
    assert sorted(at_once) == [202, 409], at_once
    assert replayed == [409, 409], replayed


def log_and_corrections(two: Stack, started: list[str], figures: Figures) -> None:
    """Through API #2: the log equals the agencies' records; a correction of each event
    reaches every agency that holds the field."""
    with citizen(two, PARENT) as api:
        events = [wait_until_finished(api, event_id) for event_id in started]
        assert [event["status"] for event in events] == ["completed", "completed"], events
        shown = api.get("/v1/disclosures").json()
        figures["disclosures compared (birth, move)"] = disclosures_equal_records(
            two, shown, events
        )
        move_data = MoveData.model_validate(
            move_request_data(today(two)), context=intake_context(today(two))
        )
        check_each_agency_holds_exactly_its_step(two, MOVE, events[1], move_data, {})
        for event, (path, value) in zip(events, (BIRTH_FIX, MOVE_FIX), strict=True):
            held = holders(shown, event["id"], path)
            progress = corrected(two, api, event["id"], path, value)
            amended = reach(two, event["id"], held, progress)
            figures[f"{event['event_type']} {path}: holders, amended, by staff"] = (
                len(held), amended, len(held) - amended
            )  # fmt: skip


def killed_worker_loses_nothing(cluster: Cluster, figures: Figures) -> None:
    """Worker #1 killed while births run: each completes on worker #2, and the log still
    equals the agencies' records (nothing lost, nothing doubled)."""
    one, two = cluster.api(1), cluster.api(2)
    with citizen(one, MANY) as api:
        many = [start_and_grant(api, birth(one, n)) for n in range(BIRTHS_WHEN_KILLED)]
    killed_at = time.monotonic()
    cluster.pieces["worker-1"].kill()
    held = sum(
        len(records_of(two, agency, event_id)) for agency in BIRTH_AGENCIES for event_id in many
    )
    figures["agency records of those births at the kill"] = (
        f"{held} of {len(many) * len(BIRTH.steps)}"
    )
    with citizen(two, MANY) as api:
        done = [wait_until_finished(api, event_id, KILLED_SECONDS) for event_id in many]
        figures["births after the kill: all done in (s)"] = round(time.monotonic() - killed_at)
        assert {event["status"] for event in done} == {"completed"}, done
        shown = api.get("/v1/disclosures").json()
        figures["disclosures compared (killed run)"] = disclosures_equal_records(two, shown, done)


def one_budget(cluster: Cluster, figures: Figures) -> None:
    """One citizen's requests, in turn to each API, spend one rate budget between them."""
    budget = {"ONCEONLY_RATE_LIMIT_PER_MINUTE": str(PER_MINUTE),
              "ONCEONLY_RATE_LIMIT_BURST": str(BURST)}  # fmt: skip
    for number in (1, 2):
        asyncio.run(cluster.pieces[f"api-{number}"].stop())
        asyncio.run(cluster.start_api(number, budget))
    with citizen(cluster.api(1), SPENDER) as first, citizen(cluster.api(2), SPENDER) as second:
        spent_from = time.monotonic()
        statuses = spend_budget([first, second], 3 * BURST)
        refilled = (time.monotonic() - spent_from) * PER_MINUTE / 60
    figures[f"budget {BURST}: of {len(statuses)} requests, accepted"] = statuses.count(200)
    assert set(statuses) <= {200, 429}, statuses
    assert BURST <= statuses.count(200) <= BURST + refilled + 1, statuses


def no_permission_errors(cluster: Cluster, figures: Figures) -> None:
    """No process met a permission error; only the killed worker is down."""
    figures["logs scanned"] = len(list(cluster.logs.glob("*.log")))
    assert cluster.logged("PermissionError") == {}
    assert cluster.logged("Permission denied") == {}
    assert [name for name, piece in cluster.pieces.items() if not piece.alive] == ["worker-1"]


def test_two_workers_and_two_apis_are_one_service(cluster: Cluster):
    one, two = cluster.api(1), cluster.api(2)
    figures: Figures = {"cluster up in (s)": round(cluster.started_in, 1)}
    try:
        waiting = waiting_on_ird(one)
        callback_taken_once(one, two, waiting, figures)
        started = birth_and_move(one)
        log_and_corrections(two, started, figures)
        killed_worker_loses_nothing(cluster, figures)
        with citizen(two, CALLER) as api:
            assert wait_until_finished(api, waiting[0])["status"] == "completed"
        one_budget(cluster, figures)
        no_permission_errors(cluster, figures)
    finally:
        for name, figure in figures.items():
            print(f"{name}: {figure}")
