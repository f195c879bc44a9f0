"""The NZ Transport Agency mock's driver licence register (a holder's new address, cancelling
the licence of a holder who has died) through the gates every agency passes, with NZTA's own
format rules; its two services share one register and one transaction sequence. Its status
checks and corrections are tested with the kit's (test_kit_amendments.py).
"""

import httpx

from adapters import nzta
from onceonly.domain.catalogue import DEATH, MOVE
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_death, sample_move
from tests.mocks.services import DELETE, Service, mapped, post, problems, records

DEATH_FACTS = {"deceased__death_registration_number": "2026/000042"}
SERVICES = {
    "nzta-address": Service(
        "nzta",
        "/nzta/api/v1/licence-holders/address-changes",
        mapped(nzta.to_nzta_address_change, "update_driver_licence", sample_move, MOVE),
        "transactionId",
        "DL-000001",
        ("residentialAddress.postcode", "6012"),
    ),
    "nzta-cancellation": Service(
        "nzta",
        "/nzta/api/v1/licences/deceased-cancellations",
        mapped(
            nzta.to_nzta_cancellation, "cancel_driver_licence", sample_death, DEATH, **DEATH_FACTS
        ),
        "transactionId",
        "DL-000001",
        ("dateOfDeath", "20261120"),
    ),
}
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
    ("nzta-address", "residentialAddress.postcode", DELETE, "residentialAddress.postcode"),
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
]


class TestGates(AgencyGates):
    """NZTA's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


async def test_an_agencys_services_share_its_records_and_reference_sequence(
    client: httpx.AsyncClient,
) -> None:
    await post(
        client, SERVICES["nzta-address"], SERVICES["nzta-address"].body(), idempotency_key="a"
    )
    cancelled = await post(
        client,
        SERVICES["nzta-cancellation"],
        SERVICES["nzta-cancellation"].body(),
        idempotency_key="b",
    )
    assert cancelled.json() == {"transactionId": "DL-000002", "outcome": "LICENCE_CANCELLED"}
    assert [r["idempotency_key"] for r in await records(client, "nzta")] == ["a", "b"]


async def test_one_services_body_is_not_anothers(client: httpx.AsyncClient) -> None:
    # An address change sent to the cancellation service lacks the death and has an address.
    service = SERVICES["nzta-cancellation"]
    response = await post(client, service, SERVICES["nzta-address"].body())
    assert response.status_code == 422
    fields = {field for field, _ in problems("nzta", response)}
    assert {"dateOfDeath", "deathRegistrationNumber", "residentialAddress"} <= fields
