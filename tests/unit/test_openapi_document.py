"""The OpenAPI document a front end is generated from: each life event's data described and
chosen by `event_type`, its examples valid against it, the prefill registers as enums, the
rules JSON Schema can state stated exactly as the validators hold them, 405s that list every
method, and /docs working with no internet."""

import re
from datetime import date
from types import SimpleNamespace
from typing import Any, cast

import httpx
import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from temporalio.client import Client

from onceonly.api.app import create_app
from onceonly.api.openapi import FORMATS
from onceonly.domain.address_model import AddressText
from onceonly.domain.address_words import MAX_ADDRESS_PART
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.people import Text
from onceonly.domain.text_rules import text_pattern
from onceonly.life_events import LIFE_EVENTS
from onceonly.settings import Settings

DOCUMENT = create_app(Settings()).openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]


def validator(component: str) -> jsonschema.Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{component}", "components": DOCUMENT["components"]}
    return jsonschema.Draft202012Validator(schema)


def body_of(path: str) -> dict:
    return DOCUMENT["paths"][path]["post"]["requestBody"]["content"]["application/json"]


def test_each_life_events_data_has_its_schema_chosen_by_event_type():
    schema = body_of("/v1/life-events")["schema"]
    mapping = schema["discriminator"]["mapping"]
    assert schema["discriminator"]["propertyName"] == "event_type"
    assert mapping.keys() == LIFE_EVENTS.keys()
    assert [one["$ref"] for one in schema["oneOf"]] == list(mapping.values())
    for event_type, kind in LIFE_EVENTS.items():
        start = SCHEMAS[mapping[event_type].rsplit("/", 1)[1]]
        assert start["properties"]["event_type"]["const"] == event_type
        data = start["properties"]["data"]["$ref"].rsplit("/", 1)[1]
        assert data == kind.data_model.__name__
        assert SCHEMAS[data]["additionalProperties"] is False
    assert "StartLifeEvent" not in SCHEMAS  # the loose shape is not what the document says


def test_the_examples_are_valid_by_the_document():
    examples = body_of("/v1/life-events")["examples"]
    assert examples.keys() == LIFE_EVENTS.keys()
    for event_type, example in examples.items():
        validator(f"Start{event_type.title()}").validate(example["value"])
    with pytest.raises(jsonschema.ValidationError):
        broken = examples["birth"]["value"] | {"data": {"child": {}}}
        validator("StartBirth").validate(broken)


def test_enums_and_formats_are_the_validators_rules():
    child = SCHEMAS["Child"]["properties"]
    assert child["sex"]["enum"] == ["female", "male", "indeterminate"]
    assert child["date_of_birth"]["format"] == "date"
    assert SCHEMAS["ConsentDecision"]["properties"]["decision"]["enum"] == [
        "grant",
        "decline",
        "acknowledge",
    ]
    parent = SCHEMAS["Parent"]["properties"]
    assert parent["ird_number"]["anyOf"][0]["format"] == "nz-ird-number"
    name = SCHEMAS["PersonName"]["properties"]["family_name"]
    assert (name["format"], name["minLength"], name["maxLength"]) == ("person-name", 1, 100)
    cost = SCHEMAS["FuneralGrant"]["properties"]["funeral_cost"]
    assert cost["type"] == "string" and re.fullmatch(cost["pattern"].strip("^$"), "8450.00")


def formats_in(schema: object) -> set[str]:
    if isinstance(schema, dict):
        own = {schema["format"]} if isinstance(schema.get("format"), str) else set()
        return own.union(*(formats_in(value) for value in schema.values()))
    if isinstance(schema, list):
        return set().union(*(formats_in(value) for value in schema))
    return set()


def test_every_format_of_the_document_is_standard_or_described():
    standard = {"date", "date-time", "email", "uri", "uuid", "binary", "duration"}
    own = formats_in(DOCUMENT) - standard
    assert own == FORMATS.keys()
    for name in own:
        assert f"`{name}`" in DOCUMENT["info"]["description"]


def test_the_prefill_registers_are_each_events_own():
    schema = body_of("/v1/prefill")["schema"]
    for event in CATALOGUE.life_events:
        offered = [prefill.source for prefill in event.prefill]
        component = f"Prefill{event.event_type.title()}"
        if not offered:
            assert component not in SCHEMAS
            continue
        items = SCHEMAS[component]["properties"]["sources"]["items"]
        assert items.get("enum", [items.get("const")]) == offered
        assert SCHEMAS[component]["properties"]["sources"]["uniqueItems"] is True
    assert schema["discriminator"]["propertyName"] == "event_type"
    death = validator("PrefillDeath")
    with pytest.raises(jsonschema.ValidationError, match="death_registration_number"):
        death.validate({"event_type": "death", "sources": ["bdm"]})
    death.validate(
        {"event_type": "death", "sources": ["bdm"], "death_registration_number": "2026/000123"}
    )


TEXT_SAMPLES = (
    st.text(
        st.characters(codec="utf-8") | st.sampled_from(" \t\n\x0b\x1c\x1f\x85\xa0\u2028\u3000,"),
        max_size=8,
    )
    | st.text(st.sampled_from("a ,"), min_size=195, max_size=205)
    | st.text(st.sampled_from("a ,"), min_size=95, max_size=105)
)


@given(TEXT_SAMPLES)
def test_the_text_pattern_is_the_text_rule(text):
    assert bool(re.search(text_pattern(), text)) == accepts(Text, text)
    address_rule = text_pattern(",", MAX_ADDRESS_PART)
    assert bool(re.search(address_rule, text)) == accepts(AddressText, text)


def accepts(annotation: Any, value: str) -> bool:
    try:
        TypeAdapter(annotation).validate_python(value)
    except ValidationError:
        return False
    return True


@pytest.fixture
async def api() -> httpx.AsyncClient:
    # Neither 405s nor the docs reach Temporal, so any object stands in for it.
    app = create_app(Settings(), temporal=cast(Client, SimpleNamespace()))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://api.test")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/v1/life-events", "GET, POST"),
        ("OPTIONS", "/v1/life-events", "GET, POST"),
        ("DELETE", "/v1/catalogue", "GET"),
        ("PATCH", "/v1/life-events/birth-0/corrections", "GET, POST"),
        ("GET", "/v1/life-events/birth-0/consents/register_birth", "DELETE"),
    ],
)
async def test_a_405_allows_every_method_the_path_serves(api, method, path, allowed):
    answer = await api.request(method, path)
    assert (answer.status_code, answer.headers["allow"]) == (405, allowed)


async def test_the_docs_load_nothing_from_elsewhere(api):
    html = (await api.get("/docs")).text
    linked = re.findall(r"""(?:src|href|url)\s*[:=]\s*['"]([^'"]+)['"]""", html)
    assert "/openapi.json" in linked
    assert not [url for url in linked if "//" in url], linked
    assets = [url for url in linked if url.startswith("/docs/assets/")]
    assert len(assets) == 3  # the script, the styles and the icon
    assert (await api.get("/redoc")).status_code == 404
    for url in assets:
        answer = await api.get(url)
        assert answer.status_code == 200 and len(answer.content) > 1000, url


def test_the_document_is_dated_from_today():
    example = body_of("/v1/life-events")["examples"]["birth"]["value"]
    born = date.fromisoformat(example["data"]["child"]["date_of_birth"])
    assert 0 < (date.today() - born).days < 30
