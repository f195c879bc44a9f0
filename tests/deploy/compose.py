"""Reading docker-compose.yml, its proxy's config and the Dockerfile as Docker would, without
a Docker engine: compose's variable interpolation, its port syntax, the nginx directives the
proxy routes by, and the Dockerfile's instructions.
"""

import os
import re
import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import yaml

from onceonly.settings import Settings

ROOT = Path(__file__).parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
OUR_IMAGE = "onceonly:latest"

# `$$` (a literal `$`), or `${NAME<op><word>}` / `$NAME` (compose-spec, Interpolation).
_VARIABLE = re.compile(
    r"\$(?:(?P<escaped>\$)|\{(?P<braced>[A-Za-z_]\w*)(?:(?P<op>:?[-?+])(?P<word>[^}]*))?\}"
    r"|(?P<bare>[A-Za-z_]\w*))"
)


class MissingVariable(KeyError):
    """A `${NAME:?message}` whose variable is unset or empty: compose refuses to start."""


def load_compose() -> dict[str, Any]:
    """docker-compose.yml as YAML (anchors and merge keys resolved), not yet interpolated."""
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return loaded


def variable_references(text: str) -> list[re.Match[str]]:
    """Every interpolation in `text` (escaped `$$` left out)."""
    return [match for match in _VARIABLE.finditer(text) if not match.group("escaped")]


def _substitute(match: re.Match[str], env: Mapping[str, str]) -> str:
    if match.group("escaped"):
        return "$"
    name = match.group("braced") or match.group("bare")
    op, word = match.group("op") or "", match.group("word") or ""
    value = env.get(name)
    unset_or_empty = not value if op.startswith(":") else value is None
    if op.endswith("?") and unset_or_empty:
        raise MissingVariable(f"required variable {name} is missing a value: {word}")
    if op.endswith("-") and unset_or_empty:
        return word
    if op.endswith("+"):
        return "" if unset_or_empty else word
    return value or ""


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    """`node` with every string interpolated from `env`, as compose does before it runs
    anything (MissingVariable for a required variable without a value)."""
    if isinstance(node, str):
        return _VARIABLE.sub(lambda match: _substitute(match, env), node)
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    return node


def service_env(service: Mapping[str, Any]) -> dict[str, str]:
    """A service's environment as its processes see it (strings)."""
    return {key: str(value) for key, value in service.get("environment", {}).items()}


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """The process environment replaced by `env` for the duration."""
    with mock.patch.dict(os.environ, env, clear=True):
        yield


def settings_of(service: Mapping[str, Any]) -> Settings:
    """The settings a service's onceonly processes read from its environment."""
    with environment(service_env(service)):
        return Settings()


@dataclass(frozen=True)
class Published:
    """One `ports:` entry: the host address (all when None), host port and container port."""

    host_ip: str | None
    host_port: int
    container_port: int


def published_ports(service: Mapping[str, Any]) -> list[Published]:
    """A service's published ports, from compose's short syntax `[IP:]HOST:CONTAINER`."""
    ports = []
    for entry in service.get("ports", []):
        parts = str(entry).split(":")
        if len(parts) not in (2, 3):
            raise ValueError(f"port {entry!r}: give the host port and the container port")
        host_ip = parts[0] if len(parts) == 3 else None
        ports.append(Published(host_ip, int(parts[-2]), int(parts[-1])))
    return ports


@dataclass(frozen=True)
class ProxyRoute:
    """An nginx `server` block: the port it listens on and the upstream `host:port` it
    proxies to, with whether that name is re-resolved (`resolve`), and the headers it sets."""

    listen: int
    upstream: str
    resolves: bool
    headers: dict[str, str]


def _blocks(text: str, keyword: str) -> Iterator[tuple[str, str]]:
    """(`name`, body) of each top-level `keyword [name] { ... }` block (no nesting deeper
    than `location`, which is all the proxy's config uses)."""
    for match in re.finditer(rf"^{keyword}\b\s*(\S*)\s*\{{", text, re.M):
        depth, start = 1, match.end()
        for index in range(start, len(text)):
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            if depth == 0:
                yield match.group(1), text[start:index]
                break


def proxy_routes(config: str) -> list[ProxyRoute]:
    """The routes of the proxy's nginx config (comments dropped)."""
    text = re.sub(r"#[^\n]*", "", config)
    upstreams = {
        name: re.search(r"\bserver\s+(\S+?)(\s+resolve)?\s*;", body)
        for name, body in _blocks(text, "upstream")
    }
    routes = []
    for _, body in _blocks(text, "server"):
        listen = re.search(r"\blisten\s+(\d+)\s*;", body)
        target = re.search(r"\bproxy_pass\s+http://(\w+)\s*;", body)
        if listen is None or target is None:
            raise ValueError("each server block must listen on a port and proxy_pass")
        server = upstreams[target.group(1)]
        if server is None:
            raise ValueError(f"upstream {target.group(1)} has no server")
        headers = dict(re.findall(r"\bproxy_set_header\s+(\S+)\s+(\S+?)\s*;", body))
        routes.append(
            ProxyRoute(int(listen.group(1)), server.group(1), bool(server.group(2)), headers)
        )
    return routes


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) for each instruction, continuation lines joined, comments
    dropped."""
    logical = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    instructions = []
    for line in logical.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def shell_commands(run_arguments: str) -> list[list[str]]:
    """The simple commands of a `RUN` line (split at `&&` and `;`), each as argv."""
    commands: list[list[str]] = [[]]
    lexer = shlex.shlex(run_arguments, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    for token in lexer:
        if token in ("&&", ";"):
            commands.append([])
        else:
            commands[-1].append(token)
    return [command for command in commands if command]


def env_assignments(env_arguments: str) -> dict[str, str]:
    """The `KEY=value` pairs of an `ENV` instruction."""
    return dict(token.split("=", 1) for token in shlex.split(env_arguments))
