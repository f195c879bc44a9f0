"""Data and helpers the adapter tests share: the sample dossiers with a part changed, the
facts earlier steps issue, and the mocks' own schemas as the judge of what is sent."""

import json
from typing import Any

import httpx
from pydantic import BaseModel

from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName
from onceonly.settings import AGENCIES
from tests.mocks.samples import disclose, sample_death, sample_move

BASE_URL = "http://agencies.test"
KEYS = {agency: f"dev-{agency}-key" for agency in AGENCIES}
"""Each mock agency's development key."""

# Facts earlier steps issue, as the step runner adds them once those steps complete.
BIRTH_REGISTRATION = "2026/000123"
CHILD_IRD = "130000010"
CHILD_NHI = "ZAA00AC"  # the mock's first NHI number, check letter and all
DEATH_REGISTRATION = "2026/000042"
FACTS = {"deceased__death_registration_number": DEATH_REGISTRATION}
PROPERTY = "WGN-00000001"
"""A property id as the council's look-up gives one."""

SMITH_STREET_NO_UNIT = Address(
    number="21A", street="Smith Street", city="Auckland", postcode="1011"
)
RURAL = Address(
    number="1280",
    street="State Highway 1",
    suburb="Kaiwaka",
    rural_delivery=2,
    city="Kaiwaka",
    postcode="0573",
)
RURAL_NO_LOCALITY = RURAL.model_copy(update={"suburb": None})
PO_BOX_LINES = ["PO Box 1234", "Whangārei", "Whangārei 0140"]
ONE_NAME = PersonName(given_names=["Aroha"], family_name="Ngāta")


def move_with(**changes: Any) -> MoveData:
    """The sample move with top-level parts replaced."""
    return sample_move().model_copy(update=changes)


def move_changed(new_address: Address | None = None, **mover: Any) -> MoveData:
    """The sample move with the mover's details (and the new address) changed."""
    data = sample_move()
    changes: dict[str, Any] = {"mover": data.mover.model_copy(update=mover)}
    if new_address is not None:
        changes["new_address"] = new_address
    return data.model_copy(update=changes)


def death_changed(**changes: Any) -> DeathData:
    """The sample death with `deceased`, `notifier` or `funeral_grant` parts changed."""
    data = sample_death()
    update: dict[str, Any] = {}
    for part in ("deceased", "notifier"):
        if part in changes:
            update[part] = getattr(data, part).model_copy(update=changes.pop(part))
    return data.model_copy(update=update | changes)


def death_with(deceased: dict[str, Any] | None = None, **notifier: Any) -> DeathData:
    """The sample death with the deceased's and the notifier's details changed."""
    data = sample_death()
    return data.model_copy(
        update={
            "deceased": data.deceased.model_copy(update=deceased or {}),
            "notifier": data.notifier.model_copy(update=notifier),
        }
    )


def death_facts(**facts: str) -> dict[str, Any]:
    """The death registration number (and `facts`) as `disclose` takes issued facts."""
    return {"deceased__death_registration_number": DEATH_REGISTRATION, **facts}


def death_disclosure(step_id: str, data: DeathData | None = None) -> dict[str, Any]:
    """The step's disclosure of the (sample) death, after BDM registered it."""
    return disclose(step_id, data or sample_death(), DEATH, **death_facts())


def every_path(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every dotted path of a dumped dossier, at every depth, with its value."""
    paths: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths[path] = inner
            paths |= every_path(inner, path)
    return paths


def as_the_mock_reads(model: type[BaseModel], body: dict[str, Any]) -> Any:
    """`body` as the mock receives it: JSON text into its strict schema (which raises when
    the mock would refuse it)."""
    return model.model_validate_json(json.dumps(body, ensure_ascii=False))


def the_mock_accepts(model: type[BaseModel], body: dict[str, Any]) -> None:
    """The mock's schema `model` accepts `body` as sent over the wire."""
    as_the_mock_reads(model, body)


async def records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    """What the mock agency recorded, through its admin route."""
    response = await client.get(f"/{agency}/_records")
    listed: list[dict[str, Any]] = response.json()["records"]
    return listed
