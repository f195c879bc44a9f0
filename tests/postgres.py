"""A throw-away PostgreSQL cluster for the tests: Debian's server binaries, a data dir and a
socket dir of its own, a free loopback port, no fsync (nothing in it must survive a crash).

PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user and
its commands run as that user (tests/users.py): the base dir must then be reachable by it
(pytest's temp dirs are private to root; `users.reachable_temp_dir` makes one that is not).
"""

import re
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import psycopg

from onceonly.local_stack import free_port
from tests.users import as_user, give_to, running_as_root

DEBIAN_SERVERS = Path("/usr/lib/postgresql")  # one bin dir per installed major version
SERVER_PROGRAMS = ("initdb", "pg_ctl", "postgres")
SERVER_USER = "postgres"  # Debian's package creates it; the cluster's owner when we are root
ROLE = "onceonly"  # the cluster's superuser, as the tests connect
READY_SECONDS = 30
START_ATTEMPTS = 3  # a free port can be taken by another process before the server binds it
# Nothing here must survive a crash: no fsync, no full pages, commits acknowledged at once.
SPEED_OVER_SAFETY = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresMissing(RuntimeError):
    """No PostgreSQL server binaries on this machine."""


class PostgresFailed(RuntimeError):
    """The cluster did not come up; the message holds its log."""


def _major_version(bin_dir: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def server_bin_dir() -> Path:
    """The highest installed version's bin dir holding the server programs (Debian's layout),
    else the dir on PATH that holds all of them."""
    installed = [
        bin_dir
        for bin_dir in DEBIAN_SERVERS.glob("*/bin")
        if all((bin_dir / program).is_file() for program in SERVER_PROGRAMS)
    ]
    if installed:
        return max(installed, key=_major_version)
    on_path = {shutil.which(program) for program in SERVER_PROGRAMS}
    if None not in on_path and len({Path(str(found)).parent for found in on_path}) == 1:
        return Path(str(on_path.pop())).parent
    raise PostgresMissing(
        f"no {', '.join(SERVER_PROGRAMS)} in {DEBIAN_SERVERS}/*/bin or together on PATH "
        "(`make postgresql` installs Debian's package as root)"
    )


def _run(argv: Sequence[str], log: Path) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise PostgresFailed(
            f"{' '.join(argv)} exited {done.returncode}:\n{done.stdout}{done.stderr}{server_log}"
        )


def _accepts_connections(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


def _start(bin_dir: Path, data: Path, sockets: Path, log: Path, durable: bool) -> str:
    """Start the server on a free loopback port; its URL once it accepts connections."""
    port = free_port()
    options = [
        f"-p {port}",
        f"-k {sockets}",
        "-c listen_addresses=127.0.0.1",
        *(f"-c {setting}" for setting in (() if durable else SPEED_OVER_SAFETY)),
    ]
    pg_ctl = [str(bin_dir / "pg_ctl"), "start", "-D", str(data), "-l", str(log), "-w"]
    _run(as_user(SERVER_USER, [*pg_ctl, "-t", str(READY_SECONDS), "-o", " ".join(options)]), log)
    url = f"postgresql://{ROLE}@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + READY_SECONDS
    while not _accepts_connections(url):
        if time.monotonic() > deadline:
            raise PostgresFailed(f"no connection to {url}:\n{log.read_text(errors='replace')}")
        time.sleep(0.05)
    return url


@contextmanager
def running_postgres(base_dir: Path, *, durable: bool = False) -> Iterator[str]:
    """A new cluster in `base_dir` (data, sockets, log), running until the block ends, then
    stopped and removed: yields its URL (`postgresql://onceonly@127.0.0.1:<port>/postgres`).
    `durable` keeps PostgreSQL's own defaults (fsync on), as a deployment runs it: for the
    benchmarks, whose figures must hold there."""
    bin_dir = server_bin_dir()
    data, sockets, log = base_dir / "data", base_dir / "sockets", base_dir / "server.log"
    for path in (data, sockets):
        path.mkdir(mode=0o700)
        if running_as_root():
            give_to(path, SERVER_USER)
    if running_as_root():
        log.touch()
        give_to(log, SERVER_USER)
    initdb = [str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", ROLE]
    encoding = ["-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"]
    _run(as_user(SERVER_USER, [*initdb, *encoding]), log)
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                url = _start(bin_dir, data, sockets, log, durable)
                break
            except PostgresFailed as failed:
                if attempt == START_ATTEMPTS or "Address already in use" not in str(failed):
                    raise
        yield url
    finally:
        stop = [str(bin_dir / "pg_ctl"), "stop", "-D", str(data), "-m", "immediate", "-w"]
        subprocess.run(as_user(SERVER_USER, stop), capture_output=True, check=False)
        for path in (data, sockets, log):
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
