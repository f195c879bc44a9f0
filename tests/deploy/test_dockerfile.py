"""The image runs as an unprivileged user that owns the one directory it writes: the state
dir the image sets (ONCEONLY_STATE_DIR), where the embedded store and the mock agencies keep
their files. Read from the Dockerfile's instructions (no Docker engine here); the rules are
also tried on Dockerfiles that break them, so they can fail.
"""

import pytest

from tests.deploy.compose import (
    OUR_IMAGE,
    ROOT,
    dockerfile_instructions,
    env_assignments,
    load_compose,
    shell_commands,
)

DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
_OPTIONS_WITH_VALUES = {"-o", "--owner", "-g", "--group", "-m", "--mode", "-u", "--uid"}


def _positional(argv: list[str]) -> list[str]:
    """The operands of a command (options and the values they take left out)."""
    operands, skip = [], False
    for token in argv[1:]:
        if skip:
            skip = False
        elif token in _OPTIONS_WITH_VALUES:
            skip = True
        elif not token.startswith("-"):
            operands.append(token)
    return operands


def _option(argv: list[str], *names: str) -> str | None:
    for index, token in enumerate(argv):
        if token in names and index + 1 < len(argv):
            return argv[index + 1]
        for name in names:
            if name.startswith("--") and token.startswith(name + "="):
                return token.split("=", 1)[1]
    return None


def _runs(text: str) -> list[list[str]]:
    return [
        command
        for keyword, arguments in dockerfile_instructions(text)
        if keyword == "RUN"
        for command in shell_commands(arguments)
    ]


def runtime_user(text: str) -> tuple[str, str]:
    """(name, uid) of the last USER, from the `useradd` that made it; ValueError when there
    is no USER, it is root, or no `useradd` made it."""
    users = [arguments for keyword, arguments in dockerfile_instructions(text) if keyword == "USER"]
    if not users:
        raise ValueError("no USER: the image runs as root")
    user = users[-1].split(":")[0]
    for command in _runs(text):
        if command[0] == "useradd":
            name, uid = _positional(command)[-1], _option(command, "-u", "--uid")
            if user in (name, uid):
                if uid in (None, "0"):
                    raise ValueError(f"USER {user}: give it a fixed uid other than 0")
                return name, str(uid)
    raise ValueError(f"USER {user}: no useradd in the Dockerfile makes it")


def state_dir(text: str) -> str:
    """The ONCEONLY_STATE_DIR the image sets (ValueError when it sets none)."""
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "ENV" and "ONCEONLY_STATE_DIR" in env_assignments(arguments):
            return env_assignments(arguments)["ONCEONLY_STATE_DIR"]
    raise ValueError("the image sets no ONCEONLY_STATE_DIR: processes would write to WORKDIR")


def owner_of(text: str, path: str) -> str | None:
    """Who owns `path` once the RUN lines are done: `install -d -o OWNER`, or `mkdir` then
    `chown OWNER`; None when no RUN line creates it (a directory made by WORKDIR or COPY is
    root's)."""
    owner, created = None, False
    for command in _runs(text):
        operands = _positional(command)
        if command[0] == "install" and "-d" in command and path in operands:
            created, owner = True, (_option(command, "-o", "--owner") or "root")
        elif command[0] == "mkdir" and path in operands:
            created, owner = True, "root"
        elif command[0] == "chown" and created and path in operands[1:]:
            owner = operands[0].split(":")[0]
    return owner if created else None


def state_dir_problem(text: str) -> str | None:
    """Why the image's user could not write its state dir, or None when it can."""
    try:
        name, uid = runtime_user(text)
        directory = state_dir(text)
    except ValueError as problem:
        return str(problem)
    owner = owner_of(text, directory)
    if owner is None:
        return f"no RUN line creates {directory}"
    if owner not in (name, uid):
        return f"{directory} is owned by {owner}, not by {name} ({uid})"
    return None


def test_the_image_runs_as_an_unprivileged_user_with_a_fixed_uid():
    assert runtime_user(DOCKERFILE) == ("onceonly", "10001")


def test_the_state_dir_the_image_sets_is_created_and_owned_by_the_runtime_user():
    directory = state_dir(DOCKERFILE)
    assert directory.startswith("/") and directory != "/app", directory
    assert state_dir_problem(DOCKERFILE) is None
    assert owner_of(DOCKERFILE, directory) == "onceonly"


CREATE_STATE_DIR = " \\\n    && install -d -o onceonly -g onceonly -m 0750 /var/lib/onceonly"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ([("-d -o onceonly -g onceonly", "-d")], "/var/lib/onceonly is owned by root"),
        ([(CREATE_STATE_DIR, "")], "no RUN line creates /var/lib/onceonly"),
        ([(CREATE_STATE_DIR, "\nRUN mkdir -p /var/lib/onceonly")], "owned by root"),
        ([("ONCEONLY_STATE_DIR=/var/lib/onceonly", "HOME=/x")], "sets no ONCEONLY_STATE_DIR"),
        ([("USER 10001", "USER 0")], "USER 0: no useradd"),
        ([("USER 10001", "USER root")], "USER root: no useradd"),
        ([("USER 10001", "")], "no USER"),
        ([("--uid 10001 ", "")], "USER 10001: no useradd"),
        ([("--uid 10001 ", ""), ("USER 10001", "USER onceonly")], "give it a fixed uid"),
    ],
)
def test_the_rules_refuse_a_dockerfile_that_breaks_them(change, problem):
    broken = DOCKERFILE
    for old, new in change:
        assert old in broken
        broken = broken.replace(old, new)
    assert problem in (state_dir_problem(broken) or "")


def test_mkdir_then_chown_counts_as_owned():
    text = (
        "FROM python:3.11-slim\nRUN useradd --uid 10002 app && mkdir -p /srv/state \\\n"
        "    && chown app:app /srv/state\nENV ONCEONLY_STATE_DIR=/srv/state\nUSER app\n"
    )
    assert runtime_user(text) == ("app", "10002")
    assert owner_of(text, state_dir(text)) == "app"


def test_the_mock_agencies_keep_their_database_in_the_state_dir_on_a_volume():
    """A new named volume takes the ownership of the image's directory it is mounted on, so
    the mocks write their database as the image's user (no `user: root`)."""
    directory = state_dir(DOCKERFILE)
    for name, service in load_compose()["services"].items():
        if service.get("image") == OUR_IMAGE:
            assert service.get("user") in (None, *runtime_user(DOCKERFILE)), name
    agencies = load_compose()["services"]["agencies"]
    database = agencies["command"][agencies["command"].index("--db") + 1]
    assert database.startswith(directory + "/")
    volumes = {volume.split(":")[1]: volume.split(":")[0] for volume in agencies["volumes"]}
    assert volumes[directory] in load_compose()["volumes"]
