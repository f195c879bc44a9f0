"""The out-of-tree example adapter (examples/kiwisaver-adapter), installed the way a
deployment would add an agency: as its own distribution, here into a temporary directory
only (never this venv, where other tests count the death event's steps). Its own contract
tests pass with the kit; and on the real stack, a death reaches its mock agency with exactly
its step's fields, a receipt the mock verified, and no change to onceonly's code.
"""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from onceonly.auth import mint_token
from onceonly.domain.catalogue import DEATH
from onceonly.samples import death_request_data
from tests.integration.conftest import Stack, running_stack

EXAMPLE = Path(__file__).parents[2] / "examples" / "kiwisaver-adapter"
FINISHED = {"completed", "partially_completed", "failed", "cancelled"}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example's source (a copy, so building leaves the work tree alone) and the
    directory it is installed in."""
    root = tmp_path_factory.mktemp("kiwisaver")
    source = root / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    site = root / "site"
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"]
    subprocess.run([*install, "--target", str(site), str(source)], check=True, timeout=300)
    return source, site


def test_the_example_passes_the_contract_kit_in_its_own_tests(example):
    source, site = example
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=source,
        env={**os.environ, "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 passed" in result.stdout


def test_without_the_example_onceonly_has_no_kiwisaver_step():
    assert "notify_kiwisaver" not in {step.id for step in DEATH.steps}


@pytest.fixture(scope="module")
def stack(example, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    _, site = example
    yield from running_stack(
        tmp_path_factory.mktemp("stack"),
        PYTHONPATH=str(site),
        # The provider's key, from the plugin's own variable (its mock's development key).
        ONCEONLY_KIWISAVER_API_KEY="dev-kiwisaver-key",
    )


def run_to_the_end(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    token = mint_token(stack.settings, "kiwisaver-citizen")
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=stack.api_url, headers=headers, timeout=30) as api:
        started = api.post("/v1/life-events", json=body)
        assert started.status_code == 201, started.text
        event = started.json()
        decisions = [
            {"step_id": step["id"], "decision": "grant"}
            for step in event["steps"]
            if step["state"] == "awaiting_consent"
        ]
        decided = api.post(f"/v1/life-events/{event['id']}/consents", json={"decisions": decisions})
        assert decided.status_code == 200, decided.text
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            event = api.get(f"/v1/life-events/{event['id']}").json()
            if event["status"] in FINISHED:
                return event
            time.sleep(0.25)
    raise AssertionError(f"the death did not finish: {event}")


@pytest.mark.integration
def test_a_death_reaches_the_plugins_agency_with_exactly_its_fields(stack):
    catalogue = httpx.get(f"{stack.api_url}/v1/catalogue").json()
    assert "kiwisaver" in {agency["id"] for agency in catalogue["agencies"]}
    today = datetime.now(ZoneInfo(stack.settings.timezone)).date()
    event = run_to_the_end(stack, {"event_type": "death", "data": death_request_data(today)})
    steps = {step["id"]: step for step in event["steps"]}
    assert steps["notify_kiwisaver"]["state"] == "completed", event
    held = [
        record
        for record in stack.agency_records("kiwisaver")
        if record["idempotency_key"].startswith(f"{event['id']}/")
    ]
    # One record: the mock checks receipts (`onceonly up` gives it onceonly's keys), so the
    # submission carried a receipt signed by onceonly for this agency, service and fields.
    assert [record["status"] for record in held] == [201]
    assert held[0]["received"] == {
        "member": {
            "irdNumber": "136410132",
            "surname": "Synthetic",
            "firstNames": "Hōhepa Te Rangi",
            "dateOfBirth": "1941-02-11",
        },
        "death": {
            "date": (today - timedelta(days=4)).isoformat(),
            "registrationNumber": steps["register_death"]["reference"],
        },
        "contact": {
            "name": "Aroha Synthetic-Pōmare",
            "relationship": "CHILD",
            "capacity": "EXECUTOR",
            "postalAddress": ["PO Box 1234", "Whangārei", "Whangārei 0140"],
        },
    }
