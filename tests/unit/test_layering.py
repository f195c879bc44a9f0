"""Dependencies point one way (the table in tests/layering.py): every module's imports, read
from its source, follow it; and the check fails on a wrong arrow, named with its file and line.
"""

from pathlib import Path

import pytest

from tests.layering import LAYERS, UNLAYERED, layer_of, may_import, violations

REPO = Path(__file__).parent.parent.parent


def test_every_import_in_the_project_follows_the_layering():
    found = violations(REPO)
    assert not found, "imports against the layering:\n" + "\n".join(map(str, found))


def test_every_layered_package_is_read():
    # A package the walk missed would pass unchecked.
    for package in ("onceonly", "workflows", "activities", "adapters", "mocks"):
        assert any((REPO / package).rglob("*.py")), package
    assert {layer.name for layer in LAYERS} == {
        "domain",
        "services",
        "workflows",
        "adapters",
        "activities",
        "mocks",
        "shell",
    }


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("onceonly.domain.catalogue", "domain"),
        ("onceonly.domain", "domain"),
        ("onceonly.settings", "services"),
        ("onceonly.api.life_events", "shell"),
        ("onceonly", "shell"),
        ("workflows.steps", "workflows"),
        ("activities.submissions", "activities"),
        ("adapters.ird", "adapters"),
        ("mocks.app", "mocks"),
    ],
)
def test_a_module_is_in_the_layer_of_its_longest_prefix(module, layer):
    found = layer_of(module)
    assert found is not None and found.name == layer


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("onceonly.api.life_events", "workflows.steps", True),
        ("onceonly.worker", "activities.submissions", True),
        ("onceonly.testing", "mocks.app", True),
        ("workflows.steps", "onceonly.domain.submission", True),
        ("workflows.steps", "activities.submissions", False),
        ("workflows.steps", "adapters.base", False),
        ("workflows.steps", "onceonly.settings", False),
        ("activities.submissions", "adapters.base", True),
        ("activities.submissions", "onceonly.disclosures", True),
        ("activities.submissions", "workflows.steps", False),
        ("activities.submissions", "onceonly.api.life_events", False),
        ("adapters.ird", "onceonly.domain.addresses", True),
        ("adapters.ird", "activities.submissions", False),
        ("onceonly.domain.catalogue", "workflows.patches", False),
        ("onceonly.domain.catalogue", "onceonly.settings", False),
        ("onceonly.settings", "onceonly.api.app", False),
        ("mocks.ird", "mocks.formats", True),
        ("mocks.ird", "onceonly.domain.identifiers", False),
        ("mocks.ird", "httpx", True),
        ("onceonly.worker", "tests.conftest", False),
    ],
)
def test_the_table_allows_only_the_arrows_it_names(importer, imported, allowed):
    assert may_import(importer, imported) is allowed
    assert "tests" in UNLAYERED


def write(root: Path, module: str, source: str) -> None:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    path.parent.mkdir(parents=True, exist_ok=True)
    for parent in path.relative_to(root).parents:
        init = root / parent / "__init__.py"
        if parent != Path() and not init.exists():
            init.write_text("")
    path.write_text(source)


def test_a_domain_module_importing_workflows_fails_naming_the_file_and_line(tmp_path):
    write(tmp_path, "workflows.steps", "from onceonly.domain.x import RULE\n")
    write(tmp_path, "onceonly.domain.x", '"""A rule."""\n\nimport workflows.steps\nRULE = 1\n')
    [found] = violations(tmp_path)
    assert str(found) == (
        "onceonly/domain/x.py:3: onceonly.domain.x imports workflows.steps (domain -> workflows)"
    )


@pytest.mark.parametrize(
    ("module", "source", "imported"),
    [
        # `from pkg import module` is that module; relative imports resolve to ours too.
        (
            "activities.submissions",
            "from workflows import search_attributes\n",
            "workflows.search_attributes",
        ),
        ("onceonly.domain.z", "from .. import settings\n", "onceonly.settings"),
        ("mocks.ird", "from onceonly.domain.x import RULE\n", "onceonly.domain.x"),
        ("workflows.steps", "from onceonly import settings\n", "onceonly.settings"),
        # Under TYPE_CHECKING, inside a function: still an arrow.
        (
            "onceonly.domain.y",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from adapters.ird import A\n",
            "adapters.ird",
        ),
        ("onceonly.domain.y", "def f():\n    import onceonly.api.app\n", "onceonly.api.app"),
    ],
)
def test_each_wrong_arrow_is_caught(tmp_path, module, source, imported):
    for existing in ("workflows.search_attributes", "activities.submissions", "onceonly.settings"):
        write(tmp_path, existing, "")
    write(tmp_path, "onceonly.domain.x", "RULE = 1\n")
    write(tmp_path, "onceonly.api.app", "")
    write(tmp_path, "adapters.ird", "")
    write(tmp_path, module, source)
    assert [(v.importer, v.imported) for v in violations(tmp_path)] == [(module, imported)]


def test_the_arrows_the_table_allows_pass_in_a_tree_of_their_own(tmp_path):
    write(tmp_path, "onceonly.domain.x", "from onceonly.domain import y\n")
    write(tmp_path, "onceonly.domain.y", "import re\n")
    write(tmp_path, "onceonly.settings", "from onceonly.domain.x import RULE\n")
    write(
        tmp_path, "workflows.steps", "from onceonly.domain.x import RULE\nfrom . import consent\n"
    )
    write(tmp_path, "workflows.consent", "")
    write(tmp_path, "adapters.ird", "import httpx\nfrom onceonly.domain import x\n")
    write(
        tmp_path,
        "activities.submissions",
        "from adapters import ird\nfrom onceonly import settings\n",
    )
    write(tmp_path, "mocks.ird", "from mocks import formats\nimport fastapi\n")
    write(tmp_path, "mocks.formats", "")
    write(
        tmp_path,
        "onceonly.worker",
        "import activities.submissions\nimport workflows.steps\nimport mocks.ird\n",
    )
    assert violations(tmp_path) == []
