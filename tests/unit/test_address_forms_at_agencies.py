"""Every real NZ address form (tests/address_forms.py) at every agency that is sent an address:
each step's request, built by its adapter, holds every part of the address (read back, it is
the same address), and the agency's mock, in process, accepts it in its own format. And any
valid canonical address at all (generated) is in every agency's own format: intake is never
looser than an agency.
"""

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from pydantic import BaseModel, TypeAdapter

from adapters.base import AgencyAdapter
from adapters.batch_file import BatchFileAdapter
from adapters.plugins import AdapterPlugin
from mocks.agencies import acc as mock_acc
from mocks.agencies import bdm as mock_bdm
from mocks.agencies import council as mock_council
from mocks.agencies import electoral as mock_electoral
from mocks.agencies import ird as mock_ird
from mocks.agencies import justice as mock_justice
from mocks.agencies import kaingaora as mock_kaingaora
from mocks.agencies import nzta as mock_nzta
from mocks.agencies import veterans as mock_veterans
from mocks.agencies.council import properties as mock_council_properties
from mocks.agencies.msd import parts as mock_msd_parts
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.address_model import Address, PostalAddress, PostBox
from onceonly.domain.addresses import parse_address
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec
from tests.adapters.built_in import BUILT_IN, BUILT_IN_WORK_QUEUES, http_plugin
from tests.address_forms import FORMS, STREET_FORMS, AddressForm, any_address, any_post_box
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BASE_URL = "http://agencies.test"
# The agencies sent addresses: by HTTP (the built-in ones), and Collections, by daily file.
_PLUGINS: dict[str, AdapterPlugin] = {
    **{plugin.agency: plugin for plugin in BUILT_IN},
    "justice": http_plugin("justice"),
}
# What earlier steps issue, as the step runner adds it to the dossier.
FACTS = {
    "child__birth_registration_number": "2026/000123",
    "child__ird_number": "130000010",
    "deceased__death_registration_number": "2026/000042",
}
_BOX_KINDS = {
    "po_box": "PO Box",
    "private_bag": "Private Bag",
    "counter_delivery": "Counter Delivery",
}


def _town(town: str, postcode: str) -> str:
    return f"{town} {postcode}"


def _lines(*lines: str | None) -> PostalAddress:
    return parse_address("\n".join(line for line in lines if line))


def _msd(parts: Mapping[str, Any]) -> PostalAddress:
    if parts.get("kind") == "box":
        return PostBox(
            kind=_BOX_KINDS[parts["box_type"]],
            box_number=parts.get("box_number"),
            lobby=parts.get("lobby"),
            city=parts["town"],
            postcode=parts["post_code"],
        )
    return Address(
        unit_type=parts.get("unit_type"),
        unit=parts.get("unit"),
        level_type=parts.get("level_type"),
        level_number=parts.get("level_number"),
        building_name=parts.get("building_name"),
        number=parts["street_number"],
        number_last=parts.get("street_number_last"),
        street=parts["street_name"],
        suburb=parts.get("suburb"),
        rural_delivery=parts.get("rural_delivery"),
        city=parts["town"],
        postcode=parts["post_code"],
    )


def _nzta(parts: Mapping[str, Any]) -> PostalAddress:
    last = parts["streetNumberLast"]
    rural = parts["ruralDelivery"]
    return Address(
        unit_type=parts["unitType"],
        unit=parts["unitNumber"],
        level_type=parts["levelType"],
        level_number=parts["levelNumber"],
        building_name=parts["buildingName"],
        number=parts["streetNumber"] + (parts["streetAlpha"] or ""),
        number_last=None if last is None else last + (parts["streetAlphaLast"] or ""),
        street=parts["streetName"],
        suburb=parts["suburb"],
        rural_delivery=None if rural is None else int(rural.removeprefix("RD ")),
        city=parts["town"],
        postcode=parts["postcode"],
    )


def _kaingaora(parts: Mapping[str, Any]) -> PostalAddress:
    return Address(
        unit_type=parts["UnitType"],
        unit=parts["Unit"],
        level_type=parts["LevelType"],
        level_number=parts["LevelNumber"],
        building_name=parts["BuildingName"],
        number=parts["StreetNumber"],
        number_last=parts["StreetNumberLast"],
        street=parts["Street"],
        suburb=parts["Suburb"],
        city=parts["Town"],
        postcode=parts["Postcode"],
    )


# Each step sent an address (and its field, where a step is sent two): where its request holds
# it, and how that reads back as parts.
READERS: dict[str, tuple[str, Callable[[Any], PostalAddress]]] = {
    "register_birth": ("usualResidence", lambda r: _lines(
        r["line1"], r.get("suburb"), r.get("ruralDelivery"), _town(r["city"], r["postcode"]))),
    "child_ird_number": ("postalAddress", parse_address),
    "best_start": ("address", _msd),
    # A FHIR transaction: the child's Patient is the Bundle's first entry.
    "health_enrolment": ("entry.0.resource.address", lambda a: _lines(
        *a[0]["line"], _town(a[0]["city"], a[0]["postalCode"]))),
    "update_driver_licence": ("residentialAddress", _nzta),
    "update_electoral_roll": ("residential_address.address_lines", lambda lines: _lines(*lines)),
    "update_ird_address": ("residentialAddress", parse_address),
    "update_msd_address": ("new_address", _msd),
    "update_health_address": ("address", lambda a: _lines(
        *a[0]["line"], _town(a[0]["city"], a[0]["postalCode"]))),
    "council_rates": ("property", lambda p: _lines(
        p["street"], p.get("suburb"), p.get("ruralDelivery"), _town(p["town"], p["postcode"]))),
    "council_dog_registration": ("property", lambda p: _lines(
        p["street"], p.get("suburb"), p.get("ruralDelivery"), _town(p["town"], p["postcode"]))),
    "update_acc_address": ("address", lambda a: _lines(
        a["addressLine1"], a["addressLine2"], a["ruralDelivery"], _town(a["city"], a["postCode"]))),
    "register_death": ("usualResidence", lambda r: _lines(
        r["line1"], r.get("suburb"), r.get("ruralDelivery"), _town(r["city"], r["postcode"]))),
    "notify_ird": ("notifierPostalAddress", parse_address),
    "funeral_grant": ("applicant.postal_address", _msd),
    "remove_from_electoral_roll": (
        "residential_address.address_lines", lambda lines: _lines(*lines)),
    "notify_veterans_affairs": ("next_of_kin.postal_address_lines", lambda lines: _lines(*lines)),
    "notify_council": ("notifier.correspondenceAddress", lambda lines: _lines(*lines)),
    "notify_council deceased.last_address": ("property", lambda p: _lines(
        p["street"], p.get("suburb"), p.get("ruralDelivery"), _town(p["town"], p["postcode"]))),
    "end_tenancy": ("TenancyAddress", _kaingaora),
    # A line of Collections' file: the record itself.
    "update_fines_address": ("", lambda r: _lines(r["ADDRESS_LINE_1"], r["SUBURB"],
        r["RURAL_DELIVERY"], _town(r["TOWN_CITY"], r["POSTCODE"]))),
}  # fmt: skip
# The field of each event's dossier each step reads its address from.
_EVENTS: dict[str, tuple[LifeEventSpec, Callable[[], BaseModel]]] = {
    "birth": (BIRTH, sample_birth),
    "move": (MOVE, sample_move),
    "death": (DEATH, sample_death),
}


def _address_steps() -> list[tuple[str, str, str]]:
    """(event, step, field) for every step of every life event that is sent an address in an
    agency's format (an inbox task shows staff the canonical address: no mapping to lose it)."""
    found = []
    for event, (spec, _) in _EVENTS.items():
        for step in spec.steps:
            if step.agency in BUILT_IN_WORK_QUEUES:
                continue
            fields = [f for f in step.fields if f.endswith("address") and f != "previous_address"]
            found += [(event, step.id, field) for field in fields]
    return found


ADDRESS_STEPS = _address_steps()


def _with_address(data: BaseModel, field: str, address: PostalAddress) -> BaseModel:
    """The dossier with the address at the dotted `field` replaced."""
    head, _, rest = field.partition(".")
    if not rest:
        return data.model_copy(update={head: address})
    inner = getattr(data, head)
    return data.model_copy(update={head: _with_address(inner, rest, address)})


def _at(body: Mapping[str, Any], path: str) -> Any:
    if not path:  # the whole body: a batch file's line
        return body
    value: Any = body
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else value[part]
    return value


def _reader_key(step_id: str, field: str) -> str:
    return f"{step_id} {field}" if f"{step_id} {field}" in READERS else step_id


def _forms_for(field: str) -> tuple[AddressForm, ...]:
    # Letters may go to a PO Box; anywhere someone lives or lived is a street address.
    return FORMS if field.endswith("postal_address") else STREET_FORMS


def test_every_step_sent_an_address_is_read_back_here():
    assert {_reader_key(step, field) for _, step, field in ADDRESS_STEPS} == set(READERS)
    assert len(STREET_FORMS) >= 40


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(tmp_path / "agencies.db", environ={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


def _adapter(client: httpx.AsyncClient, agency: str) -> AgencyAdapter:
    plugin = _PLUGINS[agency]
    adapter: AgencyAdapter = plugin.build(client, BASE_URL, f"dev-{agency}-key")
    return adapter


@pytest.mark.parametrize(("event", "step_id", "field"), ADDRESS_STEPS)
async def test_every_form_reaches_the_agency_whole_and_in_its_format(client, event, step_id, field):
    spec, sample = _EVENTS[event]
    step = spec.step(step_id)
    adapter = _adapter(client, step.agency)
    path, read_back = READERS[_reader_key(step_id, field)]
    facts = {name: value for name, value in FACTS.items() if name.replace("__", ".") in step.fields}
    lost, refused = [], []
    for index, form in enumerate(_forms_for(field)):
        disclosure = disclose(step_id, _with_address(sample(), field, form.address), spec, **facts)
        sent = _at(await adapter.preview(step.service, disclosure), path)
        expected = form.address
        if step.agency == "kaingaora":  # its homes are known without the RD (a postal route)
            expected = expected.model_copy(update={"rural_delivery": None})
        if read_back(sent) != expected:
            lost.append(form.text)
        try:
            if isinstance(adapter, BatchFileAdapter):  # a file's line: its mock's own rules
                MOCK_RULES[step_id][1](sent)
            else:
                await adapter.submit(step.service, disclosure, f"event-{index}/{step_id}")
        except Exception as error:
            refused.append(f"{form.text}: {error}")
    assert lost == []
    assert refused == []


# --- intake is never looser than an agency: any valid address, in each agency's own rules ---

_ONE_LINE = TypeAdapter(mock_ird.OneLineAddress)
_MSD_POSTAL = TypeAdapter(mock_msd_parts.PostalAddress)


def _wire(model: type[BaseModel]) -> Callable[[Any], object]:
    # As the mock receives it: JSON text into its strict schema.
    return lambda part: model.model_validate_json(json.dumps(part, ensure_ascii=False))


def _council_property(part: Any) -> object:
    parsed = _wire(mock_council_properties.PropertyAddress)(part)
    assert mock_council_properties.property_for(parsed) is not None  # type: ignore[arg-type]
    return parsed


# Each step's address, where its request holds it, and the mock's own model of that part.
# (Health's FHIR Address is checked by its mock in the in-process test above.)
MOCK_RULES: dict[str, tuple[str, Callable[[Any], object]]] = {
    "register_birth": ("usualResidence", _wire(mock_bdm.UsualResidence)),
    "child_ird_number": ("postalAddress", _ONE_LINE.validate_python),
    "best_start": ("address", _wire(mock_msd_parts.Address)),
    "update_driver_licence": ("residentialAddress", _wire(mock_nzta.ResidentialAddress)),
    "update_electoral_roll": ("residential_address", _wire(mock_electoral.ResidentialAddress)),
    "update_ird_address": ("residentialAddress", _ONE_LINE.validate_python),
    "update_msd_address": ("new_address", _wire(mock_msd_parts.Address)),
    "council_rates": ("property", _council_property),
    "council_dog_registration": ("property", _council_property),
    "update_acc_address": ("address", _wire(mock_acc.ClientAddress)),
    "register_death": ("usualResidence", _wire(mock_bdm.UsualResidence)),
    "notify_ird": ("notifierPostalAddress", _ONE_LINE.validate_python),
    "funeral_grant": ("applicant.postal_address", _MSD_POSTAL.validate_python),
    "remove_from_electoral_roll": ("residential_address", _wire(mock_electoral.ResidentialAddress)),
    "notify_veterans_affairs": ("next_of_kin", _wire(mock_veterans.NextOfKin)),
    "notify_council": ("notifier", _wire(mock_council.Notifier)),
    "notify_council deceased.last_address": ("property", _council_property),
    "end_tenancy": ("TenancyAddress", _wire(mock_kaingaora.TenancyAddress)),
    "update_fines_address": ("", lambda row: mock_justice.AddressUpdate.model_validate(
        {"SUBMISSION_REF": "move-1/update_fines_address", **row})),
}  # fmt: skip
_PREVIEWS = {a: p.build(httpx.AsyncClient(), BASE_URL, "unused") for a, p in _PLUGINS.items()}
_SAMPLES = {event: sample() for event, (_, sample) in _EVENTS.items()}


def test_every_address_step_but_healths_has_the_mocks_rules_here():
    health = {"health_enrolment", "update_health_address"}
    assert set(MOCK_RULES) == {_reader_key(s, f) for _, s, f in ADDRESS_STEPS} - health


@given(any_address() | any_post_box())
def test_any_valid_address_is_in_every_agencys_own_format(address):
    for event, step_id, field in ADDRESS_STEPS:
        rules = MOCK_RULES.get(_reader_key(step_id, field))
        if rules is None or (isinstance(address, PostBox) and not field.endswith("postal_address")):
            continue
        spec = _EVENTS[event][0]
        step = spec.step(step_id)
        facts = {k: v for k, v in FACTS.items() if k.replace("__", ".") in step.fields}
        data = _with_address(_SAMPLES[event], field, address)
        body = asyncio.run(
            _PREVIEWS[step.agency].preview(step.service, disclose(step_id, data, spec, **facts))
        )
        path, mock_rule = rules
        mock_rule(_at(body, path))
