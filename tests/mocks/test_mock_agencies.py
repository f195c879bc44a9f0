"""The mock agencies in process: auth, idempotency, formats, faults, storage, and the adapters
talking to them through an in-memory transport.
"""

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters import bdm, health, ird, msd
from adapters.base import AgencyAdapter, AgencyRejected, AgencyUnavailable
from adapters.bdm import BdmAdapter
from adapters.registry import build_adapters
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.catalogue import BIRTH
from onceonly.settings import AGENCIES as AGENCIES_WITH_KEYS
from tests.mocks.samples import disclose, sample_birth

BASE_URL = "http://agencies.test"
KEYS = {agency: f"dev-{agency}-key" for agency in AGENCIES_WITH_KEYS}
# Each agency's first birth service (Health's second, the immunisation register, is tested apart).
SERVICES = {step.agency: step.service for step in reversed(BIRTH.steps)}
REGISTRATION = "2026/000001"
CHILD_IRD = "130000010"


def _disclosure(agency: str) -> dict[str, Any]:
    """The sample dossier's disclosure to `agency`, with the facts earlier steps issued."""
    step_id = next(step.id for step in BIRTH.steps if step.agency == agency)
    return disclose(
        step_id,
        sample_birth(),
        child__birth_registration_number=REGISTRATION,
        child__ird_number=CHILD_IRD,
    )


# Each agency's submission path, its auth header, and where its error body keeps messages.
AGENCIES: dict[str, tuple[str, Callable[[str], dict[str, str]], Callable[[Any], str]]] = {
    "bdm": (
        "/bdm/v1/birth-registrations",
        lambda key: {"X-Api-Key": key},
        lambda body: " ".join(f"{e['field']} {e['message']}" for e in body["errors"]),
    ),
    "ird": (
        "/ird/gateway/v2/newborn-registrations",
        lambda key: {"Authorization": f"Bearer {key}"},
        lambda body: f"{body['faultCode']} {body['faultString']}",
    ),
    "msd": (
        "/msd/api/best-start/applications",
        lambda key: {"X-MSD-Client-Key": key},
        lambda body: (
            " ".join(f"{d['path']} {d['issue']}" for d in body["error"]["details"])
            or body["error"]["message"]
        ),
    ),
    "health": (
        "/health/fhir/newborn-enrolments",
        lambda key: {"apikey": key},
        lambda body: " ".join(issue["diagnostics"] for issue in body["issue"]),
    ),
}


def _body(agency: str) -> dict[str, Any]:
    """A valid request in the agency's own format, made by its adapter's mapping."""
    mappings = {
        "bdm": bdm.to_bdm_registration,
        "ird": ird.to_ird_newborn_registration,
        "msd": msd.to_msd_best_start,
        "health": health.to_health_enrolment,
    }
    return mappings[agency](_disclosure(agency))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "agencies.db"


@pytest.fixture
def app(db_path: Path) -> FastAPI:
    return create_app(db_path, environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


@pytest.fixture
def adapters(client: httpx.AsyncClient) -> dict[str, AgencyAdapter]:
    return build_adapters(client, BASE_URL, KEYS)


async def _post(
    client: httpx.AsyncClient,
    agency: str,
    body: Any,
    *,
    key: str | None = "default",
    idempotency_key: str | None = "key-1",
) -> httpx.Response:
    path, auth, _ = AGENCIES[agency]
    headers = auth(KEYS[agency] if key == "default" else key) if key is not None else {}
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    return await client.post(path, json=body, headers=headers)


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    records: list[dict[str, Any]] = response.json()["records"]
    return records


async def test_healthz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}


@pytest.mark.parametrize("agency", AGENCIES)
@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_a_missing_or_wrong_api_key_is_refused(client, agency, key):
    response = await _post(client, agency, _body(agency), key=key)
    assert response.status_code == 401
    assert "API key" in AGENCIES[agency][2](response.json())
    assert await _records(client, agency) == []


async def test_each_agency_reads_only_its_own_header_style(client):
    # BDM's key in IRD's header style is no key at all to BDM.
    response = await client.post(
        AGENCIES["bdm"][0],
        json=_body("bdm"),
        headers={"Authorization": "Bearer dev-bdm-key", "Idempotency-Key": "k"},
    )
    assert response.status_code == 401


@pytest.mark.parametrize("agency", AGENCIES)
async def test_a_submission_needs_an_idempotency_key(client, agency):
    response = await _post(client, agency, _body(agency), idempotency_key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in AGENCIES[agency][2](response.json())
    assert await _records(client, agency) == []


@pytest.mark.parametrize("agency", AGENCIES)
async def test_a_repeat_returns_the_first_answer_and_makes_one_record(client, adapters, agency):
    adapter = adapters[agency]
    first = await adapter.submit(SERVICES[agency], _disclosure(agency), "birth-1/" + agency)
    again = await adapter.submit(SERVICES[agency], _disclosure(agency), "birth-1/" + agency)
    assert again == first
    records = await _records(client, agency)
    assert len(records) == 1
    assert records[0]["idempotency_key"] == "birth-1/" + agency
    assert records[0]["received"] == _body(agency)
    assert records[0]["recorded_at"].endswith("+00:00")
    raw = await _post(client, agency, _body(agency), idempotency_key="birth-1/" + agency)
    assert raw.json() == records[0]["answer"]
    # IRD answers 200; Health's transaction (a FHIR Bundle) succeeds with 200 OK as a whole.
    assert raw.status_code == records[0]["status"] == (200 if agency in ("ird", "health") else 201)


@pytest.mark.parametrize("agency", AGENCIES)
async def test_concurrent_repeats_make_one_record(client, adapters, agency):
    adapter = adapters[agency]
    answers = await asyncio.gather(
        *(adapter.submit(SERVICES[agency], _disclosure(agency), "same") for _ in range(10))
    )
    assert all(answer == answers[0] for answer in answers)
    assert len(await _records(client, agency)) == 1


async def test_different_keys_make_different_references(adapters):
    bdm = adapters["bdm"]
    first = await bdm.submit(SERVICES["bdm"], _disclosure("bdm"), "a")
    second = await bdm.submit(SERVICES["bdm"], _disclosure("bdm"), "b")
    assert first.reference != second.reference
    assert second.reference.endswith("/000002")


async def test_the_same_key_for_a_different_submission_is_a_conflict(client, adapters):
    await adapters["bdm"].submit(SERVICES["bdm"], _disclosure("bdm"), "k")
    other = _disclosure("bdm") | {"child.place_of_birth": "Wellington Hospital"}
    with pytest.raises(AgencyRejected, match="already used"):
        await adapters["bdm"].submit(SERVICES["bdm"], other, "k")
    assert len(await _records(client, "bdm")) == 1


def _changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with the value at a dotted path (list indexes as digits) replaced."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[last] = value
    return copy


# A wrong format per agency: the path to change, the value to put there, and the agency's
# field name the refusal must give. Each value is one a sloppy mapping could send.
WRONG_FORMATS = [
    ("bdm", "usualResidence.postcode", "10110", "usualResidence.postcode"),
    ("bdm", "usualResidence.line1", "Level 3, Willis Street", "usualResidence.line1"),
    ("bdm", "child.sex", "female", "child.sex"),
    ("bdm", "child.middleName", "Mere", "child.middleName"),
    ("ird", "childDateOfBirth", "2026-11-01", "childDateOfBirth"),
    ("ird", "parentIrdNumber", "049-091-850", "parentIrdNumber"),
    ("ird", "postalAddress", "1/21A Smith Street", "postalAddress"),
    ("msd", "address.post_code", "10110", "address.post_code"),
    ("msd", "applicant.ird_number", None, "applicant.ird_number"),
    ("msd", "child.dateOfBirth", "2026-11-01", "child.dateOfBirth"),
    ("health", "entry.0.resource.gender", "indeterminate", "Bundle.entry[0].resource.gender"),
    ("health", "entry.0.resource.birthDate", "01/11/2026", "Bundle.entry[0].resource.birthDate"),
    (
        "health",
        "entry.0.resource.address.0.postcode",
        "1011",
        "Bundle.entry[0].resource.address[0].postcode",
    ),
]


@pytest.mark.parametrize(("agency", "path", "value", "field"), WRONG_FORMATS)
async def test_each_agency_refuses_a_wrong_format_without_quoting_it(
    client, agency, path, value, field
):
    response = await _post(client, agency, _changed(_body(agency), path, value))
    assert response.status_code == 422
    message = AGENCIES[agency][2](response.json())
    assert field in message
    if value is not None:
        assert str(value) not in message
    assert await _records(client, agency) == []


async def test_error_shapes_differ_by_agency(client):
    bdm = (await _post(client, "bdm", {})).json()
    ird = (await _post(client, "ird", {})).json()
    msd = (await _post(client, "msd", {})).json()
    fhir = (await _post(client, "health", {})).json()
    assert {e["field"] for e in bdm["errors"]} == {"child", "mother", "usualResidence"}
    assert ird["faultCode"] == "VALIDATION"
    assert msd["error"]["code"] == "invalid_application"
    assert fhir["resourceType"] == "OperationOutcome"
    assert fhir["issue"][0]["code"] == "invalid"


async def test_a_body_that_is_not_json_is_refused(client):
    response = await client.post(
        AGENCIES["ird"][0],
        content=b"{not json",
        headers={"Authorization": "Bearer dev-ird-key", "Idempotency-Key": "k"},
    )
    assert response.status_code == 422
    assert response.json()["faultString"] == "the body must be valid JSON"


# Canonically valid data that the agency refuses by its own rules; the adapter must raise
# AgencyRejected carrying the agency's message.
AGENCY_RULES = [
    ("bdm", "child.date_of_birth", "2999-01-01", "child.dateOfBirth: must not be after today"),
    ("ird", "birth_parent.ird_number", "049091851", "parentIrdNumber: must be 9 digits"),
    ("msd", "child.ird_number", "123456789", "child.ird_number: must be 9 digits"),
    (
        "health",
        "child.birth_registration_number",
        "1",
        "Bundle.entry[0].resource.identifier[0].value: must be",
    ),
]


@pytest.mark.parametrize(("agency", "field", "value", "message"), AGENCY_RULES)
async def test_the_adapter_raises_the_agencys_refusal(
    client, adapters, agency, field, value, message
):
    disclosure = _disclosure(agency) | {field: value}
    with pytest.raises(AgencyRejected) as refused:
        await adapters[agency].submit(SERVICES[agency], disclosure, "k")
    assert message in str(refused.value)
    assert value not in str(refused.value)
    assert refused.value.non_retryable
    assert await _records(client, agency) == []


@pytest.mark.parametrize("agency", AGENCIES)
async def test_an_unknown_service_is_refused(adapters, agency):
    with pytest.raises(AgencyRejected, match="no service"):
        await adapters[agency].submit("passport-renewal", _disclosure(agency), "k")


@pytest.mark.parametrize("agency", AGENCIES)
async def test_an_agency_that_is_down_is_unavailable_and_records_nothing(client, adapters, agency):
    faults = {"error_rate": 1.0, "latency_ms": 0}
    assert (await client.put(f"/{agency}/_faults", json=faults)).json() == faults
    assert (await client.get(f"/{agency}/_faults")).json() == faults
    with pytest.raises(AgencyUnavailable, match="503") as unavailable:
        await adapters[agency].submit(SERVICES[agency], _disclosure(agency), "k")
    assert not unavailable.value.non_retryable
    assert await _records(client, agency) == []
    await client.put(f"/{agency}/_faults", json={"error_rate": 0.0})
    await adapters[agency].submit(SERVICES[agency], _disclosure(agency), "k")
    assert len(await _records(client, agency)) == 1


async def test_faults_are_per_agency(client, adapters):
    await client.put("/ird/_faults", json={"error_rate": 1.0})
    await adapters["bdm"].submit(SERVICES["bdm"], _disclosure("bdm"), "k")
    assert (await client.get("/bdm/_faults")).json()["error_rate"] == 0.0


async def test_fault_settings_are_validated(client):
    assert (await client.put("/msd/_faults", json={"error_rate": 1.5})).status_code == 422
    assert (await client.put("/msd/_faults", json={"errors": 0.5})).status_code == 422


async def test_latency_is_added(client, adapters):
    await client.put("/health/_faults", json={"latency_ms": 60})
    started = time.monotonic()
    await adapters["health"].submit(SERVICES["health"], _disclosure("health"), "k")
    assert time.monotonic() - started >= 0.06


async def test_faults_and_keys_come_from_the_environment(db_path):
    environ = {
        "MOCK_IRD_ERROR_RATE": "1",
        "MOCK_IRD_LATENCY_MS": "5",
        "MOCK_BDM_API_KEY": "s3cret",
    }
    app = create_app(db_path, environ=environ)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        assert (await client.get("/ird/_faults")).json() == {"error_rate": 1.0, "latency_ms": 5}
        assert (await _post(client, "ird", _body("ird"))).status_code == 503
        assert (await _post(client, "bdm", _body("bdm"))).status_code == 401
        assert (await _post(client, "bdm", _body("bdm"), key="s3cret")).status_code == 201


def test_a_bad_fault_variable_names_itself(db_path):
    with pytest.raises(ValueError, match="MOCK_MSD_ERROR_RATE"):
        create_app(db_path, environ={"MOCK_MSD_ERROR_RATE": "lots"})


async def test_records_survive_recreating_the_app(db_path, app, adapters):
    first = await adapters["bdm"].submit(SERVICES["bdm"], _disclosure("bdm"), "before")
    reopened = create_app(db_path, environ={})
    transport = httpx.ASGITransport(reopened)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        bdm = BdmAdapter(client, BASE_URL, KEYS["bdm"])
        assert await bdm.submit(SERVICES["bdm"], _disclosure("bdm"), "before") == first
        after = await bdm.submit(SERVICES["bdm"], _disclosure("bdm"), "after")
        # The counter survived too: no registration number is issued twice.
        assert after.reference != first.reference
        assert [r["idempotency_key"] for r in await _records(client, "bdm")] == ["before", "after"]


async def test_macrons_survive_end_to_end(client, adapters):
    await adapters["health"].submit(SERVICES["health"], _disclosure("health"), "k")
    (record,) = await _records(client, "health")
    patient, well_child = (entry["resource"] for entry in record["received"]["entry"])
    assert patient["name"][0]["family"] == "Ngāta"
    assert well_child["managingOrganization"]["display"] == "Whānau Āwhina Plunket"
    raw = await client.get("/health/_records")
    assert "Ngāta".encode() in raw.content


async def test_the_birth_steps_chain_through_the_agencies(adapters):
    birth = sample_birth()
    registered = await adapters["bdm"].submit(
        SERVICES["bdm"], disclose("register_birth", birth), "birth-9/register_birth"
    )
    registration = registered.outputs["child.birth_registration_number"]
    numbered = await adapters["ird"].submit(
        SERVICES["ird"],
        disclose("child_ird_number", birth, child__birth_registration_number=registration),
        "birth-9/child_ird_number",
    )
    child_ird = numbered.outputs["child.ird_number"]
    applied = await adapters["msd"].submit(
        SERVICES["msd"],
        disclose("best_start", birth, child__ird_number=child_ird),
        "birth-9/best_start",
    )
    enrolled = await adapters["health"].submit(
        SERVICES["health"],
        disclose("health_enrolment", birth, child__birth_registration_number=registration),
        "birth-9/health_enrolment",
    )
    assert registration.startswith(f"{registration[:4]}/")
    assert child_ird == "130000010"
    assert applied.reference == "BS-000001"
    assert applied.outputs == {}
    assert enrolled.outputs == {"child.nhi_number": "ZAA00AC"}


# --- the adapters' HTTP outcomes against agencies that misbehave in other ways -------------


@asynccontextmanager
async def _adapter_over(
    handler: Callable[[httpx.Request], httpx.Response],
) -> AsyncIterator[BdmAdapter]:
    """A BDM adapter whose every request `handler` answers (or fails)."""
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        yield BdmAdapter(client, BASE_URL, KEYS["bdm"])


@pytest.mark.parametrize(
    "failure",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("cut")],
)
async def test_network_failures_are_unavailable(failure):
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    async with _adapter_over(fail) as adapter:
        with pytest.raises(AgencyUnavailable, match=type(failure).__name__):
            await adapter.submit(SERVICES["bdm"], _disclosure("bdm"), "k")


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, AgencyUnavailable),
        (502, AgencyUnavailable),
        (408, AgencyUnavailable),
        (404, AgencyRejected),
    ],
)
async def test_statuses_map_to_retryable_or_not(status, error):
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, text="<html>oops</html>")

    async with _adapter_over(answer) as adapter:
        with pytest.raises(error, match=f"HTTP {status}"):
            await adapter.submit(SERVICES["bdm"], _disclosure("bdm"), "k")


async def test_the_adapter_sends_its_idempotency_key_and_auth():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            201, json={"registrationNumber": "2026/000007", "status": "registered"}
        )

    async with _adapter_over(answer) as adapter:
        answered = await adapter.submit(SERVICES["bdm"], _disclosure("bdm"), "birth-1/x")
    assert answered.reference == "2026/000007"
    assert seen[0].headers["Idempotency-Key"] == "birth-1/x"
    assert seen[0].headers["X-Api-Key"] == KEYS["bdm"]
    assert str(seen[0].url) == f"{BASE_URL}/bdm/v1/birth-registrations"


REGISTER = "/health/fhir/immunisation-register"


def _registration(nhi: str) -> dict[str, Any]:
    return health.to_immunisation_registration(
        disclose("immunisation_register", sample_birth(), child__nhi_number=nhi)
    )


async def test_the_immunisation_register_takes_the_enrolled_child_by_nhi(client, adapters):
    enrolled = await adapters["health"].submit(SERVICES["health"], _disclosure("health"), "e/1")
    nhi = enrolled.outputs["child.nhi_number"]
    service = BIRTH.step("immunisation_register").service
    disclosure = disclose("immunisation_register", sample_birth(), child__nhi_number=nhi)
    first = await adapters["health"].submit(service, disclosure, "e/immunisation")
    again = await adapters["health"].submit(service, disclosure, "e/immunisation")
    assert first.reference == again.reference == "NIR-000001"
    records = await _records(client, "health")
    # One record per idempotency key, both steps' in Health's one store.
    assert [r["idempotency_key"] for r in records] == ["e/1", "e/immunisation"]
    assert records[1]["received"] == _registration(nhi)


@pytest.mark.parametrize(
    ("nhi", "message"),
    [
        ("ZAA00AD", "check letter"),  # the mock's first NHI with a wrong check letter
        ("ZAI00AL", "new-format NHI"),  # NHI numbers never hold an I
    ],
)
async def test_the_immunisation_register_checks_the_nhi_itself(client, nhi, message):
    headers = {"apikey": KEYS["health"], "Idempotency-Key": "k"}
    response = await client.post(REGISTER, json=_registration(nhi), headers=headers)
    assert response.status_code == 422
    [issue] = response.json()["issue"]
    assert issue["expression"] == ["Patient.identifier[0].value"]
    assert message in issue["diagnostics"]
    assert await _records(client, "health") == []


async def test_the_immunisation_register_refuses_the_enrolment_format(client):
    headers = {"apikey": KEYS["health"], "Idempotency-Key": "k"}
    response = await client.post(REGISTER, json=_body("health"), headers=headers)
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"
