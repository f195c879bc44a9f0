"""The mock agencies as one FastAPI app: each agency's router under its own prefix."""

import os
import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from mocks import bdm, health, ird, msd
from mocks.agency import MockAgency, agency_router
from mocks.faults import FaultKnobs, faults_from_env
from mocks.store import Store

AGENCIES: tuple[MockAgency[Any], ...] = (bdm.AGENCY, ird.AGENCY, msd.AGENCY, health.AGENCY)
"""Every mock agency, each mounted at `/<name>`."""


def api_key_from_env(agency: str, environ: Mapping[str, str]) -> str:
    """The agency's API key: `MOCK_<AGENCY>_API_KEY`, or the development default."""
    return environ.get(f"MOCK_{agency.upper()}_API_KEY", f"dev-{agency}-key")


def create_app(
    db_path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    rng: random.Random | None = None,
) -> FastAPI:
    """The mock agencies, holding their records in `db_path`.

    `environ` (the process environment by default) supplies API keys and fault settings;
    `rng` decides which requests the error rate fails (seed it for repeatable fault runs).
    """
    environ = os.environ if environ is None else environ
    # Faults are test noise, not security: a non-cryptographic generator is the right tool.
    rng = rng or random.Random()  # noqa: S311
    store = Store(db_path)
    app = FastAPI(
        title="onceonly mock agencies",
        summary="BDM, IRD, MSD and Health as development and test stand-ins.",
        version="1",
    )
    for agency in AGENCIES:
        knobs = FaultKnobs(faults_from_env(agency.name, environ), rng)
        router = agency_router(agency, store, knobs, api_key_from_env(agency.name, environ))
        app.include_router(router, prefix=f"/{agency.name}")

    @app.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
