"""A batch-file agency on the real stack (issue 20): a move's step at Collections waits in the
day's file (here a period of two seconds) until Collections' acknowledgement is read, then
completes under Collections' reference; the same acknowledgement read again, and the same
file delivered again, change nothing; a record Collections rejects ends its step failed with
Collections' reason. The mock takes files only when told (`_batch/scan`), so the test sees
the step wait.
"""

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.samples import move_request_data
from onceonly.store import embedded_store_file
from tests.integration.conftest import (
    Stack,
    citizen,
    records_of,
    running_stack,
    start_and_grant,
    step_of,
    today,
    wait_for,
    wait_until_finished,
)

pytestmark = pytest.mark.integration
STEP = "update_fines_address"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack whose exchange runs every two seconds, and whose Collections takes files only
    when the test says so (its own pace: an hour)."""
    yield from running_stack(
        tmp_path_factory.mktemp("batch"),
        ONCEONLY_BATCH_PERIOD_SECONDS="2",
        MOCK_BATCH_POLL_SECONDS="3600",
    )


def folder(stack: Stack, side: str) -> Path:
    return stack.settings.batch_directory / "justice" / side


def eventually(check: Callable[[], Any], what: str, seconds: float = 60) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.2)
    return found


def collections(stack: Stack, method: str, path: str, **body: Any) -> dict[str, Any]:
    url = f"{stack.settings.agency_base_url}/justice{path}"
    answer = httpx.request(
        method, url, headers=stack.settings.mocks_admin_headers, json=body or None
    )
    answer.raise_for_status()
    return dict(answer.json())


def ops_batch(stack: Stack, *args: str) -> list[dict[str, Any]]:
    operator = mint_token(stack.settings, "op-batch", role="operator")
    done = subprocess.run(
        [sys.executable, "-m", "onceonly", "ops", "--token", operator, "batch", "--agency",
         "justice", *args],
        env=stack.env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def store_rows(stack: Stack, query: str, *args: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(embedded_store_file(stack.settings))) as db:
        return db.execute(query, args).fetchall()


def kept(stack: Stack, event_id: str) -> dict[str, Any]:
    """What the stack holds of the event: the item, the disclosure log, the usage ledger."""
    like = f"{event_id}/%"
    return {
        "items": store_rows(stack, "SELECT item_id, state, file_name, agency_reference, reason,"
                            " decided_at FROM batch_items WHERE idempotency_key LIKE ?", like),
        "disclosures": store_rows(stack, "SELECT * FROM disclosures WHERE event_id = ?", event_id),
        "usage": store_rows(stack, "SELECT * FROM agency_usage WHERE event_id = ?", event_id),
    }  # fmt: skip


def sent_file_of(stack: Stack, event_id: str) -> str:
    """The name of the file the event's item went out in, once it has (and is in the drop)."""
    [(name,)] = eventually(
        lambda: store_rows(
            stack,
            "SELECT file_name FROM batch_items WHERE idempotency_key = ? AND state = 'sent'",
            f"{event_id}/{STEP}",
        ),
        "the item sent in a file",
    )
    eventually((folder(stack, "to-agency") / f"{name}.manifest.json").exists, name)
    return str(name)


def test_the_step_completes_once_collections_acknowledgement_is_read_and_only_once(stack: Stack):
    with citizen(stack, "mover-batch") as api:
        event_id = start_and_grant(
            api, {"event_type": "move", "data": move_request_data(today(stack))}
        )
        sent = sent_file_of(stack, event_id)
        others = wait_for(api, event_id, lambda e: all(
            s["state"] == "completed" for s in e["steps"] if s["id"] != STEP))  # fmt: skip
        # Sent, and the exchange runs every two seconds: without an acknowledgement it waits.
        time.sleep(5)
        waiting = step_of(api.get(f"/v1/life-events/{event_id}").json(), STEP)
        assert waiting["state"] == "submitted", waiting
        assert others["status"] != "completed"
        assert collections(stack, "POST", "/_batch/scan") == {"taken": [sent]}
        event = wait_until_finished(api, event_id, seconds=60)
    assert event["status"] == "completed", event
    [record] = records_of(stack, "justice", event_id)
    reference = record["answer"]["reference"]
    before = kept(stack, event_id)
    [(item_id, state, file_name, agency_reference, _, _)] = before["items"]
    assert (state, file_name, agency_reference) == ("accepted", sent, reference)
    assert step_of(event, STEP)["reference"] == item_id
    assert [row for row in before["disclosures"] if STEP in row] != []
    acknowledgement = sent.replace(".csv", ".ack.csv")

    # The acknowledgement read again (copied back, the exchange run at once): nothing changes.
    for name in (acknowledgement, f"{acknowledgement}.manifest.json"):
        shutil.copy(
            folder(stack, "from-agency") / "done" / name, folder(stack, "from-agency") / name
        )
    [report] = ops_batch(stack, "--import")
    assert (report["files"], report["items"], report["woken"]) == ([], 0, 0)
    time.sleep(5)  # and the scheduled runs meanwhile
    with citizen(stack, "mover-batch") as api:
        again = api.get(f"/v1/life-events/{event_id}").json()
    assert (again["status"], again["steps"]) == (event["status"], event["steps"])
    assert kept(stack, event_id) == before

    # The file delivered again: Collections notes it, and acknowledges nothing more.
    [report] = ops_batch(stack, "--redeliver", sent)
    assert report["files"] == [sent]
    assert collections(stack, "POST", "/_batch/scan") == {"taken": [sent]}
    files = {f["name"]: f for f in collections(stack, "GET", "/_batch")["files"]}
    assert (files[sent]["deliveries"], files[sent]["acknowledgement"]) == (2, acknowledgement)
    assert list(folder(stack, "from-agency").glob("*.manifest.json")) == []
    assert records_of(stack, "justice", event_id) == [record]
    assert kept(stack, event_id) == before


def test_a_record_collections_rejects_ends_its_step_failed_with_collections_reason(stack: Stack):
    collections(stack, "PUT", "/_batch", rejects=True)
    try:
        with citizen(stack, "mover-rejected") as api:
            body = {"event_type": "move", "data": move_request_data(today(stack))}
            event_id = start_and_grant(api, body)
            sent = sent_file_of(stack, event_id)
            assert sent in collections(stack, "POST", "/_batch/scan")["taken"]
            # A failed step waits for an operator (`ops retry`): the event stays open.
            event = wait_for(api, event_id, lambda e: step_of(e, STEP)["state"] == "failed", 60)
    finally:
        collections(stack, "PUT", "/_batch", rejects=False)
    step = step_of(event, STEP)
    assert step["state"] == "failed", step
    assert "Collections holds no record matching this name and date of birth" in step["error"]
    [(_, state, _, _, reason, _)] = kept(stack, event_id)["items"]
    assert (state, reason) == (
        "rejected",
        "Collections holds no record matching this name and date of birth",
    )
