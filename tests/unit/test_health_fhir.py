"""Health speaks FHIR R4 for real: every request the Health adapter builds, and every answer
and refusal of the Health mock, is a valid resource by `fhir.resources` (FHIR R4B, R4's
compatible point release), a reference the project did not write. The mock refuses an
invalid resource with an OperationOutcome naming the element's FHIRPath, as a FHIR server
does, and the adapter reads the mock's FHIR answers back into the references and NHI it had.
"""

import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from adapters import health
from adapters.base import AgencyAnswer, AgencyRejected
from adapters.health import HealthAdapter
from adapters.health_fhir import NHI_SYSTEM, ROLE_CODE_SYSTEM, DeletionOutcome
from adapters.http import read_answer
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from onceonly.domain.people import PersonName
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BASE_URL = "http://agencies.test"
KEY = "dev-health-key"
REGISTRATION = "2026/000777"
CHILD_NHI = "ZAA00AC"  # the mock's first NHI number (HISO 10046:2023, mod 23)
RURAL = Address(number="1280", street="State Highway 1", rural_delivery=2, city="Kaiwaka",
                postcode="0573")  # fmt: skip


def _birth_without_extras() -> Any:
    """A birth with no phone, no usual name, no unit or suburb, of indeterminate sex."""
    data = sample_birth(address=RURAL)
    child = data.child.model_copy(
        update={"sex": "indeterminate", "name": PersonName(given_names=["Aroha"], family_name="N")}
    )
    parent = data.birth_parent.model_copy(update={"phone": None})
    return data.model_copy(update={"child": child, "birth_parent": parent})


def _move_without_gp() -> Any:
    return sample_move().model_copy(update={"gp_practice": None, "new_address": RURAL})


# Every request the adapter builds, each service with its variants, and its FHIR type.
REQUESTS: dict[str, tuple[Callable[[], dict[str, Any]], type[Resource]]] = {
    "enrolment": (
        lambda: health.to_health_enrolment(
            disclose(
                "health_enrolment", sample_birth(), child__birth_registration_number=REGISTRATION
            )
        ),
        Bundle,
    ),
    "enrolment-rural-indeterminate": (
        lambda: health.to_health_enrolment(
            disclose(
                "health_enrolment",
                _birth_without_extras(),
                child__birth_registration_number=REGISTRATION,
            )
        ),
        Bundle,
    ),
    "immunisation": (
        lambda: health.to_immunisation_registration(
            disclose("immunisation_register", sample_birth(), child__nhi_number=CHILD_NHI)
        ),
        Patient,
    ),
    "immunisation-no-phone": (
        lambda: health.to_immunisation_registration(
            disclose("immunisation_register", _birth_without_extras(), child__nhi_number=CHILD_NHI)
        ),
        Patient,
    ),
    "address-update": (
        lambda: health.to_nhi_address_update(
            disclose("update_health_address", sample_move(), MOVE)
        ),
        Patient,
    ),
    "address-update-no-gp": (
        lambda: health.to_nhi_address_update(
            disclose("update_health_address", _move_without_gp(), MOVE)
        ),
        Patient,
    ),
    "deceased": (
        lambda: health.to_nhi_deceased(disclose("notify_health", sample_death(), DEATH)),
        Patient,
    ),
}


@pytest.mark.parametrize("name", REQUESTS)
def test_every_request_is_a_valid_fhir_r4_resource(name):
    build, resource_type = REQUESTS[name]
    request = build()
    resource_type.model_validate(request)
    # And exactly as sent: nothing fhir.resources would have dropped or renamed.
    assert resource_type.model_validate(request).model_dump(mode="json", exclude_none=True) == (
        request
    )


def test_the_contact_relationship_is_a_codeable_concept_of_hl7_role_codes():
    patient = Patient.model_validate(REQUESTS["immunisation"][0]())
    [contact] = patient.contact or []
    [relationship] = contact.relationship or []
    [coding] = relationship.coding or []
    assert (coding.system, coding.code) == (ROLE_CODE_SYSTEM, "NPRN")
    [phone] = contact.telecom or []
    assert (phone.system, phone.value) == ("phone", "0211234567")


def test_a_death_is_deceased_date_time_and_identifiers_use_the_nhi_system():
    patient = Patient.model_validate(REQUESTS["deceased"][0]())
    assert str(patient.deceasedDateTime) == "2026-11-21"
    assert [(i.system, i.use) for i in patient.identifier or []] == [
        ("https://standards.digital.health.nz/ns/nhi-id", "official")
    ]


def test_the_enrolment_links_its_well_child_care_to_the_patient_it_creates():
    request = REQUESTS["enrolment"][0]()
    Bundle.model_validate(request)
    patient_entry, episode_entry = request["entry"]
    assert patient_entry["request"] == {"method": "POST", "url": "Patient"}
    assert episode_entry["request"] == {"method": "POST", "url": "EpisodeOfCare"}
    assert episode_entry["resource"]["patient"] == {"reference": patient_entry["fullUrl"]}


@pytest.mark.parametrize(
    ("resource_type", "resource", "element"),
    [
        # The two mistakes the adapter used to make, which a FHIR R4 validator refuses.
        (Patient, {"contact": [{"relationship": ["birth-parent"]}]}, "relationship"),
        (Patient, {"deceasedDate": "2026-11-21"}, "deceasedDate"),
    ],
)
def test_fhir_resources_refuses_what_the_adapter_used_to_send(resource_type, resource, element):
    with pytest.raises(ValidationError) as refused:
        resource_type.model_validate({"resourceType": "Patient"} | resource)
    assert element in str(refused.value)


# --- the mock: FHIR answers, FHIR refusals ---------------------------------------------------


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


async def _held(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/health/_records")
    assert response.status_code == 200
    held: dict[str, Any] = response.json()
    return held


async def test_every_answer_of_the_mock_is_fhir_and_the_adapter_reads_it_back(client):
    adapter = HealthAdapter(client, BASE_URL, KEY)
    enrolled = await adapter.submit(
        BIRTH.step("health_enrolment").service,
        disclose("health_enrolment", sample_birth(), child__birth_registration_number=REGISTRATION),
        "birth-1/health_enrolment",
    )
    assert enrolled == AgencyAnswer(reference="ENR-000001", outputs={"child.nhi_number": CHILD_NHI})
    registered = await adapter.submit(
        BIRTH.step("immunisation_register").service,
        disclose("immunisation_register", sample_birth(), child__nhi_number=CHILD_NHI),
        "birth-1/immunisation_register",
    )
    assert registered == AgencyAnswer(reference="NIR-000001")
    moved = await adapter.submit(
        MOVE.step("update_health_address").service,
        disclose("update_health_address", sample_move(), MOVE),
        "move-1/update_health_address",
    )
    assert moved == AgencyAnswer(reference="NHA-000001")
    died = await adapter.submit(
        DEATH.step("notify_health").service,
        disclose("notify_health", sample_death(), DEATH),
        "death-1/notify_health",
    )
    assert died == AgencyAnswer(reference="NHD-000001")
    withdrawn = await adapter.withdraw(
        BIRTH.step("immunisation_register").service, "NIR-000001", "birth-1/withdrawal"
    )
    assert (withdrawn.reference, withdrawn.outcome) == ("NIRD-000001", "deleted")

    held = await _held(client)
    answers = [record["answer"] for record in held["records"]]
    Bundle.model_validate(answers[0])
    assert answers[0]["type"] == "transaction-response"
    assert [(e["response"]["status"], e["response"]["location"]) for e in answers[0]["entry"]] == [
        ("201 Created", f"Patient/{CHILD_NHI}/_history/1"),
        ("201 Created", "EpisodeOfCare/ENR-000001/_history/1"),
    ]
    for answer in answers[1:]:
        patient = Patient.model_validate(answer)
        assert patient.meta is not None and patient.meta.lastUpdated is not None
    [deletion] = held["withdrawals"]
    outcome = OperationOutcome.model_validate(deletion["answer"])
    assert [issue.severity for issue in outcome.issue] == ["information"]


# Resources that are not valid FHIR R4, each at its service: the element path the refusal
# must name, and the rule.
INVALID = [
    (
        "/health/fhir/immunisation-register",
        "immunisation",
        ("contact", 0, "relationship"),
        ["birth-parent"],
        "Patient.contact[0].relationship[0]",
        "complex-type object",
    ),
    (
        "/health/fhir/nhi/deceased-notifications",
        "deceased",
        ("deceasedDate",),
        "2026-11-21",
        "Patient.deceasedDate",
        "not an element",
    ),
    (
        "/health/fhir/nhi/address-updates",
        "address-update",
        ("birthDate",),
        "1988-5-20",
        "Patient.birthDate",
        "must be valid FHIR R4",
    ),
    (
        "/health/fhir/nhi/address-updates",
        "address-update",
        ("resourceType",),
        "Observation",
        "Patient.resourceType",
        "must be Patient",
    ),
    (
        "/health/fhir/newborn-enrolments",
        "enrolment",
        ("entry", 0, "resource", "telecom"),
        ["021 123 4567"],
        "Bundle.entry[0].resource.telecom[0]",
        "complex-type object",
    ),
    (
        "/health/fhir/newborn-enrolments",
        "enrolment",
        ("entry", 1, "resource", "status"),
        "on-hold",
        "Bundle.entry[1].resource.status",
        "'active'",
    ),
]


def _with(body: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = body
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return body


@pytest.mark.parametrize(("path", "request_name", "at", "value", "element", "rule"), INVALID)
async def test_the_mock_refuses_an_invalid_resource_with_an_operation_outcome(
    client, path, request_name, at, value, element, rule
):
    body = _with(REQUESTS[request_name][0](), at, value)
    headers = {"apikey": KEY, "Idempotency-Key": "k"}
    response = await client.post(path, json=body, headers=headers)
    assert response.status_code == 422
    outcome = OperationOutcome.model_validate(response.json())
    [issue] = outcome.issue
    assert (issue.severity, issue.code, issue.expression) == ("error", "invalid", [element])
    assert issue.diagnostics is not None
    assert issue.diagnostics.startswith(f"{element}: ")
    assert rule in issue.diagnostics
    assert str(value) not in issue.diagnostics
    assert (await _held(client))["records"] == []


async def test_the_mocks_other_refusals_are_operation_outcomes_too(client):
    headers = {"apikey": "wrong", "Idempotency-Key": "k"}
    unauthorised = await client.post("/health/fhir/immunisation-register", json={}, headers=headers)
    assert unauthorised.status_code == 401
    OperationOutcome.model_validate(unauthorised.json())
    not_json = await client.post(
        "/health/fhir/immunisation-register",
        content=b"{not json",
        headers={"apikey": KEY, "Idempotency-Key": "k"},
    )
    assert not_json.status_code == 422
    [issue] = OperationOutcome.model_validate(not_json.json()).issue
    assert issue.diagnostics == "the body must be valid JSON"


# --- the adapter reads FHIR answers strictly enough -----------------------------------------


def _response(*resources: dict[str, Any]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "transaction-response",
        "entry": [{"resource": r, "response": {"status": "201 Created"}} for r in resources],
    }


PATIENT = {
    "resourceType": "Patient",
    "id": CHILD_NHI,
    "identifier": [{"system": NHI_SYSTEM, "value": CHILD_NHI}],
}
EPISODE = {"resourceType": "EpisodeOfCare", "id": "ENR-000001"}


@pytest.mark.parametrize(
    ("answer", "missing"),
    [
        (_response(EPISODE), "nhi"),
        (_response(PATIENT), "enrolment_id"),
        (_response(PATIENT | {"identifier": []}, EPISODE), "nhi"),
        (_response(PATIENT, EPISODE, EPISODE), "enrolment_id"),
        (_response(PATIENT, EPISODE) | {"type": "transaction"}, "type"),
        (_response(PATIENT | {"id": "not an id"}, EPISODE), "entry.0.resource.id"),
    ],
)
def test_an_enrolment_answer_without_one_nhi_and_one_enrolment_is_refused(answer, missing):
    with pytest.raises(AgencyRejected, match="documented format") as refused:
        health.from_health_answer(answer)
    assert missing in str(refused.value)
    assert refused.value.non_retryable


def test_the_adapter_reads_a_deletion_only_from_an_informing_outcome():
    with pytest.raises(AgencyRejected, match="documented format"):
        read_answer(
            "health",
            {"resourceType": "OperationOutcome", "id": "NIRD-1", "issue": [{"severity": "error"}]},
            DeletionOutcome,
        )


def test_the_adapter_does_not_load_fhir_resources_at_run_time():
    # The adapter builds and reads FHIR JSON itself; the models are for the mock and tests.
    code = "import sys, adapters.health; print('fhir.resources' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "False"
