"""Processes as an unprivileged user (tests/users.py): what the cluster test relies on to
meet, as a deployment would, a process that writes where it may not."""

import pwd
import subprocess
import sys

import pytest

from tests.users import give_to, python_as_user, reachable_temp_dir, running_as_root

pytestmark = pytest.mark.skipif(not running_as_root(), reason="switching users needs root")
WRITES_ITS_CWD = "import os; open('written', 'w'); print(os.getuid(), os.getgroups())"


def test_a_process_as_nobody_is_nobody_and_cannot_write_a_dir_it_does_not_own():
    with reachable_temp_dir("onceonly-users-") as base:
        done = subprocess.run(
            python_as_user("nobody", [sys.executable, "-c", WRITES_ITS_CWD]),
            cwd=base,
            capture_output=True,
            text=True,
            check=False,
        )
    assert done.returncode == 1
    assert "PermissionError" in done.stderr


def test_it_writes_where_it_owns():
    with reachable_temp_dir("onceonly-users-") as base:
        own = base / "own"
        own.mkdir()
        give_to(own, "nobody")
        done = subprocess.run(
            python_as_user("nobody", [sys.executable, "-c", WRITES_ITS_CWD]),
            cwd=own,
            capture_output=True,
            text=True,
            check=True,
        )
        written = (own / "written").stat()
    assert done.stdout.split() == [str(pwd.getpwnam("nobody").pw_uid), "[]"]
    assert written.st_uid == pwd.getpwnam("nobody").pw_uid
