"""New Zealand Passports: the cancellation of a dead holder's passport in its format."""

from typing import Any

from adapters import passports
from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathData
from tests.adapters.support import DEATH_REGISTRATION, FACTS, ONE_NAME
from tests.mocks.samples import disclose, sample_death


def _died(**deceased: Any) -> DeathData:
    """The sample death with the deceased's details changed."""
    data = sample_death()
    return data.model_copy(update={"deceased": data.deceased.model_copy(update=deceased)})


def _passports_death(data: DeathData) -> dict[str, Any]:
    return passports.to_passport_cancellation(disclose("cancel_passport", data, DEATH, **FACTS))


def test_passport_cancellation_is_passports_format():
    assert _passports_death(sample_death()) == {
        "passportNumber": "LA123456",
        "holder": {"familyName": "Synthetic", "givenNames": ["Hōhepa", "Te Rangi"]},
        "dateOfBirth": "1941-02-11",
        "dateOfDeath": "2026-11-21",
        "deathRegistrationNumber": DEATH_REGISTRATION,
    }


def test_passports_with_one_given_name():
    holder = _passports_death(_died(name=ONE_NAME))["holder"]
    assert holder == {"familyName": "Ngāta", "givenNames": ["Aroha"]}
