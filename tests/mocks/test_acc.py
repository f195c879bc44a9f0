"""The ACC mock's client address update through the gates every agency passes, with ACC's own
format rules (its dd-Mon-yyyy dates, street lines, phones).
"""

import httpx

from adapters import acc
from onceonly.domain.catalogue import MOVE
from tests.mocks.gates import AgencyGates
from tests.mocks.samples import sample_move
from tests.mocks.services import Service, mapped, post, records

SERVICES = {
    "acc-address": Service(
        "acc",
        "/acc/api/v2/clients/address-updates",
        mapped(acc.to_acc_address_update, "update_acc_address", sample_move, MOVE),
        "requestId",
        "ACC-0000001",
        ("phone", "0215550143"),
    ),
}
WRONG_FORMATS = [
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
]


class TestGates(AgencyGates):
    """ACC's services through the gates every agency passes."""

    services = SERVICES
    wrong_formats = WRONG_FORMATS


async def test_the_clients_name_passes_through_untouched(client: httpx.AsyncClient) -> None:
    service = SERVICES["acc-address"]
    await post(client, service, service.body())
    (record,) = await records(client, "acc")
    assert record["received"]["client"] == {
        "firstName": "Mere Ānahera",
        "lastName": "Tūhoe-Synthetic",
        "preferredName": None,
    }
