"""The local council: the rates notice, dog registration transfer and deceased ratepayer in
the council's format, its phones, and the property look-up before each submission.
"""

from datetime import timedelta

import httpx
import pytest

from adapters import council
from adapters.base import AgencyAnswer, AgencyRejected
from mocks.kit.formats import nz_today
from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.move import MoveData
from tests.adapters.support import (
    BASE_URL,
    KEYS,
    PO_BOX_LINES,
    PROPERTY,
    RURAL_NO_LOCALITY,
    death_facts,
    move_with,
    records,
)
from tests.mocks.samples import disclose, sample_death, sample_move

CUBA_STREET = {"street": "3/45 Cuba Street", "suburb": "Te Aro", "town": "Wellington"}
CUBA_STREET |= {"postcode": "6011"}
KAIWAKA = {"street": "1280 State Highway 1", "suburb": "Kaiwaka", "ruralDelivery": "RD 2"}
KAIWAKA |= {"town": "Kaiwaka", "postcode": "0573"}


def _recent_move() -> MoveData:
    # The council takes moves within a year of today; the sample's date is fixed.
    return move_with(move_date=nz_today() - timedelta(days=3))


COUNCIL_STEPS = [
    ("council_rates", council.to_rates_notice, "RATES-000001"),
    ("council_dog_registration", council.to_dog_registration_transfer, "DOG-000001"),
    ("notify_council", council.to_deceased_ratepayer, "DCD-000001"),
]


def test_the_rates_notice_is_the_councils_format():
    disclosure = disclose("council_rates", sample_move(), MOVE)
    assert council.to_rates_notice(disclosure, PROPERTY) == {
        "propertyId": PROPERTY,
        "property": CUBA_STREET,
        "occupier": {"fullName": "Mere Ānahera Tūhoe-Synthetic", "email": "mere@example.org"},
        "occupationDate": "2026-11-22",
    }


def test_the_dog_registration_transfer_is_the_councils_format():
    disclosure = disclose("council_dog_registration", sample_move(), MOVE)
    assert council.to_dog_registration_transfer(disclosure, PROPERTY) == {
        "propertyId": PROPERTY,
        "property": CUBA_STREET,
        "owner": {"fullName": "Mere Ānahera Tūhoe-Synthetic", "phone": "+64215550142"},
        "occupationDate": "2026-11-22",
        "dogs": [{"dogName": "Pātiki", "breed": "Huntaway", "microchipNumber": "982000123456789"}],
    }


def test_the_deceased_ratepayer_notice_is_the_councils_format():
    disclosure = disclose("notify_council", sample_death(), DEATH, **death_facts())
    assert council.to_deceased_ratepayer(disclosure, "NTH-00000002") == {
        "propertyId": "NTH-00000002",
        "property": KAIWAKA,
        "deceased": {"fullName": "Hōhepa Te Rangi Synthetic", "dateOfDeath": "2026-11-21"},
        "notifier": {"fullName": "Aroha Synthetic-Pōmare", "correspondenceAddress": PO_BOX_LINES},
    }


def test_a_rural_delivery_without_locality():
    disclosure = disclose(
        "council_dog_registration", move_with(new_address=RURAL_NO_LOCALITY), MOVE
    )
    assert council.to_dog_registration_transfer(disclosure, PROPERTY)["property"] == {
        "street": "1280 State Highway 1",
        "ruralDelivery": "RD 2",
        "town": "Kaiwaka",
        "postcode": "0573",
    }


def test_optional_contact_details_are_left_out_when_the_mover_has_none():
    mover = sample_move().mover.model_copy(update={"email": None, "phone": None})
    data = move_with(mover=mover)
    rates = council.to_rates_notice(disclose("council_rates", data, MOVE), PROPERTY)
    assert rates["occupier"] == {"fullName": "Mere Ānahera Tūhoe-Synthetic"}
    dogs = council.to_dog_registration_transfer(
        disclose("council_dog_registration", data, MOVE), PROPERTY
    )
    assert dogs["owner"] == {"fullName": "Mere Ānahera Tūhoe-Synthetic"}


@pytest.mark.parametrize(
    ("phone", "international"),
    [
        ("021 555 0142", "+64215550142"),
        ("(09) 123-4567", "+6491234567"),
        ("+64 4 123 4567", "+6441234567"),
        ("0061 2 9876 5432", "+61298765432"),
        ("555 0142", None),
        ("(00) 000-0000", None),
        ("+0 123 4567", None),
    ],
)
def test_phones_in_international_form(phone, international):
    assert council.international_phone(phone) == international


def test_a_dog_owners_phone_without_area_code_is_refused_without_quoting_it():
    mover = sample_move().mover.model_copy(update={"phone": "555 0142"})
    disclosure = disclose("council_dog_registration", move_with(mover=mover), MOVE)
    with pytest.raises(AgencyRejected, match=r"mover\.phone") as refused:
        council.to_dog_registration_transfer(disclosure, PROPERTY)
    assert "555" not in str(refused.value)


@pytest.mark.parametrize(("step_id", "mapping", "reference"), COUNCIL_STEPS)
async def test_the_council_adapter_looks_the_property_up_then_submits(
    client, adapters, step_id, mapping, reference
):
    on_move = step_id.startswith("council_")
    step = MOVE.step(step_id) if on_move else DEATH.step(step_id)
    disclosure = (
        disclose(step_id, _recent_move(), MOVE)
        if on_move
        else disclose(step_id, sample_death(), DEATH)
    )
    answer = await adapters["council"].submit(step.service, disclosure, f"event-1/{step_id}")
    assert answer == AgencyAnswer(reference=reference)
    address = Address.model_validate(
        disclosure["new_address" if on_move else "deceased.last_address"]
    )
    found = await adapters["council"].find_property(address)
    (record,) = await records(client, "council")
    assert record["received"] == mapping(disclosure, found.property_id)
    assert found.property_id.startswith("WGN-" if on_move else "NTH-")


async def test_a_council_without_the_property_refuses_before_any_submission():
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(404, json={"message": "No such property.", "errors": {}})

    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        adapter = council.CouncilAdapter(client, BASE_URL, KEYS["council"])
        disclosure = disclose("council_rates", sample_move(), MOVE)
        with pytest.raises(AgencyRejected, match="HTTP 404: No such property") as refused:
            await adapter.submit("rates-notice-address", disclosure, "k")
    assert refused.value.non_retryable
    assert [request.method for request in seen] == ["GET"]
    assert seen[0].url.params["street"] == "3/45 Cuba Street"
    assert seen[0].headers["X-Council-Key"] == KEYS["council"]
