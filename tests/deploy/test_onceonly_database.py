"""compose's `onceonly-database` one-shot, run as compose runs it (its psql command, its
environment, the committed script) against a real PostgreSQL server whose superuser is
`temporal`, as on compose's `postgresql` service: onceonly gets a database and a role of its
own, idempotently; a new password rotates the old one out; no other role may connect, and the
onceonly role cannot read Temporal's tables.
"""

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from onceonly.keys import generate_secrets
from onceonly.local_stack import free_port
from tests.deploy.compose import ROOT, interpolate, load_compose, service_env

SUPERUSER = "temporal"  # compose's POSTGRES_USER
SERVER_USER = "postgres"  # PostgreSQL refuses to run as root: the cluster is this user's then


def _server_bin_dir() -> Path | None:
    installed = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return installed[-1].parent if installed else None


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", SERVER_USER, "--", *argv] if os.geteuid() == 0 else argv


@pytest.fixture(scope="module")
def superuser_env() -> Iterator[dict[str, str]]:
    """A throw-away cluster: the superuser over its socket (trusted, as the one-shot is with
    PGPASSWORD), every other connection over TCP with a password."""
    bin_dir = _server_bin_dir()
    if bin_dir is None or shutil.which("psql") is None:
        pytest.skip("no PostgreSQL server or psql here (`make postgresql` installs them)")
    base = Path(tempfile.mkdtemp(prefix="onceonly-database-"))
    base.chmod(0o711)  # the server's user must reach its files when we are root
    if os.geteuid() == 0:
        shutil.chown(base, SERVER_USER)
    data, port = base / "data", free_port()
    initdb = [str(bin_dir / "initdb"), "--no-sync", "-D", str(data), "-U", SUPERUSER]
    auth = ["--auth-local=trust", "--auth-host=scram-sha-256"]
    subprocess.run(_as_server_user([*initdb, *auth]), check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w"]
    subprocess.run(_as_server_user([*pg_ctl, "-o", options, "start"]), check=True)
    try:
        yield {"PGHOST": str(base), "PGPORT": str(port), "PGUSER": SUPERUSER}
    finally:
        subprocess.run(_as_server_user([*pg_ctl, "-m", "immediate", "stop"]), check=False)
        shutil.rmtree(base, ignore_errors=True)


def _one_shot() -> dict[str, Any]:
    service: dict[str, Any] = interpolate(load_compose(), generate_secrets())["services"][
        "onceonly-database"
    ]
    return service


def run_one_shot(
    superuser_env: dict[str, str], password: str | None
) -> subprocess.CompletedProcess[str]:
    """The one-shot's command with its environment, pointed at the test server."""
    service = _one_shot()
    script = ROOT / load_compose()["configs"][service["configs"][0]["source"]]["file"]
    command = [
        str(script) if arg == service["configs"][0]["target"] else arg for arg in service["command"]
    ]
    env = {**service_env(service), **superuser_env, "PATH": os.environ["PATH"]}
    del env["ONCEONLY_DB_PASSWORD"]
    if password is not None:
        env["ONCEONLY_DB_PASSWORD"] = password
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


def connect(superuser_env: dict[str, str], user: str, password: str, dbname: str = "onceonly"):
    return psycopg.connect(
        host="127.0.0.1",
        port=int(superuser_env["PGPORT"]),
        user=user,
        password=password,
        dbname=dbname,
        connect_timeout=5,
    )


def superuser(superuser_env: dict[str, str], sql: str, dbname: str = "postgres") -> None:
    with psycopg.connect(
        host=superuser_env["PGHOST"],
        port=int(superuser_env["PGPORT"]),
        user=SUPERUSER,
        dbname=dbname,
        autocommit=True,
    ) as conn:
        conn.execute(sql.encode())


def test_onceonly_gets_a_database_and_role_of_its_own_idempotently(superuser_env):
    for _ in range(2):
        done = run_one_shot(superuser_env, "first-password")
        assert done.returncode == 0, done.stderr
    with connect(superuser_env, "onceonly", "first-password") as conn:
        conn.execute("CREATE TABLE migrations_may_create_tables (id int)")
        owner, role = conn.execute(
            "SELECT pg_get_userbyid(datdba), (SELECT row(rolsuper, rolcreatedb, rolcreaterole)"
            "::text FROM pg_roles WHERE rolname = current_user) FROM pg_database"
            " WHERE datname = current_database()"
        ).fetchone() or (None, None)
    assert owner == "onceonly"
    assert role == "(f,f,f)"  # no superuser, no other databases, no roles


def test_a_new_password_rotates_the_old_one_out(superuser_env):
    assert run_one_shot(superuser_env, "old-password").returncode == 0
    assert run_one_shot(superuser_env, "new-password").returncode == 0
    with connect(superuser_env, "onceonly", "new-password") as conn:
        assert conn.execute("SELECT current_user").fetchone() == ("onceonly",)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        connect(superuser_env, "onceonly", "old-password")


def test_no_other_role_may_connect_and_onceonly_cannot_read_temporals_tables(superuser_env):
    assert run_one_shot(superuser_env, "a-password").returncode == 0
    superuser(superuser_env, "CREATE ROLE other LOGIN PASSWORD 'other-password'")
    with pytest.raises(psycopg.OperationalError, match='permission denied for database "onceonly"'):
        connect(superuser_env, "other", "other-password")
    superuser(superuser_env, "CREATE DATABASE temporal")
    superuser(superuser_env, "CREATE TABLE executions (id int)", dbname="temporal")
    with (
        connect(superuser_env, "onceonly", "a-password", dbname="temporal") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("SELECT * FROM executions")


@pytest.mark.parametrize("password", [None, ""])
def test_without_a_password_it_fails_naming_the_variable(superuser_env, password):
    done = run_one_shot(superuser_env, password)
    assert done.returncode != 0
    assert "ONCEONLY_DB_PASSWORD is not set" in done.stderr
