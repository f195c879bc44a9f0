"""The pure rules between the portal's HTML forms (see `form_specs`) and the API's JSON:
inputs are named by the dotted path of the event's data they fill (`child.name`), so the
API's problems (`data.child.name.given_names[0]`) land next to the right input.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["text", "names", "number", "date", "email", "tel", "choice", "select", "checkbox"]
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Field:
    """One input: the dotted path it fills, how it is typed, and its words (text ids)."""

    path: str
    label: str
    kind: Kind = "text"
    required: bool = True
    hint: str | None = None
    choices: tuple[str, ...] = ()
    autocomplete: str | None = None


@dataclass(frozen=True)
class Fieldset:
    """A group of inputs under one legend; an `optional` group is left out when all blank."""

    legend: str
    fields: tuple[Field, ...]
    optional: bool = False
    hint: str | None = None


def form_paths(form: tuple[Fieldset, ...]) -> list[str]:
    """Every input's path, in page order."""
    return [field.path for fieldset in form for field in fieldset.fields]


def to_data(form: tuple[Fieldset, ...], values: Mapping[str, str]) -> dict[str, Any]:
    """The API's `data` from submitted inputs: blanks are left out (so the API names a missing
    required field), names are split on spaces, and an optional group left blank is omitted.
    """
    data: dict[str, Any] = {}
    for fieldset in form:
        entered = {f.path: values.get(f.path, "").strip() for f in fieldset.fields}
        if fieldset.optional and not any(entered.values()):
            continue
        for field in fieldset.fields:
            value = entered[field.path]
            if field.kind == "checkbox":
                # An unticked box is a "no" the browser does not send.
                _set(data, field.path, bool(value))
            elif value:
                _set(data, field.path, _typed(field, value))
    return data


def to_values(form: tuple[Fieldset, ...], data: Mapping[str, Any]) -> dict[str, str]:
    """Inputs' values from the API's `data` (a prefill's draft, or an example)."""
    values = {}
    for path in form_paths(form):
        value = _get(data, path)
        if isinstance(value, bool):
            values[path] = "on" if value else ""
        elif isinstance(value, list):
            values[path] = ", ".join(str(part) for part in value)
        elif value is not None:
            values[path] = str(value)
    return values


@dataclass(frozen=True)
class FormError:
    """One error of the summary: the input it is about (None if none), the API's field, rule."""

    target: str | None
    field: str
    rule: str


def errors_by_input(
    form: tuple[Fieldset, ...], errors: Sequence[Mapping[str, str]]
) -> tuple[dict[str, str], list[FormError]]:
    """The API's field errors placed on inputs: a rule per input path, and the summary. An
    error about a group (`data.address`) lands on its first input; one about nothing on the
    form stays in the summary only.
    """
    paths = form_paths(form)
    by_input: dict[str, str] = {}
    summary: list[FormError] = []
    for error in errors:
        field = _INDEX.sub("", error["field"]).removeprefix("data.")
        target = next((p for p in paths if p == field or p.startswith(f"{field}.")), None)
        if target is None:
            # `child.name.given_names` errors may name a deeper part than any input.
            target = next((p for p in paths if field.startswith(f"{p}.")), None)
        if target is not None and target not in by_input:
            by_input[target] = error["rule"]
        summary.append(FormError(target, error["field"], error["rule"]))
    return by_input, summary


def _typed(field: Field, value: str) -> Any:
    if field.kind == "names":
        # Commas part given names: one name may hold a space ("Te Rangi").
        return [name.strip() for name in value.split(",") if name.strip()]
    if field.kind == "number" and value.isdigit():
        return int(value)
    return value  # anything else goes as typed, and the API names the rule it breaks


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node
