"""What the kit's pipeline gives every mock agency beyond the gates each agency's module runs
(tests/mocks/gates.py): liveness, each agency's own error shape, a body that is not JSON
refused by the rule alone, and OpenAPI entries naming the parameters handlers read themselves.
"""

from typing import Any

import httpx
from fastapi import FastAPI

from tests.mocks.services import AUTH, key_of

# Each agency's first service, posted an empty body for its error shape.
FIRST_SERVICES = {
    "bdm": "/bdm/v1/birth-registrations",
    "ird": "/ird/gateway/v2/newborn-registrations",
    "msd": "/msd/api/best-start/applications",
    "health": "/health/fhir/newborn-enrolments",
    "nzta": "/nzta/api/v1/licence-holders/address-changes",
    "electoral": "/electoral/api/enrolments/address-updates",
    "acc": "/acc/api/v2/clients/address-updates",
    "passports": "/passports/v1/passports/deceased-cancellations",
}


async def _empty(client: httpx.AsyncClient, agency: str) -> Any:
    headers = AUTH[agency](key_of(agency)) | {"Idempotency-Key": "key-1"}
    return (await client.post(FIRST_SERVICES[agency], json={}, headers=headers)).json()


async def test_healthz(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}


async def test_error_shapes_differ_by_agency(client):
    bdm = await _empty(client, "bdm")
    ird = await _empty(client, "ird")
    msd = await _empty(client, "msd")
    fhir = await _empty(client, "health")
    assert {e["field"] for e in bdm["errors"]} == {"child", "mother", "usualResidence"}
    assert ird["faultCode"] == "VALIDATION"
    assert msd["error"]["code"] == "invalid_application"
    assert fhir["resourceType"] == "OperationOutcome"
    assert fhir["issue"][0]["code"] == "invalid"
    shapes = {
        agency: frozenset(await _empty(client, agency))
        for agency in ("nzta", "electoral", "acc", "passports")
    }
    assert shapes == {
        "nzta": {"errors"},
        "electoral": {"error"},
        "acc": {"status", "title", "detail", "invalid_params"},
        "passports": {"code", "message", "fieldErrors"},
    }


async def test_a_body_that_is_not_json_is_refused(client):
    response = await client.post(
        FIRST_SERVICES["ird"],
        content=b"{not json",
        headers={"Authorization": "Bearer dev-ird-key", "Idempotency-Key": "k"},
    )
    assert response.status_code == 422
    assert response.json()["faultString"] == "the body must be valid JSON"


def test_the_look_ups_document_their_path_parameters(app: FastAPI):
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
