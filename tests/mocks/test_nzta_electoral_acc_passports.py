"""The NZTA, Electoral Commission, ACC and Passports mocks in process: each service's auth,
idempotency, records, error shape and format rules, with requests made by the adapters' own
mappings of the sample dossiers.
"""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from adapters import acc, electoral, nzta, passports
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.catalogue import DEATH, MOVE, LifeEventSpec
from tests.mocks.samples import disclose, sample_death, sample_move

BASE_URL = "http://agencies.test"
DEATH_REGISTRATION = "2026/000042"


@dataclass(frozen=True)
class Service:
    """One service under test: where it is, what makes a valid body, and what it answers."""

    agency: str
    path: str
    event: LifeEventSpec
    step_id: str
    mapping: Callable[[Any], dict[str, Any]]
    sample: Callable[[], BaseModel]
    reference_field: str
    first_reference: str

    def body(self) -> dict[str, Any]:
        """A valid request in the agency's format, made by the adapter from the sample."""
        facts = {"deceased__death_registration_number": DEATH_REGISTRATION}
        return self.mapping(disclose(self.step_id, self.sample(), self.event, **facts))


SERVICES = {
    "nzta-address": Service(
        "nzta",
        "/nzta/api/v1/licence-holders/address-changes",
        MOVE,
        "update_driver_licence",
        nzta.to_nzta_address_change,
        sample_move,
        "transactionId",
        "DL-000001",
    ),
    "nzta-cancellation": Service(
        "nzta",
        "/nzta/api/v1/licences/deceased-cancellations",
        DEATH,
        "cancel_driver_licence",
        nzta.to_nzta_cancellation,
        sample_death,
        "transactionId",
        "DL-000001",
    ),
    "electoral-update": Service(
        "electoral",
        "/electoral/api/enrolments/address-updates",
        MOVE,
        "update_electoral_roll",
        electoral.to_electoral_enrolment_update,
        sample_move,
        "reference",
        "EL00000001",
    ),
    "electoral-removal": Service(
        "electoral",
        "/electoral/api/enrolments/deceased-removals",
        DEATH,
        "remove_from_electoral_roll",
        electoral.to_electoral_deceased_removal,
        sample_death,
        "reference",
        "EL00000001",
    ),
    "acc-address": Service(
        "acc",
        "/acc/api/v2/clients/address-updates",
        MOVE,
        "update_acc_address",
        acc.to_acc_address_update,
        sample_move,
        "requestId",
        "ACC-0000001",
    ),
    "passports-cancellation": Service(
        "passports",
        "/passports/v1/passports/deceased-cancellations",
        DEATH,
        "cancel_passport",
        passports.to_passport_cancellation,
        sample_death,
        "cancellationReference",
        "PC-000001",
    ),
}

AUTH: dict[str, Callable[[str], dict[str, str]]] = {
    "nzta": lambda key: {"X-NZTA-Api-Key": key},
    "electoral": lambda key: {"Authorization": f"ApiKey {key}"},
    "acc": lambda key: {"x-acc-apikey": key},
    "passports": lambda key: {"X-DIA-Api-Key": key},
}


def _nzta_problems(body: Any, status: int) -> list[tuple[str | None, str]]:
    (errors,) = body.values()
    assert set(body) == {"errors"}
    assert all(set(e) == {"code", "field", "message"} for e in errors)
    return [(e["field"], e["message"]) for e in errors]


def _electoral_problems(body: Any, status: int) -> list[tuple[str | None, str]]:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "details"}
    details = body["error"]["details"]
    assert all(set(d) == {"field", "issue"} for d in details)
    return [(None, body["error"]["message"])] + [(d["field"], d["issue"]) for d in details]


def _acc_problems(body: Any, status: int) -> list[tuple[str | None, str]]:
    assert set(body) == {"status", "title", "detail", "invalid_params"}
    assert body["status"] == status
    params = body["invalid_params"]
    assert all(set(p) == {"name", "reason"} for p in params)
    return [(None, body["title"]), (None, body["detail"] or "")] + [
        (p["name"], p["reason"]) for p in params
    ]


def _passports_problems(body: Any, status: int) -> list[tuple[str | None, str]]:
    assert set(body) == {"code", "message", "fieldErrors"}
    return [(None, body["message"]), *body["fieldErrors"].items()]


# Each agency's error shape, checked and read as (field or None, message) pairs.
PROBLEMS: dict[str, Callable[[Any, int], list[tuple[str | None, str]]]] = {
    "nzta": _nzta_problems,
    "electoral": _electoral_problems,
    "acc": _acc_problems,
    "passports": _passports_problems,
}


def _problems(service: Service, response: httpx.Response) -> list[tuple[str | None, str]]:
    return PROBLEMS[service.agency](response.json(), response.status_code)


def _text(problems: list[tuple[str | None, str]]) -> str:
    return " ".join(f"{field} {message}" for field, message in problems)


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "agencies.db", environ={})


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


async def _post(
    client: httpx.AsyncClient,
    service: Service,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    idempotency_key: str | None = "key-1",
) -> httpx.Response:
    sent = AUTH[service.agency](f"dev-{service.agency}-key") if headers is None else headers
    if idempotency_key is not None:
        sent = {**sent, "Idempotency-Key": idempotency_key}
    return await client.post(service.path, json=body, headers=sent)


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    records: list[dict[str, Any]] = response.json()["records"]
    return records


@pytest.mark.parametrize("name", SERVICES)
async def test_a_valid_request_is_accepted_with_the_agencys_reference(client, name):
    service = SERVICES[name]
    response = await _post(client, service, service.body())
    assert response.status_code == 201
    assert response.json()[service.reference_field] == service.first_reference
    (record,) = await _records(client, service.agency)
    assert record["received"] == service.body()
    assert record["answer"] == response.json()


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("auth", ["missing", "wrong", "another agency's style"])
async def test_a_missing_or_wrong_api_key_is_refused_in_the_agencys_shape(client, name, auth):
    service = SERVICES[name]
    headers = {
        "missing": {},
        "wrong": AUTH[service.agency]("wrong-key"),
        # The right key in a header the agency does not read is no key at all.
        "another agency's style": {
            "Authorization": f"Bearer dev-{service.agency}-key",
            "X-Api-Key": f"dev-{service.agency}-key",
        },
    }[auth]
    response = await _post(client, service, service.body(), headers=headers)
    assert response.status_code == 401
    assert "API key" in _text(_problems(service, response))
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("name", SERVICES)
async def test_a_submission_needs_an_idempotency_key(client, name):
    service = SERVICES[name]
    response = await _post(client, service, service.body(), idempotency_key=None)
    assert response.status_code == 400
    assert "Idempotency-Key" in _text(_problems(service, response))
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("name", SERVICES)
async def test_a_repeat_returns_the_first_answer_and_makes_one_record(client, name):
    service = SERVICES[name]
    first = await _post(client, service, service.body(), idempotency_key="event-1/step")
    again = await _post(client, service, service.body(), idempotency_key="event-1/step")
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert len(await _records(client, service.agency)) == 1
    other = await _post(client, service, service.body(), idempotency_key="event-2/step")
    assert other.json()[service.reference_field] != first.json()[service.reference_field]


@pytest.mark.parametrize("name", SERVICES)
async def test_the_same_key_for_a_different_body_is_a_conflict(client, name):
    service = SERVICES[name]
    await _post(client, service, service.body(), idempotency_key="k")
    changed = _changed(service.body(), _A_CHANGE[name][0], _A_CHANGE[name][1])
    response = await _post(client, service, changed, idempotency_key="k")
    assert response.status_code == 409
    assert "already used" in _text(_problems(service, response))
    (record,) = await _records(client, service.agency)
    assert record["received"] == service.body()


# A valid change to each service's body, for the conflict test.
_A_CHANGE = {
    "nzta-address": ("residentialAddress.postcode", "6012"),
    "nzta-cancellation": ("dateOfDeath", "20261120"),
    "electoral-update": ("email", "mere@example.net"),
    "electoral-removal": ("date_of_death", "2026-11-20"),
    "acc-address": ("phone", "0215550143"),
    "passports-cancellation": ("dateOfDeath", "2026-11-20"),
}
_DELETE = object()
"""Stands for "leave the key out" in a change."""


def _changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with the value at a dotted path replaced, added or left out."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[part]
    if value is _DELETE:
        del target[last]
    else:
        target[last] = value
    return copy


# A body broken one way: the service, the path, the value put there, and the agency's field
# the refusal must name. Most are what a sloppy mapping (or another agency's format) would send.
WRONG_FORMATS = [
    ("nzta-address", "dateOfBirth", "1988-05-20", "dateOfBirth"),
    ("nzta-address", "dateOfBirth", "19881320", "dateOfBirth"),
    ("nzta-address", "dateOfBirth", "20-May-1988", "dateOfBirth"),
    ("nzta-address", "residentialAddress.streetNumber", "3/45", "residentialAddress.streetNumber"),
    ("nzta-address", "residentialAddress.streetNumber", "45B", "residentialAddress.streetNumber"),
    ("nzta-address", "residentialAddress.streetAlpha", "BC", "residentialAddress.streetAlpha"),
    ("nzta-address", "residentialAddress.unitNumber", "Flat 3", "residentialAddress.unitNumber"),
    ("nzta-address", "residentialAddress.unitType", "FLAT", "residentialAddress.unitType"),
    ("nzta-address", "residentialAddress.levelType", "Storey", "residentialAddress.levelType"),
    ("nzta-address", "residentialAddress.levelNumber", "L3", "residentialAddress.levelNumber"),
    (
        "nzta-address",
        "residentialAddress.streetNumberLast",
        "47B",
        "residentialAddress.streetNumberLast",
    ),
    ("nzta-address", "residentialAddress.ruralDelivery", "RD2", "residentialAddress.ruralDelivery"),
    ("nzta-address", "residentialAddress.postcode", _DELETE, "residentialAddress.postcode"),
    ("nzta-address", "residentialAddress.line1", "3/45 Cuba Street", "residentialAddress.line1"),
    ("nzta-address", "licenceNumber", "dl123456", "licenceNumber"),
    ("nzta-address", "licenceVersion", 101, "licenceVersion"),
    ("nzta-address", "middleNames", "", "middleNames"),
    ("nzta-address", "surname", "Tūhoe 2", "surname"),
    ("nzta-address", "givenNames", "Mere Ānahera", "givenNames"),
    ("nzta-cancellation", "dateOfDeath", "2026-11-21", "dateOfDeath"),
    ("nzta-cancellation", "dateOfDeath", "29990101", "dateOfDeath"),
    ("nzta-cancellation", "dateOfDeath", "19400101", "dateOfDeath"),
    ("nzta-cancellation", "deathRegistrationNumber", "2026-000042", "deathRegistrationNumber"),
    ("electoral-update", "residential_address.postcode", "6012", "residential_address.postcode"),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["Flat 3", "45 Cuba Street", "Te Aro", "Wellington"],
        "residential_address.address_lines",
    ),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["Flat 3", "45 Cuba Street", "Te Aro", "Wellington", "Wellington 6011"],
        "residential_address.address_lines",
    ),
    (
        "electoral-update",
        "residential_address.address_lines",
        ["PO Box 4567", "Wellington 6011"],
        "residential_address.address_lines",
    ),
    ("electoral-update", "previous_address.postcode", _DELETE, "previous_address.postcode"),
    ("electoral-update", "date_of_birth", "20-May-1988", "date_of_birth"),
    ("electoral-update", "date_of_birth", "86400", "date_of_birth"),
    ("electoral-update", "elector.given_names", ["Mere", "Ānahera"], "elector.given_names"),
    ("electoral-update", "elector.givenNames", "Mere Ānahera", "elector.givenNames"),
    ("electoral-update", "email", "mere at example.org", "email"),
    ("electoral-removal", "date_of_death", "1900-01-01", "date_of_death"),
    ("electoral-removal", "date_of_death", "2999-01-01", "date_of_death"),
    ("electoral-removal", "death_registration_number", "4242", "death_registration_number"),
    ("acc-address", "dateOfBirth", "1988-05-20", "dateOfBirth"),
    ("acc-address", "dateOfBirth", "20-may-1988", "dateOfBirth"),
    ("acc-address", "dateOfBirth", "31-Feb-1988", "dateOfBirth"),
    ("acc-address", "dateOfBirth", "20-Mei-1988", "dateOfBirth"),
    ("acc-address", "phone", "021 555 0142", "phone"),
    ("acc-address", "phone", "(021)5550142", "phone"),
    ("acc-address", "address.postCode", "60110", "address.postCode"),
    ("acc-address", "address.postcode", "6011", "address.postcode"),
    ("acc-address", "address.addressLine1", "Flat 3, Cuba Street", "address.addressLine1"),
    ("acc-address", "address.addressLine1", "PO Box 5, 3 Cuba Street", "address.addressLine1"),
    ("acc-address", "address.ruralDelivery", 2, "address.ruralDelivery"),
    ("acc-address", "client.firstName", "Mere3", "client.firstName"),
    ("acc-address", "client.givenNames", ["Mere"], "client.givenNames"),
    ("passports-cancellation", "passportNumber", "la123456", "passportNumber"),
    ("passports-cancellation", "holder.givenNames", "Hōhepa Te Rangi", "holder.givenNames"),
    ("passports-cancellation", "holder.givenNames", [], "holder.givenNames"),
    ("passports-cancellation", "holder.familyName", "Synthetic!", "holder.familyName"),
    ("passports-cancellation", "holder.surname", "Synthetic", "holder.surname"),
    ("passports-cancellation", "dateOfBirth", "19410211", "dateOfBirth"),
    ("passports-cancellation", "dateOfDeath", "21/11/2026", "dateOfDeath"),
    ("passports-cancellation", "dateOfDeath", "1900-01-01", "dateOfDeath"),
    ("passports-cancellation", "dateOfDeath", "2999-01-01", "dateOfDeath"),
]


@pytest.mark.parametrize(("name", "path", "value", "field"), WRONG_FORMATS)
async def test_each_format_rule_is_enforced_naming_the_field_without_its_value(
    client, name, path, value, field
):
    service = SERVICES[name]
    response = await _post(client, service, _changed(service.body(), path, value))
    assert response.status_code == 422
    problems = _problems(service, response)
    assert field in {named for named, _ in problems}
    for sent in value if isinstance(value, list) else [value]:
        if isinstance(sent, str) and sent:
            assert sent not in response.text
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("name", SERVICES)
async def test_an_empty_body_is_refused_in_the_agencys_shape(client, name):
    service = SERVICES[name]
    response = await _post(client, service, {})
    assert response.status_code == 422
    assert {field for field, _ in _problems(service, response)} - {None}


async def test_an_agencys_services_share_its_records_and_reference_sequence(client):
    await _post(
        client, SERVICES["nzta-address"], SERVICES["nzta-address"].body(), idempotency_key="a"
    )
    cancelled = await _post(
        client,
        SERVICES["nzta-cancellation"],
        SERVICES["nzta-cancellation"].body(),
        idempotency_key="b",
    )
    assert cancelled.json() == {"transactionId": "DL-000002", "outcome": "LICENCE_CANCELLED"}
    assert [r["idempotency_key"] for r in await _records(client, "nzta")] == ["a", "b"]


async def test_one_services_body_is_not_anothers(client):
    # An address change sent to the cancellation service lacks the death and has an address.
    service = SERVICES["nzta-cancellation"]
    response = await _post(client, service, SERVICES["nzta-address"].body())
    assert response.status_code == 422
    fields = {field for field, _ in _problems(service, response)}
    assert {"dateOfDeath", "deathRegistrationNumber", "residentialAddress"} <= fields


async def test_macrons_pass_through_untouched(client):
    # Both the composed (ā) and the decomposed (a + U+0304) spellings reach the record as sent.
    service = SERVICES["passports-cancellation"]
    body = _changed(service.body(), "holder.givenNames", ["Hōhepa", "Ta\u0304ne"])
    assert (await _post(client, service, body)).status_code == 201
    (record,) = await _records(client, "passports")
    assert record["received"]["holder"]["givenNames"] == ["Hōhepa", "Ta\u0304ne"]
    assert "Hōhepa".encode() in (await client.get("/passports/_records")).content
    acc_service = SERVICES["acc-address"]
    await _post(client, acc_service, acc_service.body())
    (acc_record,) = await _records(client, "acc")
    assert acc_record["received"]["client"] == {
        "firstName": "Mere Ānahera",
        "lastName": "Tūhoe-Synthetic",
        "preferredName": None,
    }


async def test_error_shapes_differ_by_agency(client):
    shapes = {}
    for name in ("nzta-address", "electoral-update", "acc-address", "passports-cancellation"):
        service = SERVICES[name]
        shapes[service.agency] = frozenset((await _post(client, service, {})).json())
    assert shapes == {
        "nzta": {"errors"},
        "electoral": {"error"},
        "acc": {"status", "title", "detail", "invalid_params"},
        "passports": {"code", "message", "fieldErrors"},
    }
