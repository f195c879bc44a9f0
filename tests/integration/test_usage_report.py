"""Who pays, on the real stack: births and moves with a decline, a withdrawal, a correction
and an agency down for a while, then `onceonly ops report` (table, JSON, CSV) and the operator
route, their figures checked against what each mock agency holds, the events' histories and
the citizens' disclosure logs; only operators may ask, and the ledger holds nothing personal."""

import asyncio
import csv
import io
import json
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from temporalio.api.enums.v1 import EventType

from onceonly.auth import Role, citizen_key, mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.submission import SUBMIT_TO_AGENCY, AgencySubmission
from onceonly.samples import birth_request_data, move_request_data
from onceonly.store import opened_store
from onceonly.temporal import connect
from onceonly.usage_report import COLUMNS, UsageReport
from tests.adapters.built_in import BUILT_IN_WORK_QUEUES
from tests.integration.conftest import (
    Stack,
    agency_faults,
    citizen,
    complete_staff_tasks,
    corrections_answered,
    run_to_the_end,
    start_and_grant,
    today,
    wait_for,
    wait_until_finished,
)

pytestmark = pytest.mark.integration
# Every agency with a mock to ask (a work queue's staff hold its records: no mock).
SERVICE_OF = {
    (step.agency, step.id): step.service
    for event in CATALOGUE.life_events
    for step in event.steps
    if step.agency not in BUILT_IN_WORK_QUEUES
}
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
CORRECTION = {
    "corrections": [{"path": "child.name.given_names", "value": ["Aroha", "Meri"]}],
    "reason": "misspelt given name",
}


def decide_all(api: httpx.Client, event: dict[str, Any], **instead: str) -> None:
    decisions = [
        {"step_id": step["id"], "decision": instead.get(step["id"], step["answers"][0])}
        for step in event["steps"]
        if step["state"] == "awaiting_consent"
    ]
    answer = api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def events(stack: Stack) -> dict[str, Any]:
    """Three births (one declines Best Start, one withdraws it afterwards and corrects the
    child's name) and two moves, every one run to its end."""
    birth = {"event_type": "birth", "data": birth_request_data(today(stack))}
    move = {"event_type": "move", "data": move_request_data(today(stack))}
    ids: list[str] = []
    with citizen(stack, "usage-parent-declines") as api:
        event = api.post("/v1/life-events", json=birth).json()
        decide_all(api, event, best_start="decline")
        ids.append(wait_until_finished(api, event["id"])["id"])
    with citizen(stack, "usage-parent-withdraws") as api:
        event_id = start_and_grant(api, birth)
        wait_until_finished(api, event_id)
        withdrawn = api.delete(f"/v1/life-events/{event_id}/consents/best_start")
        assert withdrawn.status_code == 200, withdrawn.text
        started = api.post(f"/v1/life-events/{event_id}/corrections", json=CORRECTION)
        assert started.status_code == 202, started.text
        # Agencies that cannot amend online have a task in their staff inbox: completed.
        corrections_answered(api, event_id)
        complete_staff_tasks(stack, event_id)
        wait_for(
            api,
            event_id,
            lambda _: (
                api.get(f"/v1/life-events/{event_id}/corrections").json()[0]["state"] == "done"
            ),
        )
        correction = api.get(f"/v1/life-events/{event_id}/corrections").json()[0]
        ids.append(event_id)
    with citizen(stack, "usage-parent-grants") as api:
        ids.append(run_to_the_end(api, birth)["id"])
    for n in range(2):
        with citizen(stack, f"usage-mover-{n}") as api:
            ids.append(run_to_the_end(api, move)["id"])
    # A move whose ACC step is tried again and again while ACC answers 503, until it is back.
    with citizen(stack, "usage-mover-retried") as api:
        with agency_faults(stack, "acc", error_rate=1.0):
            event_id = start_and_grant(api, move)
            asyncio.run(attempted(stack, event_id, "update_acc_address", times=3))
        ids.append(wait_until_finished(api, event_id)["id"])
    return {"ids": ids, "correction": correction}


async def attempted(stack: Stack, event_id: str, step_id: str, times: int) -> None:
    """Return once the step's submission has been attempted `times` times (Temporal says)."""
    handle = (await connect(stack.settings)).get_workflow_handle(event_id)
    for _ in range(300):
        pending = (await handle.describe()).raw_description.pending_activities
        if any(activity.attempt > times for activity in pending):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{step_id} of {event_id} was not attempted {times} times")


async def retries_in_histories(stack: Stack, ids: list[str]) -> Counter[tuple[str, str]]:
    """Per (agency, service), the submission attempts after each activity's first, as the
    events' histories record them (each activity's final attempt number): the reference."""
    client = await connect(stack.settings)
    retries: Counter[tuple[str, str]] = Counter()
    for event_id in ids:
        scheduled: dict[int, tuple[str, str]] = {}
        async for event in client.get_workflow_handle(event_id).fetch_history_events():
            if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
                attributes = event.activity_task_scheduled_event_attributes
                if attributes.activity_type.name == SUBMIT_TO_AGENCY:
                    [sent] = await client.data_converter.decode(
                        attributes.input.payloads, [AgencySubmission]
                    )
                    scheduled[event.event_id] = (sent.agency, sent.service)
            elif event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
                started = event.activity_task_started_event_attributes
                if started.scheduled_event_id in scheduled:
                    retries[scheduled[started.scheduled_event_id]] += started.attempt - 1
    return +retries


def ops(stack: Stack, *args: str, role: Role = "operator") -> subprocess.CompletedProcess[str]:
    token = mint_token(stack.settings, "op-usage", role=role)
    return subprocess.run(
        [sys.executable, "-m", "onceonly", "ops", "--token", token, "report", *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def held_by_service(stack: Stack, ids: list[str], kind: str) -> Counter[tuple[str, str]]:
    """What the mock agencies hold of these events, per (agency, service): `records`
    (accepted submissions), `withdrawals` or `amendments`."""
    held: Counter[tuple[str, str]] = Counter()
    for agency in {agency for agency, _ in SERVICE_OF}:
        for record in stack.agency_holdings(agency)[kind]:
            event_id, step_id = record["idempotency_key"].split("/")[:2]
            if event_id in ids:
                held[agency, SERVICE_OF[agency, step_id]] += 1
    return held


def test_the_report_agrees_with_what_the_agencies_hold(stack: Stack, events: dict[str, Any]):
    day = f"{today(stack)}"
    answer = ops(stack, "--from", day, "--to", day, "--json")
    assert answer.returncode == 0, answer.stderr
    report = UsageReport.model_validate_json(answer.stdout)
    rows = {(row.agency, row.service): row for row in report.rows}
    assert {row.month for row in report.rows} == {day[:7]}
    records = held_by_service(stack, events["ids"], "records")
    for figure in ("requests", "accepted", "completions"):
        assert {k: getattr(r, figure) for k, r in rows.items() if getattr(r, figure)} == records
    assert sum(row.rejections + row.overdue_outcomes for row in report.rows) == 0
    retries = asyncio.run(retries_in_histories(stack, events["ids"]))
    assert retries["acc", "client-address-update"] >= 3
    assert {k: r.retries for k, r in rows.items() if r.retries} == retries
    withdrawals = held_by_service(stack, events["ids"], "withdrawals")
    assert withdrawals == {("msd", "best-start"): 1}
    assert {k: r.withdrawals for k, r in rows.items() if r.withdrawals} == withdrawals
    # The correction: amended online where the agency holds the amendment, else by its staff
    # (a task in their inbox: a manual task).
    by_state: defaultdict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for agency in events["correction"]["agencies"]:
        by_staff = (agency["note"] or "").startswith("Amended by the agency's staff")
        by_state["staff" if by_staff else agency["state"]][agency["agency"], agency["service"]] += 1
    assert set(by_state) <= {"sent", "staff"}, events["correction"]
    assert held_by_service(stack, events["ids"], "amendments") == by_state["sent"]
    assert {k: r.manual_tasks for k, r in rows.items() if r.manual_tasks} == by_state["staff"]
    assert {k: r.corrections for k, r in rows.items() if r.corrections} == (
        by_state["sent"] + by_state["staff"]
    )
    # Life events: each service's distinct events at its agency (the declined one never went).
    for key, row in rows.items():
        held = {
            record["idempotency_key"].split("/")[0]
            for record in stack.agency_holdings(key[0])["records"]
            if SERVICE_OF.get((key[0], record["idempotency_key"].split("/")[1])) == key[1]
        }
        assert row.life_events == len(held & set(events["ids"])), key
        assert row.acceptance_p50_seconds is not None and row.acceptance_p95_seconds is not None
        assert 0 <= row.acceptance_p50_seconds <= row.acceptance_p95_seconds
    assert ("msd", "best-start") in rows and rows["msd", "best-start"].life_events == 2


def test_the_report_agrees_with_the_citizens_disclosure_logs(stack: Stack, events: dict[str, Any]):
    logged: Counter[tuple[str, str]] = Counter()
    for who in ("usage-parent-declines", "usage-parent-withdraws", "usage-parent-grants"):
        with citizen(stack, who) as api:
            for entry in api.get("/v1/disclosures").json():
                logged[entry["agency"], entry["service"]] += 1
    for who in ("usage-mover-0", "usage-mover-1", "usage-mover-retried"):
        with citizen(stack, who) as api:
            for entry in api.get("/v1/disclosures").json():
                logged[entry["agency"], entry["service"]] += 1
    day = f"{today(stack)}"
    report = UsageReport.model_validate_json(
        ops(stack, "--from", day, "--to", day, "--json").stdout
    )
    # Every submission accepted and every correction is a disclosure: an amendment taken
    # online, or the corrected fields shown to the agency's staff in a task.
    sent: Counter[tuple[str, str]] = Counter()
    for row in report.rows:
        sent[row.agency, row.service] += row.accepted + row.corrections
    assert +sent == logged


def test_the_report_as_a_table_and_as_csv_and_for_one_agency(stack: Stack, events: dict[str, Any]):
    day = f"{today(stack)}"
    whole = UsageReport.model_validate_json(ops(stack, "--from", day, "--to", day, "--json").stdout)
    table = ops(stack, "--from", day, "--to", day)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0] == f"usage of every agency, {day} to {day} (months in Pacific/Auckland)"
    assert lines[2].split() == list(COLUMNS) and len(lines) == 3 + len(whole.rows)
    as_csv = ops(stack, "--from", day, "--to", day, "--csv", "--agency", "msd")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    expected = [row for row in whole.rows if row.agency == "msd"]
    assert [r["service"] for r in rows] == [r.service for r in expected] and expected
    assert [int(r["requests"]) for r in rows] == [r.requests for r in expected]


def test_a_report_is_refused_naming_the_option_and_rule(stack: Stack):
    for args, said in [
        (("--from", "2026-11-02", "--to", "2026-11-01"), "--to: must not be before from"),
        (("--from", "2026-01-01", "--to", "2027-06-01"), "--to: must be less than 366 days"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--agency", "nope"), "--agency: must be"),
        (("--from", "2026-11-31", "--to", "2026-12-01"), "--from: must be a date, YYYY-MM-DD"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--json", "--csv"), "not allowed with"),
    ]:
        refused = ops(stack, *args)
        assert refused.returncode == 2, (args, refused.stdout)
        assert said in refused.stderr, refused.stderr
    citizen_asks = ops(stack, "--from", "2026-11-01", "--to", "2026-11-30", role="citizen")
    assert citizen_asks.returncode == 2
    assert "needs a token of role operator" in citizen_asks.stderr


def test_the_operator_route_answers_operators_only(stack: Stack, events: dict[str, Any]):
    day = f"{today(stack)}"
    params = {"from": day, "to": day}
    cli = json.loads(ops(stack, "--from", day, "--to", day, "--json").stdout)
    with httpx.Client(base_url=stack.api_url, timeout=30) as anyone:
        path = "/v1/operator/usage"
        operator = {"Authorization": f"Bearer {mint_token(stack.settings, 'op', role='operator')}"}
        answer = anyone.get(path, params=params, headers=operator)
        assert answer.status_code == 200, answer.text
        assert answer.json()["rows"] == cli["rows"]
        citizens = {"Authorization": f"Bearer {mint_token(stack.settings, 'usage-mover-0')}"}
        refused = anyone.get(path, params=params, headers=citizens)
        assert refused.status_code == 403, refused.text
        assert "operators' tokens" in refused.json()["detail"]
        assert anyone.get(path, params=params).status_code == 401
        bad = anyone.get(path, params={"from": day, "to": "2020-01-01"}, headers=operator)
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to", bad.text
        unknown = anyone.get(path, params={**params, "agency": "nope"}, headers=operator)
        assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "agency"


def test_the_ledger_holds_no_citizens_key_and_no_field_value(stack: Stack, events: dict[str, Any]):
    async def everything() -> str:
        async with opened_store(stack.settings) as store:
            entries = await store.usage.of_steps_active_between(EVER[0], EVER[1])
            return json.dumps([entry._asdict() for entry in entries], default=str)

    text = asyncio.run(everything())
    assert all(event_id in text for event_id in events["ids"])
    keys = [citizen_key(stack.settings, f"usage-mover-{n}") for n in range(2)]
    for personal in ("Aroha", "Ngāta", "Synthetic", "049-091-850", "usage-", *keys):
        assert personal not in text
