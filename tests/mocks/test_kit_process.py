"""`python -m mocks` as a real process: it serves, stops on SIGTERM, and keeps its records."""

import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from adapters.bdm import to_bdm_registration
from mocks.kit.admin import admin_headers
from mocks.kit.logs import JsonLines, access_line
from onceonly.local_stack import free_port
from tests.mocks.samples import disclose, sample_birth

ROOT = Path(__file__).resolve().parents[2]
# Long enough for a cold interpreter to import FastAPI on a slow CI machine.
STARTUP_TIMEOUT_S = 20.0


@contextmanager
def _mocks(db: Path, port: int) -> Iterator[str]:
    """Run the mocks on `port` with records in `db` until the block ends, then SIGTERM them."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOCK_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mocks",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            str(db),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the mocks did not start in time"
            time.sleep(0.1)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            # uvicorn shuts down gracefully, then re-raises the signal it caught.
            assert process.wait(timeout=10) in (0, -signal.SIGTERM)
            log = process.stderr.read().decode() if process.stderr else ""
            assert "Finished server process" in log
        finally:
            if process.poll() is None:
                process.kill()
            if process.stderr:
                process.stderr.close()


def test_records_survive_a_restart_of_the_process(tmp_path):
    db = tmp_path / "agencies.db"
    body = to_bdm_registration(disclose("register_birth", sample_birth()))
    headers = {"X-Api-Key": "dev-bdm-key", "Idempotency-Key": "birth-1/register_birth"}

    with _mocks(db, free_port()) as url:
        created = httpx.post(f"{url}/bdm/v1/birth-registrations", json=body, headers=headers)
        assert created.status_code == 201

    with _mocks(db, free_port()) as url:
        records = httpx.get(f"{url}/bdm/_records", headers=admin_headers()).json()["records"]
        assert [r["answer"] for r in records] == [created.json()]
        assert records[0]["received"]["child"]["surname"] == "Ngāta"
        repeated = httpx.post(f"{url}/bdm/v1/birth-registrations", json=body, headers=headers)
        assert repeated.json() == created.json()


def test_mock_log_lines_are_json():
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, "%s %s", ("GET", "/healthz"), None
    )
    line = json.loads(JsonLines().format(record))
    assert line["event"] == "GET /healthz" and line["level"] == "info"


def test_access_lines_hold_no_look_up_keys_or_query_strings():
    assert access_line("POST", "/ird/gateway/v2/address-changes?x=1", 201) == (
        "POST /ird/gateway/v2/address-changes 201"
    )
    assert access_line("GET", "/addresses/v1/residents/demo-citizen", 200) == (
        "GET /addresses/(look-up) 200"
    )
    assert access_line("GET", "/council/v1/properties?street=3/45+Cuba+Street", 200) == (
        "GET /council/(look-up) 200"
    )
    assert access_line("GET", "/bdm/_records", 200) == "GET /bdm/_records 200"
