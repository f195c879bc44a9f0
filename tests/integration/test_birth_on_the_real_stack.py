"""A birth end to end on the real stack: API -> Temporal dev server -> worker -> adapters ->
mock agencies, and what a citizen, an agency and an operator each see of it.
"""

import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from typing import Any

import httpx
import nhi as python_nhi
import pytest

from adapters.health_fhir import BIRTH_REGISTRATION_SYSTEM, NHI_SYSTEM
from bench.checks import answers_from_metrics
from onceonly.binaries import temporal_cli
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.contact import PHONE_RULE
from onceonly.samples import birth_request_data
from tests.integration.conftest import (
    Stack,
    agency_faults,
    citizen,
    issued_ird_number,
    today,
    wait_until_finished,
)

pytestmark = pytest.mark.integration


def start_birth(api: httpx.Client, stack: Stack) -> str:
    """Start the sample birth; the new event's id."""
    body = {"event_type": "birth", "data": birth_request_data(today(stack))}
    started = api.post("/v1/life-events", json=body)
    assert started.status_code == 201, started.text
    assert started.json()["status"] == "awaiting_consent"
    return str(started.json()["id"])


GRANT_ALL = {"decisions": [{"step_id": step.id, "decision": "grant"} for step in BIRTH.steps]}


def expected_agency_bodies(
    born: date, registration: str, child_ird: str, child_nhi: str
) -> dict[str, Any]:
    """What each step must leave at its agency for the sample birth, in the agency's own
    format, and nothing more."""
    return {
        "register_birth": {
            "child": {
                "givenNames": "Aroha Mere",
                "surname": "Ngāta-Synthetic",
                "dateOfBirth": born.isoformat(),
                "sex": "F",
                "placeOfBirth": "Auckland City Hospital",
            },
            "mother": {
                "givenNames": "Hēni",
                "surname": "Ngāta-Synthetic",
                "dateOfBirth": "1994-03-14",
            },
            "usualResidence": {
                "line1": "1/21A Smith Street",
                "suburb": "Ponsonby",
                "city": "Auckland",
                "postcode": "1011",
            },
        },
        "child_ird_number": {
            "birthRegistrationNumber": registration,
            "childFirstNames": "Aroha Mere",
            "childSurname": "Ngāta-Synthetic",
            "childDateOfBirth": born.strftime("%d/%m/%Y"),
            "parentIrdNumber": "049091850",
            "postalAddress": "1/21A Smith Street, Ponsonby, Auckland 1011",
        },
        "best_start": {
            "applicant": {
                "first_name": "Hēni",
                "middle_names": "",
                "last_name": "Ngāta-Synthetic",
                "ird_number": "049091850",
                "phone": "+64215550199",
            },
            "child": {
                "first_name": "Aroha",
                "middle_names": "Mere",
                "last_name": "Ngāta-Synthetic",
                "date_of_birth": born.isoformat(),
                "ird_number": child_ird,
            },
            "address": {
                "unit": "1",
                "street_number": "21A",
                "street_name": "Smith Street",
                "suburb": "Ponsonby",
                "town": "Auckland",
                "post_code": "1011",
            },
        },
        "health_enrolment": {
            "resourceType": "Bundle",
            "type": "transaction",
            "entry": [
                {
                    "fullUrl": "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a01",
                    "resource": {
                        "resourceType": "Patient",
                        "name": [
                            {
                                "use": "official",
                                "family": "Ngāta-Synthetic",
                                "given": ["Aroha", "Mere"],
                            }
                        ],
                        "gender": "female",
                        "birthDate": born.isoformat(),
                        "identifier": [
                            {
                                "system": BIRTH_REGISTRATION_SYSTEM,
                                "value": registration,
                            }
                        ],
                        "address": [
                            {
                                "use": "home",
                                "line": ["1/21A Smith Street", "Ponsonby"],
                                "city": "Auckland",
                                "postalCode": "1011",
                                "country": "NZ",
                            }
                        ],
                        "generalPractitioner": [
                            {"type": "Organization", "display": "Ponsonby Family Doctors"}
                        ],
                    },
                    "request": {"method": "POST", "url": "Patient"},
                },
                {
                    "fullUrl": "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a02",
                    "resource": {
                        "resourceType": "EpisodeOfCare",
                        "status": "active",
                        "type": [{"text": "Well Child Tamariki Ora"}],
                        "patient": {"reference": "urn:uuid:5d0d8c5e-7a4b-4f0e-9a43-0d7b2c1e6a01"},
                        "managingOrganization": {
                            "type": "Organization",
                            "display": "Whānau Āwhina Plunket",
                        },
                    },
                    "request": {"method": "POST", "url": "EpisodeOfCare"},
                },
            ],
        },
        "immunisation_register": {
            "resourceType": "Patient",
            "identifier": [{"use": "official", "system": NHI_SYSTEM, "value": child_nhi}],
            "name": [{"use": "official", "family": "Ngāta-Synthetic", "given": ["Aroha", "Mere"]}],
            "birthDate": born.isoformat(),
            "contact": [
                {
                    "relationship": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                                    "code": "NPRN",
                                    "display": "natural parent",
                                }
                            ],
                            "text": "birth parent",
                        }
                    ],
                    "telecom": [{"system": "phone", "value": "64215550199"}],
                }
            ],
        },
    }


def test_a_granted_birth_reaches_each_agency_once_with_exactly_its_fields(stack: Stack):
    born = today(stack) - timedelta(days=7)
    with citizen(stack, "parent-granting-all") as api:
        event_id = start_birth(api, stack)
        assert api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).status_code == 200
        event = wait_until_finished(api, event_id)
        listed = api.get("/v1/life-events").json()

    assert event["status"] == "completed", event
    assert [summary["id"] for summary in listed] == [event_id]
    steps = {step["id"]: step for step in event["steps"]}
    registration = steps["register_birth"]["reference"]
    [case] = [
        r["answer"]["caseReference"]
        for r in stack.agency_records("ird")
        if r["idempotency_key"] == f"{event_id}/child_ird_number"
    ]
    child_ird = issued_ird_number(stack, case)
    child_nhi = next(
        r["answer"]["entry"][0]["resource"]["id"]
        for r in stack.agency_records("health")
        if r["idempotency_key"] == f"{event_id}/health_enrolment"
    )
    expected = expected_agency_bodies(born, registration, child_ird, child_nhi)
    for agency in {step.agency for step in BIRTH.steps}:
        records = {
            r["idempotency_key"]: r["received"]
            for r in stack.agency_records(agency)
            if r["idempotency_key"].startswith(event_id)
        }
        # One record per step, under the step's own idempotency key (Health has two steps).
        assert records == {
            f"{event_id}/{step.id}": expected[step.id]
            for step in BIRTH.steps
            if step.agency == agency
        }, agency


def test_a_birth_with_a_phone_written_internationally_completes_at_every_agency(stack: Stack):
    # Issue 17: "+64 21 123 4567" is taken, stored in E.164 and sent in each agency's format;
    # the child's NHI, issued by Health, is a 2023-format one (modulus 23).
    data = birth_request_data(today(stack))
    data["birth_parent"] = data["birth_parent"] | {"phone": "+64 21 123 4567"}
    with citizen(stack, "parent-phoning-from-abroad") as api:
        started = api.post("/v1/life-events", json={"event_type": "birth", "data": data})
        assert started.status_code == 201, started.text
        event_id = started.json()["id"]
        assert api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).status_code == 200
        event = wait_until_finished(api, event_id)
        refused = api.post(
            "/v1/life-events",
            json={"event_type": "birth", "data": _with(data, "birth_parent", "phone", "------")},
        )
    assert event["status"] == "completed", event
    assert {step["state"] for step in event["steps"]} == {"completed"}
    received = {
        r["idempotency_key"].removeprefix(f"{event_id}/"): r
        for agency in {step.agency for step in BIRTH.steps}
        for r in stack.agency_records(agency)
        if r["idempotency_key"].startswith(event_id)
    }
    assert received["best_start"]["received"]["applicant"]["phone"] == "+64211234567"
    # Health answers the enrolment with a FHIR transaction-response: the child's Patient.
    entries = received["health_enrolment"]["answer"]["entry"]
    [nhi] = [e["resource"]["id"] for e in entries if e["resource"]["resourceType"] == "Patient"]
    assert re.fullmatch(r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]{2}", nhi)
    assert python_nhi.is_nhi(nhi, allow_test_values=True)
    assert received["immunisation_register"]["received"]["identifier"][0]["value"] == nhi
    assert refused.status_code == 422
    assert {(e["field"], e["rule"]) for e in refused.json()["errors"]} == {
        ("data.birth_parent.phone", PHONE_RULE)
    }


def test_an_operator_finds_the_event_with_temporal_workflow_list(stack: Stack):
    with citizen(stack, "parent-listed") as api:
        event_id = start_birth(api, stack)
    query = "OnceonlyEventType = 'birth' AND OnceonlyAwaitingConsent = 'register_birth'"
    command = [str(temporal_cli()), "workflow", "list", "--address"]
    command += [stack.settings.temporal_address, "--query", query]
    # Visibility follows the event's first workflow task (and is eventually consistent).
    deadline = time.monotonic() + 30
    while True:
        listing = subprocess.run(command, capture_output=True, text=True, check=True, timeout=30)
        if event_id in listing.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert event_id in listing.stdout


def _without(data: dict[str, Any], *path: str) -> dict[str, Any]:
    copy = {**data, path[0]: dict(data[path[0]])}
    copy[path[0]].pop(path[1])
    return copy


def _with(data: dict[str, Any], section: str, field: str, value: Any) -> dict[str, Any]:
    return {**data, section: {**data[section], field: value}}


def test_bad_input_is_refused_naming_the_field_and_starts_no_workflow(stack: Stack):
    data = birth_request_data(today(stack))
    cases = [
        (
            {"event_type": "birth", "data": _without(data, "child", "name")},
            "data.child.name",
            "is required",
        ),
        (
            {"event_type": "birth", "data": _with(data, "child", "date_of_birth", "2099-01-01")},
            "data.child.date_of_birth",
            "must not be in the future",
        ),
        (
            {"event_type": "birth", "data": _with(data, "birth_parent", "ird_number", "136410133")},
            "data.birth_parent.ird_number",
            "check digit",
        ),
        (
            {
                "event_type": "birth",
                "data": {
                    **data,
                    "health": {"gp_practice": "X", "well_child_provider": "Y", "nhi": "ZZZ0044"},
                },
            },
            "data.health.nhi",
            "is not a field",
        ),
        ({"event_type": "wedding", "data": data}, "event_type", "must be one of: birth"),
    ]
    with citizen(stack, "parent-with-typos") as api:
        for body, field, rule in cases:
            response = api.post("/v1/life-events", json=body)
            assert response.status_code == 422, response.text
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert any(e["field"] == field and rule in e["rule"] for e in problem["errors"]), (
                problem
            )
            assert "Ngāta" not in response.text  # problems never echo personal data
        huge = api.post(
            "/v1/life-events",
            content=b"{" + b" " * 10_000_000 + b"}",
            headers={"content-type": "application/json"},
        )
        assert huge.status_code == 413
        assert huge.json()["detail"].startswith("body: must be at most")
        assert api.get("/v1/life-events").json() == []


def test_an_idempotency_key_repeat_answers_with_the_same_event(stack: Stack):
    body = {"event_type": "birth", "data": birth_request_data(today(stack))}
    with citizen(stack, "parent-retrying") as api:
        first = api.post("/v1/life-events", json=body, headers={"Idempotency-Key": "attempt-1"})
        again = api.post("/v1/life-events", json=body, headers={"Idempotency-Key": "attempt-1"})
        assert first.status_code == 201
        assert again.json()["id"] == first.json()["id"]
        assert len(api.get("/v1/life-events").json()) == 1


def test_another_citizen_cannot_see_or_decide_the_event(stack: Stack):
    with citizen(stack, "parent-owner") as owner, citizen(stack, "someone-else") as other:
        event_id = start_birth(owner, stack)
        assert other.get(f"/v1/life-events/{event_id}").status_code == 404
        decision = {"decisions": [{"step_id": "register_birth", "decision": "grant"}]}
        assert other.post(f"/v1/life-events/{event_id}/consents", json=decision).status_code == 404
        assert other.get("/v1/life-events").json() == []
        assert httpx.get(f"{stack.api_url}/v1/life-events/{event_id}").status_code == 401
        assert (
            owner.get(f"/v1/life-events/{event_id}").json()["steps"][0]["state"]
            == "awaiting_consent"
        )


def test_a_decision_that_does_not_apply_is_a_conflict_with_the_reason(stack: Stack):
    with citizen(stack, "parent-deciding-twice") as api:
        event_id = start_birth(api, stack)
        decline = {"decisions": [{"step_id": "best_start", "decision": "decline"}]}
        assert api.post(f"/v1/life-events/{event_id}/consents", json=decline).status_code == 200
        again = api.post(f"/v1/life-events/{event_id}/consents", json=decline)
        assert again.status_code == 409
        assert again.json()["detail"] == "step 'best_start': is declined, not awaiting consent"


def test_the_demo_plays_a_birth_with_a_decline_and_prints_its_timeline(stack: Stack):
    demo = subprocess.run(
        [sys.executable, "-m", "onceonly", "demo", "birth"],
        env=stack.env,
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert demo.returncode == 0, demo.stderr
    assert ": partially_completed" in demo.stdout
    lines = {line.split()[0]: line for line in demo.stdout.splitlines() if line.strip()}
    assert "declined" in lines["child_ird_number"]
    assert "skipped" in lines["best_start"]
    assert "completed" in lines["register_birth"] and "child.name" in lines["register_birth"]


def refused_by(stack: Stack, agency: str) -> int:
    """How many submissions the mock agency has answered 503, so far."""
    metrics = httpx.get(f"{stack.settings.agency_base_url}/metrics").text
    return answers_from_metrics(metrics).get((agency, "503"), 0)


def test_a_flaky_agency_is_retried_and_still_holds_exactly_one_record(stack: Stack):
    refused_before = refused_by(stack, "ird")
    with citizen(stack, "parent-with-flaky-ird") as api:
        # IRD refuses until it has refused the step twice, then comes back: a fixed number
        # of failures, where a failure rate would leave the retries' backoff to chance.
        with agency_faults(stack, "ird", error_rate=1.0):
            event_id = start_birth(api, stack)
            api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).raise_for_status()
            deadline = time.monotonic() + 60
            while refused_by(stack, "ird") < refused_before + 2:
                assert time.monotonic() < deadline, "IRD was not asked twice within 60 s"
                time.sleep(0.2)
        event = wait_until_finished(api, event_id)
    assert event["status"] == "completed", event
    ird_records = [
        r for r in stack.agency_records("ird") if r["idempotency_key"].startswith(event_id)
    ]
    assert len(ird_records) == 1


def test_a_finished_event_survives_ctrl_c_and_a_restart(stack: Stack):
    with citizen(stack, "parent-granting-all") as api:
        [event] = api.get("/v1/life-events").json()
    assert stack.stop() == 0
    assert "stopped." in stack.log_path.read_text()
    stack.start()
    with citizen(stack, "parent-granting-all") as api:
        after = api.get(f"/v1/life-events/{event['id']}")
    assert after.status_code == 200
    assert after.json()["status"] == "completed"


def ready_pids(stack: Stack) -> dict[str, int]:
    """Each child's pid as `onceonly up` last reported it ready."""
    found = re.findall(r"(\w+) ready \(pid (\d+)\)", stack.log_path.read_text())
    return {name: int(pid) for name, pid in found}


def test_a_child_that_dies_is_reported_and_started_again_while_the_rest_run(stack: Stack):
    before = ready_pids(stack)
    os.kill(before["worker"], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while ready_pids(stack)["worker"] == before["worker"]:
        assert stack.running, "onceonly up stopped"
        assert time.monotonic() < deadline, stack.log_path.read_text()[-3000:]
        time.sleep(0.2)
    log = stack.log_path.read_text()
    assert "worker died (exit code -9); restarting in 1 s (restart 1)" in log
    # The others kept their processes.
    assert {n: p for n, p in ready_pids(stack).items() if n != "worker"} == {
        n: p for n, p in before.items() if n != "worker"
    }
    assert " died " not in log.replace("worker died (exit code -9)", "")
    with citizen(stack, "parent-after-the-restart") as api:
        event_id = start_birth(api, stack)
        api.post(f"/v1/life-events/{event_id}/consents", json=GRANT_ALL).raise_for_status()
        event = wait_until_finished(api, event_id)
    assert event["status"] == "completed", event
    assert stack.stop() == 0
