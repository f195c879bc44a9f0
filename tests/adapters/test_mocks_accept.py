"""Properties: the mocks' own strict schemas accept the adapters' mapping of any valid
canonical data, so neither side can drift.
"""

from typing import Any

from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel

from adapters import (
    acc,
    bdm,
    council,
    electoral,
    health,
    ird,
    kaingaora,
    msd,
    nzta,
    passports,
    veterans,
)
from mocks.agencies import acc as mock_acc
from mocks.agencies import bdm as mock_bdm
from mocks.agencies import council as mock_council
from mocks.agencies import electoral as mock_electoral
from mocks.agencies import health as mock_health
from mocks.agencies import ird as mock_ird
from mocks.agencies import kaingaora as mock_kaingaora
from mocks.agencies import msd as mock_msd
from mocks.agencies import nzta as mock_nzta
from mocks.agencies import passports as mock_passports
from mocks.agencies import veterans as mock_veterans
from mocks.agencies.council import properties as council_properties
from mocks.agencies.health import nhi as mock_health_nhi
from mocks.agencies.health.enrolment import NewbornEnrolment
from onceonly.domain.catalogue import DEATH, MOVE
from tests.adapters.strategies import (
    births,
    deaths_of_veteran_tenants,
    deaths_with_licence_and_passport,
    deaths_with_numbers,
    moves_with_dogs,
    moves_with_licence,
    moves_with_numbers,
)
from tests.adapters.support import (
    BIRTH_REGISTRATION,
    CHILD_IRD,
    CHILD_NHI,
    PROPERTY,
    as_the_mock_reads,
    death_disclosure,
    death_facts,
    the_mock_accepts,
)
from tests.mocks.samples import disclose

# Each example builds a dossier and maps it five ways; on a shared machine that can be slow.
_ABOUT_ACCEPTANCE_NOT_SPEED = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _council_accepts(model: type[BaseModel], body: dict[str, Any]) -> None:
    # The look-up's query is the property as the submission writes it.
    query = council_properties.PropertyQuery.model_validate(body["property"])
    found = council_properties.property_for(query)
    assert found is not None
    the_mock_accepts(model, body | {"propertyId": found["propertyId"]})


@given(births())
def test_bdm_ird_msd_and_health_accept_every_birth(data):
    facts = {"child__birth_registration_number": BIRTH_REGISTRATION, "child__ird_number": CHILD_IRD}
    registration = bdm.to_bdm_registration(disclose("register_birth", data))
    the_mock_accepts(mock_bdm.BirthRegistration, registration)
    the_mock_accepts(
        mock_ird.NewbornRegistration,
        ird.to_ird_newborn_registration(disclose("child_ird_number", data, **facts)),
    )
    the_mock_accepts(
        mock_msd.BestStartApplication, msd.to_msd_best_start(disclose("best_start", data, **facts))
    )
    the_mock_accepts(
        NewbornEnrolment,
        health.to_health_enrolment(disclose("health_enrolment", data, **facts)),
    )
    the_mock_accepts(
        mock_health.ImmunisationRegistration,
        health.to_immunisation_registration(
            disclose("immunisation_register", data, child__nhi_number=CHILD_NHI)
        ),
    )
    # Macrons reach the agency exactly as the citizen wrote them.
    assert registration["child"]["surname"] == data.child.name.family_name


@given(moves_with_numbers())
@_ABOUT_ACCEPTANCE_NOT_SPEED
def test_ird_msd_and_health_accept_every_move(data):
    ird_change = ird.to_ird_address_change(disclose("update_ird_address", data, MOVE))
    the_mock_accepts(mock_ird.AddressChange, ird_change)
    the_mock_accepts(
        mock_msd.ChangeOfCircumstances,
        msd.to_msd_change_of_circumstances(disclose("update_msd_address", data, MOVE)),
    )
    the_mock_accepts(
        mock_health_nhi.NhiAddressUpdate,
        health.to_nhi_address_update(disclose("update_health_address", data, MOVE)),
    )
    # Macrons reach the agency exactly as the citizen wrote them.
    assert ird_change["surname"] == data.mover.name.family_name


@given(deaths_with_numbers())
@_ABOUT_ACCEPTANCE_NOT_SPEED
def test_bdm_ird_msd_and_health_accept_every_death(data):
    registration = bdm.to_bdm_death_registration(death_disclosure("register_death", data))
    the_mock_accepts(mock_bdm.DeathRegistration, registration)
    the_mock_accepts(
        mock_ird.DeceasedNotification,
        ird.to_ird_deceased_notification(death_disclosure("notify_ird", data)),
    )
    the_mock_accepts(
        mock_msd.StopPayments,
        msd.to_msd_stop_payments(death_disclosure("stop_msd_payments", data)),
    )
    the_mock_accepts(
        mock_msd.FuneralGrantApplication,
        msd.to_msd_funeral_grant(death_disclosure("funeral_grant", data)),
    )
    the_mock_accepts(
        mock_health_nhi.NhiDeceasedNotification,
        health.to_nhi_deceased(death_disclosure("notify_health", data)),
    )
    assert registration["deceased"]["surname"] == data.deceased.name.family_name


@given(moves_with_licence())
def test_nzta_electoral_and_acc_accept_every_move(data):
    change = as_the_mock_reads(
        mock_nzta.AddressChange,
        nzta.to_nzta_address_change(disclose("update_driver_licence", data, MOVE)),
    )
    as_the_mock_reads(
        mock_electoral.EnrolmentUpdate,
        electoral.to_electoral_enrolment_update(disclose("update_electoral_roll", data, MOVE)),
    )
    update = as_the_mock_reads(
        mock_acc.AddressUpdate,
        acc.to_acc_address_update(disclose("update_acc_address", data, MOVE)),
    )
    # Macrons and dates reach the agency exactly as the citizen gave them.
    assert change.surname == update.client.last_name == data.mover.name.family_name
    assert change.date_of_birth == update.date_of_birth == data.mover.date_of_birth


@given(deaths_with_licence_and_passport())
def test_nzta_electoral_and_passports_accept_every_death(data):
    cancellation = as_the_mock_reads(
        mock_nzta.DeceasedCancellation,
        nzta.to_nzta_cancellation(disclose("cancel_driver_licence", data, DEATH)),
    )
    as_the_mock_reads(
        mock_electoral.DeceasedRemoval,
        electoral.to_electoral_deceased_removal(
            disclose("remove_from_electoral_roll", data, DEATH)
        ),
    )
    cancelled = as_the_mock_reads(
        mock_passports.DeceasedCancellation,
        passports.to_passport_cancellation(disclose("cancel_passport", data, DEATH)),
    )
    assert cancellation.date_of_death == cancelled.date_of_death == data.deceased.date_of_death
    assert cancelled.holder.given_names == list(data.deceased.name.given_names)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(moves_with_dogs())
def test_the_council_accepts_every_move(data):
    rates = council.to_rates_notice(disclose("council_rates", data, MOVE), PROPERTY)
    _council_accepts(mock_council.RatesNotice, rates)
    dogs = council.to_dog_registration_transfer(
        disclose("council_dog_registration", data, MOVE), PROPERTY
    )
    _council_accepts(mock_council.DogRegistrationTransfer, dogs)
    assert rates["occupier"]["fullName"].endswith(data.mover.name.family_name)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(deaths_of_veteran_tenants())
def test_the_council_veterans_and_kainga_ora_accept_every_death(data):
    notice = council.to_deceased_ratepayer(disclose("notify_council", data, DEATH), PROPERTY)
    _council_accepts(mock_council.DeceasedRatepayer, notice)
    the_mock_accepts(
        mock_veterans.DeceasedVeteranNotification,
        veterans.to_deceased_veteran(
            disclose("notify_veterans_affairs", data, DEATH, **death_facts())
        ),
    )
    tenancy = kaingaora.to_tenancy_end_notice(disclose("end_tenancy", data, DEATH))
    the_mock_accepts(mock_kaingaora.TenancyEndNotice, tenancy)
    # Macrons reach Kāinga Ora as the notifier wrote them, capitals and all.
    assert tenancy["Tenant"]["Name"].startswith(data.deceased.name.family_name.upper() + ", ")
