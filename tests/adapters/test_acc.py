"""ACC: the client address update in ACC's format, its dates and phones."""

from typing import Any

import pytest

from adapters import acc
from onceonly.domain.catalogue import MOVE
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName
from tests.adapters.support import RURAL, move_changed
from tests.mocks.samples import disclose, sample_move


def _acc_move(data: MoveData) -> dict[str, Any]:
    return acc.to_acc_address_update(disclose("update_acc_address", data, MOVE))


def test_acc_address_update_is_accs_format():
    assert _acc_move(sample_move()) == {
        "client": {
            "firstName": "Mere Ānahera",
            "lastName": "Tūhoe-Synthetic",
            "preferredName": None,
        },
        "dateOfBirth": "20-May-1988",
        "address": {
            "addressLine1": "3/45 Cuba Street",
            "addressLine2": "Te Aro",
            "ruralDelivery": None,
            "city": "Wellington",
            "postCode": "6011",
        },
        "email": "mere@example.org",
        "phone": "+64215550142",
    }


def test_acc_rural_address_preferred_name_and_no_contact_details():
    name = PersonName(given_names=["Mere"], family_name="Tūhoe", known_as="Mē")
    update = _acc_move(move_changed(RURAL, name=name, email=None, phone=None))
    assert "email" not in update
    assert "phone" not in update
    assert update["client"] == {"firstName": "Mere", "lastName": "Tūhoe", "preferredName": "Mē"}
    assert update["address"] == {
        "addressLine1": "1280 State Highway 1",
        "addressLine2": "Kaiwaka",
        "ruralDelivery": "RD 2",
        "city": "Kaiwaka",
        "postCode": "0573",
    }


@pytest.mark.parametrize(
    ("phone", "digits"),
    [
        ("021 555 0142", "0215550142"),
        ("(09) 123-4567", "091234567"),
        ("+64 21 555 0142", "+64215550142"),
    ],
)
def test_acc_phone_is_digits_with_a_leading_plus_kept(phone, digits):
    assert acc.acc_phone(phone) == digits
    assert _acc_move(move_changed(phone=phone))["phone"] == digits


@pytest.mark.parametrize(
    ("iso", "written"),
    [("2026-11-05", "05-Nov-2026"), ("1988-05-20", "20-May-1988"), ("2000-01-31", "31-Jan-2000")],
)
def test_acc_date(iso, written):
    assert acc.acc_date(iso) == written
