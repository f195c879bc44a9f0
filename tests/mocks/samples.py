"""Sample birth, moving and death dossiers, and the disclosures each step makes of them.

Shared by the mapping tests and the mock agency tests, so both check the same data.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel

from onceonly.domain.address_model import Address
from onceonly.domain.birth import BirthData, Child, HealthChoices, Parent
from onceonly.domain.catalogue import BIRTH, LifeEventSpec
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName, intake_context
from onceonly.samples import death_request_data, move_request_data

BIRTH_PARENT_IRD = "049091850"


def sample_birth(**changes: Any) -> BirthData:
    """A full dossier (unit, suburb, other parent, macrons); `changes` replace top-level parts."""
    data = BirthData(
        child=Child(
            name=PersonName(given_names=["Aroha", "Mere"], family_name="Ngāta", known_as="Ro"),
            date_of_birth=date(2026, 11, 1),
            sex="female",
            place_of_birth="Auckland City Hospital",
        ),
        birth_parent=Parent(
            name=PersonName(given_names=["Hine", "Kahurangi"], family_name="Ngāta"),
            date_of_birth=date(1994, 3, 14),
            ird_number=BIRTH_PARENT_IRD,
            phone="(021) 123-4567",
        ),
        other_parent=Parent(
            name=PersonName(given_names=["Tāne"], family_name="Wīremu"),
            date_of_birth=date(1992, 7, 2),
        ),
        address=Address(
            unit="1",
            number="21A",
            street="Smith Street",
            suburb="Ponsonby",
            city="Auckland",
            postcode="1011",
        ),
        health=HealthChoices(
            gp_practice="Ponsonby Family Health", well_child_provider="Whānau Āwhina Plunket"
        ),
    )
    return data.model_copy(update=changes)


def sample_move() -> MoveData:
    """A full moving dossier (every optional number given, a household and a dog)."""
    today = date(2026, 11, 25)
    return MoveData.model_validate(move_request_data(today), context=intake_context(today))


def sample_death() -> DeathData:
    """A full death dossier (rural last address, PO Box for letters, a funeral grant)."""
    today = date(2026, 11, 25)
    return DeathData.model_validate(death_request_data(today), context=intake_context(today))


def disclose(
    step_id: str, data: BaseModel, event: LifeEventSpec = BIRTH, /, **facts: str | None
) -> dict[str, Any]:
    """What the step discloses of `data`: its declared fields only, plus issued `facts`.

    `facts` are the outputs of earlier steps, keyed with `__` for dots
    (`child__ird_number="..."`), as the step runner adds them to the dossier.
    """
    dossier = data.model_dump(mode="json")
    issued = {name.replace("__", "."): value for name, value in facts.items()}
    disclosure = {}
    for field in event.step(step_id).fields:
        if field in issued:
            disclosure[field] = issued[field]
            continue
        value: Any = dossier
        for part in field.split("."):
            value = None if value is None else value.get(part)
        disclosure[field] = value
    return disclosure
