"""Rules over a life event's step graph: which fields a step may disclose, and whether a
catalogue entry is well formed. Pure functions, checked at start-up and in unit tests.
"""

from collections.abc import Collection, Mapping
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from onceonly.domain.catalogue import Catalogue, LifeEventSpec, StepSpec


class CatalogueError(ValueError):
    """A catalogue entry that cannot run: the message names the step and the rule."""


def select_fields(
    dossier: Mapping[str, Any], facts: Mapping[str, Any], fields: tuple[str, ...]
) -> dict[str, Any]:
    """Exactly the declared fields, by dotted path: facts issued by agencies first, then the
    citizen's dossier. An optional field the citizen left out is disclosed as None.
    """
    return {path: facts[path] if path in facts else value_at(dossier, path) for path in fields}


def applies(step: StepSpec, dossier: Mapping[str, Any]) -> bool:
    """Whether the step applies to this dossier: its condition's value is present (not null,
    empty or false), or absent when the condition says so. Steps without one always apply."""
    if step.applies_if is None:
        return True
    present = bool(value_at(dossier, step.applies_if.path))
    return present is step.applies_if.present


def due_on(step: StepSpec, dossier: Mapping[str, Any]) -> date | None:
    """The step's statutory deadline for this dossier, or None when it has none."""
    if step.deadline is None:
        return None
    start = value_at(dossier, step.deadline.from_field)
    if start is None:
        return None
    return date.fromisoformat(start) + timedelta(days=step.deadline.within_days)


def value_at(dossier: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of a dossier (None below a missing or empty part)."""
    value: Any = dossier
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def model_paths(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Every dotted path into a canonical model, nested models included (`child`, `child.name`)."""
    paths: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        for nested in _nested_models(field.annotation):
            paths |= model_paths(nested, f"{path}.")
    return paths


def _nested_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in getattr(annotation, "__args__", ()) for m in _nested_models(arg)]


def ancestors(spec: LifeEventSpec, step: StepSpec) -> set[str]:
    """The ids of every step this one needs, directly or through others."""
    seen: set[str] = set()
    pending = list(step.depends_on)
    while pending:
        step_id = pending.pop()
        if step_id not in seen:
            seen.add(step_id)
            pending.extend(spec.step(step_id).depends_on)
    return seen


def check_life_event(spec: LifeEventSpec, data_model: type[BaseModel]) -> None:
    """Raise CatalogueError unless every step's dependencies exist, the graph has no cycle,
    and every field a step discloses is in the data model or issued by a step it needs.
    """
    ids = [step.id for step in spec.steps]
    if len(ids) != len(set(ids)):
        raise CatalogueError(f"{spec.event_type}: step ids must be unique")
    known_paths = model_paths(data_model)
    for step in spec.steps:
        for needed in step.depends_on:
            if needed not in ids:
                raise CatalogueError(f"{step.id}: depends on unknown step {needed!r}")
        needed_steps = ancestors(spec, step)
        if step.id in needed_steps:
            raise CatalogueError(f"{step.id}: depends on itself through {sorted(needed_steps)}")
        issued = {fact for needed in needed_steps for fact in spec.step(needed).provides}
        for path in step.fields:
            if path not in known_paths and path not in issued:
                raise CatalogueError(
                    f"{step.id}: field {path!r} is neither in the data "
                    "nor issued by a step it needs"
                )
        for path in _condition_paths(step):
            if path not in known_paths:
                raise CatalogueError(f"{step.id}: condition or deadline names unknown {path!r}")


def _condition_paths(step: StepSpec) -> list[str]:
    paths = [step.applies_if.path] if step.applies_if else []
    paths += [party.person for party in step.parties]
    return paths + ([step.deadline.from_field] if step.deadline else [])


def check_catalogue(
    catalogue: Catalogue,
    data_models: Mapping[str, type[BaseModel]],
    adapters: Collection[str] | None = None,
) -> None:
    """Raise CatalogueError unless every life event has a data model and a well-formed step
    graph, every step names a known agency (with an adapter, when `adapters` is given), and no
    agency service serves two steps (adapters find a step by its agency and service)."""
    agencies = {agency.id for agency in catalogue.agencies}
    services: set[tuple[str, str]] = set()
    for event in catalogue.life_events:
        model = data_models.get(event.event_type)
        if model is None:
            raise CatalogueError(f"{event.event_type}: no data model for this life event")
        check_life_event(event, model)
        contact = [path for path in (event.contact.email, event.contact.phone) if path]
        unknown_contact = sorted(set(contact) - model_paths(model))
        if unknown_contact:
            raise CatalogueError(f"{event.event_type}: contact at unknown {unknown_contact}")
        for prefill in event.prefill:
            if prefill.source not in agencies:
                raise CatalogueError(f"{event.event_type}: prefill from unknown {prefill.source!r}")
            unknown = sorted(set(prefill.fills) - model_paths(model))
            if unknown:
                raise CatalogueError(f"{event.event_type}: prefill fills unknown {unknown}")
        for step in event.steps:
            if step.agency not in agencies:
                raise CatalogueError(f"{step.id}: unknown agency {step.agency!r}")
            if adapters is not None and step.agency not in adapters:
                raise CatalogueError(f"{step.id}: no adapter for agency {step.agency!r}")
            if (step.agency, step.service) in services:
                raise CatalogueError(f"{step.id}: service {step.service!r} serves two steps")
            services.add((step.agency, step.service))
