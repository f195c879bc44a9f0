"""Births, Deaths and Marriages: the birth and death registrations in BDM's format, its sex
and relationship codes, and a registered death read back as the canonical record.
"""

import json
from datetime import date

import pytest

from adapters import (
    bdm,
)
from adapters.base import (
    AgencyRejected,
)
from onceonly.domain.people import PersonName
from onceonly.domain.prefill import DeathRecord
from tests.adapters.support import (
    DEATH_REGISTRATION,
    SMITH_STREET_NO_UNIT,
    death_changed,
    death_disclosure,
)
from tests.mocks.samples import disclose, sample_birth

REGISTERED_DEATH = {
    "registrationNumber": DEATH_REGISTRATION,
    "deceased": {
        "givenNames": "Hōhepa Te Rangi",
        "surname": "Synthetic",
        "preferredName": "Joe",
        "dateOfBirth": "1941-02-11",
        "dateOfDeath": "2026-11-21",
        "sex": "M",
        "placeOfDeath": "Whangārei Hospital",
    },
}


def test_bdm_registration_is_bdms_format():
    assert bdm.to_bdm_registration(disclose("register_birth", sample_birth())) == {
        "child": {
            "givenNames": "Aroha Mere",
            "surname": "Ngāta",
            "preferredName": "Ro",
            "dateOfBirth": "2026-11-01",
            "sex": "F",
            "placeOfBirth": "Auckland City Hospital",
        },
        "mother": {"givenNames": "Hine Kahurangi", "surname": "Ngāta", "dateOfBirth": "1994-03-14"},
        "otherParent": {"givenNames": "Tāne", "surname": "Wīremu", "dateOfBirth": "1992-07-02"},
        "usualResidence": {
            "line1": "1/21A Smith Street",
            "suburb": "Ponsonby",
            "city": "Auckland",
            "postcode": "1011",
        },
    }


def test_bdm_registration_leaves_out_what_the_family_does_not_have():
    data = sample_birth(other_parent=None, address=SMITH_STREET_NO_UNIT)
    child = data.child.model_copy(
        update={"name": PersonName(given_names=["Aroha"], family_name="Ngāta"), "sex": "male"}
    )
    registration = bdm.to_bdm_registration(
        disclose("register_birth", data.model_copy(update={"child": child}))
    )
    assert "otherParent" not in registration
    assert "preferredName" not in registration["child"]
    assert registration["child"]["givenNames"] == "Aroha"
    assert registration["child"]["sex"] == "M"
    assert registration["usualResidence"] == {
        "line1": "21A Smith Street",
        "city": "Auckland",
        "postcode": "1011",
    }


@pytest.mark.parametrize(("sex", "code"), [("female", "F"), ("male", "M"), ("indeterminate", "X")])
def test_bdm_sex_codes(sex, code):
    disclosure = disclose("register_birth", sample_birth()) | {"child.sex": sex}
    assert bdm.to_bdm_registration(disclosure)["child"]["sex"] == code


def test_bdm_death_registration_is_bdms_format():
    assert bdm.to_bdm_death_registration(death_disclosure("register_death")) == {
        "deceased": {
            "givenNames": "Hōhepa Te Rangi",
            "surname": "Synthetic",
            "preferredName": "Joe",
            "dateOfBirth": "1941-02-11",
            "dateOfDeath": "2026-11-21",
            "sex": "M",
            "placeOfDeath": "Whangārei Hospital",
        },
        "usualResidence": {
            "line1": "1280 State Highway 1",
            "suburb": "Kaiwaka",
            "ruralDelivery": "RD 2",
            "city": "Kaiwaka",
            "postcode": "0573",
        },
        "informant": {
            "givenNames": "Aroha",
            "surname": "Synthetic-Pōmare",
            "relationship": "CHILD",
        },
    }


@pytest.mark.parametrize(("sex", "code"), [("female", "F"), ("male", "M"), ("indeterminate", "X")])
def test_bdm_death_sex_codes(sex, code):
    data = death_changed(deceased={"sex": sex})
    registration = bdm.to_bdm_death_registration(death_disclosure("register_death", data))
    assert registration["deceased"]["sex"] == code


def test_a_registered_death_reads_back_as_the_canonical_record():
    assert bdm.from_bdm_death_record(REGISTERED_DEATH) == DeathRecord(
        registration_number=DEATH_REGISTRATION,
        # BDM keeps given names as one string: they come back one word to a name.
        name=PersonName(
            given_names=["Hōhepa", "Te", "Rangi"], family_name="Synthetic", known_as="Joe"
        ),
        date_of_birth=date(1941, 2, 11),
        date_of_death=date(2026, 11, 21),
        sex="male",
        place_of_death="Whangārei Hospital",
    )


def test_a_death_record_the_canonical_model_refuses_is_refused_without_values():
    answer = json.loads(json.dumps(REGISTERED_DEATH))
    answer["deceased"]["dateOfDeath"] = "21/11/2026"
    with pytest.raises(AgencyRejected, match="date_of_death") as refused:
        bdm.from_bdm_death_record(answer)
    assert "21/11/2026" not in str(refused.value)
    assert "Hōhepa" not in str(refused.value)
