"""docker-compose.yml is validated here without a Docker engine: against the Compose
Specification's JSON schema (a copy in this folder: see README.md), and for consistency with
the project it deploys: every command exists, every /metrics is scraped, the Web UI reaches
the codec server, Temporal runs on PostgreSQL, workers scale. Production mode, the secrets,
the proxy and the ports are checked in test_compose_production.py.
"""

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from onceonly.cli import parser
from onceonly.keys import generate_secrets
from tests.deploy.compose import (
    OUR_IMAGE,
    ROOT,
    interpolate,
    load_compose,
    proxy_routes,
    published_ports,
    settings_of,
)

COMPOSE_SCHEMA = Path(__file__).parent / "compose-spec.json"
# One-shots exit after their work (search attributes, migrations): nothing to scrape.
ONE_SHOT = {"setup"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    """The file as compose runs it: interpolated, with every variable it requires."""
    interpolated: dict[str, Any] = interpolate(load_compose(), generate_secrets())
    return interpolated


@pytest.fixture(scope="module")
def ours(compose) -> dict[str, dict[str, Any]]:
    """The services that run this project's image."""
    return {
        name: service
        for name, service in compose["services"].items()
        if service.get("image") == OUR_IMAGE
    }


def _scrape_targets(compose) -> set[tuple[str, int]]:
    config = yaml.safe_load(compose["configs"]["prometheus"]["content"])
    targets = set()
    for job in config["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            targets |= {(name, sd["port"]) for name in sd["names"]}
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host, port = target.rsplit(":", 1)
                targets.add((host, int(port)))
    return targets


def test_the_schema_copy_is_the_compose_specification():
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert {"services", "volumes", "configs"} <= set(schema["properties"])


def test_compose_file_matches_the_compose_specification(compose):
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_every_onceonly_command_is_a_real_cli_command(ours):
    onceonly_commands = [s["command"] for s in ours.values() if s["command"][0] == "onceonly"]
    assert len(onceonly_commands) >= 4
    for command in onceonly_commands:
        try:
            parser().parse_args(command[1:])
        except SystemExit:
            pytest.fail(f"`{' '.join(command)}` is not an onceonly command")


def test_every_python_module_command_exists_with_its_options(ours):
    modules = [s["command"] for s in ours.values() if s["command"][0] == "python"]
    assert modules, "the mock agencies run as `python -m mocks`"
    for command in modules:
        assert command[1] == "-m"
        help_text = subprocess.run(
            [sys.executable, "-m", command[2], "--help"],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout
        for option in (arg for arg in command[3:] if arg.startswith("--")):
            assert option in help_text, f"python -m {command[2]} has no {option}"


def test_onceonly_services_depend_on_the_setup_that_registers_search_attributes(compose):
    services = compose["services"]
    assert services["setup"]["command"] == ["onceonly", "setup"]
    assert (
        services["setup"]["depends_on"]["temporal-namespace"]["condition"]
        == "service_completed_successfully"
    )
    for name in ("worker", "api"):
        assert (
            services[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
        )


def test_prometheus_scrapes_every_metrics_endpoint(compose, ours):
    targets = _scrape_targets(compose)
    ports = {
        "api": lambda settings, command: settings.api_port,
        "worker": lambda settings, command: settings.worker_metrics_port,
        "codec-server": lambda settings, command: settings.codec_port,
    }
    for name, service in ours.items():
        if name in ONE_SHOT:
            continue
        command = service["command"]
        if command[0] == "onceonly":
            port = ports[command[1]](settings_of(service), command)
        else:  # the mock agencies serve /metrics on their --port
            port = int(command[command.index("--port") + 1])
        assert (name, port) in targets, f"{name}:{port}/metrics is not scraped"
    temporal_metrics = compose["services"]["temporal"]["environment"]["PROMETHEUS_ENDPOINT"]
    assert ("temporal", int(temporal_metrics.rsplit(":", 1)[1])) in targets


def test_the_web_ui_decodes_payloads_through_the_codec_server(compose, ours):
    """The operator's browser calls the codec server at the UI's codec endpoint: a port the
    proxy publishes and forwards to the codec service."""
    ui = compose["services"]["temporal-ui"]
    endpoint = ui["environment"]["TEMPORAL_CODEC_ENDPOINT"]
    match = re.fullmatch(r"http://(localhost|127\.0\.0\.1):(\d+)", endpoint)
    assert match, endpoint
    proxy = compose["services"]["proxy"]
    published = {port.host_port: port.container_port for port in published_ports(proxy)}
    config = (ROOT / compose["configs"][proxy["configs"][0]["source"]]["file"]).read_text()
    routes = {route.listen: route.upstream for route in proxy_routes(config)}
    codec = ours["codec"]
    assert routes[published[int(match.group(2))]] == f"codec:{settings_of(codec).codec_port}"
    # The UI sends the operator's sign-in cookie, so its origin must be allowed.
    assert ui["environment"]["TEMPORAL_CODEC_INCLUDE_CREDENTIALS"] == "true"
    ui_port = published_ports(ui)[0].host_port
    assert f"http://{match.group(1)}:{ui_port}" in settings_of(codec).codec_allowed_origins


def test_temporal_runs_on_postgresql_with_the_official_images_and_schema_tool(compose):
    services = compose["services"]
    server, schema = services["temporal"], services["temporal-schema"]
    assert server["image"].startswith("temporalio/server:")
    assert schema["image"].startswith("temporalio/admin-tools:")
    assert server["image"].split(":")[1] == schema["image"].split(":")[1]
    assert server["environment"]["DB"] == "postgres12"
    assert server["environment"]["POSTGRES_SEEDS"] in services
    assert services["postgresql"]["image"].startswith("postgres:")
    script = schema["command"][0]
    for database in ("temporal", "temporal_visibility"):
        assert database in script
    for step in ("create", "setup-schema", "update-schema"):
        assert f'sql --db "$db" {step}' in script  # $$ is compose's escape


def test_every_image_but_ours_is_pinned_to_a_version(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        if image != OUR_IMAGE:
            assert re.fullmatch(r"[\w./-]+:v?\d[\w.-]*", image), f"{name}: {image}"


def test_workers_scale_out(compose):
    worker = compose["services"]["worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert "ports" not in worker and "container_name" not in worker


def test_the_image_contains_every_package_the_project_installs():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"include = \[(.*?)\]", pyproject, re.S)
    assert packages is not None
    for package in re.findall(r'"(\w+)\*"', packages.group(1)):
        assert f"COPY {package} {package}" in dockerfile, package
