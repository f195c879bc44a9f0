"""Inland Revenue: the newborn registration, address change and notification of death in
IRD's format, its codes and dates, and the mock's IRD numbers checked against the domain's rules.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters import ird
from adapters.base import AgencyRejected
from mocks.agencies import ird as mock_ird
from mocks.agencies.ird import numbers as mock_ird_numbers
from onceonly.domain.catalogue import MOVE
from onceonly.domain.identifiers import is_valid_ird_number
from tests.adapters.support import (
    BIRTH_REGISTRATION,
    DEATH_REGISTRATION,
    SMITH_STREET_NO_UNIT,
    death_changed,
    death_disclosure,
)
from tests.mocks.samples import BIRTH_PARENT_IRD, disclose, sample_birth, sample_move


def test_ird_registration_is_irds_format():
    disclosure = disclose(
        "child_ird_number", sample_birth(), child__birth_registration_number=BIRTH_REGISTRATION
    )
    assert ird.to_ird_newborn_registration(disclosure) == {
        "birthRegistrationNumber": BIRTH_REGISTRATION,
        "childFirstNames": "Aroha Mere",
        "childSurname": "Ngāta",
        "childDateOfBirth": "01/11/2026",
        "parentIrdNumber": BIRTH_PARENT_IRD,
        "postalAddress": "1/21A Smith Street, Ponsonby, Auckland 1011",
    }


def test_ird_registration_without_parent_ird_number_or_suburb():
    parent = sample_birth().birth_parent.model_copy(update={"ird_number": None})
    data = sample_birth(birth_parent=parent, address=SMITH_STREET_NO_UNIT)
    registration = ird.to_ird_newborn_registration(
        disclose("child_ird_number", data, child__birth_registration_number=BIRTH_REGISTRATION)
    )
    assert registration["parentIrdNumber"] is None
    assert registration["postalAddress"] == "21A Smith Street, Auckland 1011"


@given(st.integers(min_value=0, max_value=1_999_999))
def test_mock_ird_numbers_pass_the_domain_check(sequence):
    number = mock_ird.ird_number_for(sequence)
    if number is None:
        # An unusable base: the domain agrees that no check digit makes it valid.
        base = f"{13_000_000 + sequence:08d}"
        assert not any(is_valid_ird_number(f"{base}{digit}") for digit in range(10))
    else:
        assert is_valid_ird_number(number)


@given(st.integers(min_value=0, max_value=1_000_000))
def test_mock_issues_a_valid_ird_number_from_any_counter(start):
    counter = iter(range(start + 1, start + 100))
    assert is_valid_ird_number(mock_ird.issue_ird_number(lambda _name: next(counter)))


@given(st.integers(min_value=0, max_value=999_999_999))
def test_mock_and_domain_agree_on_ird_numbers(number):
    digits = f"{number:09d}"
    assert mock_ird.is_valid_ird_number(digits) == is_valid_ird_number(digits)


def test_ird_address_change_is_irds_format():
    assert ird.to_ird_address_change(disclose("update_ird_address", sample_move(), MOVE)) == {
        "irdNumber": "049091850",
        "firstNames": "Mere Ānahera",
        "surname": "Tūhoe-Synthetic",
        "residentialAddress": "3/45 Cuba Street, Te Aro, Wellington 6011",
        "effectiveDate": "22/11/2026",
    }


def test_ird_deceased_notification_is_irds_format():
    assert ird.to_ird_deceased_notification(death_disclosure("notify_ird")) == {
        "irdNumber": "136410132",
        "firstNames": "Hōhepa Te Rangi",
        "surname": "Synthetic",
        "dateOfBirth": "11/02/1941",
        "dateOfDeath": "21/11/2026",
        "deathRegistrationNumber": DEATH_REGISTRATION,
        "notifierFirstNames": "Aroha",
        "notifierSurname": "Synthetic-Pōmare",
        "notifierRelationship": "CHILD",
        "notifierCapacity": "EXECUTOR",
        # The sample names its lobby (Whangārei), which NZ Post writes before the town.
        "notifierPostalAddress": "PO Box 1234, Whangārei, Whangārei 0140",
    }


@pytest.mark.parametrize(
    ("authority", "code"),
    [("next_of_kin", "NEXT_OF_KIN"), ("executor", "EXECUTOR"), ("administrator", "ADMINISTRATOR")],
)
def test_ird_codes_the_notifiers_authority(authority, code):
    data = death_changed(notifier={"authority": authority})
    notice = ird.to_ird_deceased_notification(death_disclosure("notify_ird", data))
    assert notice["notifierCapacity"] == code


def test_a_malformed_date_is_refused_without_quoting_it():
    disclosure = disclose("update_ird_address", sample_move(), MOVE) | {"move_date": "22/11/2026"}
    with pytest.raises(AgencyRejected, match="move_date is not an ISO date") as refused:
        ird.to_ird_address_change(disclosure)
    assert "22/11/2026" not in str(refused.value)


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZ0123456789._:-", min_size=1, max_size=128))
def test_every_customer_has_a_valid_ird_number_clear_of_the_newborns(identity):
    number = mock_ird_numbers.customer_ird_number(identity)
    assert is_valid_ird_number(number)
    assert number == mock_ird_numbers.customer_ird_number(identity)
    # Newborns are issued 130-000-000 and up.
    assert int(number) < 130_000_000
