"""The rules the drills and benchmarks judge by, and the mocks' time-out knob they rely on."""

import random
import time

import httpx
import pytest

from bench.checks import answers_from_metrics, latency_ms, percentile, ratio, record_problems
from bench.profile import buckets
from bench.report import table
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from mocks.kit.faults import FaultKnobs, FaultSettings, faults_from_env

STEP_AGENCY = {"register_birth": "bdm", "child_ird_number": "ird", "best_start": "msd"}


def test_one_record_per_granted_step_is_what_a_drill_expects():
    granted = {"birth-a": ("register_birth", "child_ird_number"), "birth-b": ("register_birth",)}
    held = {
        "bdm": ["birth-a/register_birth", "birth-b/register_birth", "birth-old/register_birth"],
        "ird": ["birth-a/child_ird_number"],
    }
    assert record_problems(granted, STEP_AGENCY, held) == []


def test_a_missing_a_doubled_and_an_unasked_for_record_are_each_named():
    granted = {"birth-a": ("register_birth", "child_ird_number"), "birth-b": ("register_birth",)}
    held = {
        "bdm": ["birth-a/register_birth", "birth-b/register_birth", "birth-b/register_birth"],
        "msd": ["birth-a/best_start"],
    }
    assert sorted(record_problems(granted, STEP_AGENCY, held)) == [
        "birth-a/best_start: a record at msd that no granted step made",
        "birth-a/child_ird_number: 0 records at ird, not 1",
        "birth-b/register_birth: 2 records at bdm, not 1",
    ]


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([0.25], 99) == 0.25
    assert latency_ms([0.010, 0.020, 0.030]) == {"p50": 20.0, "p95": 30.0, "p99": 30.0, "max": 30.0}
    with pytest.raises(ValueError):
        percentile([], 50)


def test_ratio_to_a_baseline():
    assert ratio(14.0, 20.0) == 0.7
    assert ratio(1.0, 0.0) == 0.0


def test_the_mocks_answers_are_read_from_their_metrics():
    text = "\n".join(
        [
            "# HELP mock_agency_submissions_total Submissions the mock agencies answered",
            'mock_agency_submissions_total{agency="bdm",status="201"} 12.0',
            'mock_agency_submissions_total{agency="bdm",status="503"} 3.0',
            'mock_agency_submissions_created{agency="bdm",status="503"} 1.7e+09',
        ]
    )
    assert answers_from_metrics(text) == {("bdm", "201"): 12, ("bdm", "503"): 3}


def test_a_table_aligns_numbers_right_and_words_left():
    rows = [("onceonly", 14.5), ("baseline", 123.0), ("idle", 0.625)]
    assert table("t", ("system", "events/s"), rows).splitlines() == [
        "t",
        "system    events/s",
        "--------  --------",
        "onceonly      14.5",
        "baseline       123",
        "idle          0.62",
    ]


def test_the_shares_of_errors_and_time_outs_cannot_overlap():
    with pytest.raises(ValueError, match="at most 1"):
        FaultSettings(error_rate=0.8, timeout_rate=0.3)
    with pytest.raises(ValueError, match="MOCK_MSD_ERROR_RATE, MOCK_MSD_TIMEOUT_RATE"):
        faults_from_env("msd", {"MOCK_MSD_ERROR_RATE": "0.9", "MOCK_MSD_TIMEOUT_RATE": "0.5"})
    settings = faults_from_env("ird", {"MOCK_IRD_TIMEOUT_RATE": "0.1", "MOCK_IRD_TIMEOUT_MS": "7"})
    assert (settings.timeout_rate, settings.timeout_ms) == (0.1, 7)


def test_the_time_out_knob_shows_once_it_is_turned():
    assert FaultSettings(error_rate=0.5).model_dump() == {"error_rate": 0.5, "latency_ms": 0}
    turned = FaultSettings(timeout_rate=0.1, timeout_ms=3000).model_dump()
    assert turned == {"error_rate": 0.0, "latency_ms": 0, "timeout_rate": 0.1, "timeout_ms": 3000}


async def test_each_request_draws_a_503_a_time_out_or_service_in_their_shares():
    settings = FaultSettings(error_rate=0.2, timeout_rate=0.1, timeout_ms=0)
    knobs = FaultKnobs(settings, random.Random(8))
    struck = sum([await knobs.strikes() for _ in range(2000)])
    assert 540 <= struck <= 660  # 30% of 2,000, give or take four standard deviations


async def test_a_timed_out_submission_hangs_then_is_dropped_unrecorded(tmp_path):
    app = create_app(tmp_path / "agencies.db", environ={})
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mocks", headers=admin_headers()
    ) as client:
        faults = {"timeout_rate": 1.0, "timeout_ms": 200}
        assert (await client.put("/bdm/_faults", json=faults)).status_code == 200
        started = time.monotonic()
        answer = await client.post(
            "/bdm/v1/birth-registrations", json={}, headers={"Idempotency-Key": "k"}
        )
        assert time.monotonic() - started >= 0.2
        assert answer.status_code == 503
        assert (await client.get("/bdm/_records")).json()["records"] == []


def test_profile_samples_fall_into_named_buckets_and_idle_waits_are_left_out():
    collapsed = [
        "run (asyncio/runners.py:190);select (selectors.py:468) 50",
        "main;_RunningWorkflow.activate (temporalio/worker/_workflow.py:1);x (y.py:2) 30",
        "main;_RunningWorkflow.activate (w.py:1);to_payload (temporalio/contrib/pydantic.py:9) 10",
        "main;submit (activities/submissions.py:3);send (httpx/_client.py:4) 50",
        "main;something (else.py:5) 10",
    ]
    assert buckets(collapsed) == {
        "HTTP client (httpx, httpcore)": 50.0,
        "workflow activations (workflow code, SDK state machine)": 30.0,
        "payloads: pydantic JSON conversion": 10.0,
        "other": 10.0,
    }
    assert buckets(["run;select (selectors.py:468) 5"]) == {}
    # As py-spy names methods: with their class.
    assert buckets(["run;EpollSelector.select (selectors.py:468) 5"]) == {}
    assert buckets(["run;Condition.wait (threading.py:327) 5"]) == {}
