"""The citizen API's OpenAPI document: FastAPI's own, with what the routes validate by hand
described too, so that a front end can be generated from it and no request the document
calls valid is refused for its shape.

- `POST /v1/life-events`: each life event's `data` has its own schema (its data model's),
  chosen by `event_type` (a `oneOf` with a discriminator), with the samples as examples.
- `POST /v1/prefill`: each life event's registers are an enum, and a register that needs a
  number makes it required.

The routes still validate by hand (with today's date, which a schema cannot hold): the
schemas here come from the same models and catalogue, so the two cannot drift apart.
"""

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, cast

from fastapi import FastAPI
from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import models_json_schema

from onceonly import samples
from onceonly.api.prefill import PREFILL_ID
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.people import RegistrationNumber
from onceonly.life_events import LIFE_EVENTS

COMPONENTS = "#/components/schemas/{model}"
START_PATH = "/v1/life-events"
PREFILL_PATH = "/v1/prefill"
# Each life event's sample data, shown as the request's examples (dated from today).
SAMPLES: dict[str, Callable[[date], dict[str, Any]]] = {
    "birth": samples.birth_request_data,
    "move": samples.move_request_data,
    "death": samples.death_request_data,
}


FORMATS = {
    "nz-ird-number": "An IRD number of 8 or 9 digits (dashes or spaces allowed) whose check "
    "digit is right, by Inland Revenue's rules.",
    "nz-nhi-number": "An NHI number, old (AAANNNN) or new (AAANNAA) format, whose check "
    "character is right (HISO 10046); any case.",
    "nz-driver-licence-number": "Two letters and six digits, as in DL123456; any case, spaces "
    "or dashes allowed.",
    "person-name": "Letters of any script (accents such as macrons included), with single "
    "spaces, hyphens or apostrophes between them, at most 100 characters: the agencies' rule "
    "for names; surrounding spaces are trimmed.",
    "phone-number": "A New Zealand or international phone number in use, as in 021 123 4567 "
    "or +64 21 123 4567, without an extension; kept in E.164 form (+64211234567).",
    "nz-road-name": "A road's name with its type, as in Smith Street: at most 100 characters, "
    "no comma, beginning with a letter or digit, never a PO Box or Private Bag.",
    "nz-locality": "A suburb, locality, town or city: at most 100 characters (a town 95), no "
    "comma, never a PO Box, Private Bag or (for a suburb) an RD line.",
    "nz-building-name": "A building's name, as in Vero Centre: at most 100 characters, no "
    "comma, and not readable as a unit, a level, a number and street, an RD or a PO Box.",
}
"""The document's own string formats, for rules JSON Schema cannot state."""
RULES = (
    "Dates are not in the future; a move's date is within a year of today; a child's birth "
    "is within a year, and past BDM's two months only with `late_registration` true. A death "
    "follows the birth; a move goes to another address; no two corrected paths overlap. In "
    "an address, a unit type comes with its unit, Level and Floor with their number (other "
    "level types with none), a range's last number is above its first, and the building, "
    "unit, level, number and street fit one line of 100 characters."
)
"""The rules between fields, or against today, that no schema can state."""


def formats_description() -> str:
    """The document's formats and the rules beyond its schemas, for `info.description`."""
    listed = "\n".join(f"- `{name}`: {meaning}" for name, meaning in FORMATS.items())
    return f"String formats of this document:\n\n{listed}\n\nAlso: {RULES}"


def start_models() -> dict[str, type[BaseModel]]:
    """A request model per life event: its `event_type`, and its data model as `data`."""
    return {
        event_type: create_model(
            f"Start{event_type.title()}",
            __doc__=f"Start a life event of type {event_type!r}: {kind.spec.summary}",
            event_type=(
                cast(Any, Literal[event_type]),
                Field(description="The life event's type."),
            ),
            data=(kind.data_model, Field(description="Everything the event needs, once.")),
            prefill_id=(
                Annotated[str, Field(pattern=PREFILL_ID)] | None,
                Field(default=None, description="The prefill this data was confirmed from."),
            ),
        )
        for event_type, kind in LIFE_EVENTS.items()
    }


def prefill_models() -> dict[str, type[BaseModel]]:
    """A prefill request model per life event that offers registers: its registers' enum."""
    models: dict[str, type[BaseModel]] = {}
    for event in CATALOGUE.life_events:
        sources = tuple(prefill.source for prefill in event.prefill)
        if not sources:
            continue
        models[event.event_type] = create_model(
            f"Prefill{event.event_type.title()}",
            __doc__=f"Registers to look up for a life event of type {event.event_type!r}.",
            event_type=(cast(Any, Literal[event.event_type]), Field()),
            sources=(
                list[Literal[sources]],  # type: ignore[valid-type]
                Field(
                    min_length=1,
                    max_length=len(sources),
                    description="The registers agreed to, each once.",
                    json_schema_extra={"uniqueItems": True},
                ),
            ),
            death_registration_number=(
                RegistrationNumber | None,
                Field(default=None, description="BDM's number, for a registered death."),
            ),
        )
    return models


def _needs_rules(event_type: str) -> list[dict[str, Any]]:
    """`if` a register that needs a number is named, `then` the number is required."""
    event = CATALOGUE.event(event_type)
    return [
        {
            "if": {"properties": {"sources": {"contains": {"const": prefill.source}}}},
            "then": {
                "required": [prefill.needs],
                "properties": {prefill.needs: {"type": "string"}},
            },
        }
        for prefill in event.prefill
        if prefill.needs
    ]


def _add_components(document: dict[str, Any], models: list[type[BaseModel]]) -> list[str]:
    """Add the models' schemas (and those they use) to the document; their names."""
    _, schemas = models_json_schema([(m, "validation") for m in models], ref_template=COMPONENTS)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in schemas.get("$defs", {}).items():
        if name in components and components[name] != schema:
            raise ValueError(f"two schemas are named {name!r} in the OpenAPI document")
        components[name] = schema
    return [model.__name__ for model in models]


def _one_of(names: dict[str, str]) -> dict[str, Any]:
    return {
        "oneOf": [{"$ref": COMPONENTS.format(model=name)} for name in names.values()],
        "discriminator": {
            "propertyName": "event_type",
            "mapping": {tag: COMPONENTS.format(model=name) for tag, name in names.items()},
        },
    }


def describe_life_events(document: dict[str, Any], today: date) -> dict[str, Any]:
    """The document with each life event's request bodies described (changed in place)."""
    starts = start_models()
    names = dict(zip(starts, _add_components(document, list(starts.values())), strict=True))
    body = document["paths"][START_PATH]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = _one_of(names)
    body["examples"] = {
        event_type: {
            "summary": LIFE_EVENTS[event_type].spec.title,
            "value": {"event_type": event_type, "data": make(today)},
        }
        for event_type, make in SAMPLES.items()
    }
    prefills = prefill_models()
    names = dict(zip(prefills, _add_components(document, list(prefills.values())), strict=True))
    components = document["components"]["schemas"]
    for event_type, name in names.items():
        rules = _needs_rules(event_type)
        if rules:
            components[name]["allOf"] = rules
    body = document["paths"][PREFILL_PATH]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = _one_of(names)
    for unused in ("StartLifeEvent", "PrefillStart"):
        components.pop(unused, None)
    document["info"]["description"] = formats_description()
    return document


def install_openapi(app: FastAPI, today: Callable[[], date]) -> None:
    """Serve the described document at /openapi.json (made once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = describe_life_events(FastAPI.openapi(app), today())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
