"""Logs (JSON, redacted, Temporal ids bound) and metrics (API, mock agencies, worker)."""

import io
import json
import logging
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import httpx
import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from temporalio import activity, workflow
from temporalio.client import Client
from temporalio.common import RetryPolicy
from temporalio.exceptions import ApplicationError, CancelledError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.submissions import AgencySubmissions, submission_outcome
from adapters.base import (
    AgencyAnswer,
    AgencyPolicy,
    AgencyRejected,
    AgencyUnavailable,
    Disclosure,
)
from mocks.app import create_app as create_mocks_app
from mocks.kit.admin import admin_headers
from onceonly import metrics
from onceonly.api.app import create_app
from onceonly.binaries import temporal_test_server
from onceonly.codec import data_converter
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import ConsentDecision
from onceonly.domain.submission import AgencySubmission
from onceonly.local_stack import free_port
from onceonly.logs import REDACTED, configure_logging, mask_identifiers, redact
from onceonly.settings import Settings
from onceonly.store.sqlite import SqliteDisclosureLog
from onceonly.temporal import sdk_runtime
from tests.conftest import TEST_PAYLOAD_KEYS

TASK_QUEUE = "logs-and-metrics-test"
# Fixed, not random: parallel runs (pytest-xdist) must collect the same test ids.
EVENT_ID = "birth-3ed6db907c7f4ec38073abdfd76f04e0"

# --- redaction ------------------------------------------------------------------------------


def _redacted(**event: Any) -> dict[str, Any]:
    return dict(redact(None, "info", dict(event)))


@pytest.mark.parametrize(
    "key",
    [
        "name",
        "surname",
        "given_names",
        "preferred_name",
        "date_of_birth",
        "dob",
        "address",
        "ird_number",
        "nhi_number",
        "email",
        "phone",
        "disclosure",
        "data",
        "received",
        "body",
        "childSurname",
        "mother_name",
        "child.date_of_birth",
        "parent.residential_address",
    ],
)
def test_personal_keys_are_redacted_whatever_their_value(key):
    assert _redacted(**{key: {"any": "value"}})[key] == REDACTED
    assert _redacted(**{key: "Aroha"})[key] == REDACTED


def test_ids_and_field_names_survive():
    event = {
        "event": "agency.submit",
        "workflow_id": EVENT_ID,
        "step": "register_birth",
        "agency": "bdm",
        "attempt": 2,
        "fields": ["child.name", "child.date_of_birth"],
    }
    assert _redacted(**event) == event


def test_nested_personal_keys_are_redacted_at_any_depth():
    event = _redacted(
        context={
            "child": {"surname": "Ngata", "sex": "F"},
            "steps": [{"step_id": "register_birth", "email": "a@example.nz"}],
        }
    )
    assert event["context"] == {
        "child": {"surname": REDACTED, "sex": "F"},
        "steps": [{"step_id": "register_birth", "email": REDACTED}],
    }


@pytest.mark.parametrize(
    "identifier",
    ["136410132", "49091850", "136-410-132", "49-091-850", "136 410 132", "ZZZ0016", "zzz00ax"],
)
def test_ird_and_nhi_numbers_are_masked_inside_strings(identifier):
    event = _redacted(event=f"rejected {identifier}: check digit", note={"why": identifier})
    assert event == {
        "event": f"rejected {REDACTED}: check digit",
        "note": {"why": REDACTED},
    }


@pytest.mark.parametrize(
    "text",
    [
        "12345678-aaaa-4bbb-8ccc-123456789012",  # a run id whose first part is all digits
        "2026-11-25T11:57:58.429Z",
        "attempt 1234567 of 1234567890",
        "IRDX0016 and ABC12345",
        "2026/000001",
    ],
)
def test_strings_that_only_resemble_identifiers_are_kept(text):
    assert mask_identifiers(text) == text


@given(st.integers(min_value=10_000_001, max_value=149_999_999), st.sampled_from(["", "-", " "]))
def test_every_ird_number_is_masked_however_written(number, separator):
    digits = f"{number:09d}"
    written = separator.join((digits[:3], digits[3:6], digits[6:]))
    assert mask_identifiers(f"ird={written};") == f"ird={REDACTED};"


# --- JSON lines from every logger -----------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """configure_logging into a buffer; the logging setup before it is restored afterwards."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, structlog.get_config())
    saved_flags = (
        workflow.logger.workflow_info_on_message,
        activity.logger.activity_info_on_message,
    )
    buffer = io.StringIO()
    configure_logging(stream=buffer)
    yield buffer
    root.handlers, level, config = saved
    root.setLevel(level)
    structlog.configure(**config)
    workflow.logger.workflow_info_on_message, activity.logger.activity_info_on_message = saved_flags


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_stdlib_records_come_out_as_redacted_json(log_lines):
    logging.getLogger("uvicorn.error").warning(
        "refused %s", "136-410-132", extra={"step": "child_ird_number", "child_surname": "Ngata"}
    )
    try:
        raise ValueError("nhi ZZZ0016 is invalid")
    except ValueError:
        logging.getLogger("httpx").exception("request failed")
    warning, error = _lines(log_lines)
    assert warning["event"] == f"refused {REDACTED}"
    assert warning["level"] == "warning"
    assert warning["logger"] == "uvicorn.error"
    assert warning["step"] == "child_ird_number"
    assert warning["child_surname"] == REDACTED
    assert "timestamp" in warning
    assert error["level"] == "error"
    assert "ValueError: nhi [redacted] is invalid" in error["exception"]
    assert "ZZZ0016" not in log_lines.getvalue()


def test_structlog_lines_carry_bound_context_and_are_redacted(log_lines):
    with structlog.contextvars.bound_contextvars(workflow_id=EVENT_ID, agency="ird"):
        structlog.get_logger("onceonly.test").info("agency.submit", disclosure={"a": "b"})
    structlog.get_logger("onceonly.test").info("outside")
    inside, outside = _lines(log_lines)
    assert inside["workflow_id"] == EVENT_ID
    assert inside["agency"] == "ird"
    assert inside["disclosure"] == REDACTED
    assert inside["logger"] == "onceonly.test"
    assert "workflow_id" not in outside


def test_levels_below_the_configured_one_are_dropped(log_lines):
    structlog.get_logger("onceonly.test").debug("chatty")
    logging.getLogger("temporalio.worker").debug("chatty")
    assert log_lines.getvalue() == ""


# --- API metrics ----------------------------------------------------------------------------


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    # Only routes that never reach Temporal are called, so any object stands in for it.
    app = create_app(settings, temporal=cast(Client, SimpleNamespace()))
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
        yield client


def _scraped(text: str, name: str, **labels: str) -> float | None:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return None


def _count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.parametrize(
    ("method", "path", "route", "status"),
    [
        ("GET", f"/v1/life-events/{EVENT_ID}", "/v1/life-events/{event_id}", "401"),
        ("GET", "/v1/catalogue", "/v1/catalogue", "200"),
        ("DELETE", "/v1/catalogue", "/v1/catalogue", "405"),
        ("GET", f"/no/such/{EVENT_ID}", "unrouted", "404"),
    ],
)
async def test_api_metrics_count_requests_by_route_template(api, method, path, route, status):
    labels = {"method": method, "route": route, "status": status}
    before = _count("onceonly_api_requests_total", **labels)
    latencies_before = _count("onceonly_api_request_duration_seconds_count", **labels)
    assert (await api.request(method, path)).status_code == int(status)
    scrape = await api.get("/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    assert _scraped(scrape.text, "onceonly_api_requests_total", **labels) == before + 1
    assert (
        _scraped(scrape.text, "onceonly_api_request_duration_seconds_count", **labels)
        == latencies_before + 1
    )
    # Raw paths hold event ids; they never become label values.
    assert EVENT_ID not in scrape.text


async def test_a_body_refused_before_routing_still_counts(api, settings):
    labels = {"method": "POST", "route": "unrouted", "status": "413"}
    before = _count("onceonly_api_requests_total", **labels)
    response = await api.post("/v1/life-events", content=b"x" * (settings.max_request_bytes + 1))
    assert response.status_code == 413
    assert _count("onceonly_api_requests_total", **labels) == before + 1


async def test_life_event_and_consent_counters_are_scraped(api):
    started = _count("onceonly_life_events_started_total", event_type="birth")
    granted = _count("onceonly_consent_decisions_total", event_type="birth", decision="grant")
    declined = _count("onceonly_consent_decisions_total", event_type="birth", decision="decline")
    metrics.record_event_started("birth")
    metrics.record_consent_decisions(
        "birth",
        [
            ConsentDecision(step_id="register_birth", decision="grant"),
            ConsentDecision(step_id="best_start", decision="grant"),
            ConsentDecision(step_id="health_enrolment", decision="decline"),
        ],
    )
    text = (await api.get("/metrics")).text
    assert _scraped(text, "onceonly_life_events_started_total", event_type="birth") == started + 1
    consent = "onceonly_consent_decisions_total"
    assert _scraped(text, consent, event_type="birth", decision="grant") == granted + 2
    assert _scraped(text, consent, event_type="birth", decision="decline") == declined + 1


async def test_metrics_stay_out_of_the_citizen_api_schema(api):
    assert "/metrics" not in (await api.get("/openapi.json")).json()["paths"]


# --- mock agencies' metrics -----------------------------------------------------------------


async def test_mock_agencies_count_submissions_by_agency_and_status(tmp_path: Path):
    app = create_mocks_app(tmp_path / "agencies.db", environ={})
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mocks.test", headers=admin_headers()
    ) as client:
        for _ in range(2):
            response = await client.post("/bdm/v1/birth-registrations", json={})
            assert response.status_code == 401
        assert (await client.get("/bdm/_records")).status_code == 200
        scrape = await client.get("/metrics")
    assert scrape.status_code == 200
    name = "mock_agency_submissions_total"
    assert _scraped(scrape.text, name, agency="bdm", status="401") == 2
    # Reading records is not a submission, and other agencies saw nothing.
    assert _scraped(scrape.text, name, agency="bdm", status="200") is None
    assert _scraped(scrape.text, name, agency="ird", status="401") is None


# --- the worker: activity context in logs, SDK and agency metrics on one endpoint -----------


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (None, "accepted"),
        (AgencyRejected("ird", "bad"), "rejected"),
        (AgencyUnavailable("ird", "503"), "unavailable"),
        (CancelledError(), "cancelled"),
        (ApplicationError("no adapter", non_retryable=True), "failed"),
    ],
)
def test_submission_outcomes(error, outcome):
    assert submission_outcome(error) == outcome


class ScriptedAgency:
    """An adapter for `agency` that accepts, or rejects every submission."""

    policy = AgencyPolicy()

    def __init__(self, agency: str, rejects: bool = False) -> None:
        self.agency = agency
        self.rejects = rejects

    async def submit(
        self, service: str, disclosure: Disclosure, idempotency_key: str
    ) -> AgencyAnswer:
        if self.rejects:
            raise AgencyRejected(self.agency, "childSurname: must be at most 30 characters")
        return AgencyAnswer(reference="IRD-CASE-1")

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        return dict(disclosure)


# Unsandboxed because this module's test imports are not sandbox-safe; `workflow.logger` is
# the same object in the sandbox, which passes temporalio through.
@workflow.defn(sandboxed=False)
class OneSubmission:
    """Submits one step, logging before and after, as a step runner would."""

    @workflow.run
    async def run(self, submission: AgencySubmission) -> str:
        workflow.logger.info("step.submitting", extra={"step": submission.step_id})
        try:
            answer = await workflow.execute_activity(
                "submit_to_agency",
                submission,
                result_type=AgencyAnswer,
                start_to_close_timeout=timedelta(seconds=30),
                retry_policy=RetryPolicy(maximum_attempts=1),
            )
        except Exception:
            workflow.logger.info("step.failed ird 136410132")
            return "failed"
        workflow.logger.info("step.submitted")
        return answer.reference


def _submission(agency: str) -> AgencySubmission:
    # The catalogue's birth step at the agency: the activity sends nothing it could not log.
    step = next(step for step in BIRTH.steps if step.agency == agency)
    return AgencySubmission(
        event_id=EVENT_ID,
        step_id=step.id,
        agency=agency,
        service=step.service,
        idempotency_key=f"{EVENT_ID}/{step.id}",
        citizen_key="c" * 64,
        event_type="birth",
        disclosure={"child.name": {"given": "Aroha"}, "child.ird_number": "136410132"},
    )


@pytest.fixture
def metrics_port() -> int:
    return free_port()


@pytest.fixture
async def env(metrics_port: int) -> AsyncIterator[WorkflowEnvironment]:
    async with await WorkflowEnvironment.start_time_skipping(
        data_converter=data_converter(TEST_PAYLOAD_KEYS),
        test_server_existing_path=str(temporal_test_server()),
        runtime=sdk_runtime(f"127.0.0.1:{metrics_port}"),
    ) as environment:
        yield environment


async def _run(env: WorkflowEnvironment, log: Path, *agencies: ScriptedAgency) -> list[str]:
    adapters = {agency.agency: agency for agency in agencies}
    submissions = AgencySubmissions(adapters, SqliteDisclosureLog(log))
    # No cache: every workflow task replays the history, so a log line written again on
    # replay would show up twice.
    async with Worker(
        env.client,
        task_queue=TASK_QUEUE,
        workflows=[OneSubmission],
        activities=[submissions.submit_to_agency],
        max_cached_workflows=0,
    ):
        return [
            await env.client.execute_workflow(
                OneSubmission.run,
                _submission(agency.agency),
                id=f"{EVENT_ID}-{agency.agency}",
                task_queue=TASK_QUEUE,
            )
            for agency in agencies
        ]


async def test_workflow_and_activity_logs_carry_ids_once_each_and_redacted(
    env, log_lines, tmp_path
):
    agencies = (ScriptedAgency("ird"), ScriptedAgency("msd", rejects=True))
    assert await _run(env, tmp_path / "disclosures.db", *agencies) == [
        "IRD-CASE-1",
        "failed",
    ]
    lines = _lines(log_lines)  # every line parses as JSON
    ird = [line for line in lines if line.get("workflow_id") == f"{EVENT_ID}-ird"]
    msd = [line for line in lines if line.get("workflow_id") == f"{EVENT_ID}-msd"]

    def workflow_events(of_one: list[dict[str, Any]]) -> list[str]:
        return [line["event"] for line in of_one if line["logger"] == "temporalio.workflow"]

    # Replay-safe: each line once, though every workflow task replayed the history.
    assert workflow_events(ird) == ["step.submitting", "step.submitted"]
    assert workflow_events(msd) == ["step.submitting", f"step.failed ird {REDACTED}"]
    # The workflow's lines and its activity's lines share one run id.
    assert len({line["run_id"] for line in ird}) == 1
    assert (ird[0]["workflow_type"], ird[0]["step"]) == ("OneSubmission", "child_ird_number")
    [accepted] = [line for line in ird if line["event"] == "agency.accepted"]
    assert accepted["fields"] == ["child.ird_number", "child.name"]
    assert (accepted["step"], accepted["agency"], accepted["attempt"]) == (
        "child_ird_number",
        "ird",
        1,
    )
    [error] = [line for line in msd if line["event"] == "agency.error"]
    assert (error["agency"], error["outcome"], error["error"]) == (
        "msd",
        "rejected",
        "AgencyRejected",
    )
    text = log_lines.getvalue()
    assert "Aroha" not in text
    assert "136410132" not in text


async def test_worker_metrics_endpoint_has_sdk_and_agency_metrics(env, metrics_port, tmp_path):
    agencies = (ScriptedAgency("ird"), ScriptedAgency("msd", rejects=True))
    await _run(env, tmp_path / "disclosures.db", *agencies)
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    families = {family.name: family.type for family in text_string_to_metric_families(text)}
    # The SDK's own metrics...
    assert families["temporal_workflow_completed"] == "counter"
    assert families["temporal_activity_execution_latency"] == "histogram"
    # ...and the project's, on the same endpoint. (The parser names counter samples `_total`.)
    assert families["onceonly_agency_submissions"] == "counter"

    def submissions(name: str, agency: str, outcome: str) -> float | None:
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if (
                    sample.name == name
                    and sample.labels.get("agency") == agency
                    and sample.labels.get("outcome") == outcome
                ):
                    assert sample.labels["activity_type"] == "submit_to_agency"
                    return float(sample.value)
        return None

    assert submissions("onceonly_agency_submissions_total", "ird", "accepted") == 1
    assert submissions("onceonly_agency_submissions_total", "msd", "rejected") == 1
    assert submissions("onceonly_agency_errors_total", "msd", "rejected") == 1
    assert submissions("onceonly_agency_errors_total", "ird", "accepted") is None
    assert submissions("onceonly_agency_submission_latency_count", "ird", "accepted") == 1
