"""The council mock: a rates notice's new occupier, moving a dog's registration, and notice
that a ratepayer has died, through the gates every agency passes with the council's own format
rules; and its property look-up, which gives every NZ street address a property id that a
submission must carry. Its cancellation of a dog registration transfer is tested with the
kit's withdrawals (test_kit_withdrawals.py).
"""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from adapters import council
from mocks.agencies.council import properties as council_properties
from mocks.kit.formats import nz_today
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.move import MoveData
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import disclose, sample_death, sample_move
from tests.mocks.services import AUTH, Service, named, post, records

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}


def recent_move() -> MoveData:
    """The sample move, made three days ago: the council takes moves within a year of today."""
    return sample_move().model_copy(update={"move_date": nz_today() - timedelta(days=3)})


def property_id(council_property: dict[str, str]) -> str:
    """The id the council's look-up gives for a property as the council writes it."""
    query = council_properties.PropertyQuery.model_validate(council_property)
    found = council_properties.property_for(query)
    assert found is not None
    return found["propertyId"]


def with_property_id(step_id: str, mapping: Any, sample: Any, event: Any) -> Any:
    """A body maker: the council's mapping takes the property id its look-up gives for the
    address."""

    def body() -> dict[str, Any]:
        disclosure = disclose(step_id, sample(), event, **DEATH_FACTS)
        made: dict[str, Any] = mapping(disclosure, "XXX-00000000")
        return made | {"propertyId": property_id(made["property"])}

    return body


SERVICES = {
    "council-rates": Service(
        "council",
        "/council/v1/rates-notices",
        with_property_id("council_rates", council.to_rates_notice, recent_move, MOVE),
        "requestNumber",
        "RATES-000001",
        ("occupier.email", "other@example.org"),
    ),
    "council-dogs": Service(
        "council",
        "/council/v1/dog-registrations/address-changes",
        with_property_id(
            "council_dog_registration", council.to_dog_registration_transfer, recent_move, MOVE
        ),
        "requestNumber",
        "DOG-000001",
        ("dogs.0.dogName", "Rex"),
    ),
    "council-deceased": Service(
        "council",
        "/council/v1/deceased-ratepayers",
        with_property_id("notify_council", council.to_deceased_ratepayer, sample_death, DEATH),
        "requestNumber",
        "DCD-000001",
        ("notifier.fullName", "Hine Synthetic"),
    ),
}
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
    ("council-rates", "property.street", "Level 3, Willis Street", "property.street"),
]


class TestGates(AgencyGates):
    """The council's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


CUBA_STREET = {"street": "3/45 Cuba Street", "suburb": "Te Aro", "town": "Wellington"}
CUBA_STREET |= {"postcode": "6011"}


async def _property(client: httpx.AsyncClient, params: dict[str, str]) -> httpx.Response:
    return await client.get(
        "/council/v1/properties", params=params, headers=AUTH["council"]("dev-council-key")
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
    assert "town" in named("council", response)
    unknown = await _property(client, CUBA_STREET | {"country": "NZ"})
    assert unknown.status_code == 422
    assert "country" in named("council", unknown)
    anonymous = await client.get("/council/v1/properties", params=CUBA_STREET)
    assert anonymous.status_code == 401
    await client.put("/council/_faults", json={"error_rate": 1.0})
    assert (await _property(client, CUBA_STREET)).status_code == 503


async def test_a_property_id_of_another_address_is_refused(client):
    service = SERVICES["council-rates"]
    elsewhere = (await _property(client, CUBA_STREET | {"street": "4/45 Cuba Street"})).json()
    body = service.body() | {"propertyId": elsewhere["propertyId"]}
    response = await post(client, service, body)
    assert response.status_code == 422
    assert "propertyId" in named("council", response)
    assert await records(client, "council") == []


async def test_the_submission_carries_the_id_its_address_looks_up(client):
    body = SERVICES["council-deceased"].body()
    found = await _property(client, body["property"])
    assert body["propertyId"] == found.json()["propertyId"]
    assert body["propertyId"].startswith("NTH-")  # Kaiwaka, 0573: Northland
