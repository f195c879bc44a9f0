"""The pure rules of a journey through question pages: which pages are shown and in which
order, the answers so far as the API's data, and each page checked by the event's own data
model exactly as the API checks it (strict, as JSON, with today's date), its errors placed
on the page's inputs.

Answers are flat: `{"child.name.family_name": "Ngāta", "household.0.relationship": "child",
"_other_parent": "no"}`; dates are ISO (`2026-11-25`), given names as typed ("Aroha, Mere").
"""

import json
import re
import types
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from onceonly.api.problems import field_errors
from onceonly.domain.people import intake_context
from onceonly.portal.journeys.questions import Answers, Ask, Journey, ListPage, Page, Question

_INDEX = re.compile(r"\[(\d+)\]")
_NAMED_PART = re.compile(r"^([a-z_]+): (.+)$", re.DOTALL)


def linear_pages(journey: Journey, answers: Answers, today: date) -> list[Page]:
    """The pages shown in order, for these answers (an item page is reached from its list)."""
    return [
        page
        for page in journey.pages
        if not (isinstance(page, Question) and page.item_of)
        and (isinstance(page, ListPage) or page.shown is None or page.shown(answers, today))
    ]


def next_slug(journey: Journey, answers: Answers, today: date, slug: str) -> str | None:
    """The page after `slug` (None: check your answers); an item page leads back to its list.
    The order is the journey's, so a page the answers have just hidden still has a next."""
    page = journey.page(slug)
    if isinstance(page, Question) and page.item_of:
        return _list_of(journey, page.item_of).slug
    after = _in_order(journey, answers, today, slug)[1]
    return after[0] if after else None


def previous_slug(journey: Journey, answers: Answers, today: date, slug: str) -> str | None:
    """The page before `slug` (None: the start page)."""
    page = journey.page(slug)
    if isinstance(page, Question) and page.item_of:
        return _list_of(journey, page.item_of).slug
    before = _in_order(journey, answers, today, slug)[0]
    return before[-1] if before else None


def _in_order(
    journey: Journey, answers: Answers, today: date, slug: str
) -> tuple[list[str], list[str]]:
    """The pages shown before `slug` and after it."""
    order = [page.slug for page in journey.pages]
    shown = {page.slug for page in linear_pages(journey, answers, today)}
    at = order.index(slug)
    return ([s for s in order[:at] if s in shown], [s for s in order[at + 1 :] if s in shown])


def _list_of(journey: Journey, path: str) -> ListPage:
    return next(p for p in journey.pages if isinstance(p, ListPage) and p.path == path)


def item_count(answers: Answers, list_path: str) -> int:
    """How many items of the list the answers hold."""
    found = re.compile(rf"^{re.escape(list_path)}\.(\d+)\.")
    indexes = [int(m.group(1)) for key in answers if (m := found.match(key))]
    return max(indexes) + 1 if indexes else 0


def asks_of(question: Question, n: int | None, answers: Answers, today: date) -> list[Ask]:
    """The page's inputs, for item `n` of a list page, without those not asked here."""
    asks = []
    for ask in question.asks:
        if ask.shown is not None and not ask.shown(answers, today):
            continue
        path = ask.path.replace("{n}", str(n)) if n is not None else ask.path
        asks.append(
            Ask(path, ask.label, ask.kind, ask.hint, ask.choices, ask.autocomplete, ask.required)
        )
    return asks


def group_of(question: Question, n: int | None) -> str | None:
    """The object the page fills, for item `n`."""
    if question.group is None:
        return None
    return question.group.replace("{n}", str(n)) if n is not None else question.group


def is_required(model: type[BaseModel], path: str) -> bool:
    """True when the data model requires the input at `path` once its object is given: what
    the page says, so an optional input is never called required."""
    current: Any = model
    *parents, leaf = [part for part in path.split(".") if not part.isdigit()]
    for part in parents:
        current = _model_in(_field(current, part).annotation)
    return bool(_field(current, leaf).is_required())


def _field(model: Any, name: str) -> Any:
    for candidate in _models(model):
        if name in candidate.model_fields:
            return candidate.model_fields[name]
    raise KeyError(name)


def _model_in(annotation: Any) -> Any:
    """The model (or union of models) a field holds, through Optional, Annotated, tuples."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _model_in(get_args(annotation)[0])
    if origin in (tuple, list):
        return _model_in(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return tuple(
            m
            for arg in get_args(annotation)
            if arg is not type(None)
            for m in _models(_model_in(arg))
        )
    return annotation


def _models(found: Any) -> tuple[type[BaseModel], ...]:
    return found if isinstance(found, tuple) else (found,)


def required(journey: Journey, ask: Ask) -> bool:
    """Whether the page asks for `ask` as required (its own word, else the model's)."""
    if ask.required is not None:
        return ask.required
    return False if ask.path.startswith("_") else is_required(journey.model, ask.path)


def read_page(
    journey: Journey, asks: Iterable[Ask], form: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """A page's posted inputs as answers, and the portal's own errors (a date that is no date,
    a yes or no not chosen): rule ids of the message table, by input path."""
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for ask in asks:
        if ask.kind == "date":
            parts = [
                form.get(f"{ask.path}.{part}", "").strip() for part in ("day", "month", "year")
            ]
            value, rule = read_date(*parts)
            values[ask.path] = value
            if rule:
                errors[ask.path] = rule
        elif ask.kind == "checkbox":
            values[ask.path] = "on" if form.get(ask.path) else ""
        else:
            values[ask.path] = form.get(ask.path, "").strip()
            if ask.kind == "choice" and values[ask.path] not in ("", *ask.choices):
                errors[ask.path] = "rule.choose"
        if ask.required and not values[ask.path] and ask.kind != "checkbox":
            # The portal's own questions, and a part a rule of the whole requires (a PO Box's
            # number), which the model names only once every other part is right.
            errors[ask.path] = "rule.choose" if ask.path.startswith("_") else "rule.required"
    return values, errors


def read_date(day: str, month: str, year: str) -> tuple[str, str | None]:
    """Three inputs as an ISO date: ("", None) when all are blank, else the date or a rule id."""
    if not (day or month or year):
        return "", None
    if not (day and month and year):
        return "", "rule.date_parts"
    if not (day.isdigit() and month.isdigit() and re.fullmatch(r"[0-9]{4}", year)):
        return "", "rule.real_date"
    try:
        return date(int(year), int(month), int(day)).isoformat(), None
    except ValueError:
        return "", "rule.real_date"


def date_parts(value: str) -> dict[str, str]:
    """An ISO date's day, month and year as the three inputs show them."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def to_data(journey: Journey, answers: Answers, materialise: Iterable[str] = ()) -> dict[str, Any]:
    """The API's `data` from the answers: blanks left out (so the model names what is
    missing), given names split on commas, ticked boxes true, a part answered "no" to left out.
    Each path in `materialise` is made to exist, so the model names its missing parts."""
    kinds = {
        ask.path: ask.kind
        for page in journey.pages
        if isinstance(page, Question)
        for ask in page.asks
    }
    data: dict[str, Any] = {}
    for path, value in answers.items():
        if path.startswith("_"):
            continue
        kind = kinds.get(re.sub(r"\.\d+\.", ".{n}.", path), "text")
        if kind == "checkbox":
            _put(data, path, bool(value))
        elif value:
            _put(data, path, typed_answer(kind, value))
    for path in materialise:
        _put(data, path, None, keep=True)
    for part, gate in journey.gates.items():
        if answers.get(gate) != "yes":
            data.pop(part, None)
    listed: dict[str, Any] = _as_lists(data)
    if journey.finish is not None:
        journey.finish(answers, listed)
    return listed


def typed_answer(kind: str, value: str) -> Any:
    """An answer as the event's data holds it: given names as a list, numbers as numbers."""
    if kind == "names":
        # Commas part given names: one name may hold a space ("Te Rangi").
        return [name.strip() for name in value.split(",") if name.strip()]
    if kind == "number" and value.isdigit():
        return int(value)
    return value  # anything else goes as typed, and the model names the rule it breaks


def _put(data: dict[str, Any], path: str, value: Any, keep: bool = False) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    if keep:
        node.setdefault(leaf, {})
    else:
        node[leaf] = value


def _as_lists(node: Any) -> Any:
    """Objects keyed 0, 1, 2... (list items) as lists, in order."""
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_as_lists(node[key]) for key in sorted(node, key=int)]
    return {key: _as_lists(value) for key, value in node.items()}


def check(
    journey: Journey, answers: Answers, today: date, materialise: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """Every error the event's data model finds in the answers, as the API would: (path, rule),
    paths dotted with list items as numbers (`household.0.name.given_names.1`)."""
    data = to_data(journey, answers, materialise)
    try:
        journey.model.model_validate_json(
            json.dumps(data), strict=True, context=intake_context(today)
        )
    except ValidationError as error:
        return [(dotted(e.field), e.rule) for e in field_errors(error.errors(include_input=False))]
    return []


def dotted(field: str) -> str:
    """An API error's field (`data.household[0].name`) as an answers path (`household.0.name`)."""
    # A union's member (a street address or a PO Box) is named "(unknown field)": the part
    # the page asks for is the same in either.
    return _INDEX.sub(r".\1", field).removeprefix("data.").replace(".(unknown field)", "")


def place(errors: Iterable[tuple[str, str]], paths: list[str], group: str | None) -> dict[str, str]:
    """Errors on the page's inputs (the first error of each input); those about no input of
    this page are another page's. An error about the page's whole group lands on its first
    input, and a rule naming a part (`unit: required with unit_type`) on that part."""
    placed: dict[str, str] = {}
    for path, rule in errors:
        target, words = _target(path, rule, paths, group)
        if target is not None and target not in placed:
            placed[target] = words
    return placed


def _target(path: str, rule: str, paths: list[str], group: str | None) -> tuple[str | None, str]:
    if path in paths:
        return path, rule
    named = _NAMED_PART.match(rule)
    if named and (f"{path}.{named[1]}" if path else named[1]) in paths:
        return (f"{path}.{named[1]}" if path else named[1]), named[2]
    deeper = next((p for p in paths if path.startswith(f"{p}.")), None)
    if deeper is not None:
        return deeper, rule
    if group is not None and path == group and paths:
        return paths[0], rule
    return None, rule


def flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """The API's data as answers: the inverse of `to_data` (given names joined by commas)."""
    flat: dict[str, str] = {}
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{path}.")
        elif isinstance(value, list | tuple) and value and isinstance(value[0], Mapping):
            for n, item in enumerate(value):
                flat |= flatten(item, f"{path}.{n}.")
        elif isinstance(value, list | tuple):
            flat[path] = ", ".join(str(part) for part in value)
        elif isinstance(value, bool):
            flat[path] = "on" if value else ""
        elif value is not None:
            flat[path] = str(value)
    return flat


def without(answers: Answers, prefix: str) -> dict[str, str]:
    """The answers less every part under `prefix` (a whole address, a whole list item)."""
    return {k: v for k, v in answers.items() if k != prefix and not k.startswith(f"{prefix}.")}


def remove_item(answers: Answers, list_path: str, n: int) -> dict[str, str]:
    """The answers less item `n` of a list, the items after it moved up one place."""
    found = re.compile(rf"^{re.escape(list_path)}\.(\d+)\.(.+)$")
    kept: dict[str, str] = {}
    for key, value in answers.items():
        match = found.match(key)
        if match is None:
            kept[key] = value
        elif int(match[1]) != n:
            index = int(match[1]) - (1 if int(match[1]) > n else 0)
            kept[f"{list_path}.{index}.{match[2]}"] = value
    return kept
