"""Fault knobs per mock agency: a share of requests answered 503, a share that hang past the
client's timeout, and added latency; and for the agencies that decide later or report whether
a change took effect, how late they decide, how, and which changes fail to take effect.

They let tests and load drivers see how onceonly behaves when an agency is slow or down.
Each agency starts from `MOCK_<AGENCY>_ERROR_RATE` (0..1), `MOCK_<AGENCY>_TIMEOUT_RATE`
(0..1), `MOCK_<AGENCY>_TIMEOUT_MS` and `MOCK_<AGENCY>_LATENCY_MS` (and, where the agency reads
them, `MOCK_IRD_ISSUE_DELAY_SECONDS`, `MOCK_BDM_DEATH_REVIEW_SECONDS`, `MOCK_BDM_REVIEW_REJECTS`
and `MOCK_<AGENCY>_EFFECT_NOT_TAKEN` as a JSON list), and `PUT /<agency>/_faults` changes them
while the mocks run.
"""

import asyncio
import json
import random
from collections.abc import Mapping, Sequence
from typing import Any, Self

from fastapi import APIRouter, params
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    model_serializer,
    model_validator,
)

# A minute is far beyond any client timeout onceonly uses; more is surely a typo.
_MAX_LATENCY_MS = 60_000
# Past onceonly's default agency timeout (10 s), so a hung request times out at the client.
_DEFAULT_TIMEOUT_MS = 15_000
_TIMEOUT_FIELDS = frozenset({"timeout_rate", "timeout_ms"})
# A week: far beyond any test or demo, so more is surely a typo.
_MAX_DECISION_SECONDS = 7 * 24 * 3600
# The knobs of slow agencies and proof of effect, shown only once turned (see `_shown`).
_LATER_FIELDS = {
    "issue_delay_seconds": 0.0,
    "death_review_seconds": 0.0,
    "review_rejects": False,
    "effect_not_taken": [],
}


class FaultSettings(BaseModel):
    """How badly one agency behaves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of submissions answered 503."
    )
    latency_ms: int = Field(
        default=0, ge=0, le=_MAX_LATENCY_MS, description="Delay added before every submission."
    )
    timeout_rate: float = Field(
        default=0.0,
        ge=0.0,
        le=1.0,
        description="Share of submissions that hang for timeout_ms and are then dropped "
        "unprocessed, as a gateway drops a request its backend never answered.",
    )
    timeout_ms: int = Field(
        default=_DEFAULT_TIMEOUT_MS,
        ge=0,
        le=_MAX_LATENCY_MS,
        description="How long a timed-out submission hangs: set it past the client's timeout.",
    )

    issue_delay_seconds: float = Field(
        default=0.0,
        ge=0.0,
        le=_MAX_DECISION_SECONDS,
        description="IRD: how long after a newborn registration the IRD number is issued;"
        " 0 issues it in the answer, more answers 202 and issues it (and calls back) later.",
    )
    death_review_seconds: float = Field(
        default=0.0,
        ge=0.0,
        le=_MAX_DECISION_SECONDS,
        description="BDM: how long a death registration is under review; 0 registers it in"
        " the answer, more answers 202 `under_review` until the review is over.",
    )
    review_rejects: bool = Field(
        default=False, description="BDM: reviews that end now reject the registration."
    )
    effect_not_taken: list[str] = Field(
        default=[],
        max_length=50,
        description="Services (by catalogue name, such as `stop-payments`) whose completed"
        " requests the agency reports as not in effect: the change did not happen.",
    )

    @model_validator(mode="after")
    def _shares_fit(self) -> Self:
        # Each request draws once: 503, time-out or served, so the shares cannot overlap.
        if self.error_rate + self.timeout_rate > 1.0:
            raise ValueError("error_rate + timeout_rate must be at most 1")
        return self

    @model_serializer(mode="wrap")
    def _shown(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The settings as clients read them; the time-out knob only once it has been turned,
        so a client that knows just the error rate and latency reads what it wrote."""
        shown: dict[str, Any] = handler(self)
        if self.timeout_rate == 0.0 and self.timeout_ms == _DEFAULT_TIMEOUT_MS:
            for name in _TIMEOUT_FIELDS:
                shown.pop(name, None)
        for name, default in _LATER_FIELDS.items():
            if getattr(self, name) == default:
                shown.pop(name, None)
        return shown


def faults_from_env(agency: str, environ: Mapping[str, str]) -> FaultSettings:
    """The agency's starting fault settings, from its `MOCK_<AGENCY>_*` variables."""
    prefix = f"MOCK_{agency.upper()}_"
    values: dict[str, Any] = {
        field: environ[prefix + field.upper()]
        for field in FaultSettings.model_fields
        if prefix + field.upper() in environ
    }
    if "effect_not_taken" in values:
        try:
            values["effect_not_taken"] = json.loads(values["effect_not_taken"])
        except ValueError:
            name = f"{prefix}EFFECT_NOT_TAKEN"
            raise ValueError(f"{name} must be a JSON list of service names") from None
    try:
        return FaultSettings.model_validate(values)
    except ValidationError as error:
        # A rule across fields (the shares) has no location: name every variable given.
        located = [str(e["loc"][0]) for e in error.errors() if e["loc"]] or sorted(values)
        names = ", ".join(prefix + name.upper() for name in located)
        raise ValueError(f"invalid fault settings in {names}: {error}") from error


class FaultKnobs:
    """The live fault settings of one agency, applied to each submission before processing."""

    def __init__(self, settings: FaultSettings, rng: random.Random) -> None:
        """Start from `settings`; `rng` picks the failing requests (seed it to repeat a run)."""
        self.settings = settings
        self._rng = rng

    async def strikes(self) -> bool:
        """Wait out the added latency, then say whether this request must fail with a 503.

        A request picked to time out hangs for `timeout_ms` first; by then its client has
        given up, so the 503 reaches no one and nothing is recorded.
        """
        settings = self.settings
        if settings.latency_ms:
            await asyncio.sleep(settings.latency_ms / 1000)
        # One draw per request: below error_rate a 503, then the time-out share, then served.
        # random() is below 1.0, so a rate of 1.0 fails every request and 0.0 none.
        draw = self._rng.random()
        if draw < settings.error_rate:
            return True
        if draw < settings.error_rate + settings.timeout_rate:
            await asyncio.sleep(settings.timeout_ms / 1000)
            return True
        return False


def add_fault_routes(
    router: APIRouter, knobs: FaultKnobs, dependencies: Sequence[params.Depends]
) -> None:
    """Add `GET` and `PUT /_faults` to an agency's router, behind `dependencies` (the admin
    key's gate)."""

    @router.get("/_faults", summary="Read the fault settings", dependencies=dependencies)
    async def read_faults() -> FaultSettings:
        return knobs.settings

    @router.put("/_faults", summary="Change the fault settings", dependencies=dependencies)
    async def change_faults(settings: FaultSettings) -> FaultSettings:
        knobs.settings = settings
        return knobs.settings
