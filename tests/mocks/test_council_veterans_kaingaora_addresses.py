"""The council, Veterans' Affairs, Kāinga Ora and address register mocks in process: each
service's auth, idempotency, records, error shape and format rules (with requests made by the
adapters' own mappings of the sample dossiers), the council's property look-up, and the
register's look-up and seeding.
"""

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from adapters import council, kaingaora, veterans
from mocks.agencies import addresses as mock_addresses
from mocks.agencies.council import properties as council_properties
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import DEATH, MOVE, LifeEventSpec
from onceonly.domain.move import MoveData
from tests.mocks.samples import disclose, sample_death, sample_move

BASE_URL = "http://agencies.test"
DEATH_REGISTRATION = "2026/000042"
KEYS = {agency: f"dev-{agency}-key" for agency in ("council", "veterans", "kaingaora", "addresses")}


def recent_move() -> MoveData:
    """The sample move, made three days ago: the council takes moves within a year of today."""
    return sample_move().model_copy(update={"move_date": nz_today() - timedelta(days=3)})


def property_id(council_property: dict[str, str]) -> str:
    """The id the council's look-up gives for a property as the council writes it."""
    query = council_properties.PropertyQuery.model_validate(council_property)
    found = council_properties.property_for(query)
    assert found is not None
    return found["propertyId"]


@dataclass(frozen=True)
class Service:
    """One service under test: where it is, what makes a valid body, and what it answers."""

    agency: str
    path: str
    event: LifeEventSpec
    step_id: str
    mapping: Callable[..., dict[str, Any]]
    sample: Callable[[], BaseModel]
    reference_field: str
    first_reference: str
    status: int = 201

    def body(self) -> dict[str, Any]:
        """A valid request in the agency's format, made by the adapter from the sample."""
        facts = {"deceased__death_registration_number": DEATH_REGISTRATION}
        disclosure = disclose(self.step_id, self.sample(), self.event, **facts)
        if self.agency != "council":
            return self.mapping(disclosure)
        # The council's mapping takes the property id its look-up gives for the address.
        body = self.mapping(disclosure, "XXX-00000000")
        return body | {"propertyId": property_id(body["property"])}


SERVICES = {
    "council-rates": Service(
        "council",
        "/council/v1/rates-notices",
        MOVE,
        "council_rates",
        council.to_rates_notice,
        recent_move,
        "requestNumber",
        "RATES-000001",
    ),
    "council-dogs": Service(
        "council",
        "/council/v1/dog-registrations/address-changes",
        MOVE,
        "council_dog_registration",
        council.to_dog_registration_transfer,
        recent_move,
        "requestNumber",
        "DOG-000001",
    ),
    "council-deceased": Service(
        "council",
        "/council/v1/deceased-ratepayers",
        DEATH,
        "notify_council",
        council.to_deceased_ratepayer,
        sample_death,
        "requestNumber",
        "DCD-000001",
    ),
    "veterans": Service(
        "veterans",
        "/veterans/api/v1/deceased-veterans",
        DEATH,
        "notify_veterans_affairs",
        veterans.to_deceased_veteran,
        sample_death,
        "case_number",
        f"VA-{nz_today().year}-000001",
    ),
    "kaingaora": Service(
        "kaingaora",
        "/kaingaora/tenancies/v1/deceased-tenant-notices",
        DEATH,
        "end_tenancy",
        kaingaora.to_tenancy_end_notice,
        sample_death,
        "TenancyEndReference",
        "KO-TE-000001",
        status=202,
    ),
}

AUTH: dict[str, Callable[[str], dict[str, str]]] = {
    "council": lambda key: {"X-Council-Key": key},
    "veterans": lambda key: {"Authorization": "Basic " + _basic("onceonly", key)},
    "kaingaora": lambda key: {"Ocp-Apim-Subscription-Key": key},
    "addresses": lambda key: {"X-Api-Key": key},
}


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _council_problems(body: Any) -> list[tuple[str | None, str]]:
    assert set(body) == {"message", "errors"}
    fields = [(field, rule) for field, rules in body["errors"].items() for rule in rules]
    return [(None, body["message"]), *fields]


def _veterans_problems(body: Any) -> list[tuple[str | None, str]]:
    assert set(body) == {"error_code", "error_description", "invalid_fields"}
    # The description names each field with its rule; invalid_fields lists the fields alone.
    named = [(field, body["error_description"]) for field in body["invalid_fields"]]
    return [(None, body["error_description"]), *named]


def _kaingaora_problems(body: Any) -> list[tuple[str | None, str]]:
    assert set(body) == {"Errors"}
    return [(e["Property"], e["Message"]) for e in body["Errors"]]


def _register_problems(body: Any) -> list[tuple[str | None, str]]:
    assert set(body) == {"success", "errors"}
    assert body["success"] is False
    return [(e["parameter"], e["detail"]) for e in body["errors"]]


PROBLEMS: dict[str, Callable[[Any], list[tuple[str | None, str]]]] = {
    "council": _council_problems,
    "veterans": _veterans_problems,
    "kaingaora": _kaingaora_problems,
    "addresses": _register_problems,
}


def _named(response: httpx.Response, agency: str, field: str) -> bool:
    """Whether the agency's error body names `field` as a field in error."""
    return any(found == field for found, _ in PROBLEMS[agency](response.json()))


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


async def _post(
    client: httpx.AsyncClient,
    service: Service,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    idempotency_key: str | None = "key-1",
) -> httpx.Response:
    sent = AUTH[service.agency](KEYS[service.agency]) if headers is None else dict(headers)
    if idempotency_key is not None:
        sent["Idempotency-Key"] = idempotency_key
    return await client.post(service.path, json=body, headers=sent)


async def _records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    records: list[dict[str, Any]] = response.json()["records"]
    return records


@pytest.mark.parametrize("name", SERVICES)
async def test_each_service_accepts_the_adapters_request(client, name):
    service = SERVICES[name]
    response = await _post(client, service, service.body())
    assert response.status_code == service.status
    assert response.json()[service.reference_field] == service.first_reference
    (record,) = await _records(client, service.agency)
    assert record["received"] == service.body()
    assert record["answer"] == response.json()


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("key", [None, "wrong-key"])
async def test_a_missing_or_wrong_key_is_refused_in_the_agencys_shape(client, name, key):
    service = SERVICES[name]
    headers = {} if key is None else AUTH[service.agency](key)
    response = await _post(client, service, service.body(), headers=headers)
    assert response.status_code == 401
    assert any("API key" in message for _, message in PROBLEMS[service.agency](response.json()))
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize(
    "authorization",
    [
        "Basic " + _basic("someone-else", KEYS["veterans"]),
        "Basic " + KEYS["veterans"],  # not base64 of user:password
        "Basic !!!",
        f"Bearer {KEYS['veterans']}",
    ],
)
async def test_veterans_affairs_takes_only_its_basic_credentials(client, authorization):
    service = SERVICES["veterans"]
    response = await _post(
        client, service, service.body(), headers={"Authorization": authorization}
    )
    assert response.status_code == 401
    assert response.json()["error_code"] == "NOT_AUTHENTICATED"


@pytest.mark.parametrize("name", SERVICES)
async def test_a_submission_needs_an_idempotency_key(client, name):
    service = SERVICES[name]
    response = await _post(client, service, service.body(), idempotency_key=None)
    assert response.status_code == 400
    assert _named(response, service.agency, "Idempotency-Key")
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("name", SERVICES)
async def test_a_repeat_returns_the_first_answer_and_makes_one_record(client, name):
    service = SERVICES[name]
    first = await _post(client, service, service.body(), idempotency_key="event-1/step")
    again = await _post(client, service, service.body(), idempotency_key="event-1/step")
    assert again.status_code == first.status_code == service.status
    assert again.json() == first.json()
    assert [r["idempotency_key"] for r in await _records(client, service.agency)] == [
        "event-1/step"
    ]


@pytest.mark.parametrize("name", SERVICES)
async def test_the_same_key_for_a_different_body_is_a_conflict(client, name):
    service = SERVICES[name]
    await _post(client, service, service.body())
    other = _changed(service.body(), _ANOTHER_VALUE[name][0], _ANOTHER_VALUE[name][1])
    response = await _post(client, service, other)
    assert response.status_code == 409
    assert _named(response, service.agency, "Idempotency-Key")
    assert len(await _records(client, service.agency)) == 1


# A valid change per service, for the conflict test.
_ANOTHER_VALUE: dict[str, tuple[str, Any]] = {
    "council-rates": ("occupier.email", "other@example.org"),
    "council-dogs": ("dogs.0.dogName", "Rex"),
    "council-deceased": ("notifier.fullName", "Hine Synthetic"),
    "veterans": ("next_of_kin.relationship", "OTHER"),
    "kaingaora": ("Contact.Phone", "021 555 0199"),
}


def _changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with the value at a dotted path (list indexes as digits) replaced."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return copy


# A wrong format per service: the path to change, the value to put there, and the agency's
# field name the refusal must give. Each value is one a sloppy mapping could send.
WRONG_FORMATS = [
    ("council-rates", "occupationDate", "22/11/2026", "occupationDate"),
    ("council-rates", "occupier.fullName", "TŪHOE-SYNTHETIC, Mere", "occupier.fullName"),
    ("council-rates", "property.postcode", "60110", "property.postcode"),
    ("council-rates", "propertyId", "WGN-7858404", "propertyId"),
    ("council-rates", "occupier.full_name", "Mere Tūhoe", "occupier.full_name"),
    ("council-dogs", "dogs.0.microchipNumber", "98200012345678", "dogs[0].microchipNumber"),
    ("council-dogs", "owner.phone", "021 555 0142", "owner.phone"),
    ("council-dogs", "dogs", [], "dogs"),
    ("council-deceased", "deceased.dateOfDeath", "2999-01-01", "deceased.dateOfDeath"),
    (
        "council-deceased",
        "notifier.correspondenceAddress",
        ["PO Box 1234", "Whangārei"],
        "notifier.correspondenceAddress",
    ),
    ("council-deceased", "property.street", "PO Box 1234", "property.street"),
    ("veterans", "veteran.date_of_birth", "1941-02-11", "veteran.date_of_birth"),
    ("veterans", "next_of_kin.relationship", "child", "next_of_kin.relationship"),
    ("veterans", "next_of_kin.phone", "027 555 0100", "next_of_kin.phone"),
    ("veterans", "veteran.service_number", "A-123456", "veteran.service_number"),
    ("veterans", "death.dateOfDeath", "21.11.2026", "death.dateOfDeath"),
    ("kaingaora", "Tenant.Name", "Hōhepa Te Rangi Synthetic", "Tenant.Name"),
    ("kaingaora", "Tenant.Name", "Synthetic, Hōhepa Te Rangi", "Tenant.Name"),
    ("kaingaora", "TenancyAddress.Postcode", "573", "TenancyAddress.Postcode"),
    ("kaingaora", "TenancyAddress.UnitType", "Flatette", "TenancyAddress.UnitType"),
    ("kaingaora", "TenancyAddress.LevelNumber", "L2", "TenancyAddress.LevelNumber"),
    ("council-rates", "property.street", "Level 3, Willis Street", "property.street"),
    ("kaingaora", "Contact.Phone", "(027) 555-0100", "Contact.Phone"),
    ("kaingaora", "Tenant.DateOfDeath", "2026-11-21T00:00:00+13:00", "Tenant.DateOfDeath"),
]


@pytest.mark.parametrize(("name", "path", "value", "field"), WRONG_FORMATS)
async def test_each_service_refuses_a_wrong_format_naming_its_field_not_the_value(
    client, name, path, value, field
):
    service = SERVICES[name]
    response = await _post(client, service, _changed(service.body(), path, value))
    assert response.status_code == 422
    assert _named(response, service.agency, field)
    if isinstance(value, str):
        assert value not in json.dumps(response.json(), ensure_ascii=False)
    assert await _records(client, service.agency) == []


@pytest.mark.parametrize("name", SERVICES)
async def test_a_service_that_is_down_answers_503_and_records_nothing(client, name):
    service = SERVICES[name]
    await client.put(f"/{service.agency}/_faults", json={"error_rate": 1.0})
    response = await _post(client, service, service.body())
    assert response.status_code == 503
    assert PROBLEMS[service.agency](response.json())
    assert await _records(client, service.agency) == []


# --- the council's property look-up --------------------------------------------------------

CUBA_STREET = {"street": "3/45 Cuba Street", "suburb": "Te Aro", "town": "Wellington"}
CUBA_STREET |= {"postcode": "6011"}


async def _property(client: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    return await client.get(
        "/council/v1/properties", params=params, headers=AUTH["council"](KEYS["council"])
    )


async def test_the_property_look_up_is_deterministic_per_address(client):
    first = await _property(client, CUBA_STREET)
    assert first.status_code == 200
    assert set(first.json()) == {"propertyId", "valuationNumber"}
    assert first.json()["propertyId"].startswith("WGN-")
    assert (await _property(client, CUBA_STREET)).json() == first.json()
    # The same address typed with other case and spacing is the same property.
    retyped = CUBA_STREET | {"street": "3/45  cuba STREET", "suburb": "te aro"}
    assert (await _property(client, retyped)).json() == first.json()
    other_unit = await _property(client, CUBA_STREET | {"street": "4/45 Cuba Street"})
    assert other_unit.json()["propertyId"] != first.json()["propertyId"]


@pytest.mark.parametrize(
    ("postcode", "council_prefix"),
    [("0573", "NTH"), ("1011", "AKL"), ("3216", "WKO"), ("6011", "WGN"), ("8011", "CHC")],
)
async def test_the_property_id_names_the_council_of_the_postcodes_region(
    client, postcode, council_prefix
):
    response = await _property(client, CUBA_STREET | {"postcode": postcode})
    assert response.json()["propertyId"].startswith(f"{council_prefix}-")


@pytest.mark.parametrize("street", ["PO Box 1234", "Private Bag 92019", "Cuba Street", "3/45"])
async def test_no_property_for_a_po_box_or_an_unknown_shape(client, street):
    response = await _property(client, CUBA_STREET | {"street": street})
    assert response.status_code == 404
    assert set(response.json()) == {"message", "errors"}


async def test_the_look_up_checks_its_query_and_key(client):
    no_town = {key: value for key, value in CUBA_STREET.items() if key != "town"}
    response = await _property(client, no_town)
    assert response.status_code == 422
    assert _named(response, "council", "town")
    unknown = await _property(client, CUBA_STREET | {"country": "NZ"})
    assert unknown.status_code == 422
    assert _named(unknown, "council", "country")
    anonymous = await client.get("/council/v1/properties", params=CUBA_STREET)
    assert anonymous.status_code == 401
    await client.put("/council/_faults", json={"error_rate": 1.0})
    assert (await _property(client, CUBA_STREET)).status_code == 503


async def test_a_property_id_of_another_address_is_refused(client):
    service = SERVICES["council-rates"]
    elsewhere = (await _property(client, CUBA_STREET | {"street": "4/45 Cuba Street"})).json()
    body = service.body() | {"propertyId": elsewhere["propertyId"]}
    response = await _post(client, service, body)
    assert response.status_code == 422
    assert _named(response, "council", "propertyId")
    assert await _records(client, "council") == []


async def test_the_submission_carries_the_id_its_address_looks_up(client):
    body = SERVICES["council-deceased"].body()
    found = await _property(client, body["property"])
    assert body["propertyId"] == found.json()["propertyId"]
    assert body["propertyId"].startswith("NTH-")  # Kaiwaka, 0573: Northland


# --- the address register ------------------------------------------------------------------

RESIDENT = {
    "address": {
        "unitType": "Apartment",
        "unit": "3",
        "levelType": "Level",
        "levelNumber": "1",
        "buildingName": "Cuba Mall Apartments",
        "streetNumber": "45",
        "streetNumberLast": "47",
        "street": "Cuba Street",
        "suburb": "Te Aro",
        "ruralDelivery": None,
        "town": "Wellington",
        "postcode": "6011",
    },
    "household": [
        {
            "givenNames": ["Rāwiri"],
            "familyName": "Synthetic",
            "dateOfBirth": "1986-01-09",
            "relationship": "partner",
        }
    ],
    "asAt": "2026-10-01",
}


async def _resident(client: httpx.AsyncClient, identity: str, **headers: str) -> httpx.Response:
    sent = AUTH["addresses"](KEYS["addresses"]) | headers
    return await client.get(f"/addresses/v1/residents/{identity}", headers=sent)


async def _seed(client: httpx.AsyncClient, identity: str, record: Any) -> httpx.Response:
    return await client.put(
        f"/addresses/_residents/{identity}",
        json=record,
        headers=AUTH["addresses"](KEYS["addresses"]),
    )


async def test_the_register_answers_a_seeded_record(client):
    seeded = await _seed(client, "citizen:0042", RESIDENT)
    assert seeded.status_code == 200
    assert seeded.json() == RESIDENT
    response = await _resident(client, "citizen:0042")
    assert response.status_code == 200
    assert response.json() == RESIDENT
    (record,) = await _records(client, "addresses")
    assert record["idempotency_key"] == "citizen:0042"
    assert record["answer"] == RESIDENT


async def test_seeding_again_replaces_the_record(client):
    await _seed(client, "c-1", RESIDENT)
    moved = RESIDENT | {"household": [], "asAt": "2026-11-01"}
    await _seed(client, "c-1", moved)
    assert (await _resident(client, "c-1")).json() == moved
    assert len(await _records(client, "addresses")) == 1


async def test_an_unknown_identity_gets_the_same_synthetic_residence_every_time(client):
    first = await _resident(client, "demo-citizen-7")
    assert first.status_code == 200
    assert (await _resident(client, "demo-citizen-7")).json() == first.json()
    record = mock_addresses.ResidentRecord.model_validate_json(first.content)
    assert len(record.address.postcode) == 4
    assert record.address.postcode.isdigit()
    assert all("Synthetic" in member.family_name for member in record.household)
    others = [(await _resident(client, f"demo-citizen-{n}")).json() for n in range(8)]
    assert len({json.dumps(other, sort_keys=True) for other in others}) > 1
    # Looking up holds nothing new: the register's records are only what was seeded.
    assert await _records(client, "addresses") == []


@pytest.mark.parametrize("identity", ["bad identity!", "x" * 129, "ā-macron"])
async def test_a_bad_identity_is_refused_without_quoting_it(client, identity):
    response = await _resident(client, identity)
    assert response.status_code == 422
    assert _named(response, "addresses", "identity")
    assert identity not in json.dumps(response.json(), ensure_ascii=False)


async def test_an_identity_that_is_not_one_path_segment_finds_nothing(client):
    assert (await _resident(client, "a/b")).status_code == 404


async def test_the_register_needs_its_key_for_look_ups_and_seeding(client):
    assert (await _resident(client, "c-1", **{"X-Api-Key": "wrong"})).status_code == 401
    anonymous = await client.put("/addresses/_residents/c-1", json=RESIDENT)
    assert anonymous.status_code == 401
    assert any("API key" in message for _, message in _register_problems(anonymous.json()))
    assert await _records(client, "addresses") == []


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("address.postcode", "60110", "address.postcode"),
        ("address.ruralDelivery", "R.D. 2", "address.ruralDelivery"),
        ("address.unitType", "Flatette", "address.unitType"),
        ("address.levelType", "Storey", "address.levelType"),
        ("address.levelNumber", "Level 1", "address.levelNumber"),
        ("address.streetNumberLast", "47-49", "address.streetNumberLast"),
        ("household.0.dateOfBirth", "09/01/1986", "household[0].dateOfBirth"),
        ("household.0.relationship", "husband", "household[0].relationship"),
        ("asAt", "2999-01-01", "asAt"),
    ],
)
async def test_seeding_checks_the_record_in_the_registers_format(client, path, value, field):
    response = await _seed(client, "c-1", _changed(RESIDENT, path, value))
    assert response.status_code == 422
    assert _named(response, "addresses", field)
    assert value not in json.dumps(response.json(), ensure_ascii=False)
    assert await _records(client, "addresses") == []


async def test_seeding_checks_the_identity(client):
    response = await _seed(client, "not ok", RESIDENT)
    assert response.status_code == 422
    assert _named(response, "addresses", "identity")


async def test_register_faults_fail_look_ups_but_not_seeding(client):
    await client.put("/addresses/_faults", json={"error_rate": 1.0})
    assert (await _seed(client, "c-1", RESIDENT)).status_code == 200
    response = await _resident(client, "c-1")
    assert response.status_code == 503
    assert _register_problems(response.json())


async def test_the_register_is_seeded_from_a_restarted_app(db_path, client):
    await _seed(client, "c-1", RESIDENT)
    reopened = create_app(db_path, environ={})
    transport = httpx.ASGITransport(reopened)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as again:
        assert (await _resident(again, "c-1")).json() == RESIDENT


async def test_each_agency_reads_only_its_own_header(client):
    # The register's X-Api-Key style, with the council's key, is no key to the council.
    service = SERVICES["council-rates"]
    response = await _post(client, service, service.body(), headers={"X-Api-Key": KEYS["council"]})
    assert response.status_code == 401
