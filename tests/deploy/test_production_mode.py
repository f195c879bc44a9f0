"""Production mode on the real processes: each one, started with ONCEONLY_ENVIRONMENT (or
MOCK_ENVIRONMENT) production and one development setting in force among values of our own,
exits non-zero before any connection, naming that setting; with none, it starts and writes
nothing in its working directory. The rules themselves are tested in
tests/unit/test_production.py.
"""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from mocks.app import development_settings as mock_development_settings
from onceonly.local_stack import free_port
from onceonly.production import production_problems
from onceonly.receipts import public_jwks
from tests.production import DEVELOPMENT_VALUES, own_secrets, settings_from

REFUSED_WITHIN_SECONDS = 30  # a refusal takes about a second; a process that started hangs
START_SECONDS = 30


def _environment(own: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any onceonly, Temporal or mock setting, then `own`,
    with every listener on a free port and Temporal where nothing listens."""
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("ONCEONLY_", "TEMPORAL_", "MOCK_"))
    }
    ports = {
        "TEMPORAL_ADDRESS": f"127.0.0.1:{free_port()}",
        "ONCEONLY_API_PORT": str(free_port()),
        "ONCEONLY_CODEC_PORT": str(free_port()),
        "ONCEONLY_WORKER_METRICS_PORT": str(free_port()),
    }
    return {**inherited, **ports, **own}


def _refused(argv: list[str], env: Mapping[str, str], cwd: Path) -> str:
    """Run the process; assert it exits with status 2 and wrote nothing in `cwd`; its stderr."""
    done = subprocess.run(
        argv,
        check=False,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=REFUSED_WITHIN_SECONDS,
    )
    assert done.returncode == 2, done.stderr
    assert list(cwd.iterdir()) == []
    return done.stderr


ONCEONLY_CASES = [
    *(("api", name) for name in sorted(DEVELOPMENT_VALUES)),
    ("api", "ONCEONLY_DATABASE_URL"),
    ("worker", "ONCEONLY_DATABASE_URL"),
    ("worker", "ONCEONLY_PAYLOAD_KEYS"),
    ("worker", "ONCEONLY_AGENCY_API_KEYS"),
    ("codec-server", "ONCEONLY_JWT_SECRET"),
    ("codec-server", "ONCEONLY_PORTAL_DEV_LOGIN"),
    ("setup", "ONCEONLY_RECEIPT_SIGNING_KEY"),
    ("setup", "ONCEONLY_AGENCY_CALLBACK_SECRETS"),
]
"""Every setting against the API, and every process at least once."""


@pytest.mark.parametrize(("process", "name"), ONCEONLY_CASES)
def test_a_process_refuses_one_development_setting_naming_it(process, name, tmp_path):
    own = own_secrets()
    if name == "ONCEONLY_DATABASE_URL":
        del own[name]
    else:
        own = DEVELOPMENT_VALUES[name](own)
    assert name in production_problems(settings_from(own), process)
    argv = [sys.executable, "-m", "onceonly", process]
    stderr = _refused(argv, _environment(own), tmp_path)
    [line] = stderr.splitlines()
    assert line.startswith(f"onceonly {process}: refusing to start in production: {name} ")


def test_up_is_the_development_stack_and_refuses_production(tmp_path):
    stderr = _refused(
        [sys.executable, "-m", "onceonly", "up"], _environment(own_secrets()), tmp_path
    )
    assert "ONCEONLY_ENVIRONMENT is production" in stderr


@contextmanager
def _serving(argv: list[str], env: Mapping[str, str], cwd: Path, url: str) -> Iterator[None]:
    process = subprocess.Popen(argv, env=env, cwd=cwd, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, process.communicate()[1]
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, f"{argv} did not start"
            time.sleep(0.1)
        yield
    finally:
        process.terminate()
        process.communicate(timeout=START_SECONDS)


def test_the_codec_server_starts_in_production_and_writes_nothing_where_it_runs(tmp_path):
    env = _environment(own_secrets())
    url = f"http://127.0.0.1:{env['ONCEONLY_CODEC_PORT']}"
    with _serving([sys.executable, "-m", "onceonly", "codec-server"], env, tmp_path, url):
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert list(tmp_path.iterdir()) == []


# --- the mock agencies ---------------------------------------------------------------------


def _mocks_production() -> dict[str, str]:
    """The mocks' settings of our own: production, keys of our own, onceonly's receipt keys."""
    own = {"MOCK_ENVIRONMENT": "production"}
    for name in mock_development_settings({}):
        own[name] = f"own-{name.lower()}-value"
    own["MOCK_RECEIPT_JWKS"] = json.dumps(public_jwks(settings_from(own_secrets())))
    return own


MOCK_SETTINGS = mock_development_settings({})
"""Every mock setting that is at its development value by default: the admin key, every
served agency's API key, and the receipt keys (unset)."""


def _mocks_argv(cwd: Path, port: int) -> list[str]:
    db = cwd.parent / f"{cwd.name}-agencies.db"
    return [sys.executable, "-m", "mocks", "--port", str(port), "--db", str(db)]


@pytest.mark.parametrize("name", [*MOCK_SETTINGS, "MOCK_CALLBACK_SECRETS"])
def test_the_mocks_refuse_one_development_setting_naming_it(name, tmp_path):
    own = _mocks_production()
    if name == "MOCK_CALLBACK_SECRETS":
        own[name] = json.dumps({"ird": "dev-ird-callback-secret"})
    else:
        del own[name]
    stderr = _refused(_mocks_argv(tmp_path, free_port()), _environment(own), tmp_path)
    [line] = stderr.splitlines()
    assert line.startswith(f"python -m mocks: refusing to start: in production: {name} ")


def test_the_mocks_refuse_an_unknown_environment(tmp_path):
    own = {**_mocks_production(), "MOCK_ENVIRONMENT": "prod"}
    stderr = _refused(_mocks_argv(tmp_path, free_port()), _environment(own), tmp_path)
    assert "MOCK_ENVIRONMENT must be development or production" in stderr


def test_the_mocks_in_production_serve_no_records_or_faults(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    own = _mocks_production()
    with _serving(_mocks_argv(tmp_path, port), _environment(own), tmp_path, url):
        admin = {"X-Admin-Key": own["MOCK_ADMIN_KEY"]}
        for path in ("/bdm/_records", "/bdm/_faults", "/addresses/_records"):
            assert httpx.get(f"{url}{path}", headers=admin).status_code == 404
        assert "/bdm/_records" not in httpx.get(f"{url}/openapi.json").json()["paths"]
