"""Fault knobs per mock agency: a share of requests answered 503, and added latency.

They let tests and load drivers see how onceonly behaves when an agency is slow or down.
Each agency starts from `MOCK_<AGENCY>_ERROR_RATE` (0..1) and `MOCK_<AGENCY>_LATENCY_MS`,
and `PUT /<agency>/_faults` changes them while the mocks run.
"""

import asyncio
import random
from collections.abc import Mapping

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, ValidationError

# A minute is far beyond any client timeout onceonly uses; more is surely a typo.
_MAX_LATENCY_MS = 60_000


class FaultSettings(BaseModel):
    """How badly one agency behaves."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    error_rate: float = Field(
        default=0.0, ge=0.0, le=1.0, description="Share of submissions answered 503."
    )
    latency_ms: int = Field(
        default=0, ge=0, le=_MAX_LATENCY_MS, description="Delay added before every submission."
    )


def faults_from_env(agency: str, environ: Mapping[str, str]) -> FaultSettings:
    """The agency's starting fault settings, from its `MOCK_<AGENCY>_*` variables."""
    prefix = f"MOCK_{agency.upper()}_"
    values = {
        field: environ[prefix + field.upper()]
        for field in ("error_rate", "latency_ms")
        if prefix + field.upper() in environ
    }
    try:
        return FaultSettings.model_validate(values)
    except ValidationError as error:
        names = ", ".join(prefix + str(e["loc"][0]).upper() for e in error.errors())
        raise ValueError(f"invalid fault settings in {names}: {error}") from error


class FaultKnobs:
    """The live fault settings of one agency, applied to each submission before processing."""

    def __init__(self, settings: FaultSettings, rng: random.Random) -> None:
        """Start from `settings`; `rng` picks the failing requests (seed it to repeat a run)."""
        self.settings = settings
        self._rng = rng

    async def strikes(self) -> bool:
        """Wait out the added latency, then say whether this request must fail with a 503."""
        if self.settings.latency_ms:
            await asyncio.sleep(self.settings.latency_ms / 1000)
        # random() is below 1.0, so a rate of 1.0 fails every request and 0.0 none.
        return self._rng.random() < self.settings.error_rate


def add_fault_routes(router: APIRouter, knobs: FaultKnobs) -> None:
    """Add `GET` and `PUT /_faults` to an agency's router."""

    @router.get("/_faults", summary="Read the fault settings")
    async def read_faults() -> FaultSettings:
        return knobs.settings

    @router.put("/_faults", summary="Change the fault settings")
    async def change_faults(settings: FaultSettings) -> FaultSettings:
        knobs.settings = settings
        return knobs.settings
