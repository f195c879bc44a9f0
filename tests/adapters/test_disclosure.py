"""What every mapping may read: exactly its step's declared fields, refused by name when
one is missing or malformed, without quoting the value.
"""

import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
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
from adapters.base import (
    AgencyRejected,
    Disclosure,
)
from adapters.disclosure import DisclosedFields, street_line
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec
from tests.adapters.support import (
    BIRTH_REGISTRATION,
    CHILD_IRD,
    CHILD_NHI,
    DEATH_REGISTRATION,
    PROPERTY,
    SMITH_STREET_NO_UNIT,
    every_path,
)
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move


class _ReadLog(Mapping[str, Any]):
    """A disclosure that records which fields the adapter reads."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values
        self.read: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        self.read.add(key)
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


BIRTH_MAPPINGS = [
    ("register_birth", bdm.to_bdm_registration),
    ("child_ird_number", ird.to_ird_newborn_registration),
    ("best_start", msd.to_msd_best_start),
    ("health_enrolment", health.to_health_enrolment),
    ("immunisation_register", health.to_immunisation_registration),
]


# A step that applies only when the number is there: without it, the mapping refuses by name.
MISSING_NUMBERS = [
    ("update_ird_address", ird.to_ird_address_change, "mover.ird_number"),
    ("update_msd_address", msd.to_msd_change_of_circumstances, "mover.msd_client_number"),
    ("update_health_address", health.to_nhi_address_update, "mover.nhi_number"),
    ("notify_ird", ird.to_ird_deceased_notification, "deceased.ird_number"),
    ("stop_msd_payments", msd.to_msd_stop_payments, "deceased.msd_client_number"),
    ("notify_health", health.to_nhi_deceased, "deceased.nhi_number"),
    ("funeral_grant", msd.to_msd_funeral_grant, "deceased.death_registration_number"),
]


def _every_field(data: BaseModel, facts: dict[str, str]) -> dict[str, Any]:
    """Every part of the dossier at the top level and one level down, plus issued facts."""
    offered: dict[str, Any] = {}
    for part, section in data.model_dump(mode="json").items():
        offered[part] = section
        if isinstance(section, dict):
            offered |= {f"{part}.{key}": value for key, value in section.items()}
    return offered | facts


MOVE_AND_DEATH_MAPPINGS: list[tuple[LifeEventSpec, str, Callable[[Any], dict[str, Any]]]] = [
    (DEATH, "register_death", bdm.to_bdm_death_registration),
    (MOVE, "update_ird_address", ird.to_ird_address_change),
    (DEATH, "notify_ird", ird.to_ird_deceased_notification),
    (MOVE, "update_msd_address", msd.to_msd_change_of_circumstances),
    (DEATH, "stop_msd_payments", msd.to_msd_stop_payments),
    (DEATH, "funeral_grant", msd.to_msd_funeral_grant),
    (MOVE, "update_health_address", health.to_nhi_address_update),
    (DEATH, "notify_health", health.to_nhi_deceased),
]


NZTA_ELECTORAL_ACC_PASSPORTS: list[
    tuple[LifeEventSpec, str, Callable[[Any], dict[str, Any]], str]
] = [
    (MOVE, "update_driver_licence", nzta.to_nzta_address_change, "mover.email"),
    (DEATH, "cancel_driver_licence", nzta.to_nzta_cancellation, "deceased.last_address"),
    (MOVE, "update_electoral_roll", electoral.to_electoral_enrolment_update, "mover.phone"),
    (DEATH, "remove_from_electoral_roll", electoral.to_electoral_deceased_removal, "notifier.name"),
    (MOVE, "update_acc_address", acc.to_acc_address_update, "mover.ird_number"),
    (DEATH, "cancel_passport", passports.to_passport_cancellation, "deceased.driver_licence"),
]


def _everything(data: BaseModel) -> dict[str, Any]:
    """Every top-level part and every field of a part, as dotted paths."""
    dossier = data.model_dump(mode="json")
    offered = dict(dossier)
    for part, section in dossier.items():
        if isinstance(section, dict):
            offered |= {f"{part}.{key}": value for key, value in section.items()}
    return offered | {"deceased.death_registration_number": DEATH_REGISTRATION}


COUNCIL_VETERANS_KAINGA_ORA: list[
    tuple[str, Callable[[Disclosure], dict[str, Any]], Callable[[], BaseModel]]
] = [
    ("council_rates", lambda d: council.to_rates_notice(d, PROPERTY), sample_move),
    (
        "council_dog_registration",
        lambda d: council.to_dog_registration_transfer(d, PROPERTY),
        sample_move,
    ),
    ("notify_council", lambda d: council.to_deceased_ratepayer(d, PROPERTY), sample_death),
    ("notify_veterans_affairs", veterans.to_deceased_veteran, sample_death),
    ("end_tenancy", kaingaora.to_tenancy_end_notice, sample_death),
]


@pytest.mark.parametrize(("step_id", "mapping"), BIRTH_MAPPINGS)
def test_each_birth_mapping_reads_exactly_its_steps_fields(step_id, mapping):
    everything = sample_birth().model_dump(mode="json")
    facts = {
        "child.birth_registration_number": BIRTH_REGISTRATION,
        "child.ird_number": CHILD_IRD,
        "child.nhi_number": CHILD_NHI,
    }
    # Offer every field of the dossier; the adapter must take only the declared ones.
    offered = (
        {
            f"{part}.{key}": value
            for part, section in everything.items()
            if isinstance(section, dict) and part != "address"
            for key, value in section.items()
        }
        | {"address": everything["address"]}
        | facts
    )
    log = _ReadLog(offered)
    body = mapping(log)
    assert log.read == set(BIRTH.step(step_id).fields)
    assert "@" not in json.dumps(body)  # e-mail addresses are never disclosed


def test_reading_an_undeclared_field_is_refused():
    fields = DisclosedFields(BIRTH.step("register_birth"), {"birth_parent.ird_number": "x"})
    with pytest.raises(AgencyRejected, match="does not disclose"):
        fields.optional("birth_parent.ird_number")


def test_a_missing_required_field_is_refused_without_its_value():
    disclosure = disclose("register_birth", sample_birth()) | {"child.name": None}
    with pytest.raises(AgencyRejected, match=r"no value for child\.name"):
        bdm.to_bdm_registration(disclosure)


def test_a_malformed_field_is_refused_without_quoting_it():
    disclosure = disclose("register_birth", sample_birth()) | {"address": {"city": "Ōtaki"}}
    with pytest.raises(AgencyRejected) as refused:
        bdm.to_bdm_registration(disclosure)
    assert "Ōtaki" not in str(refused.value)


@pytest.mark.parametrize(
    ("address", "line"),
    [
        (SMITH_STREET_NO_UNIT, "21A Smith Street"),
        (SMITH_STREET_NO_UNIT.model_copy(update={"unit": "3B"}), "3B/21A Smith Street"),
    ],
)
def test_street_line(address, line):
    assert street_line(address) == line


@pytest.mark.parametrize(("step_id", "mapping", "field"), MISSING_NUMBERS)
def test_a_missing_number_is_refused_by_name(step_id, mapping, field):
    event = MOVE if step_id.startswith("update_") else DEATH
    disclosure = disclose(step_id, sample_move() if event is MOVE else sample_death(), event)
    disclosure[field] = None
    with pytest.raises(AgencyRejected, match=rf"no value for {field}"):
        mapping(disclosure)


@pytest.mark.parametrize(("event", "step_id", "mapping"), MOVE_AND_DEATH_MAPPINGS)
def test_each_move_and_death_mapping_reads_exactly_its_steps_fields(event, step_id, mapping):
    data = sample_move() if event is MOVE else sample_death()
    facts = {"deceased.death_registration_number": DEATH_REGISTRATION}
    log = _ReadLog(_every_field(data, facts))
    body = mapping(log)
    assert log.read == set(event.step(step_id).fields)
    assert "@" not in json.dumps(body)  # e-mail addresses are never disclosed


@pytest.mark.parametrize(
    ("step_id", "mapping"),
    [
        ("cancel_driver_licence", nzta.to_nzta_cancellation),
        ("remove_from_electoral_roll", electoral.to_electoral_deceased_removal),
        ("cancel_passport", passports.to_passport_cancellation),
    ],
)
def test_a_death_step_needs_the_death_registration_number(step_id, mapping):
    # The sample death is not registered yet: only register_death's answer gives the number.
    with pytest.raises(AgencyRejected, match=r"no value for deceased\.death_registration_number"):
        mapping(disclose(step_id, sample_death(), DEATH))


def test_a_date_that_is_not_iso_is_refused_without_quoting_it():
    disclosure = disclose("update_acc_address", sample_move(), MOVE) | {
        "mover.date_of_birth": "20/05/1988"
    }
    with pytest.raises(AgencyRejected, match=r"mover\.date_of_birth") as refused:
        acc.to_acc_address_update(disclosure)
    assert "1988" not in str(refused.value)


@pytest.mark.parametrize(
    ("event", "step_id", "mapping", "undeclared"), NZTA_ELECTORAL_ACC_PASSPORTS
)
def test_nzta_electoral_acc_and_passports_read_exactly_their_fields(
    event, step_id, mapping, undeclared
):
    data = sample_move() if event is MOVE else sample_death()
    # Offer every field of the dossier at every depth; the adapter must take only its own.
    offered = every_path(data.model_dump(mode="json")) | {
        "deceased.death_registration_number": DEATH_REGISTRATION
    }
    log = _ReadLog(offered)
    mapping(log)
    assert log.read == set(event.step(step_id).fields)
    assert undeclared in offered
    with pytest.raises(AgencyRejected, match="does not disclose"):
        DisclosedFields(event.step(step_id), offered).optional(undeclared)


def test_a_malformed_postal_address_is_refused_without_quoting_it():
    disclosure = disclose("notify_council", sample_death(), DEATH) | {
        "notifier.postal_address": {"box_number": "1234", "city": "Ōtaki"}
    }
    with pytest.raises(AgencyRejected, match=r"notifier\.postal_address") as refused:
        council.to_deceased_ratepayer(disclosure, PROPERTY)
    assert "Ōtaki" not in str(refused.value)


@pytest.mark.parametrize(("step_id", "mapping", "sample"), COUNCIL_VETERANS_KAINGA_ORA)
def test_council_veterans_and_kainga_ora_read_exactly_their_fields(step_id, mapping, sample):
    log = _ReadLog(_everything(sample()))
    body = mapping(log)
    step = MOVE.step(step_id) if sample is sample_move else DEATH.step(step_id)
    assert log.read == set(step.fields)
    # Only the rates notice takes an e-mail address; no other step discloses one.
    assert ("@" in json.dumps(body)) == (step_id == "council_rates")
