"""The throw-away PostgreSQL cluster the store tests run against (tests/postgres.py)."""

import time
from pathlib import Path

import psycopg
import pytest

from tests import postgres
from tests.users import reachable_temp_dir


def needs_a_server() -> None:
    try:
        postgres.server_bin_dir()
    except postgres.PostgresMissing as missing:
        pytest.skip(f"PostgreSQL server not installed: {missing}")


def test_the_session_cluster_answers_as_its_superuser(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as connection:
        version = connection.execute("select version()").fetchone()
        user = connection.execute("select current_user").fetchone()
        fsync = connection.execute("show fsync").fetchone()
    assert version is not None and version[0].startswith("PostgreSQL ")
    assert user == (postgres.ROLE,)
    assert fsync == ("off",)


def test_a_fresh_database_is_empty_and_the_tests_own(fresh_database: str, postgres_url: str):
    assert fresh_database != postgres_url
    with psycopg.connect(fresh_database, autocommit=True) as connection:
        tables = connection.execute(
            "select count(*) from information_schema.tables where table_schema = 'public'"
        ).fetchone()
        connection.execute("create table mine (n int)")
    assert tables == (0,)


def test_a_cluster_starts_in_about_half_a_second_and_leaves_nothing_behind() -> None:
    needs_a_server()
    with reachable_temp_dir("onceonly-pg-") as base_dir:
        started = time.monotonic()
        with postgres.running_postgres(base_dir) as url:
            ready = time.monotonic() - started
            with psycopg.connect(url) as connection:
                assert connection.execute("select 1").fetchone() == (1,)
        stopped = time.monotonic() - started - ready
        left = sorted(path.name for path in base_dir.iterdir())
    print(f"PostgreSQL cluster: initdb + start {ready:.2f} s, stop {stopped:.2f} s")
    assert left == []
    assert ready < 10  # about half a second on an idle machine; far more is a broken start


def test_a_server_that_cannot_start_fails_with_its_log_and_leaves_nothing(monkeypatch):
    needs_a_server()
    monkeypatch.setattr(postgres, "SPEED_OVER_SAFETY", ("no_such_setting=on",))
    with reachable_temp_dir("onceonly-pg-") as base_dir:
        with (
            pytest.raises(postgres.PostgresFailed, match='"no_such_setting"'),
            postgres.running_postgres(base_dir),
        ):
            pass
        assert list(base_dir.iterdir()) == []


def test_no_server_binaries_is_a_reason_naming_what_is_missing(monkeypatch, tmp_path: Path):
    monkeypatch.setattr(postgres, "DEBIAN_SERVERS", tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(postgres.PostgresMissing, match="initdb, pg_ctl, postgres"):
        postgres.server_bin_dir()


def test_the_highest_installed_version_is_chosen(monkeypatch, tmp_path: Path):
    for version in ("9.6", "15", "16"):
        bin_dir = tmp_path / version / "bin"
        bin_dir.mkdir(parents=True)
        for program in postgres.SERVER_PROGRAMS[: 2 if version == "16" else 3]:
            (bin_dir / program).touch()
    monkeypatch.setattr(postgres, "DEBIAN_SERVERS", tmp_path)
    assert postgres.server_bin_dir() == tmp_path / "15" / "bin"  # 16 lacks `postgres`
