"""The moving-house and death services of BDM, IRD, MSD and Health, and BDM's and IRD's
prefill look-ups: each mock's own format, idempotency and refusals, and the adapters talking
to them through an in-memory transport.
"""

import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters import bdm, health, ird, msd
from adapters.base import AgencyAnswer, AgencyRejected, AgencyUnavailable
from adapters.bdm import BdmAdapter
from adapters.health import HealthAdapter
from adapters.ird import IrdAdapter
from adapters.msd import MsdAdapter
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec
from onceonly.domain.identifiers import is_valid_ird_number
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import DeathRecord
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BASE_URL = "http://agencies.test"
KEYS = {agency: f"dev-{agency}-key" for agency in ("bdm", "ird", "msd", "health")}
# A registration number as an earlier step would have issued it, for the steps that need one.
REGISTRATION = "2026/000777"

# Each agency's auth header and where its error body keeps its messages.
AUTH: dict[str, Callable[[str], dict[str, str]]] = {
    "bdm": lambda key: {"X-Api-Key": key},
    "ird": lambda key: {"Authorization": f"Bearer {key}"},
    "msd": lambda key: {"X-MSD-Client-Key": key},
    "health": lambda key: {"apikey": key},
}
MESSAGES: dict[str, Callable[[Any], str]] = {
    "bdm": lambda body: " ".join(f"{e['field']} {e['message']}" for e in body["errors"]),
    "ird": lambda body: f"{body['faultCode']} {body['faultString']}",
    "msd": lambda body: (
        " ".join(f"{d['path']} {d['issue']}" for d in body["error"]["details"])
        or body["error"]["message"]
    ),
    "health": lambda body: " ".join(issue["diagnostics"] for issue in body["issue"]),
}


@dataclass(frozen=True)
class Service:
    """One new service: its step, the adapter's mapping, and the mock's path and answer."""

    event: LifeEventSpec
    step_id: str
    mapping: Callable[[Any], dict[str, Any]]
    path: str
    status: int
    first_reference: str
    """The agency's first reference, as a pattern (BDM's year is the mock's today)."""
    surname: str
    """The path of a surname in the body: another valid value makes another submission."""

    @property
    def agency(self) -> str:
        """The agency the step names."""
        return self.event.step(self.step_id).agency

    @property
    def service(self) -> str:
        """The agency's service name, as the step runner passes it to the adapter."""
        return self.event.step(self.step_id).service

    def disclosure(self) -> dict[str, Any]:
        """The sample dossier's disclosure to this step, with the facts earlier steps issued."""
        data = sample_move() if self.event is MOVE else sample_death()
        if self.event is MOVE:
            return disclose(self.step_id, data, MOVE)
        return disclose(self.step_id, data, DEATH, deceased__death_registration_number=REGISTRATION)

    def body(self) -> dict[str, Any]:
        """A valid request in the agency's own format, made by the adapter's mapping."""
        return self.mapping(self.disclosure())


SERVICES = {
    service.step_id: service
    for service in (
        Service(
            DEATH,
            "register_death",
            bdm.to_bdm_death_registration,
            "/bdm/v1/death-registrations",
            201,
            r"[0-9]{4}/000001",
            "deceased.surname",
        ),
        Service(
            MOVE,
            "update_ird_address",
            ird.to_ird_address_change,
            "/ird/gateway/v2/address-changes",
            200,
            "AC-00000001",
            "surname",
        ),
        Service(
            DEATH,
            "notify_ird",
            ird.to_ird_deceased_notification,
            "/ird/gateway/v2/deceased-notifications",
            200,
            "DC-00000001",
            "notifierSurname",
        ),
        Service(
            MOVE,
            "update_msd_address",
            msd.to_msd_change_of_circumstances,
            "/msd/api/clients/changes-of-circumstances",
            201,
            "CC-000001",
            "client.last_name",
        ),
        Service(
            DEATH,
            "stop_msd_payments",
            msd.to_msd_stop_payments,
            "/msd/api/clients/payment-stops",
            201,
            "SP-000001",
            "client.last_name",
        ),
        Service(
            DEATH,
            "funeral_grant",
            msd.to_msd_funeral_grant,
            "/msd/api/funeral-grant/applications",
            201,
            "FG-000001",
            "applicant.last_name",
        ),
        Service(
            MOVE,
            "update_health_address",
            health.to_nhi_address_update,
            "/health/fhir/nhi/address-updates",
            200,
            "NHA-000001",
            "name.0.family",
        ),
        Service(
            DEATH,
            "notify_health",
            health.to_nhi_deceased,
            "/health/fhir/nhi/deceased-notifications",
            200,
            "NHD-000001",
            "name.0.family",
        ),
    )
}


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, Any]:
    # Built one by one: these tests are about these four agencies only.
    classes = (BdmAdapter, IrdAdapter, MsdAdapter, HealthAdapter)
    return {cls.agency: cls(client, BASE_URL, KEYS[cls.agency]) for cls in classes}


async def _post(
    client: httpx.AsyncClient, service: Service, body: Any, *, idempotency_key: str = "key-1"
) -> httpx.Response:
    headers = AUTH[service.agency](KEYS[service.agency]) | {"Idempotency-Key": idempotency_key}
    return await client.post(service.path, json=body, headers=headers)


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    records: list[dict[str, Any]] = response.json()["records"]
    return records


def _changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with the value at a dotted path (list indexes as digits) replaced."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value
    return copy


def _reference(answer: dict[str, Any]) -> str:
    # Each agency names its reference its own way; every answer here holds exactly one.
    # Health answers the updated FHIR Patient, whose version is the update's id.
    keys = ("deathRegistrationNumber", "caseReference", "case_id", "application_id")
    found = [answer[key] for key in keys if key in answer]
    found += [answer["meta"]["versionId"]] if answer.get("resourceType") == "Patient" else []
    assert len(found) == 1, answer
    return str(found[0])


# --- each service takes its adapter's mapping, once per idempotency key --------------------


@pytest.mark.parametrize("step_id", SERVICES)
async def test_each_new_service_takes_its_adapters_mapping_of_the_sample(client, step_id):
    service = SERVICES[step_id]
    body = service.body()
    response = await _post(client, service, body)
    assert response.status_code == service.status, response.text
    assert re.fullmatch(service.first_reference, _reference(response.json()))
    [record] = await _records(client, service.agency)
    assert record["received"] == body
    # Macrons are kept as the citizen wrote them (every sample name has one).
    assert re.search("[āēīōū]", json.dumps(record["received"], ensure_ascii=False))


@pytest.mark.parametrize("step_id", SERVICES)
async def test_a_repeat_returns_the_first_answer_and_another_body_conflicts(client, step_id):
    service = SERVICES[step_id]
    first = await _post(client, service, service.body(), idempotency_key="event-1/step")
    again = await _post(client, service, service.body(), idempotency_key="event-1/step")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    other = _changed(service.body(), service.surname, "Tāwhiao")
    conflict = await _post(client, service, other, idempotency_key="event-1/step")
    assert conflict.status_code == 409
    assert "Idempotency-Key" in MESSAGES[service.agency](conflict.json())
    # The other body under a key of its own is a submission of its own.
    second = await _post(client, service, other, idempotency_key="event-2/step")
    assert _reference(second.json()) != _reference(first.json())
    assert len(await _records(client, service.agency)) == 2


# A wrong format per service: the path to change, the value to put there, and the agency's
# field name the refusal must give. Each value is one a sloppy mapping could send.
WRONG_FORMATS = [
    ("register_death", "deceased.dateOfDeath", "21/11/2026", "deceased.dateOfDeath"),
    ("register_death", "deceased.dateOfDeath", "1900-01-01", "deceased.dateOfDeath"),
    ("register_death", "deceased.sex", "male", "deceased.sex"),
    ("register_death", "deceased.givenNames", "Hōhepa 2", "deceased.givenNames"),
    ("register_death", "deceased.middleName", "Te Rangi", "deceased.middleName"),
    ("register_death", "informant.relationship", "child", "informant.relationship"),
    ("register_death", "usualResidence.ruralDelivery", "2", "usualResidence.ruralDelivery"),
    ("update_ird_address", "effectiveDate", "2026-11-22", "effectiveDate"),
    ("update_ird_address", "irdNumber", "049-091-850", "irdNumber"),
    ("update_ird_address", "irdNumber", "049091851", "irdNumber"),
    ("update_ird_address", "residentialAddress", "3/45 Cuba Street", "residentialAddress"),
    ("notify_ird", "dateOfDeath", "2026-11-21", "dateOfDeath"),
    ("notify_ird", "dateOfDeath", "01/01/1900", "dateOfDeath"),
    ("notify_ird", "deathRegistrationNumber", "2026-000777", "deathRegistrationNumber"),
    ("notify_ird", "notifierRelationship", "SPOUSE_PARTNER", "notifierRelationship"),
    ("notify_ird", "notifierCapacity", "executor", "notifierCapacity"),
    ("notify_ird", "notifierPostalAddress", "PO Box 1234", "notifierPostalAddress"),
    ("update_msd_address", "client_number", "12345678", "client_number"),
    ("update_msd_address", "client.firstName", "Mere", "client.firstName"),
    ("update_msd_address", "new_address.post_code", "60110", "new_address.post_code"),
    ("update_msd_address", "new_address.rural_delivery", "RD 2", "new_address.rural_delivery"),
    ("update_msd_address", "new_address.unit_type", "Flatette", "new_address.unit_type"),
    (
        "update_msd_address",
        "new_address.street_number_last",
        "47-49",
        "new_address.street_number_last",
    ),
    ("update_msd_address", "effective_date", "22/11/2026", "effective_date"),
    ("update_msd_address", "phone", "021 555 0142", "phone"),
    ("stop_msd_payments", "client.date_of_death", "21/11/2026", "client.date_of_death"),
    ("stop_msd_payments", "client.date_of_death", "1900-01-01", "client.date_of_death"),
    ("stop_msd_payments", "death_registration_number", "000777", "death_registration_number"),
    ("funeral_grant", "funeral.cost", "99", "funeral.cost"),
    ("funeral_grant", "funeral.cost", 99.5, "funeral.cost"),
    ("funeral_grant", "funeral.cost", "0.00", "funeral.cost"),
    ("funeral_grant", "applicant.relationship", "spouse_or_partner", "applicant.relationship"),
    ("funeral_grant", "applicant.postal_address.kind", "po_box", "applicant.postal_address"),
    ("funeral_grant", "applicant.postal_address.box_type", "PO Box", "box_type"),
    ("funeral_grant", "applicant.postal_address.box_number", None, "applicant.postal_address"),
    ("update_health_address", "identifier.0.value", "ZZZ0017", "Patient.identifier[0].value"),
    ("update_health_address", "identifier.0.value", "ZZI0016", "Patient.identifier[0].value"),
    ("update_health_address", "birthDate", "20/05/1988", "Patient.birthDate"),
    ("update_health_address", "address.0.postcode", "6011", "Patient.address[0].postcode"),
    ("update_health_address", "address.0.line", "3/45 Cuba Street", "Patient.address[0].line"),
    (
        "update_health_address",
        "generalPractitioner.0.reference",
        "Practitioner/1",
        "Patient.generalPractitioner[0].reference",
    ),
    ("update_health_address", "generalPractitioner", ["Te Aro"], "generalPractitioner[0]"),
    ("notify_health", "deceasedDateTime", "21/11/2026", "Patient.deceasedDateTime"),
    ("notify_health", "deceasedDateTime", "1900-01-01", "Patient.deceasedDateTime"),
    ("notify_health", "deceasedDateTime", "2026-11-21T10:00:00Z", "Patient.deceasedDateTime"),
    # FHIR has no deceasedDate (deceased[x] is a dateTime or a boolean).
    ("notify_health", "deceasedDate", "2026-11-21", "Patient.deceasedDate"),
    ("notify_health", "identifier.0.value", "ZAC5362", "Patient.identifier[0].value"),
]


@pytest.mark.parametrize(("step_id", "path", "value", "field"), WRONG_FORMATS)
async def test_each_service_refuses_a_wrong_format_by_its_own_field_name(
    client, step_id, path, value, field
):
    service = SERVICES[step_id]
    response = await _post(client, service, _changed(service.body(), path, value))
    assert response.status_code == 422
    message = MESSAGES[service.agency](response.json())
    assert field in message
    if value is not None:
        assert str(value) not in message
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("step_id", SERVICES)
async def test_each_service_needs_its_agencys_key(client, step_id):
    service = SERVICES[step_id]
    headers = {"Idempotency-Key": "k"} | AUTH[service.agency]("wrong-key")
    response = await client.post(service.path, json=service.body(), headers=headers)
    assert response.status_code == 401
    assert "API key" in MESSAGES[service.agency](response.json())


# --- the adapters end to end ---------------------------------------------------------------


async def test_the_death_steps_chain_through_the_agencies(client, adapters):
    death = sample_death()
    registered = await adapters["bdm"].submit(
        "death-registration", disclose("register_death", death, DEATH), "death-1/register_death"
    )
    number = registered.outputs["deceased.death_registration_number"]
    assert registered.reference == number
    assert re.fullmatch(r"[0-9]{4}/000001", number)
    answers = {}
    for step_id in ("notify_ird", "stop_msd_payments", "funeral_grant", "notify_health"):
        step = DEATH.step(step_id)
        disclosure = disclose(step_id, death, DEATH, deceased__death_registration_number=number)
        answers[step_id] = await adapters[step.agency].submit(
            step.service, disclosure, f"death-1/{step_id}"
        )
    assert answers == {
        "notify_ird": AgencyAnswer(reference="DC-00000001"),
        "stop_msd_payments": AgencyAnswer(reference="SP-000001"),
        "funeral_grant": AgencyAnswer(reference="FG-000001"),
        "notify_health": AgencyAnswer(reference="NHD-000001"),
    }
    [ird_record] = await _records(client, "ird")
    assert ird_record["received"]["deathRegistrationNumber"] == number
    # The registered death is in BDM's register for the other events' prefill.
    assert await adapters["bdm"].death_record(number) == DeathRecord(
        registration_number=number,
        # BDM holds given names as one string; they come back one word to a name.
        name=PersonName(
            given_names=["Hōhepa", "Te", "Rangi"], family_name="Synthetic", known_as="Joe"
        ),
        date_of_birth=date(1941, 2, 11),
        date_of_death=death.deceased.date_of_death,
        sex="male",
        place_of_death="Whangārei Hospital",
    )


async def test_the_moving_steps_go_through_the_agencies_once_per_key(client, adapters):
    move = sample_move()
    for step_id, reference in (
        ("update_ird_address", "AC-00000001"),
        ("update_msd_address", "CC-000001"),
        ("update_health_address", "NHA-000001"),
    ):
        step = MOVE.step(step_id)
        disclosure = disclose(step_id, move, MOVE)
        first = await adapters[step.agency].submit(step.service, disclosure, f"move-1/{step_id}")
        again = await adapters[step.agency].submit(step.service, disclosure, f"move-1/{step_id}")
        assert first == again == AgencyAnswer(reference=reference)
        [record] = await _records(client, step.agency)
        assert record["received"] == SERVICES[step_id].body()


async def test_the_adapter_raises_the_agencys_refusal_without_the_value(client, adapters):
    # Canonically valid, but BDM refuses a death before the birth by its own rule.
    death = sample_death()
    deceased = death.deceased.model_copy(update={"date_of_birth": date(2026, 11, 24)})
    disclosure = disclose("register_death", death.model_copy(update={"deceased": deceased}), DEATH)
    with pytest.raises(AgencyRejected) as refused:
        await adapters["bdm"].submit("death-registration", disclosure, "k")
    assert "deceased.dateOfDeath: must not be before dateOfBirth" in str(refused.value)
    assert refused.value.non_retryable
    assert await _records(client, "bdm") == []


@pytest.mark.parametrize("agency", ["bdm", "ird", "msd", "health"])
async def test_an_unknown_service_is_still_refused(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", {}, "k")


# --- BDM's register of deaths --------------------------------------------------------------


async def test_an_unknown_death_registration_number_is_rejected(adapters):
    with pytest.raises(AgencyRejected, match="HTTP 404") as refused:
        await adapters["bdm"].death_record("2026/999999")
    assert refused.value.non_retryable
    assert "2026/999999" not in str(refused.value)


async def test_a_birth_registration_number_is_no_death(client, adapters):
    birth = disclose("register_birth", sample_birth())
    registered = await adapters["bdm"].submit(BIRTH.step("register_birth").service, birth, "b")
    with pytest.raises(AgencyRejected, match="HTTP 404"):
        await adapters["bdm"].death_record(registered.reference)


async def test_a_malformed_number_is_refused_before_any_call():
    def never(request: httpx.Request) -> httpx.Response:
        raise AssertionError("BDM was called")

    async with httpx.AsyncClient(transport=httpx.MockTransport(never)) as client:
        adapter = BdmAdapter(client, BASE_URL, KEYS["bdm"])
        with pytest.raises(AgencyRejected, match="yyyy/nnnnnn") as refused:
            await adapter.death_record("2026-000001")
    assert "2026-000001" not in str(refused.value)


async def test_the_death_look_up_passes_the_key_format_and_fault_gates(client, adapters):
    lookup = "/bdm/v1/death-registrations"
    assert (await client.get(f"{lookup}/2026/000001")).status_code == 401
    headers = AUTH["bdm"](KEYS["bdm"])
    malformed = await client.get(f"{lookup}/26/0000x1", headers=headers)
    assert malformed.status_code == 422
    assert {e["field"] for e in malformed.json()["errors"]} == {"year", "number"}
    assert "0000x1" not in malformed.text
    await client.put("/bdm/_faults", json={"error_rate": 1.0, "latency_ms": 0})
    with pytest.raises(AgencyUnavailable, match="HTTP 503"):
        await adapters["bdm"].death_record("2026/000001")


# --- IRD's customers -----------------------------------------------------------------------


async def test_a_customers_ird_number_is_valid_and_stable(adapters):
    number = await adapters["ird"].own_ird_number("demo-citizen")
    assert is_valid_ird_number(number)
    assert re.fullmatch(r"[0-9]{9}", number)
    assert await adapters["ird"].own_ird_number("demo-citizen") == number
    assert await adapters["ird"].own_ird_number("citizen-2") != number


async def test_a_fresh_mock_knows_the_same_customer_numbers(tmp_path):
    numbers = []
    for name in ("one.db", "two.db"):
        app = create_app(tmp_path / name, environ={})
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers=admin_headers()
        ) as client:
            adapter = IrdAdapter(client, BASE_URL, KEYS["ird"])
            numbers.append(await adapter.own_ird_number("urn:citizen:42"))
    assert numbers[0] == numbers[1]


async def test_an_identity_outside_the_rule_is_refused_by_name(client, adapters):
    with pytest.raises(AgencyRejected, match="identity: must be") as refused:
        await adapters["ird"].own_ird_number("mere tūhoe")
    assert "mere" not in str(refused.value)
    unauthorised = await client.get("/ird/gateway/v2/customers/demo-citizen/ird-number")
    assert unauthorised.status_code == 401
    assert unauthorised.json()["faultCode"] == "UNAUTHORISED"


def test_the_look_ups_document_their_path_parameters(app):
    paths = app.openapi()["paths"]
    lookups = {
        "/bdm/v1/death-registrations/{year}/{number}": ["year", "number"],
        "/ird/gateway/v2/customers/{identity}/ird-number": ["identity"],
    }
    for path, names in lookups.items():
        parameters = paths[path]["get"]["parameters"]
        assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
            (name, "path", True) for name in names
        ]
