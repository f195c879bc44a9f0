"""Intake is never looser than an agency: whatever canonical data the intake accepts, every
step's adapter maps, and every agency's mock takes in its own format. Names from every script
and punctuation the model allows, phone numbers of every region and kind (libphonenumber's
examples), emails, IRD and NHI numbers in every written form, and the free-text fields are
drawn; a dossier the intake refuses is skipped (the intake refused it first, with a 422)."""

import json
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter, ValidationError

from adapters.base import AgencyRejected
from mocks.agencies import AGENCIES
from mocks.agencies.council import properties as council_properties
from mocks.kit.formats import nz_today
from onceonly.domain.birth import BirthData
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec, StepSpec
from onceonly.domain.contact import Email, Phone
from onceonly.domain.death import DeathData
from onceonly.domain.identifiers import ird_check_digit, nhi_check_character
from onceonly.domain.move import MoveData
from onceonly.domain.people import PersonName, intake_context
from onceonly.domain.step_graph import applies
from onceonly.samples import birth_request_data, death_request_data, move_request_data
from onceonly.samples import with_other_parent as birth_with_other_parent
from tests.integration.agency_formats import sent_in_agency_format
from tests.mocks.samples import disclose

TODAY = nz_today()  # the mocks' own "today": a date they take as past is one intake takes
PROPERTY = "WGN-00000001"
ISSUED = {
    "child__birth_registration_number": "2026/000123",
    "child__ird_number": "130000010",
    "child__nhi_number": "ZAA00AC",
    "deceased__death_registration_number": "2026/000456",
}
_ENOUGH = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


def _request_models() -> dict[tuple[str, str], type[BaseModel]]:
    """Each mock's schema by (agency, catalogue service), from its own coverage tables."""
    models = {}
    for agency in AGENCIES:
        by_path = {service.path: service.request_model for service in agency.services}
        for path, coverage in agency.receipt_coverage.items():
            models[(agency.name, coverage.service)] = by_path[path]
    return models


REQUEST_MODELS = _request_models()


# --- what the intake allows ------------------------------------------------------------------

# Letters of every script (cased, titlecase, modifier, other) with the accents, mostly; now
# and then any combining mark, a full stop, a doubled joiner or a leading apostrophe, which
# the model's characters allow and some agencies do not.
_letter = st.characters(categories=("Lu", "Ll", "Lt", "Lm", "Lo"))
_accent = st.characters(min_codepoint=0x300, max_codepoint=0x36F)
_any_mark = st.characters(categories=("Mn", "Mc", "Me"))
_word = st.lists(_letter | _accent, min_size=1, max_size=10).map("".join)
_odd_word = st.lists(_letter | _accent | _any_mark, min_size=1, max_size=10).map("".join)
_joiner = st.sampled_from([" ", "-", "'", "\u2019"])
_odd_joiner = st.sampled_from([".", "  ", ". ", "--", "-'"])


@st.composite
def _name_part(draw: st.DrawFn, word: Any = _word, joiner: Any = _joiner) -> str:
    words = draw(st.lists(word, min_size=1, max_size=3))
    joined = words[0]
    for more in words[1:]:
        joined += draw(joiner) + more
    return joined


# Mostly names agencies hold; one in ten with what only the model's characters allow.
_odd_name_part = _name_part(_odd_word, _joiner | _odd_joiner).map(
    lambda part: part + "." if part.isalpha() else part
)
_any_name_part = st.one_of(*[_name_part()] * 9, _odd_name_part)


def _intake_takes(kind: Any) -> Any:
    """A filter keeping what the intake accepts of `kind` (each part drawn on its own, so that
    a whole dossier is seldom refused for one of its many parts)."""
    adapter = TypeAdapter(kind)

    def takes(value: Any) -> bool:
        try:
            adapter.validate_python(value, context=intake_context(TODAY))
        except ValidationError:
            return False
        return True

    return takes


@st.composite
def _any_person_name(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "given_names": draw(st.lists(_any_name_part, min_size=1, max_size=4)),
        "family_name": draw(_any_name_part),
        "known_as": draw(st.none() | _any_name_part),
    }


_person_name = _any_person_name().filter(_intake_takes(PersonName))


def _example_phones() -> list[str]:
    """libphonenumber's example number of each kind for every region, written three ways."""
    kinds = [getattr(phonenumbers.PhoneNumberType, kind) for kind in ("MOBILE", "FIXED_LINE")]
    kinds += [phonenumbers.PhoneNumberType.TOLL_FREE, phonenumbers.PhoneNumberType.VOIP]
    written = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        for kind in kinds:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is None:
                continue
            for style in (
                phonenumbers.PhoneNumberFormat.E164,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
            ):
                written.append(phonenumbers.format_number(number, style))
            if region == "NZ":
                written.append(
                    phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
                )
    return written


EXAMPLE_PHONES = _example_phones()
_phone = (st.sampled_from(EXAMPLE_PHONES) | st.just("+64 21 123 4567")).filter(_intake_takes(Phone))
_email = (
    st.emails() | st.sampled_from(["Heni.Ngata@EXAMPLE.org", "a.person+nz@example.govt.nz"])
).filter(_intake_takes(Email))
# Free text as the model allows it: 1 to 200 characters, no control characters.
_text = st.one_of(
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=40),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=90, max_size=200),
).filter(lambda text: text.strip() == text and text)


def _separated(value: str, draw: st.DrawFn) -> str:
    """An identifier as people write it: spaces or dashes between characters, any case."""
    out = ""
    for char in value:
        out += char + draw(st.sampled_from(["", "", "", " ", "-"]))
    return draw(st.sampled_from([str.upper, str.lower]))(out.strip(" -"))


@st.composite
def _ird_number(draw: st.DrawFn) -> str:
    base = draw(st.integers(min_value=1_000_001, max_value=14_999_999))
    check = ird_check_digit(f"{base:08d}")
    assume(check is not None)
    return _separated(f"{base:08d}{check}".lstrip("0"), draw)


@st.composite
def _nhi_number(draw: st.DrawFn) -> str:
    pattern = draw(
        st.sampled_from([r"[A-HJ-NP-Z]{3}[0-9]{3}", r"[A-HJ-NP-Z]{3}[0-9]{2}[A-HJ-NP-Z]"])
    )
    base = draw(st.from_regex(pattern, fullmatch=True))
    check = nhi_check_character(base)
    assume(check is not None)
    return _separated(f"{base}{check}", draw)


def _accepted(model: type[BaseModel], data: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(data, context=intake_context(TODAY))
    except ValidationError:
        assume(False)  # the intake refused it first: no agency ever sees it
        raise


@st.composite
def _birth(draw: st.DrawFn) -> BirthData:
    data = birth_with_other_parent(birth_request_data(TODAY))
    data["child"] = data["child"] | {
        "name": draw(_person_name),
        "place_of_birth": draw(_text),
    }
    for parent in ("birth_parent", "other_parent"):
        data[parent] = data[parent] | {
            "name": draw(_person_name),
            "phone": draw(st.none() | _phone),
            "email": draw(st.none() | _email),
        }
    data["birth_parent"]["ird_number"] = draw(_ird_number())
    data["health"] = {"gp_practice": draw(_text), "well_child_provider": draw(_text)}
    return BirthData.model_validate(_accepted(BirthData, data).model_dump(mode="json"))


@st.composite
def _move(draw: st.DrawFn) -> MoveData:
    data = move_request_data(TODAY)
    data["mover"] = data["mover"] | {
        "name": draw(_person_name),
        "phone": draw(_phone),
        "email": draw(_email),
        "ird_number": draw(_ird_number()),
        "nhi_number": draw(_nhi_number()),
    }
    data["household"] = [
        member | {"name": draw(_person_name)} for member in data.get("household", [])
    ]
    data["gp_practice"] = draw(_text)
    data["dogs"] = [dog | {"name": draw(_text), "breed": draw(_text)} for dog in data["dogs"]]
    return MoveData.model_validate(_accepted(MoveData, data).model_dump(mode="json"))


@st.composite
def _death(draw: st.DrawFn) -> DeathData:
    data = death_request_data(TODAY)
    data["deceased"] = data["deceased"] | {
        "name": draw(_person_name),
        "place_of_death": draw(_text),
        "ird_number": draw(_ird_number()),
        "nhi_number": draw(_nhi_number()),
    }
    data["notifier"] = data["notifier"] | {
        "name": draw(_person_name),
        "phone": draw(_phone),
        "email": draw(st.none() | _email),
    }
    if data.get("funeral_grant"):
        data["funeral_grant"] = data["funeral_grant"] | {"funeral_director": draw(_text)}
    return DeathData.model_validate(_accepted(DeathData, data).model_dump(mode="json"))


# --- what each agency takes ------------------------------------------------------------------


def _steps(event: LifeEventSpec, data: BaseModel) -> Iterator[StepSpec]:
    dossier = data.model_dump(mode="json")
    for step in event.steps:
        if step.agency in {a.name for a in AGENCIES} and applies(step, dossier):
            yield step


def _every_agency_takes(event: LifeEventSpec, data: BaseModel) -> None:
    for step in _steps(event, data):
        disclosure = disclose(step.id, data, event, **ISSUED)
        try:
            body = sent_in_agency_format(step, disclosure, {"propertyId": PROPERTY})
        except AgencyRejected as refused:
            pytest.fail(f"{step.id}: the adapter refused data the intake accepted: {refused}")
        if step.agency == "council":
            # The council's register gives the property id for the address it was sent.
            query = council_properties.PropertyQuery.model_validate(body["property"])
            found = council_properties.property_for(query)
            assert found is not None, step.id
            body |= {"propertyId": found["propertyId"]}
        model = REQUEST_MODELS[(step.agency, step.service)]
        try:
            model.model_validate_json(json.dumps(body, ensure_ascii=False))
        except ValidationError as refused:
            pytest.fail(f"{step.id}: {step.agency} refused data the intake accepted: {refused}")


def test_every_step_of_every_event_has_its_mocks_schema():
    for event in (BIRTH, MOVE, DEATH):
        for step in event.steps:
            if step.agency in {a.name for a in AGENCIES}:
                assert (step.agency, step.service) in REQUEST_MODELS, step.id


@_ENOUGH
@given(_birth())
def test_every_agency_takes_every_birth_the_intake_accepts(data):
    _every_agency_takes(BIRTH, data)


@_ENOUGH
@given(_move())
def test_every_agency_takes_every_move_the_intake_accepts(data):
    _every_agency_takes(MOVE, data)


@_ENOUGH
@given(_death())
def test_every_agency_takes_every_death_the_intake_accepts(data):
    _every_agency_takes(DEATH, data)


def test_the_example_phones_cover_the_world():
    assert len(EXAMPLE_PHONES) > 1_000
