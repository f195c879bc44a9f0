"""Correcting a field after it was sent ("correct once"): the request, the progress per
agency, and the rules that apply a correction to the event's data and find the agencies that
hold a corrected field. The activities' contract is `onceonly.domain.amendments`.

Pure: no clock or I/O here, so workflow code may import it.
"""

import copy
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, model_validator

from onceonly.domain.amendments import CorrectionRecipient, is_correction_key
from onceonly.domain.people import intake_context
from onceonly.domain.step_graph import model_paths

INVALID_CORRECTION = "InvalidCorrection"
"""The update's error type for a path or value the event's data does not accept."""
CORRECTION_NOT_APPLICABLE = "CorrectionNotApplicable"
"""The update's error type when the event takes no correction (it was cancelled)."""
# A correction names a few fields; a form's worth of changes is a new event, not a correction.
MAX_CORRECTIONS = 20
DOTTED_PATH = r"^[a-z_][a-z0-9_]{0,63}(\.[a-z_][a-z0-9_]{0,63}){0,7}$"
_SAFE_PART = re.compile(r"^([A-Za-z_][A-Za-z0-9_]{0,63}|[0-9]{1,4})$")

Requester = Literal["citizen", "operator"]
AgencyCorrectionState = Literal["pending", "sent", "manual", "failed", "not_sent_yet"]


class CorrectionError(ValueError):
    """A correction the event's data does not accept: `field` is the data's dotted path (or the
    request's), `rule` what it breaks, in words that never quote the value."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class Model(BaseModel):
    """Base of the messages here: immutable and strict about keys."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldCorrection(Model):
    """One field's right value, by its canonical dotted path (as in `address.unit`)."""

    path: str = Field(pattern=DOTTED_PATH, description="The field, as the catalogue names it.")
    value: JsonValue = Field(description="The right value, in the field's JSON form.")


class CorrectionRequest(Model):
    """What the citizen (or an operator) corrects, and why, in a few words."""

    corrections: tuple[FieldCorrection, ...] = Field(
        min_length=1,
        max_length=MAX_CORRECTIONS,
        description="No two paths may overlap (one the same as, or inside, another).",
        json_schema_extra={"uniqueItems": True},
    )
    reason: str = Field(
        min_length=1, max_length=200, description="Why, as in `misspelt given name`."
    )

    @model_validator(mode="after")
    def _distinct_paths(self) -> "CorrectionRequest":
        paths = [correction.path for correction in self.corrections]
        for index, path in enumerate(paths):
            if any(related(path, other) for other in paths[:index]):
                raise ValueError(f"corrections[{index}].path: overlaps another corrected path")
        return self


class CorrectionOrder(Model):
    """The Update's input: the request, and who asked for it."""

    request: CorrectionRequest
    by: Requester = "citizen"


class AgencyCorrection(Model):
    """Where one agency holding a corrected field stands with the correction."""

    step_id: str
    agency: str
    service: str
    state: AgencyCorrectionState = Field(
        description="`pending`: being sent; `sent`: the agency took the amendment; `manual`:"
        " the agency takes none online, an operator asks it; `failed`: the agency refused;"
        " `not_sent_yet`: the step has not sent anything yet and will send the right value."
    )
    reference: str | None = Field(default=None, description="The amendment's own reference.")
    note: str | None = Field(default=None, description="What happened, in plain words.")
    receipt_id: str | None = Field(default=None, description="The correction's receipt.")


class CorrectionProgress(Model):
    """One correction: the fields it named (never their values) and each agency's progress."""

    correction_id: str
    number: int = Field(ge=1, description="The event's corrections are numbered from 1.")
    paths: tuple[str, ...]
    requested_at: datetime
    by: Requester
    state: Literal["finding_agencies", "in_progress", "done"]
    agencies: tuple[AgencyCorrection, ...] = ()


class LoggedDisclosure(Protocol):
    """What `recipients` reads of a disclosure-log entry."""

    @property
    def step_id(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def fields(self) -> tuple[str, ...]: ...
    @property
    def agency_reference(self) -> str: ...
    @property
    def idempotency_key(self) -> str: ...
    @property
    def viewed_by(self) -> str | None: ...


def related(path: str, other: str) -> bool:
    """Whether two dotted paths name the same data: equal, or one inside the other
    (`child.name` holds `child.name.given_names`; `child.name` does not hold `child.names`)."""
    return path == other or path.startswith(f"{other}.") or other.startswith(f"{path}.")


def touches(fields: Iterable[str], paths: Collection[str]) -> bool:
    """Whether any of `fields` names data any of `paths` corrects."""
    return any(related(field, path) for field in fields for path in paths)


def recipients(
    entries: Iterable[LoggedDisclosure], paths: Collection[str]
) -> tuple[CorrectionRecipient, ...]:
    """The steps whose agency received a corrected field, one per step, each with the
    reference of its first submission (what the agency's record is known by); amendments the
    log holds are not records of their own, nor are staff views of a task."""
    found: dict[str, CorrectionRecipient] = {}
    # Oldest first, so the first submission's reference wins over a later resubmission's.
    for entry in reversed(list(entries)):
        if (
            is_correction_key(entry.idempotency_key)
            or entry.viewed_by is not None
            or entry.step_id in found
        ):
            continue
        if touches(entry.fields, paths):
            found[entry.step_id] = CorrectionRecipient(
                step_id=entry.step_id,
                agency=entry.agency,
                service=entry.service,
                reference=entry.agency_reference,
            )
    return tuple(found.values())


def local_today(now: datetime, timezone: str) -> date:
    """Today's date where the event's citizen lives: what the data's date rules measure from."""
    return now.astimezone(ZoneInfo(timezone)).date()


def apply_corrections(
    dossier: Mapping[str, Any],
    corrections: Iterable[FieldCorrection],
    data_model: type[BaseModel],
    *,
    issued: Collection[str] = (),
    today: date | None = None,
) -> dict[str, Any]:
    """The dossier with the corrections applied, validated as the event's data again (with
    `today` for the rules that need it) and in its canonical JSON form.

    Raises CorrectionError naming the path and rule when a path is not a field of the data,
    is a fact an agency issued (`issued`), or the corrected data breaks a rule.
    """
    corrections = tuple(corrections)
    known = model_paths(data_model)
    corrected = copy.deepcopy(dict(dossier))
    for correction in corrections:
        if any(related(correction.path, fact) for fact in issued):
            raise CorrectionError(correction.path, "is issued by an agency, not given by you")
        if correction.path not in known:
            raise CorrectionError(correction.path, "is not a field of this event's data")
        _set_at(corrected, correction.path, correction.value)
    paths = [correction.path for correction in corrections]
    try:
        valid = data_model.model_validate(corrected, context=_context(today))
    except ValidationError as error:
        problems = [(_dotted(e["loc"]), _rule(e)) for e in error.errors(include_input=False)]
        mine = [problem for problem in problems if touches([problem[0]], paths)]
        if mine or today is None:
            raise CorrectionError(*(mine or problems)[0]) from None
        # Only a field the citizen did not touch breaks a rule that needs today (a date that
        # was recent enough at intake): the data is checked as any later reader checks it.
        valid = _validated(corrected, data_model)
    return valid.model_dump(mode="json")


def _validated(data: dict[str, Any], data_model: type[BaseModel]) -> BaseModel:
    try:
        return data_model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_input=False)[0]
        raise CorrectionError(_dotted(first["loc"]), _rule(first)) from None


def _context(today: date | None) -> dict[str, date] | None:
    return intake_context(today) if today else None


def _dotted(loc: Iterable[str | int]) -> str:
    # A key the caller made up (inside a corrected value) is not echoed: it may be markup.
    parts = (str(part) if _SAFE_PART.match(str(part)) else "(unknown field)" for part in loc)
    return ".".join(parts) or "data"


def _rule(detail: Mapping[str, Any]) -> str:
    return str(detail["msg"]).removeprefix("Value error, ")


def _set_at(dossier: dict[str, Any], path: str, value: Any) -> None:
    *parents, name = path.split(".")
    target = dossier
    for part in parents:
        child = target.get(part)
        if isinstance(child, list):
            raise CorrectionError(path, f"is inside the list {part!r}: correct the whole list")
        # A missing optional part starts empty; validation then says what else it needs.
        if not isinstance(child, dict):
            child = {}
            target[part] = child
        target = child
    target[name] = value
