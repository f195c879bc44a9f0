"""Consent in plain words, as pure functions of what the API answers: what a step sends as
a readable list of the citizen's values, which steps need it, why a step was skipped or does
not apply and what the citizen can do, and whether withdrawing it would undo anything.
"""

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import TypeAdapter, ValidationError

from onceonly.domain.address_model import PostalAddress
from onceonly.domain.addresses import format_address
from onceonly.portal.text import field_words, text

Step = Mapping[str, Any]
# States in which a step will never run: its dependants are skipped for it.
_DEAD = ("declined", "expired", "failed", "withdrawn", "skipped")
# Not (or no longer) a question for the citizen: the state says it all.
UNASKED = frozenset({"awaiting_consent", "not_applicable", "skipped"})
SENT = frozenset({"submitting", "submitted", "completed"})
_WITHDRAWABLE = frozenset({"granted", *SENT})
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Values whose words the form already has (f.sex.female, f.relationship.child, ...).
_CHOICES = ("sex", "relationship", "authority")
# First words of field labels that are ordinary words, not names (lower case mid-sentence).
_COMMON_WORDS = frozenset({"Health", "Driver", "Passport", "Date", "Place"})
_POSSESSIVES = frozenset({"Your", "Their"})
_ADDRESS: TypeAdapter[PostalAddress] = TypeAdapter(PostalAddress)


def words(message_id: str, lang: str, fallback: str = "", **params: object) -> str:
    """A message that may not exist for every step (a step's own reason), else `fallback`."""
    try:
        return text(message_id, lang, **params)
    except KeyError:
        return fallback


def statutory(step: Step) -> bool:
    """The law, not the citizen's consent, is the step's basis: it is acknowledged."""
    return bool(step["legal_basis"]["kind"] != "consent")


def withdrawable(step: Step) -> bool:
    """A consent that can still be withdrawn: granted by the citizen, on its way or done."""
    return (
        step["checkpoint"] == "consent" and not statutory(step) and step["state"] in _WITHDRAWABLE
    )


def kept_by_law(step: Step) -> bool:
    """A step the law required that was sent: the page says what the law keeps instead."""
    return statutory(step) and step["state"] in SENT


def step_name(step: Step, agencies: Mapping[str, str], lang: str = "en") -> str:
    """The step's short name ("Best Start payment"), or its agency's name."""
    agency = agencies.get(step["agency"], step["agency"])
    return words(f"step.{step['id']}", lang, agency)


def dependants(steps: Sequence[Step], step_id: str) -> list[Step]:
    """The steps that need `step_id`, directly or through another, in the event's order; a
    step that does not apply is left out (declining changes nothing for it)."""
    needing = {step_id}
    found = []
    for step in steps:  # the catalogue lists a step after every step it needs
        if needing & set(step["depends_on"]) and step["state"] != "not_applicable":
            needing.add(step["id"])
            found.append(step)
    return found


def readable(
    fields: Sequence[str], preview: Mapping[str, Any] | None, lang: str = "en"
) -> list[tuple[str, str]]:
    """What the step sends, field by field in the catalogue's order: the label and the
    citizen's value in words (the labels alone while the preview is not there)."""
    disclosed = (preview or {}).get("disclosed") or {}
    pending = set((preview or {}).get("pending") or ())
    shown = []
    for path in fields:
        if not disclosed:
            value = ""
        elif path in pending:
            value = text("value.pending", lang)
        else:
            value = display(path, disclosed.get(path), lang)
        shown.append((field_words(path, lang), value))
    return shown


def display(path: str, value: Any, lang: str = "en") -> str:
    """One disclosed value as people write it: a date in words, a name in order, an address
    as NZ Post writes it on one line, yes or no, a form's choice in the form's words."""
    if value is None or value in ("", [], {}):
        return text("value.none", lang)
    if isinstance(value, bool):
        return text("value.yes" if value else "value.no", lang)
    if isinstance(value, str):
        return _text_value(path.rsplit(".", 1)[-1], value, lang)
    if isinstance(value, list):
        return "; ".join(display(path, item, lang) for item in value)
    if isinstance(value, dict):
        return _compound(value, lang)
    return str(value)


def _text_value(leaf: str, value: str, lang: str) -> str:
    if _ISO_DATE.match(value):
        return _date(value)
    if leaf == "ird_number" and value.isdigit() and len(value) in (8, 9):
        head = len(value) - 6  # IRD writes 049-091-850, or 49-091-850
        return f"{value[:head]}-{value[head:-3]}-{value[-3:]}"
    if leaf in _CHOICES:
        return words(f"f.{leaf}.{value}", lang, value)
    return value


def _date(value: str) -> str:
    try:
        return f"{date.fromisoformat(value):%-d %B %Y}"
    except ValueError:
        return value


def _compound(value: Mapping[str, Any], lang: str) -> str:
    if "family_name" in value or "given_names" in value:
        return _name(value, lang)
    if "city" in value and ("street" in value or "box_number" in value):
        try:
            return ", ".join(format_address(_ADDRESS.validate_python(dict(value))))
        except ValidationError:
            pass  # shown part by part below
    return "; ".join(
        f"{field_words(key, lang)}: {display(key, item, lang)}"
        for key, item in value.items()
        if key != "kind" and item not in (None, "", [])
    )


def _name(value: Mapping[str, Any], lang: str) -> str:
    given = value.get("given_names") or []
    given = given if isinstance(given, list) else [given]
    name = " ".join([*map(str, given), str(value.get("family_name") or "")]).strip()
    known_as = value.get("known_as")
    return text("value.known_as", lang, name=name, known_as=known_as) if known_as else name


def explain(
    step: Step,
    steps: Sequence[Step],
    agencies: Mapping[str, str],
    applies_if: Mapping[str, Any] | None,
    lang: str = "en",
) -> tuple[str, str] | None:
    """Why a step was skipped or does not apply, and what the citizen can do; None for a
    step in any other state."""
    agency = agencies.get(step["agency"], step["agency"])
    if step["state"] == "skipped":
        cause = root_cause(step, {s["id"]: s for s in steps})
        if cause is None:
            return None
        state = cause["state"] if cause["state"] in _DEAD else "other"
        why = text(f"why.skipped.{state}", lang, step=step_name(cause, agencies, lang))
        return why, text("todo.skipped", lang, agency=agency)
    if step["state"] == "not_applicable":
        why = words(f"why.na.{step['id']}", lang) or _not_applicable(applies_if, lang)
        todo = words(f"todo.na.{step['id']}", lang) or text("todo.na", lang, agency=agency)
        return why, todo
    return None


def root_cause(step: Step, by_id: Mapping[str, Step]) -> Step | None:
    """The step that never ran and so stopped this one: through skipped steps to the first
    that was declined, expired, failed or withdrawn."""
    for needed in step["depends_on"]:
        dependency = by_id.get(needed)
        if dependency is None or dependency["state"] not in _DEAD:
            continue
        if dependency["state"] == "skipped":
            return root_cause(dependency, by_id) or dependency
        return dependency
    return None


def _not_applicable(applies_if: Mapping[str, Any] | None, lang: str) -> str:
    if not applies_if:
        return ""
    field = _lower_first(field_words(str(applies_if["path"]), lang))
    present = applies_if.get("present", True)
    return text("why.na.present" if present else "why.na.absent", lang, field=field)


def _lower_first(label: str) -> str:
    """A label mid-sentence: 'Your health number (NHI)' reads 'health number (NHI)'; a name
    ('Work and Income client number') or an acronym ('IRD number') keeps its capital."""
    first, _, rest = label.partition(" ")
    if first in _POSSESSIVES and rest:
        return _lower_first(rest)
    if first in _COMMON_WORDS:
        return f"{first.lower()} {rest}".strip()
    return label


def question_numbers(steps: Sequence[Step], waiting: Sequence[str]) -> dict[str, int]:
    """Each waiting checkpoint's number among the questions: those answered first, then the
    waiting ones in order. A step skipped or found not to apply is never counted, so the
    numbers go up one at a time."""
    answered = sum(1 for step in steps if step["state"] not in UNASKED)
    return {step_id: answered + index for index, step_id in enumerate(waiting, start=1)}


def applies_if_of(catalogue: Mapping[str, Any], event_type: str) -> dict[str, Any]:
    """Each step's condition from the public catalogue (GET /v1/catalogue), by step id."""
    for event in catalogue["life_events"]:
        if event["event_type"] == event_type:
            return {step["id"]: step.get("applies_if") for step in event["steps"]}
    return {}
