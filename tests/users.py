"""Processes as another user, where the tests run as root: PostgreSQL refuses to run as root,
and the cluster test runs onceonly as an unprivileged user, as a deployment does, so that a
process writing where it may not fails here first.

Their files live in a dir of the system temp dir that others may enter (pytest's own temp
dirs are private to root), and belong to the user.
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

# Reading and searching any file, never writing: where the user cannot otherwise reach this
# interpreter (a Python installed under /root), it still writes only where the user may.
READ_ANYTHING = ("--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search")


def running_as_root() -> bool:
    return os.geteuid() == 0


def give_to(path: Path, user: str) -> None:
    """Make `user` (and its primary group) the owner of `path`."""
    entry = pwd.getpwnam(user)
    os.chown(path, entry.pw_uid, entry.pw_gid)


@contextmanager
def reachable_temp_dir(prefix: str) -> Iterator[Path]:
    """A fresh dir in the system temp dir that other users may enter (not list), removed
    after: where a cluster owned by `postgres`, or a process run as `nobody`, keeps its files."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        path.chmod(0o711)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _switch_to(user: str) -> list[str]:
    entry = pwd.getpwnam(user)
    return ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups"]


def as_user(user: str, argv: Sequence[str]) -> list[str]:
    """`argv` run as `user` (its own uid and group, no other groups) when we are root, else
    as ourselves. `setpriv` execs `argv` itself, so a signal to the process reaches it."""
    return [*_switch_to(user), "--", *argv] if running_as_root() else list(argv)


@cache
def reaches_this_python(user: str) -> bool:
    """Whether `user` can run this interpreter and import the project as it is installed."""
    check = [*_switch_to(user), "--", sys.executable, "-c", "import onceonly, mocks"]
    return subprocess.run(check, cwd="/", capture_output=True, check=False).returncode == 0


def python_as_user(user: str, argv: Sequence[str]) -> list[str]:
    """`argv` (this interpreter's command) run as `user` when we are root, else as ourselves;
    with the right to read any file only where the user cannot reach the interpreter."""
    if not running_as_root():
        return list(argv)
    reading = () if reaches_this_python(user) else READ_ANYTHING
    return [*_switch_to(user), *reading, "--", *argv]
