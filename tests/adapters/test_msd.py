"""The Ministry of Social Development: Best Start, the change of circumstances, stopping
payments and the funeral grant in MSD's format.
"""

from decimal import Decimal

import pytest

from adapters import msd
from adapters.base import AgencyRejected
from onceonly.domain.catalogue import MOVE
from onceonly.domain.death import FuneralGrant
from onceonly.domain.people import PersonName
from tests.adapters.support import (
    CHILD_IRD,
    DEATH_REGISTRATION,
    SMITH_STREET_NO_UNIT,
    death_changed,
    death_disclosure,
)
from tests.mocks.samples import BIRTH_PARENT_IRD, disclose, sample_birth, sample_move

DECEASED_CLIENT = {
    "first_name": "Hōhepa",
    "middle_names": "Te Rangi",
    "last_name": "Synthetic",
    "date_of_birth": "1941-02-11",
    "date_of_death": "2026-11-21",
}


def test_msd_application_is_msds_format():
    disclosure = disclose("best_start", sample_birth(), child__ird_number=CHILD_IRD)
    assert msd.to_msd_best_start(disclosure) == {
        "applicant": {
            "first_name": "Hine",
            "middle_names": "Kahurangi",
            "last_name": "Ngāta",
            "ird_number": BIRTH_PARENT_IRD,
            "phone": "0211234567",
        },
        "child": {
            "first_name": "Aroha",
            "middle_names": "Mere",
            "last_name": "Ngāta",
            "date_of_birth": "2026-11-01",
            "ird_number": CHILD_IRD,
        },
        "address": {
            "unit": "1",
            "street_number": "21A",
            "street_name": "Smith Street",
            "suburb": "Ponsonby",
            "town": "Auckland",
            "post_code": "1011",
        },
    }


def test_msd_application_without_unit_phone_or_middle_names():
    parent = sample_birth().birth_parent.model_copy(
        update={"phone": None, "name": PersonName(given_names=["Hine"], family_name="Ngāta")}
    )
    data = sample_birth(birth_parent=parent, address=SMITH_STREET_NO_UNIT)
    application = msd.to_msd_best_start(disclose("best_start", data, child__ird_number=CHILD_IRD))
    assert "phone" not in application["applicant"]
    assert application["applicant"]["middle_names"] == ""
    assert application["address"] == {
        "street_number": "21A",
        "street_name": "Smith Street",
        "town": "Auckland",
        "post_code": "1011",
    }


def test_msd_needs_the_parents_ird_number():
    parent = sample_birth().birth_parent.model_copy(update={"ird_number": None})
    disclosure = disclose(
        "best_start", sample_birth(birth_parent=parent), child__ird_number=CHILD_IRD
    )
    with pytest.raises(AgencyRejected, match=r"birth_parent\.ird_number"):
        msd.to_msd_best_start(disclosure)


def test_msd_change_of_circumstances_is_msds_format():
    disclosure = disclose("update_msd_address", sample_move(), MOVE)
    assert msd.to_msd_change_of_circumstances(disclosure) == {
        "client_number": "123456789",
        "client": {
            "first_name": "Mere",
            "middle_names": "Ānahera",
            "last_name": "Tūhoe-Synthetic",
            "date_of_birth": "1988-05-20",
        },
        "phone": "+64215550142",
        "new_address": {
            "unit": "3",
            "street_number": "45",
            "street_name": "Cuba Street",
            "suburb": "Te Aro",
            "town": "Wellington",
            "post_code": "6011",
        },
        "effective_date": "2026-11-22",
    }


def test_msd_stop_payments_is_msds_format():
    assert msd.to_msd_stop_payments(death_disclosure("stop_msd_payments")) == {
        "client_number": "987654321",
        "client": DECEASED_CLIENT,
        "death_registration_number": DEATH_REGISTRATION,
    }


def test_msd_funeral_grant_is_msds_format():
    assert msd.to_msd_funeral_grant(death_disclosure("funeral_grant")) == {
        "deceased": DECEASED_CLIENT,
        "death_registration_number": DEATH_REGISTRATION,
        "applicant": {
            "first_name": "Aroha",
            "middle_names": "",
            "last_name": "Synthetic-Pōmare",
            "relationship": "child",
            "phone": "+64275550100",
            "postal_address": {
                "kind": "box",
                "box_type": "po_box",
                "box_number": "1234",
                "lobby": "Whangārei",
                "town": "Whangārei",
                "post_code": "0140",
            },
        },
        "funeral": {
            "funeral_director": "Northland Funeral Services",
            "cost": "8450.00",
            "paid_by_applicant": True,
        },
    }


@pytest.mark.parametrize(
    ("cost", "sent"), [("8450", "8450.00"), ("99.5", "99.50"), ("0.01", "0.01")]
)
def test_funeral_cost_is_sent_with_two_decimals(cost, sent):
    grant = FuneralGrant(
        funeral_director="Tangihanga Services", funeral_cost=Decimal(cost), paid_by_notifier=False
    )
    application = msd.to_msd_funeral_grant(
        death_disclosure("funeral_grant", death_changed(funeral_grant=grant))
    )
    assert application["funeral"] == {
        "funeral_director": "Tangihanga Services",
        "cost": sent,
        "paid_by_applicant": False,
    }
