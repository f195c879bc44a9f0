"""The same canonical data in several agencies' formats side by side: addresses without
a unit or with rural delivery, postal addresses, names, phones and relationship codes.
"""

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import acc, bdm, council, health, ird, kaingaora, msd, nzta, veterans
from mocks.agencies import acc as mock_acc
from mocks.agencies import bdm as mock_bdm
from mocks.agencies import ird as mock_ird
from mocks.agencies import msd as mock_msd
from mocks.agencies import nzta as mock_nzta
from mocks.agencies.health.enrolment import NewbornEnrolment
from onceonly.domain.address_model import Address, PostalAddress, PostBox
from onceonly.domain.catalogue import DEATH, MOVE
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName
from tests.adapters.support import (
    PO_BOX_LINES,
    PROPERTY,
    RURAL,
    RURAL_NO_LOCALITY,
    death_changed,
    death_disclosure,
    death_facts,
    death_with,
    move_with,
    the_mock_accepts,
)
from tests.mocks.samples import disclose, sample_birth, sample_move

# A street address with neither unit nor suburb.
CUBA_STREET_NO_UNIT = Address(number="45", street="Cuba Street", city="Wellington", postcode="6011")
STREET_FOR_LETTERS = Address(
    unit="2", number="7", street="Bank Street", city="Whangārei", postcode="0110"
)


def _move(**mover_changes: Any) -> MoveData:
    """The sample move with the mover changed, or the new address and GP (`new_address`,
    `gp_practice`) replaced."""
    data = sample_move()
    top: dict[str, Any] = {
        k: mover_changes.pop(k) for k in ("new_address", "gp_practice") if k in mover_changes
    }
    mover = data.mover.model_copy(update=mover_changes)
    return data.model_copy(update={"mover": mover, **top})


def test_an_address_without_a_unit_or_suburb_in_every_format():
    data = _move(new_address=CUBA_STREET_NO_UNIT)
    assert ird.to_ird_address_change(disclose("update_ird_address", data, MOVE))[
        "residentialAddress"
    ] == ("45 Cuba Street, Wellington 6011")
    assert msd.to_msd_change_of_circumstances(disclose("update_msd_address", data, MOVE))[
        "new_address"
    ] == {
        "street_number": "45",
        "street_name": "Cuba Street",
        "town": "Wellington",
        "post_code": "6011",
    }
    patient = health.to_nhi_address_update(disclose("update_health_address", data, MOVE))
    assert patient["address"][0]["line"] == ["45 Cuba Street"]


def test_a_rural_address_keeps_its_rural_delivery_in_every_format():
    data = _move(new_address=RURAL)
    line = ird.to_ird_address_change(disclose("update_ird_address", data, MOVE))
    assert line["residentialAddress"] == "1280 State Highway 1, Kaiwaka, RD 2, Kaiwaka 0573"
    parts = msd.to_msd_change_of_circumstances(disclose("update_msd_address", data, MOVE))
    assert parts["new_address"] == {
        "street_number": "1280",
        "street_name": "State Highway 1",
        "suburb": "Kaiwaka",
        "rural_delivery": 2,
        "town": "Kaiwaka",
        "post_code": "0573",
    }
    patient = health.to_nhi_address_update(disclose("update_health_address", data, MOVE))
    assert patient["address"][0]["line"] == ["1280 State Highway 1", "Kaiwaka", "RD 2"]


def test_birth_mappings_keep_a_rural_delivery_too():
    # The shared address mappings now write "RD n"; the birth services take it as well.
    data = sample_birth(address=RURAL)
    facts = {"child__birth_registration_number": "2026/000123", "child__ird_number": "130000010"}
    registration = bdm.to_bdm_registration(disclose("register_birth", data))
    assert registration["usualResidence"]["ruralDelivery"] == "RD 2"
    the_mock_accepts(mock_bdm.BirthRegistration, registration)
    newborn = ird.to_ird_newborn_registration(disclose("child_ird_number", data, **facts))
    assert newborn["postalAddress"] == "1280 State Highway 1, Kaiwaka, RD 2, Kaiwaka 0573"
    the_mock_accepts(mock_ird.NewbornRegistration, newborn)
    best_start = msd.to_msd_best_start(disclose("best_start", data, **facts))
    assert best_start["address"]["rural_delivery"] == 2
    the_mock_accepts(mock_msd.BestStartApplication, best_start)
    enrolment = health.to_health_enrolment(disclose("health_enrolment", data, **facts))
    assert enrolment["entry"][0]["resource"]["address"][0]["line"][-1] == "RD 2"
    the_mock_accepts(NewbornEnrolment, enrolment)


@pytest.mark.parametrize(
    ("letters_to", "one_line", "msd_shape"),
    [
        (
            PostBox(box_number="1234", city="Whangārei", postcode="0140"),
            "PO Box 1234, Whangārei 0140",
            {"kind": "box", "box_type": "po_box", "box_number": "1234"},
        ),
        (
            PostBox(
                kind="Private Bag",
                box_number="9001",
                lobby="Kamo",
                city="Whangārei",
                postcode="0141",
            ),
            "Private Bag 9001, Kamo, Whangārei 0141",
            {"kind": "box", "box_type": "private_bag", "box_number": "9001", "lobby": "Kamo"},
        ),
        (
            PostBox(kind="Counter Delivery", lobby="Kamo", city="Whangārei", postcode="0141"),
            "Counter Delivery, Kamo, Whangārei 0141",
            {"kind": "box", "box_type": "counter_delivery", "lobby": "Kamo"},
        ),
        (
            STREET_FOR_LETTERS,
            "2/7 Bank Street, Whangārei 0110",
            {"kind": "street", "unit": "2", "street_number": "7", "street_name": "Bank Street"},
        ),
    ],
)
def test_the_notifiers_postal_address(letters_to, one_line, msd_shape):
    data = death_changed(notifier={"postal_address": letters_to})
    notice = ird.to_ird_deceased_notification(death_disclosure("notify_ird", data))
    assert notice["notifierPostalAddress"] == one_line
    grant = msd.to_msd_funeral_grant(death_disclosure("funeral_grant", data))
    town = {"town": letters_to.city, "post_code": letters_to.postcode}
    assert grant["applicant"]["postal_address"] == msd_shape | town


def test_a_mover_without_phone_or_new_gp():
    data = _move(phone=None, gp_practice=None)
    change = msd.to_msd_change_of_circumstances(disclose("update_msd_address", data, MOVE))
    assert "phone" not in change
    patient = health.to_nhi_address_update(disclose("update_health_address", data, MOVE))
    assert "generalPractitioner" not in patient


def test_a_deceased_without_a_preferred_name_or_middle_names():
    name = PersonName(given_names=["Hōhepa"], family_name="Synthetic")
    data = death_changed(deceased={"name": name})
    registration = bdm.to_bdm_death_registration(death_disclosure("register_death", data))
    assert "preferredName" not in registration["deceased"]
    assert (
        msd.to_msd_stop_payments(death_disclosure("stop_msd_payments", data))["client"][
            "middle_names"
        ]
        == ""
    )
    patient = health.to_nhi_deceased(death_disclosure("notify_health", data))
    assert patient["name"] == [{"use": "official", "family": "Synthetic", "given": ["Hōhepa"]}]


@pytest.mark.parametrize(
    ("relationship", "bdm_code", "ird_code", "msd_code"),
    [
        ("spouse_or_partner", "SPOUSE_PARTNER", "SPOUSE", "partner"),
        ("child", "CHILD", "CHILD", "child"),
        ("parent", "PARENT", "PARENT", "parent"),
        ("sibling", "SIBLING", "SIBLING", "sibling"),
        ("grandchild", "GRANDCHILD", "GRANDCHILD", "grandchild"),
        ("other_relative", "OTHER_RELATIVE", "RELATIVE", "other_family"),
        ("friend", "FRIEND", "FRIEND", "friend"),
    ],
)
def test_each_agency_codes_the_notifiers_relationship_its_own_way(
    relationship, bdm_code, ird_code, msd_code
):
    data = death_changed(notifier={"relationship": relationship})
    informant = bdm.to_bdm_death_registration(death_disclosure("register_death", data))["informant"]
    assert informant["relationship"] == bdm_code
    notice = ird.to_ird_deceased_notification(death_disclosure("notify_ird", data))
    assert notice["notifierRelationship"] == ird_code
    grant = msd.to_msd_funeral_grant(death_disclosure("funeral_grant", data))
    assert grant["applicant"]["relationship"] == msd_code


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_nzta_and_acc_dates_read_back_as_the_same_day(day):
    assert mock_acc.acc_date_value(acc.acc_date(day.isoformat())) == day
    assert mock_nzta.nzta_date_value(nzta.nzta_date(day.isoformat())) == day


def test_an_address_without_unit_or_suburb():
    disclosure = disclose("council_rates", move_with(new_address=CUBA_STREET_NO_UNIT), MOVE)
    assert council.to_rates_notice(disclosure, PROPERTY)["property"] == {
        "street": "45 Cuba Street",
        "town": "Wellington",
        "postcode": "6011",
    }
    tenancy = kaingaora.to_tenancy_end_notice(
        disclose("end_tenancy", death_with({"last_address": CUBA_STREET_NO_UNIT}), DEATH)
    )["TenancyAddress"]
    assert tenancy["Unit"] is None
    assert tenancy["Suburb"] is None


def test_a_unit_is_kept_apart_by_kainga_ora_and_in_the_street_line_by_the_council():
    flat = CUBA_STREET_NO_UNIT.model_copy(update={"unit": "2B", "number": "21A"})
    data = death_with({"last_address": flat})
    tenancy = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    assert tenancy["TenancyAddress"]["Unit"] == "2B"
    assert tenancy["TenancyAddress"]["StreetNumber"] == "21A"
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    assert notice["property"]["street"] == "2B/21A Cuba Street"


@pytest.mark.parametrize(
    ("postal_address", "lines"),
    [
        (
            PostBox(box_number="1234", lobby="Whangārei", city="Whangārei", postcode="0140"),
            PO_BOX_LINES,
        ),
        (
            PostBox(kind="Private Bag", box_number="92019", city="Auckland", postcode="1142"),
            ["Private Bag 92019", "Auckland 1142"],
        ),
        (
            PostBox(kind="Counter Delivery", lobby="Kaikohe", city="Kaikohe", postcode="0440"),
            ["Counter Delivery", "Kaikohe", "Kaikohe 0440"],
        ),
        (
            Address(
                unit="3",
                number="45",
                street="Cuba Street",
                suburb="Te Aro",
                city="Wellington",
                postcode="6011",
            ),
            ["3/45 Cuba Street", "Te Aro", "Wellington 6011"],
        ),
        (RURAL_NO_LOCALITY, ["1280 State Highway 1", "RD 2", "Kaiwaka 0573"]),
    ],
)
def test_the_notifiers_postal_address_as_lines(postal_address: PostalAddress, lines):
    data = death_with(postal_address=postal_address)
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    assert notice["notifier"]["correspondenceAddress"] == lines
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **death_facts())
    )
    assert notification["next_of_kin"]["postal_address_lines"] == lines


def test_a_single_given_name_and_no_preferred_name():
    name = PersonName(given_names=["Hōhepa"], family_name="Synthetic")
    data = death_with({"name": name})
    notification = veterans.to_deceased_veteran(
        disclose("notify_veterans_affairs", data, DEATH, **death_facts())
    )
    assert notification["veteran"]["full_name"] == "Hōhepa Synthetic"
    assert notification["veteran"]["preferred_name"] is None
    notice = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    assert notice["Tenant"]["Name"] == "SYNTHETIC, Hōhepa"


@pytest.mark.parametrize(
    ("phone", "grouped", "digits"),
    [
        ("027 555 0100", "027 555 0100", "0275550100"),
        ("(09) 123-4567", "09 123 4567", "091234567"),
        ("+64 21 555 0142", "+64 21 555 0142", "+64215550142"),
        ("+ 64-21-555-0142", "+64 21 555 0142", "+64215550142"),
        # E.164, as intake stores phones, grouped as dialled internationally.
        ("+64275550100", "+64 27 555 0100", "+64275550100"),
        ("+16502530000", "+1 650 253 0000", "+16502530000"),
    ],
)
def test_phones_for_kainga_ora_and_veterans_affairs(phone, grouped, digits):
    assert kaingaora.grouped_phone(phone) == grouped
    assert veterans.va_phone(phone) == digits
