"""The Health New Zealand mock (FHIR R4): a newborn's enrolment (NHI number, GP, Well Child
provider), the National Immunisation Register, and a patient's new address or death on their
NHI record, through the gates every agency passes with Health's own FHIR rules. Its opt-off
of the Immunisation Register is tested with the kit's withdrawals (test_kit_withdrawals.py).
"""

from typing import Any

import httpx
import pytest

from adapters import health
from adapters.health import HealthAdapter
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move
from tests.mocks.services import Service, mapped, records
from tests.mocks.support import BASE_URL

BIRTH_FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
}
DEATH_FACTS = {"deceased__death_registration_number": "2026/000777"}
ENROLMENT = BIRTH.step("health_enrolment").service
REGISTER = "/health/fhir/immunisation-register"
HEADERS = {"apikey": "dev-health-key", "Idempotency-Key": "k"}


SERVICES = {
    "health-enrolment": Service(
        "health",
        "/health/fhir/newborn-enrolments",
        mapped(health.to_health_enrolment, "health_enrolment", sample_birth, **BIRTH_FACTS),
        "entry.0.resource.id",
        "ZAA00AC",
        ("entry.0.resource.name.0.family", "Tāwhiao"),
        status=200,
    ),
    "health-nhi-address": Service(
        "health",
        "/health/fhir/nhi/address-updates",
        mapped(health.to_nhi_address_update, "update_health_address", sample_move, MOVE),
        "meta.versionId",
        "NHA-000001",
        ("name.0.family", "Tāwhiao"),
        status=200,
        keeps_macrons=True,
    ),
    "health-nhi-deceased": Service(
        "health",
        "/health/fhir/nhi/deceased-notifications",
        mapped(health.to_nhi_deceased, "notify_health", sample_death, DEATH, **DEATH_FACTS),
        "meta.versionId",
        "NHD-000001",
        ("name.0.family", "Tāwhiao"),
        status=200,
        keeps_macrons=True,
    ),
}
WRONG_FORMATS = [
    (
        "health-enrolment",
        "entry.0.resource.gender",
        "indeterminate",
        "Bundle.entry[0].resource.gender",
    ),
    (
        "health-enrolment",
        "entry.0.resource.birthDate",
        "01/11/2026",
        "Bundle.entry[0].resource.birthDate",
    ),
    (
        "health-enrolment",
        "entry.0.resource.address.0.postcode",
        "1011",
        "Bundle.entry[0].resource.address[0].postcode",
    ),
    ("health-nhi-address", "identifier.0.value", "ZZZ0017", "Patient.identifier[0].value"),
    ("health-nhi-address", "identifier.0.value", "ZZI0016", "Patient.identifier[0].value"),
    ("health-nhi-address", "birthDate", "20/05/1988", "Patient.birthDate"),
    ("health-nhi-address", "address.0.postcode", "6011", "Patient.address[0].postcode"),
    ("health-nhi-address", "address.0.line", "3/45 Cuba Street", "Patient.address[0].line"),
    (
        "health-nhi-address",
        "generalPractitioner.0.reference",
        "Practitioner/1",
        "Patient.generalPractitioner[0].reference",
    ),
    ("health-nhi-address", "generalPractitioner", ["Te Aro"], "Patient.generalPractitioner[0]"),
    ("health-nhi-deceased", "deceasedDateTime", "21/11/2026", "Patient.deceasedDateTime"),
    ("health-nhi-deceased", "deceasedDateTime", "1900-01-01", "Patient.deceasedDateTime"),
    ("health-nhi-deceased", "deceasedDateTime", "2026-11-21T10:00:00Z", "Patient.deceasedDateTime"),
    ("health-nhi-deceased", "deceasedDate", "2026-11-21", "Patient.deceasedDate"),
    ("health-nhi-deceased", "identifier.0.value", "ZAC5362", "Patient.identifier[0].value"),
]


class TestGates(AgencyGates):
    """Health's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


@pytest.fixture
def adapter(client: httpx.AsyncClient) -> HealthAdapter:
    return HealthAdapter(client, BASE_URL, "dev-health-key")


def _registration(nhi: str) -> dict[str, Any]:
    return health.to_immunisation_registration(
        disclose("immunisation_register", sample_birth(), child__nhi_number=nhi)
    )


async def test_the_immunisation_register_takes_the_enrolled_child_by_nhi(client, adapter):
    enrolment = disclose("health_enrolment", sample_birth(), **BIRTH_FACTS)
    enrolled = await adapter.submit(ENROLMENT, enrolment, "e/1")
    nhi = enrolled.outputs["child.nhi_number"]
    service = BIRTH.step("immunisation_register").service
    disclosure = disclose("immunisation_register", sample_birth(), child__nhi_number=nhi)
    first = await adapter.submit(service, disclosure, "e/immunisation")
    again = await adapter.submit(service, disclosure, "e/immunisation")
    assert first.reference == again.reference == "NIR-000001"
    held = await records(client, "health")
    # One record per idempotency key, both steps' in Health's one store.
    assert [r["idempotency_key"] for r in held] == ["e/1", "e/immunisation"]
    assert held[1]["received"] == _registration(nhi)


@pytest.mark.parametrize(
    ("nhi", "message"),
    [
        ("ZAA00AD", "check letter"),  # the mock's first NHI with a wrong check letter
        ("ZAI00AL", "new-format NHI"),  # NHI numbers never hold an I
    ],
)
async def test_the_immunisation_register_checks_the_nhi_itself(client, nhi, message):
    response = await client.post(REGISTER, json=_registration(nhi), headers=HEADERS)
    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["expression"] == ["Patient.identifier[0].value"]
    assert message in issue["diagnostics"]
    assert await records(client, "health") == []


async def test_the_immunisation_register_refuses_the_enrolment_format(client):
    body = SERVICES["health-enrolment"].body()
    response = await client.post(REGISTER, json=body, headers=HEADERS)
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"


async def test_macrons_survive_end_to_end(client, adapter):
    enrolment = disclose("health_enrolment", sample_birth(), **BIRTH_FACTS)
    await adapter.submit(ENROLMENT, enrolment, "k")
    (record,) = await records(client, "health")
    patient, well_child = (entry["resource"] for entry in record["received"]["entry"])
    assert patient["name"][0]["family"] == "Ngāta"
    assert well_child["managingOrganization"]["display"] == "Whānau Āwhina Plunket"
    raw = await client.get("/health/_records")
    assert "Ngāta".encode() in raw.content
