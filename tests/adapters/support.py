"""Data and helpers the adapter tests share: sample variants, a disclosure that notes what
is read, and the mocks' schemas as the judge of what is sent.
"""

import json
from typing import Any

import httpx
from hypothesis import strategies as st
from pydantic import BaseModel

from onceonly.domain.address_model import Address
from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathData
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName
from onceonly.settings import AGENCIES
from tests.mocks.samples import disclose, sample_death, sample_move

BIRTH_REGISTRATION = "2026/000123"
CHILD_IRD = "130000010"
CHILD_NHI = "ZAA00AC"  # the mock's first NHI number, check letter and all
SMITH_STREET_NO_UNIT = Address(
    number="21A", street="Smith Street", city="Auckland", postcode="1011"
)


DEATH_REGISTRATION = "2026/000042"


def _death(**changes: Any) -> DeathData:
    """The sample death with `deceased`, `notifier` or `funeral_grant` parts changed."""
    data = sample_death()
    update: dict[str, Any] = {}
    for part in ("deceased", "notifier"):
        if part in changes:
            update[part] = getattr(data, part).model_copy(update=changes.pop(part))
    return data.model_copy(update=update | changes)


def _death_disclosure(step_id: str, data: DeathData | None = None) -> dict[str, Any]:
    return disclose(
        step_id,
        data or sample_death(),
        DEATH,
        deceased__death_registration_number=DEATH_REGISTRATION,
    )


def _accepted(model: type[BaseModel], body: dict[str, Any]) -> None:
    # Over the wire, as the mock receives it: JSON text into its strict schema.
    model.model_validate_json(json.dumps(body, ensure_ascii=False))


DEATH_REGISTRATION = "2026/000042"
FACTS = {"deceased__death_registration_number": DEATH_REGISTRATION}
RURAL = Address(
    number="1280",
    street="State Highway 1",
    suburb="Kaiwaka",
    rural_delivery=2,
    city="Kaiwaka",
    postcode="0573",
)


ONE_NAME = PersonName(given_names=["Aroha"], family_name="Ngāta")


def _moved(new_address: Address | None = None, **mover: Any) -> MoveData:
    """The sample move with the mover's details (and the new address) changed."""
    data = sample_move()
    changes: dict[str, Any] = {"mover": data.mover.model_copy(update=mover)}
    if new_address is not None:
        changes["new_address"] = new_address
    return data.model_copy(update=changes)


def _every_path(value: Any, prefix: str = "") -> dict[str, Any]:
    """Every dotted path of a dumped dossier, at every depth, with its value."""
    paths: dict[str, Any] = {}
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths[path] = inner
            paths |= _every_path(inner, path)
    return paths


@st.composite
def _address_parts(draw: st.DrawFn) -> Address:
    """Addresses with every AS/NZS 4819 part: unit (typed or not), level, building, range."""
    level = draw(st.none() | st.from_regex(r"[0-9]{1,2}", fullmatch=True))
    number = draw(st.integers(min_value=1, max_value=9998))
    return Address(
        unit_type=draw(st.none() | st.sampled_from(["Flat", "Apartment", "Shop", "Suite"])),
        unit=draw(st.from_regex(r"[1-9][0-9]?[A-C]?", fullmatch=True)),
        level_type=None if level is None else "Level",
        level_number=level,
        building_name=draw(st.none() | st.sampled_from(["Vero Centre", "Te Whare Rūnanga"])),
        number=f"{number}{draw(st.sampled_from(['', 'A', 'b']))}",
        number_last=draw(st.none() | st.just(str(number + 1))),
        street=draw(st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1"])),
        suburb=draw(st.none() | st.sampled_from(["Te Aro", "Ponsonby", "Kaiwaka", "Ōtāhuhu"])),
        rural_delivery=draw(st.none() | st.integers(min_value=1, max_value=99)),
        city=draw(st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"])),
        postcode=draw(st.from_regex(r"[0-9]{4}", fullmatch=True)),
    )


_any_addresses = (
    st.builds(
        Address,
        unit=st.none() | st.from_regex(r"[1-9][0-9]?[A-C]?", fullmatch=True),
        number=st.from_regex(r"[1-9][0-9]{0,3}[A-Za-z]?", fullmatch=True),
        street=st.sampled_from(["Cuba Street", "Te Ara Tāwhaki", "State Highway 1", "Queen St"]),
        suburb=st.none() | st.sampled_from(["Te Aro", "Ponsonby", "Kaiwaka", "Ōtāhuhu"]),
        rural_delivery=st.none() | st.integers(min_value=1, max_value=99),
        city=st.sampled_from(["Wellington", "Whangārei", "Ōtautahi Christchurch"]),
        postcode=st.from_regex(r"[0-9]{4}", fullmatch=True),
    )
    | _address_parts()
)


def _over_the_wire(model: type[BaseModel], body: dict[str, Any]) -> Any:
    # As the mock receives it: JSON text into its strict schema.
    return model.model_validate_json(json.dumps(body, ensure_ascii=False))


BASE_URL = "http://agencies.test"
KEYS = {agency: f"dev-{agency}-key" for agency in AGENCIES}
DEATH_REGISTRATION = "2026/000042"
PROPERTY = "WGN-00000001"
PO_BOX_LINES = ["PO Box 1234", "Whangārei", "Whangārei 0140"]


def _death_facts(**facts: str) -> dict[str, Any]:
    return {"deceased__death_registration_number": DEATH_REGISTRATION, **facts}


def _move_with(**changes: Any) -> MoveData:
    return sample_move().model_copy(update=changes)


def _death_with(deceased: dict[str, Any] | None = None, **notifier: Any) -> DeathData:
    data = sample_death()
    return data.model_copy(
        update={
            "deceased": data.deceased.model_copy(update=deceased or {}),
            "notifier": data.notifier.model_copy(update=notifier),
        }
    )


RURAL_NO_LOCALITY = Address(
    number="1280",
    street="State Highway 1",
    rural_delivery=2,
    city="Kaiwaka",
    postcode="0573",
)


async def records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    response = await client.get(f"/{agency}/_records")
    records: list[dict[str, Any]] = response.json()["records"]
    return records
