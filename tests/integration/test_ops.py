"""`onceonly ops` against the real stack: an operator finds a step the agency failed, sees
it (masked, then revealed), retries it once the agency is fixed, and cancels another event.
"""

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from onceonly.auth import mint_token
from tests.integration.conftest import Stack, citizen, running_stack, wait_until_finished
from tests.integration.test_birth_on_the_real_stack import GRANT_ALL, start_birth

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # Agencies are given up on after 3 s, so a step fails quickly when its agency is down.
    yield from running_stack(tmp_path_factory.mktemp("ops"), ONCEONLY_AGENCY_GIVE_UP_AFTER="PT3S")


def ops(stack: Stack, *args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    operator = token or mint_token(stack.settings, "op-alice", role="operator")
    return subprocess.run(
        [sys.executable, "-m", "onceonly", "ops", "--token", operator, *args],
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def wait_for(check, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_ops_needs_an_operator_token(stack: Stack):
    citizen_token = mint_token(stack.settings, "parent", role="citizen")
    refused = ops(stack, "list", token=citizen_token)
    assert refused.returncode == 2
    assert "needs a token of role operator" in refused.stderr


def test_an_operator_retries_a_step_the_agency_failed_after_it_is_fixed(stack: Stack):
    faults = f"{stack.settings.agency_base_url}/ird/_faults"
    admin = stack.settings.mocks_admin_headers
    httpx.put(faults, json={"error_rate": 1.0, "latency_ms": 0}, headers=admin).raise_for_status()
    with citizen(stack, "parent-of-a-failed-step") as api:
        event_id = start_birth(api, stack)
        api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).raise_for_status()
        wait_for(
            lambda: any(
                s["state"] == "failed"
                for s in api.get(f"/v1/life-events/{event_id}").json()["steps"]
            ),
            "the IRD step to fail",
        )

        listed = wait_for(
            lambda: json.loads(ops(stack, "list", "--failed", "--json").stdout) or None,
            "the failed event in the operator's list",
        )
        assert [e["id"] for e in listed] == [event_id]
        assert listed[0]["failed_steps"] == ["child_ird_number"]

        shown = ops(stack, "show", event_id)
        assert shown.returncode == 0, shown.stderr
        assert "gave up after retrying" in shown.stdout
        assert "Ngāta" not in shown.stdout and "•••" in shown.stdout
        revealed = ops(stack, "show", event_id, "--reveal")
        assert "Ngāta-Synthetic" in revealed.stdout

        httpx.put(
            faults, json={"error_rate": 0.0, "latency_ms": 0}, headers=admin
        ).raise_for_status()
        retried = ops(stack, "retry", event_id, "child_ird_number")
        assert retried.returncode == 0, retried.stderr
        event = wait_until_finished(api, event_id)
    assert event["status"] == "completed"
    steps = {s["id"]: s for s in event["steps"]}
    assert steps["best_start"]["state"] == "completed"  # held back, then sent after the retry
    # The event stays open to withdrawals for a while; a completed step is not for retrying.
    again = ops(stack, "retry", event_id, "child_ird_number")
    assert again.returncode == 2
    assert "is completed, not a failed step open to retry" in again.stderr
    assert "op-alice" in revealed.stderr and '"reveal": true' in revealed.stderr


def test_an_operator_cancels_an_event_with_a_reason(stack: Stack):
    with citizen(stack, "parent-cancelled") as api:
        event_id = start_birth(api, stack)
        cancelled = ops(stack, "cancel", event_id, "--reason", "duplicate of another event")
        assert cancelled.returncode == 0, cancelled.stderr
        event = wait_until_finished(api, event_id)
    assert event["status"] == "cancelled"
    listed = json.loads(ops(stack, "list", "--status", "cancelled", "--json").stdout)
    assert event_id in [e["id"] for e in listed]


def test_an_operator_exports_a_history_that_replays(stack: Stack, tmp_path):
    with citizen(stack, "parent-exported") as api:
        event_id = start_birth(api, stack)
    out = tmp_path / "history.json"
    exported = ops(stack, "history", event_id, "--json", "--out", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "Ngāta" not in out.read_text(encoding="utf-8")
    assert json.loads(out.read_text(encoding="utf-8"))["events"][0]["eventType"]
