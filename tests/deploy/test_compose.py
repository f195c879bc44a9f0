"""docker-compose.yml is validated here without a Docker engine: against the Compose
Specification's JSON schema, and for consistency with the project it deploys.
"""

import json
import re
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

ROOT = Path(__file__).parents[2]
COMPOSE_SCHEMA = ROOT.parent / "shared" / "schemas" / "compose-spec.json"


@pytest.fixture
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_file_matches_the_compose_specification(compose):
    if not COMPOSE_SCHEMA.exists():
        pytest.skip(f"the Compose schema is not beside the repository ({COMPOSE_SCHEMA})")
    schema = json.loads(COMPOSE_SCHEMA.read_text(encoding="utf-8"))
    errors = sorted(Draft7Validator(schema).iter_errors(compose), key=str)
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_every_onceonly_service_depends_on_the_setup_that_registers_search_attributes(compose):
    services = compose["services"]
    assert services["setup"]["command"] == ["onceonly", "setup"]
    for name in ("worker", "api"):
        assert (
            services[name]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
        )


def test_the_image_contains_every_package_the_project_installs():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    packages = re.search(r"include = \[(.*?)\]", pyproject, re.S)
    assert packages is not None
    for package in re.findall(r'"(\w+)\*"', packages.group(1)):
        assert f"COPY {package} {package}" in dockerfile, package
