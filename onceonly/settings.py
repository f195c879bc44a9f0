"""The one settings object: every port, address, key and timing, from `ONCEONLY_*` env vars.

`TEMPORAL_ADDRESS` and `TEMPORAL_NAMESPACE` keep their conventional names so that the same
worker and API can point at any Temporal cluster.
"""

import re
from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.controllers import Controller

# Development defaults only: `onceonly up` warns when they are in use, production refuses them
# (onceonly/production.py).
DEV_JWT_SECRET = "dev-only-jwt-secret-change-me-0123456789"  # noqa: S105
DEV_PAYLOAD_KEY = "k1:ZGV2LW9ubHktcGF5bG9hZC1rZXktMzItYnl0ZXMhISE="
DEV_CITIZEN_KEY_SECRET = "dev-only-citizen-key-secret"  # noqa: S105
# An Ed25519 key (PKCS8 PEM) generated once for development: anyone may sign with it.
DEV_RECEIPT_SIGNING_KEY = """-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIBt9Q0zQ/o9sVljNGT6JbZrF0T6qiNSoGgUYDpAAwfOb
-----END PRIVATE KEY-----
"""
DEV_MOCKS_ADMIN_KEY = "dev-mocks-admin-key"
# Who runs a development stack, as its receipts name it: placeholders no citizen can reach.
DEV_RECEIPT_CONTROLLER = Controller(
    name="onceonly development service",
    contact="Privacy Officer (development)",
    address="Level 1, 1 Example Street, Wellington Central, Wellington 6011, New Zealand",
    email="privacy@onceonly.example",
    phone="+64 4 000 0000",
    url="https://onceonly.example",
)
MOCKS_ADMIN_KEY_HEADER = "X-Admin-Key"
"""The header the mock agencies read their admin key from (their `_records` and `_faults`)."""
AGENCIES = (
    "bdm",
    "ird",
    "msd",
    "health",
    "nzta",
    "electoral",
    "council",
    "acc",
    "passports",
    "veterans",
    "kaingaora",
    "addresses",
    "notify",
)
"""Every agency the adapters call, the address register (for prefill) and the notification
service (for reminders) included."""


class Settings(BaseSettings):
    """Configuration for every onceonly process (API, worker, CLI, supervisor)."""

    model_config = SettingsConfigDict(env_prefix="ONCEONLY_", frozen=True)

    temporal_address: str = Field(
        default="127.0.0.1:7233",
        validation_alias=AliasChoices("TEMPORAL_ADDRESS", "ONCEONLY_TEMPORAL_ADDRESS"),
    )
    temporal_namespace: str = Field(
        default="default",
        validation_alias=AliasChoices("TEMPORAL_NAMESPACE", "ONCEONLY_TEMPORAL_NAMESPACE"),
    )
    # TLS to Temporal (Temporal Cloud, or a self-hosted cluster): on when any of these is set.
    temporal_tls_cert: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("TEMPORAL_TLS_CERT", "ONCEONLY_TEMPORAL_TLS_CERT"),
        description="The client certificate (PEM) for mTLS; with temporal_tls_key.",
    )
    temporal_tls_key: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("TEMPORAL_TLS_KEY", "ONCEONLY_TEMPORAL_TLS_KEY"),
        description="The client certificate's private key (PEM) for mTLS.",
    )
    temporal_tls_ca: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("TEMPORAL_TLS_CA", "ONCEONLY_TEMPORAL_TLS_CA"),
        description="The CA (PEM) that signed the server's certificate; the system's when unset.",
    )
    temporal_tls_server_name: str | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "TEMPORAL_TLS_SERVER_NAME", "ONCEONLY_TEMPORAL_TLS_SERVER_NAME"
        ),
        description="The name the server's certificate must carry, when not the address's host.",
    )
    task_queue: str = "onceonly"
    temporal_ui_port: int = 8233
    workflow_sandbox: bool = Field(
        default=False,
        description="Run the worker's workflows in the SDK's sandbox. Off by default: the "
        "workflow tests and every replay run them sandboxed, where a non-deterministic call "
        "fails the build, and the sandbox costs a worker about 15% of its CPU (a fresh import "
        "of the workflow code for every event).",
    )

    environment: Literal["development", "production"] = Field(
        default="development",
        description="`production` makes every process refuse to start while a development "
        "secret or the development login is in force; `onceonly up` is development.",
    )
    database_url: str | None = Field(
        default=None,
        description="PostgreSQL (`postgresql://user:password@host/db`) for the shared store: "
        "the disclosure log, the callbacks taken and the rate budgets. Unset: the embedded "
        "SQLite store in `state_dir`, for one machine only.",
    )
    state_dir: Path = Path(".onceonly")
    database_pool_size: int = Field(
        default=10, ge=1, description="Connections each process keeps to `database_url` at most."
    )
    store_path: Path | None = Field(
        default=None,
        description="The embedded store's SQLite file (without `database_url`); "
        "`state_dir/store.db` when unset.",
    )
    host: str = "127.0.0.1"
    api_port: int = 8000
    mocks_port: int = 8100
    # 9464 is the port Prometheus' registry of exporter ports gives OpenTelemetry exporters.
    worker_metrics_port: int = Field(
        default=9464, description="Where the worker serves Prometheus /metrics; 0 disables."
    )
    codec_port: int = 8081  # the port Temporal's samples and docs use for a codec server
    codec_cors_origins: list[str] | None = Field(
        default=None,
        description="Browser origins (the Web UI's) allowed to call the codec server; "
        "the local dev server's UI when unset.",
    )
    agencies_url: str | None = Field(
        default=None, description="Base URL of the agencies; the local mocks when unset."
    )
    agency_api_keys: dict[str, str] = Field(
        default_factory=lambda: {agency: f"dev-{agency}-key" for agency in AGENCIES}
    )
    agency_timeout_seconds: float = 10.0
    agency_rate_limits: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Per agency, calls per second across every worker, as agreed with the"
        " agency: replaces its adapter's own limit; 0 lifts the limit.",
    )
    batch_dir: Path | None = Field(
        default=None,
        description="The batch file exchange's directory: per batch-file agency, the files "
        "sent to it (`<agency>/to-agency/`) and its acknowledgements (`<agency>/from-agency/`); "
        "an SFTP drop in production. `state_dir/batch` when unset.",
    )
    batch_period_seconds: int = Field(
        default=86_400,
        ge=1,
        description="How long a batch-file agency's period is (one file each): a day unless "
        "the agency agreed otherwise; `onceonly up` runs a short one, as its mocks decide fast.",
    )
    agency_callback_secrets: dict[str, str] = Field(
        default_factory=lambda: {agency: f"dev-{agency}-callback-secret" for agency in AGENCIES},
        description="Per agency, the secret its signed callbacks are keyed with; an agency not"
        " named here cannot call back.",
    )
    work_queue_agencies: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Catalogue agencies (comma-separated ids) whose steps become tasks in "
        "their staff's inbox instead of calls to their API; `onceonly up` puts the council "
        "there.",
    )
    inbox_due_seconds: float | None = Field(
        default=None,
        gt=0,
        description="How long an inbox task may stay open before it is overdue; each "
        "agency's own policy (five working days) when unset.",
    )
    inbox_remind_every_seconds: float = Field(
        default=86_400,
        gt=0,
        description="How often an agency is reminded of an overdue task (daily by default).",
    )
    agency_inbox_contacts: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="Where each agency's overdue-task reminders go (comma-separated "
        "`agency:email`); an agency not named gets none.",
    )

    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "onceonly"
    jwt_audience: str = Field(
        default="onceonly", description="The audience (`aud`) every token must name."
    )
    jwt_max_lifetime: timedelta = Field(
        default=timedelta(hours=24),
        description="The longest lifetime (`exp` - `iat`) a token may have and be accepted.",
    )
    citizen_key_secret: str = DEV_CITIZEN_KEY_SECRET
    payload_keys: str = Field(
        default=DEV_PAYLOAD_KEY,
        description="Keyring 'id:base64key,...'; the first key encrypts, all of them decrypt.",
    )
    receipt_signing_key: str = Field(
        default=DEV_RECEIPT_SIGNING_KEY,
        description="The Ed25519 private key (PKCS8 PEM) that signs consent receipts.",
    )
    receipt_verification_keys: list[str] = Field(
        default_factory=list,
        description="Public keys (PEM) of earlier signing keys: still published after a "
        "rotation, so the receipts they signed still verify.",
    )

    receipt_controller: Controller = Field(
        default=DEV_RECEIPT_CONTROLLER,
        description="Who runs this service (JSON): every receipt names it, with its contact "
        "details, as the PII controller collecting consent on the agencies' behalf.",
    )
    agency_controllers: dict[str, Controller] = Field(
        default_factory=dict,
        description="Each agency's privacy contact (JSON, by agency id) for its receipts; an "
        "agency without one is reached through `receipt_controller`.",
    )
    public_url: str | None = Field(
        default=None,
        description="Where citizens reach the API (https://...), for the absolute links in "
        "receipts; `api_url` when unset.",
    )

    consent_expiry: timedelta = timedelta(days=30)
    consent_expiry_by_event: dict[str, timedelta] = Field(
        default_factory=dict,
        description="How long a checkpoint waits for an answer, per life event type; "
        "consent_expiry (30 days) for any event not named.",
    )
    # A week in, then three weeks in: the last still leaves a week before the 30-day expiry.
    consent_reminders_after: dict[str, list[timedelta]] = Field(
        default_factory=lambda: {
            event: [timedelta(days=7), timedelta(days=21)] for event in ("birth", "move", "death")
        },
        description="When an unanswered checkpoint is reminded of, counted from when it "
        "opened, per life event type; none for an event not named.",
    )
    deadline_warning: timedelta = Field(
        default=timedelta(days=7),
        description="How long before a statutory due date a checkpoint still open is reminded of.",
    )
    agency_give_up_after: timedelta = Field(
        default=timedelta(days=1), description="Retry an unavailable agency this long, then fail."
    )
    failed_step_retry_window: timedelta = Field(
        default=timedelta(days=7), description="How long a failed step waits for an operator."
    )
    withdrawal_window: timedelta = Field(
        default=timedelta(days=30),
        description="How long after its steps end an event still takes withdrawals (0: none).",
    )
    timezone: str = Field(default="Pacific/Auckland", description="Where 'today' is decided.")
    statistics_as_of: date | None = Field(
        default=None,
        description="Development only: the day the open statistics take for today, so that a "
        "drill can ask about the month under way as if it had ended (its events are real, only "
        "the release's date is not); production refuses it.",
    )
    max_request_bytes: int = 256 * 1024
    rate_limit_per_minute: int = Field(
        default=120,
        ge=0,
        description="Requests to /v1/ a citizen (or, without a valid token, an address) may "
        "make a minute on average, per API process; 0 turns the limit off.",
    )
    rate_limit_burst: int = Field(
        default=60, ge=1, description="Requests a caller may make at once, before the rate."
    )
    mocks_admin_key: str = Field(
        default=DEV_MOCKS_ADMIN_KEY,
        description="The mock agencies' admin key (their `MOCK_ADMIN_KEY`), for reading their "
        "records and turning their fault knobs; `onceonly up` gives it to the mocks.",
    )
    portal_dev_login: bool = Field(
        default=True,
        description="Whether the citizen portal at / offers sign-in as any made-up citizen id "
        "(the local stack's demo); turn off wherever real people sign in.",
    )

    @field_validator("work_queue_agencies", mode="before")
    @classmethod
    def _agency_list(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("agency_inbox_contacts", mode="before")
    @classmethod
    def _contact_pairs(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        pairs = [part.split(":", 1) for part in value.split(",") if part.strip()]
        if any(len(pair) != 2 or not pair[1].strip() for pair in pairs):
            raise ValueError("must be comma-separated agency:email pairs")
        return {agency.strip(): email.strip() for agency, email in pairs}

    @field_validator("work_queue_agencies", "agency_inbox_contacts")
    @classmethod
    def _catalogue_agencies(cls, agencies: Collection[str]) -> Collection[str]:
        known = {agency.id for agency in CATALOGUE.agencies}
        unknown = sorted(set(agencies) - known)
        if unknown:
            raise ValueError(f"names {unknown[0]!r}, which is not an agency of the catalogue")
        return agencies

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, url: str | None) -> str | None:
        if url is not None and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
            raise ValueError("must be an absolute http(s) URL, as in https://onceonly.govt.nz")
        return None if url is None else url.rstrip("/")

    @property
    def public_base_url(self) -> str:
        """The API's address as citizens and agencies reach it."""
        return self.public_url or self.api_url

    def consent_expiry_for(self, event_type: str) -> timedelta:
        """How long a checkpoint of this life event waits for an answer."""
        return self.consent_expiry_by_event.get(event_type, self.consent_expiry)

    def reminders_after_for(self, event_type: str) -> tuple[timedelta, ...]:
        """When an unanswered checkpoint of this life event is reminded of, after it opened."""
        return tuple(self.consent_reminders_after.get(event_type, ()))

    @property
    def api_url(self) -> str:
        """Where the citizen API listens."""
        return f"http://{self.host}:{self.api_port}"

    @property
    def codec_url(self) -> str:
        """Where the codec server listens (the Web UI's and the CLI's codec endpoint)."""
        return f"http://{self.host}:{self.codec_port}"

    @property
    def codec_allowed_origins(self) -> list[str]:
        """The origins the codec server answers CORS requests from."""
        if self.codec_cors_origins is not None:
            return self.codec_cors_origins
        port = self.temporal_ui_port
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]

    @property
    def worker_metrics_address(self) -> str | None:
        """`host:port` of the worker's Prometheus endpoint, or None when it is disabled."""
        return f"{self.host}:{self.worker_metrics_port}" if self.worker_metrics_port else None

    @property
    def batch_directory(self) -> Path:
        """Where the batch file exchange drops files for agencies and reads their answers."""
        return self.batch_dir or self.state_dir / "batch"

    @property
    def agency_base_url(self) -> str:
        """Where the adapters find the agencies."""
        return self.agencies_url or f"http://{self.host}:{self.mocks_port}"

    @property
    def mocks_admin_headers(self) -> dict[str, str]:
        """The headers that open the mock agencies' `_records` and `_faults` routes."""
        return {MOCKS_ADMIN_KEY_HEADER: self.mocks_admin_key}


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once from the environment."""
    return Settings()
