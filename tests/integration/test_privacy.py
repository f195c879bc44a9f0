"""Privacy by design, proven: a birth full of canary values runs end to end, then every place
Temporal stores or shows things without the codec, and every process's log, is searched for
each canary. Only the agencies that were sent the data may hold it.
"""

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from onceonly.auth import mint_token
from onceonly.samples import birth_request_data
from tests.integration.conftest import Stack, citizen, running_stack, today, wait_until_finished
from tests.integration.test_birth_on_the_real_stack import GRANT_ALL

pytestmark = pytest.mark.integration

CANARY_GIVEN = "Quokkacanary"
CANARY_FAMILY = "Ngāwhakacanary"
CANARY_STREET = "Kākāpōcanary Crescent"
CANARY_IRD = "135792462"
CANARY_PLACE = "Takahēcanary Birthing Unit"
CANARY_CITIZEN = "citizen-canary-4242"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory.mktemp("privacy"))


def canary_birth(stack: Stack) -> dict:
    data = birth_request_data(today(stack))
    data["child"]["name"] = {"given_names": [CANARY_GIVEN], "family_name": CANARY_FAMILY}
    data["child"]["place_of_birth"] = CANARY_PLACE
    data["birth_parent"]["name"]["family_name"] = CANARY_FAMILY
    data["birth_parent"]["ird_number"] = CANARY_IRD
    data["address"]["street"] = CANARY_STREET
    return data


def hits(blob: bytes, canaries: list[str]) -> list[str]:
    return [canary for canary in canaries if canary.encode() in blob]


def test_no_canary_in_history_database_search_attributes_or_logs(stack: Stack, tmp_path: Path):
    with citizen(stack, CANARY_CITIZEN) as api:
        started = api.post(
            "/v1/life-events", json={"event_type": "birth", "data": canary_birth(stack)}
        )
        assert started.status_code == 201, started.text
        event_id = started.json()["id"]
        api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).raise_for_status()
        event = wait_until_finished(api, event_id)
        # A rejected start and a 422 must not leak the canary into logs either.
        bad = canary_birth(stack)
        bad["child"]["date_of_birth"] = (today(stack) + timedelta(days=3)).isoformat()
        assert (
            api.post("/v1/life-events", json={"event_type": "birth", "data": bad}).status_code
            == 422
        )
    assert event["status"] == "completed"
    nhi = next(s for s in event["steps"] if s["id"] == "health_enrolment")
    # Health's enrolments (FHIR transaction-response Bundles) issue NHI numbers, as the id of
    # the Patient they create; its register entries do not.
    answers = [r["answer"] for r in stack.agency_records("health")]
    enrolments = [a for a in answers if a["resourceType"] == "Bundle"]
    issued = enrolments[-1]["entry"][0]["resource"]["id"]
    canaries = [
        CANARY_GIVEN,
        CANARY_FAMILY,
        CANARY_STREET,
        CANARY_IRD,
        CANARY_PLACE,
        CANARY_CITIZEN,
        issued,
    ]
    assert nhi["state"] == "completed"

    history = tmp_path / "history.json"
    token = mint_token(stack.settings, "op-privacy", role="operator")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "onceonly",
            "ops",
            "--token",
            token,
            "history",
            event_id,
            "--out",
            str(history),
        ],
        env=stack.env,
        check=True,
        capture_output=True,
        timeout=60,
    )
    assert hits(history.read_bytes(), canaries) == []

    assert stack.stop() == 0  # flush the dev server's database and every log
    temporal_files = sorted(stack.settings.state_dir.glob("temporal.db*"))
    assert temporal_files
    for path in temporal_files:
        assert hits(path.read_bytes(), canaries) == [], path.name
    assert hits(stack.log_path.read_bytes(), canaries) == []
    # The control: the agencies' own store, read the same way, does hold what they were sent.
    agency_store = b"".join(p.read_bytes() for p in stack.settings.state_dir.glob("agencies.db*"))
    assert set(hits(agency_store, canaries)) >= {CANARY_FAMILY, CANARY_STREET, CANARY_IRD}
