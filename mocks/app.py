"""The mock agencies as one FastAPI app: each agency's router under its own prefix, and the loop
that keeps the slow agencies' promises (mocks/kit/later.py) while the app runs."""

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mocks.agencies import AGENCIES, BATCH, BUILT_IN
from mocks.kit.admin import admin_key_from_env
from mocks.kit.agency import Coverage, MockAgency, ReceiptCheck
from mocks.kit.batch import (
    BATCH_DIR_ENV,
    DEFAULT_POLL_SECONDS,
    POLL_ENV,
    BatchDesk,
    batch_router,
    watch,
)
from mocks.kit.faults import FaultKnobs, faults_from_env
from mocks.kit.later import Action, run
from mocks.kit.plugins import PluginMock, discover_mocks
from mocks.kit.production import development_api_key, development_settings_of, startup_refusals
from mocks.kit.receipts import ReceiptKeys, receipt_check, receipt_keys_from_env
from mocks.kit.register import MockRegister, register_router
from mocks.kit.routes import agency_router
from mocks.kit.store import Store


def api_key_from_env(agency: str, environ: Mapping[str, str]) -> str:
    """The agency's API key: `MOCK_<AGENCY>_API_KEY`, or the development default."""
    return environ.get(f"MOCK_{agency.upper()}_API_KEY", development_api_key(agency))


def _served(plugins: Sequence[PluginMock] | None) -> tuple[list[PluginMock], list[str]]:
    """The plugin mocks served (the installed ones when None) and every served name."""
    builtin = [mock.name for mock in BUILT_IN]
    served = list(discover_mocks(builtin) if plugins is None else plugins)
    return served, [*builtin, *(plugin.agency.name for plugin in served)]


def development_settings(
    environ: Mapping[str, str], plugins: Sequence[PluginMock] | None = None
) -> list[str]:
    """The variables whose development value is in force: `MOCK_ADMIN_KEY`, each served
    agency's `MOCK_<AGENCY>_API_KEY`, `MOCK_CALLBACK_SECRETS`; and `MOCK_RECEIPT_JWKS` unset."""
    return development_settings_of(environ, _served(plugins)[1])


def refusals(environ: Mapping[str, str], plugins: Sequence[PluginMock] | None = None) -> list[str]:
    """Why the mocks must not start in this environment (see mocks/kit/production.py)."""
    return startup_refusals(environ, _served(plugins)[1])


def receipt_gate(
    agency: MockAgency[Any], keys: ReceiptKeys | None, coverage: Mapping[str, Coverage]
) -> ReceiptCheck | None:
    """The agency's consent receipt gate, or None when the mocks check no receipts (no
    `MOCK_RECEIPT_JWKS`) or the agency takes none (an empty `coverage`)."""
    return None if keys is None or not coverage else receipt_check(agency, coverage, keys)


class SubmissionMetrics:
    """ASGI middleware counting submissions (POSTs to an agency's service) by agency and
    the HTTP status the agency answered, so a fault run shows what the agencies really did.
    """

    def __init__(
        self, app: ASGIApp, counter: Counter, agencies: Iterable[MockAgency[Any]] = AGENCIES
    ) -> None:
        self.app = app
        self.counter = counter
        self.services = {
            f"/{agency.name}{service.path}": agency.name
            for agency in agencies
            for service in agency.services
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and count it when it is a submission."""
        agency = self.services.get(scope.get("path", "")) if scope["type"] == "http" else None
        if agency is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        # A handler that raises is answered 500 further out.
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            self.counter.labels(agency=agency, status=str(status)).inc()


def create_app(
    db_path: Path,
    *,
    environ: Mapping[str, str] | None = None,
    rng: random.Random | None = None,
    plugins: Sequence[PluginMock] | None = None,
) -> FastAPI:
    """The mock agencies, holding their records in `db_path`.

    `environ` (the process environment by default) supplies API keys, fault settings,
    `MOCK_RECEIPT_JWKS`, onceonly's receipt keys (without it no consent receipt is checked),
    `MOCK_ADMIN_KEY` and `MOCK_ENVIRONMENT` (production serves no `_records` or `_faults`);
    `rng` decides which requests the error rate fails (seed it for repeatable fault runs);
    `plugins` are the mocks of adapter plugins served too (the installed ones when None).
    """
    environ = os.environ if environ is None else environ
    # Faults are test noise, not security: a non-cryptographic generator is the right tool.
    rng = rng or random.Random()  # noqa: S311
    store = Store(db_path)
    receipt_keys = receipt_keys_from_env(environ)
    actions: dict[tuple[str, str], Action] = {}
    # The batch agencies take files from the exchange's directory, when the stack names one.
    batch_dir = environ.get(BATCH_DIR_ENV)
    desks = [BatchDesk(agency, store, Path(batch_dir)) for agency in BATCH] if batch_dir else []

    @contextlib.asynccontextmanager
    async def keeping_promises(app: FastAPI) -> AsyncIterator[None]:
        del app
        promises = asyncio.create_task(run(store, actions), name="mocks-later-work")
        every = float(environ.get(POLL_ENV, DEFAULT_POLL_SECONDS))
        files = asyncio.create_task(watch(desks, every), name="mocks-batch-files")
        try:
            yield
        finally:
            for task in (promises, files):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    app = FastAPI(
        lifespan=keeping_promises,
        title="onceonly mock agencies",
        summary="Development and test stand-ins for the agencies onceonly works with: "
        + ", ".join([*(mock.name for mock in BUILT_IN), *(mock.name for mock in BATCH)]),
        version="1",
    )
    plugins, _ = _served(plugins)
    # None in production: `_records` and `_faults` are not served there.
    admin_key = admin_key_from_env(environ)
    agencies = (*AGENCIES, *(plugin.agency for plugin in plugins))
    coverages = {
        **{agency.name: agency.receipt_coverage for agency in AGENCIES},
        **{plugin.agency.name: plugin.receipt_coverage for plugin in plugins},
    }
    for mock in (*BUILT_IN, *(plugin.agency for plugin in plugins)):
        knobs = FaultKnobs(faults_from_env(mock.name, environ), rng)
        key = api_key_from_env(mock.name, environ)
        if isinstance(mock, MockRegister):
            router = register_router(mock, store, knobs, key, admin_key=admin_key)
        else:
            router = agency_router(
                mock,
                store,
                knobs,
                key,
                admin_key=admin_key,
                receipts=receipt_gate(mock, receipt_keys, coverages[mock.name]),
                environ=environ,
                actions=actions,
            )
        app.include_router(router, prefix=f"/{mock.name}")
    for desk in desks:
        app.include_router(batch_router(desk, admin_key), prefix=f"/{desk.agency.name}")
    # One registry per app, so apps built side by side (tests) keep their own counts.
    registry = CollectorRegistry()
    for collector in (ProcessCollector, PlatformCollector, GCCollector):
        collector(registry=registry)
    submissions = Counter(
        "mock_agency_submissions",
        "Submissions the mock agencies answered, by agency and HTTP status.",
        ["agency", "status"],
        registry=registry,
    )
    app.add_middleware(SubmissionMetrics, counter=submissions, agencies=agencies)

    @app.get("/metrics", summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", summary="Liveness")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app
