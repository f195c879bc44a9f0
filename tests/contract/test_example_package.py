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
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from onceonly.domain.catalogue import DEATH
from onceonly.samples import death_request_data
from tests.integration.conftest import (
    Stack,
    citizen,
    registered_death,
    run_to_the_end,
    running_stack,
    today,
)

EXAMPLE = Path(__file__).parents[2] / "examples" / "kiwisaver-adapter"


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example's source (a copy, so building leaves the work tree alone) and the
    directory it is installed in."""
    root = tmp_path_factory.mktemp("kiwisaver")
    source = root / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    site = root / "site"
    install = [
        *(sys.executable, "-m", "pip", "install", "--quiet", "--no-deps"),
        *("--no-build-isolation", "--no-index"),  # this venv's setuptools: nothing fetched
    ]
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


@pytest.mark.integration
def test_a_death_reaches_the_plugins_agency_with_exactly_its_fields(stack):
    catalogue = httpx.get(f"{stack.api_url}/v1/catalogue").json()
    assert "kiwisaver" in {agency["id"] for agency in catalogue["agencies"]}
    reported_on = today(stack)
    with citizen(stack, "kiwisaver-citizen") as api:
        event = run_to_the_end(
            api, {"event_type": "death", "data": death_request_data(reported_on)}
        )
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
            "date": (reported_on - timedelta(days=4)).isoformat(),
            "registrationNumber": registered_death(stack, steps["register_death"]["reference"]),
        },
        "contact": {
            "name": "Aroha Synthetic-Pōmare",
            "relationship": "CHILD",
            "capacity": "EXECUTOR",
            "postalAddress": ["PO Box 1234", "Whangārei", "Whangārei 0140"],
        },
    }
