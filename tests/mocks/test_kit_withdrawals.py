"""The mock agencies' compensating calls: MSD's withdrawals, Health's opt-off of the National
Immunisation Register, and the council's cancellation of a dog registration transfer. Each
undoes the record its service made (found by the reference the service issued), once per
idempotency key, behind the agency's key, faults and error shape; `_records` shows it.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest

from adapters import council, health, msd
from mocks.agencies.council import properties as council_properties
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import DEATH, MOVE
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

KEYS = {agency: f"dev-{agency}-key" for agency in ("msd", "health", "council")}
AUTH: dict[str, Callable[[str], dict[str, str]]] = {
    "msd": lambda key: {"X-MSD-Client-Key": key},
    "health": lambda key: {"apikey": key},
    "council": lambda key: {"X-Council-Key": key},
}
# Facts earlier steps issue, as the step runner would add them.
CHILD_IRD = "130000010"
CHILD_NHI = "ZAA00AC"  # the mock's first NHI number, check letter and all
DEATH_REGISTRATION = "2026/000777"


def _dog_registration() -> dict[str, Any]:
    """A dog registration transfer made by the adapter, for a move three days ago, with the
    property id the council's look-up gives for the address."""
    move = sample_move().model_copy(update={"move_date": nz_today() - timedelta(days=3)})
    body = council.to_dog_registration_transfer(
        disclose("council_dog_registration", move, MOVE), "XXX-00000000"
    )
    query = council_properties.PropertyQuery.model_validate(body["property"])
    found = council_properties.property_for(query)
    assert found is not None
    return body | {"propertyId": found["propertyId"]}


@dataclass(frozen=True)
class Withdrawable:
    """One compensating call: the service whose record it undoes, and how it is called."""

    agency: str
    service_path: str
    submission: Callable[[], dict[str, Any]]
    """A valid submission, made by the adapter's mapping of a sample dossier."""
    reference_field: str
    """Where the service's answer holds its reference."""
    method: str
    path: str
    """The call's path, `{reference}` standing for the service's reference."""
    body: dict[str, Any] | None
    withdrawal_field: str
    """Where the call's answer holds the withdrawal's own reference."""
    first_withdrawal: str
    result: tuple[str, str]
    """A field of the call's answer and the value that says the agency acted."""
    unissued: str
    """A reference in the service's format that the agency never issued."""


WITHDRAWABLE = {
    "msd-best-start": Withdrawable(
        "msd",
        "/msd/api/best-start/applications",
        lambda: msd.to_msd_best_start(
            disclose("best_start", sample_birth(), child__ird_number=CHILD_IRD)
        ),
        "application_id",
        "POST",
        "/msd/api/best-start/applications/{reference}/withdrawal",
        {"reason": "consent_withdrawn"},
        "withdrawal_id",
        "WD-000001",
        ("status", "withdrawn"),
        "BS-000002",
    ),
    "msd-change-of-circumstances": Withdrawable(
        "msd",
        "/msd/api/clients/changes-of-circumstances",
        lambda: msd.to_msd_change_of_circumstances(
            disclose("update_msd_address", sample_move(), MOVE)
        ),
        "case_id",
        "POST",
        "/msd/api/clients/changes-of-circumstances/{reference}/withdrawal",
        {"reason": "client_request"},
        "withdrawal_id",
        "WD-000001",
        ("status", "withdrawn"),
        "CC-000002",
    ),
    "msd-funeral-grant": Withdrawable(
        "msd",
        "/msd/api/funeral-grant/applications",
        lambda: msd.to_msd_funeral_grant(
            disclose(
                "funeral_grant",
                sample_death(),
                DEATH,
                deceased__death_registration_number=DEATH_REGISTRATION,
            )
        ),
        "application_id",
        "POST",
        "/msd/api/funeral-grant/applications/{reference}/withdrawal",
        {"reason": "consent_withdrawn"},
        "withdrawal_id",
        "WD-000001",
        ("status", "withdrawn"),
        "FG-000002",
    ),
    "health-immunisation-register": Withdrawable(
        "health",
        "/health/fhir/immunisation-register",
        lambda: health.to_immunisation_registration(
            disclose("immunisation_register", sample_birth(), child__nhi_number=CHILD_NHI)
        ),
        "id",
        "DELETE",
        "/health/fhir/immunisation-register/{reference}",
        None,
        "id",
        "NIRD-000001",
        ("resourceType", "OperationOutcome"),
        "NIR-000002",
    ),
    "council-dog-registration": Withdrawable(
        "council",
        "/council/v1/dog-registrations/address-changes",
        _dog_registration,
        "requestNumber",
        "POST",
        "/council/v1/dog-registrations/address-changes/{reference}/cancellation",
        {"reasonCode": "CONSENT_WITHDRAWN"},
        "cancellationNumber",
        "CAN-000001",
        ("status", "cancelled"),
        "DOG-000002",
    ),
}


def _headers(agency: str, key: str | None = "withdraw-1") -> dict[str, str]:
    headers = AUTH[agency](KEYS[agency])
    return headers if key is None else headers | {"Idempotency-Key": key}


async def _submit(client: httpx.AsyncClient, call: Withdrawable, key: str = "submit-1") -> str:
    """Submit to the service and answer with the reference the agency issued."""
    response = await client.post(
        call.service_path, json=call.submission(), headers=_headers(call.agency, key)
    )
    assert response.is_success, response.text
    return str(response.json()[call.reference_field])


async def _withdraw(
    client: httpx.AsyncClient,
    call: Withdrawable,
    reference: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
) -> httpx.Response:
    sent = call.body if body is None else body
    return await client.request(
        call.method,
        call.path.format(reference=reference),
        json=sent,
        headers=_headers(call.agency) if headers is None else headers,
    )


async def _held(client: httpx.AsyncClient, agency: str) -> dict[str, Any]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    held: dict[str, Any] = response.json()
    return held


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_withdrawal_undoes_the_record_its_service_made(client, name):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    before = (await _held(client, call.agency))["records"]

    response = await _withdraw(client, call, reference)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer[call.withdrawal_field] == call.first_withdrawal
    # Each names what it withdrew (Health in its OperationOutcome's diagnostics).
    assert reference in json.dumps(answer)
    field, value = call.result
    assert answer[field] == value
    held = await _held(client, call.agency)
    # The submission stays as the agency received it; the withdrawal is listed beside it.
    assert held["records"] == before
    [withdrawal] = held["withdrawals"]
    assert withdrawal["idempotency_key"] == "withdraw-1"
    assert withdrawal["answer"] == answer
    assert withdrawal["status"] == 200
    assert reference in withdrawal["received"].values()
    for name_, sent in (call.body or {}).items():
        assert withdrawal["received"][name_] == sent


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_reference_the_agency_never_issued_is_not_found(client, name):
    call = WITHDRAWABLE[name]
    await _submit(client, call)
    response = await _withdraw(client, call, call.unissued)
    assert response.status_code == 404
    # In the agency's own error shape, and without the reference.
    assert call.unissued not in response.text
    assert (await _held(client, call.agency))["withdrawals"] == []


async def test_another_services_reference_is_not_found(client):
    best_start = WITHDRAWABLE["msd-best-start"]
    change = WITHDRAWABLE["msd-change-of-circumstances"]
    application = await _submit(client, best_start, "submit-1")
    case = await _submit(client, change, "submit-2")
    assert (await _withdraw(client, change, application)).status_code == 404
    assert (await _withdraw(client, best_start, case)).status_code == 404
    assert (await _held(client, "msd"))["withdrawals"] == []


async def test_stopped_payments_cannot_be_withdrawn(client):
    body = msd.to_msd_stop_payments(
        disclose(
            "stop_msd_payments",
            sample_death(),
            DEATH,
            deceased__death_registration_number=DEATH_REGISTRATION,
        )
    )
    stopped = await client.post(
        "/msd/api/clients/payment-stops", json=body, headers=_headers("msd", "stop-1")
    )
    case = stopped.json()["case_id"]
    # No withdrawal route for the stop, and the change route does not find the stop's case.
    no_route = await client.post(
        f"/msd/api/clients/payment-stops/{case}/withdrawal",
        json={"reason": "consent_withdrawn"},
        headers=_headers("msd"),
    )
    assert no_route.status_code in {404, 405}
    change = WITHDRAWABLE["msd-change-of-circumstances"]
    assert (await _withdraw(client, change, case)).status_code == 404
    assert (await _held(client, "msd"))["withdrawals"] == []


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_repeated_key_answers_the_first_withdrawal(client, name):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    first = await _withdraw(client, call, reference)
    again = await _withdraw(client, call, reference)
    assert again.status_code == first.status_code == 200
    assert again.json() == first.json()
    assert len((await _held(client, call.agency))["withdrawals"]) == 1


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_record_is_withdrawn_once_and_a_key_serves_one_withdrawal(client, name):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call, "submit-1")
    assert (await _withdraw(client, call, reference)).status_code == 200
    # Another key for the same record: already withdrawn.
    other_key = _headers(call.agency, "withdraw-2")
    assert (await _withdraw(client, call, reference, headers=other_key)).status_code == 409
    # The same key for another record of the service: the key is taken.
    another = await _submit(client, call, "submit-2")
    assert another != reference
    assert (await _withdraw(client, call, another)).status_code == 409
    assert len((await _held(client, call.agency))["withdrawals"]) == 1


@pytest.mark.parametrize("name", WITHDRAWABLE)
@pytest.mark.parametrize("key", [None, "not-the-key"])
async def test_a_withdrawal_needs_the_agencys_key(client, name, key):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    headers = {"Idempotency-Key": "withdraw-1"}
    if key is not None:
        headers |= {name_: key for name_ in AUTH[call.agency]("")}
    response = await _withdraw(client, call, reference, headers=headers)
    assert response.status_code == 401
    assert (await _held(client, call.agency))["withdrawals"] == []


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_withdrawal_needs_an_idempotency_key(client, name):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    headers = _headers(call.agency, key=None)
    assert (await _withdraw(client, call, reference, headers=headers)).status_code == 400
    assert (await _held(client, call.agency))["withdrawals"] == []


@pytest.mark.parametrize(
    ("name", "body", "field"),
    [
        ("msd-best-start", {"reason": "changed_my_mind"}, "reason"),
        ("msd-funeral-grant", {}, "reason"),
        ("council-dog-registration", {"reason_code": "CONSENT_WITHDRAWN"}, "reasonCode"),
    ],
)
async def test_a_withdrawal_in_another_format_is_refused_by_field(client, name, body, field):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    response = await _withdraw(client, call, reference, body=body)
    assert response.status_code == 422
    assert field in response.text
    assert (await _held(client, call.agency))["withdrawals"] == []


async def test_the_registers_delete_takes_no_body(client):
    call = WITHDRAWABLE["health-immunisation-register"]
    reference = await _submit(client, call)
    response = await _withdraw(client, call, reference, body={"reason": "consent_withdrawn"})
    assert response.status_code == 422
    assert response.json()["resourceType"] == "OperationOutcome"
    assert (await _held(client, "health"))["withdrawals"] == []


@pytest.mark.parametrize("name", WITHDRAWABLE)
async def test_a_failing_agency_withdraws_nothing(client, name):
    call = WITHDRAWABLE[name]
    reference = await _submit(client, call)
    faults = await client.put(f"/{call.agency}/_faults", json={"error_rate": 1.0})
    assert faults.status_code == 200
    assert (await _withdraw(client, call, reference)).status_code == 503
    assert (await _held(client, call.agency))["withdrawals"] == []


def test_each_withdrawal_documents_its_reference_parameter(app):
    paths = app.openapi()["paths"]
    for call in WITHDRAWABLE.values():
        path = next(p for p in paths if p.startswith(call.path.split("{")[0]) and "{" in p)
        [operation] = paths[path].values()
        [parameter] = operation["parameters"]
        assert parameter["in"] == "path"
        assert f"{{{parameter['name']}}}" in path
