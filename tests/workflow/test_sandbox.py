"""The workflow sandbox: workflow modules reach only what workflows may import, each workflow
loads in the sandbox as the worker loads it, the passthrough list has no spare entry, and the
worker process uses it only when its settings ask.
"""

import ast
import importlib.util
import inspect
import sys
from pathlib import Path

import httpx
import pytest
from temporalio import workflow
from temporalio.worker import UnsandboxedWorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

from onceonly.store import opened_store
from onceonly.temporal import WORKFLOWS
from onceonly.worker import build_workers
from tests.layering import importable_by
from workflows.sandbox import (
    PASSTHROUGH_MODULES,
    WORKFLOW_PACKAGE,
    KeptCodeLoader,
    WorkflowCodeKeeper,
    _compiled,
    workflow_runner,
)

# Our own top-level packages: followed into, module by module.
FIRST_PARTY = frozenset({"onceonly", "workflows", "activities", "adapters", "mocks", "tests"})
# The SDK and the model library (and what pydantic models import): deterministic, no I/O.
# The domain's identifier and contact rules (IRD numbers, phone numbers, email syntax): pure
# functions over strings. email_validator loads its DNS check only when asked, and never is.
ALLOWED_THIRD_PARTY = frozenset(
    {"temporalio", "pydantic", "pydantic_core", "annotated_types", "typing_extensions"}
    | {"stdnum", "phonenumbers", "email_validator"}
)
# Workflow code itself and what the layering lets it import (tests/layering.py).
ALLOWED_OWN = importable_by("workflows")
ALLOWED_PACKAGES = frozenset({"onceonly"})


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def _imports(module: str) -> set[str]:
    """Every module `module`'s source imports, anywhere in it, with their parent packages."""
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None, f"{module}: no source"
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            # `from pkg import mod` imports the submodule pkg.mod.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if base.split(".")[0] in FIRST_PARTY and _is_module(candidate):
                    names.add(candidate)
    with_parents = set(names)
    for name in names:
        parts = name.split(".")
        with_parents.update(".".join(parts[:end]) for end in range(1, len(parts)))
    return with_parents


def reached_from(module: str) -> dict[str, str]:
    """Every non-stdlib module `module` imports, transitively through our own modules, each
    with the module that imports it."""
    reached: dict[str, str] = {module: module}
    pending = [module]
    while pending:
        importer = pending.pop()
        for name in _imports(importer):
            if name.split(".")[0] in sys.stdlib_module_names or name in reached:
                continue
            reached[name] = importer
            if name.split(".")[0] in FIRST_PARTY:
                pending.append(name)
    return reached


def allowed(module: str) -> bool:
    """Whether workflow code may import `module`."""
    return (
        module.split(".", maxsplit=1)[0] in ALLOWED_THIRD_PARTY
        or module in ALLOWED_PACKAGES
        or any(module == own or module.startswith(f"{own}.") for own in ALLOWED_OWN)
    )


@pytest.mark.parametrize("workflow_class", WORKFLOWS, ids=lambda cls: cls.__name__)
def test_workflow_modules_import_only_what_workflows_may(workflow_class):
    reached = reached_from(workflow_class.__module__)
    forbidden = sorted(
        f"{name} (imported by {by})" for name, by in reached.items() if not allowed(name)
    )
    assert not forbidden, (
        f"{workflow_class.__name__} reaches modules barred from workflow code: "
        + (", ".join(forbidden))
    )


@pytest.mark.parametrize("workflow_class", WORKFLOWS, ids=lambda cls: cls.__name__)
async def test_each_workflow_loads_in_the_sandbox_as_the_worker_loads_it(workflow_class):
    # The worker validates each workflow this way when it starts: a fake run in the sandbox,
    # on a running event loop.
    workflow_runner().prepare_workflow(workflow._Definition.must_from_class(workflow_class))


def test_every_passthrough_module_is_used_by_a_workflow():
    reached = set().union(*(reached_from(cls.__module__) for cls in WORKFLOWS))
    unused = [
        entry
        for entry in PASSTHROUGH_MODULES
        if not any(name == entry or name.startswith(f"{entry}.") for name in reached)
    ]
    assert not unused, f"passthrough modules no workflow imports: {unused}"


def test_the_sdk_still_passes_through_the_libraries_we_do_not_list():
    # Why PASSTHROUGH_MODULES holds no other library; should the SDK drop one, list it.
    assert {"pydantic", "pydantic_core", "temporalio"} <= (
        SandboxRestrictions.passthrough_modules_default
    )


async def test_each_new_sandbox_runs_the_workflow_modules_from_code_loaded_once():
    defn = workflow._Definition.must_from_class(WORKFLOWS[0])
    runner = workflow_runner()  # every replayer and workflow test, and a worker that asks
    runner.prepare_workflow(defn)
    steps = str(WORKFLOW_PACKAGE / "steps.py")
    first = KeptCodeLoader._kept[steps][1]
    runner.prepare_workflow(defn)  # a new sandbox: the module runs again, from the same code
    assert KeptCodeLoader._kept[steps][1] is first


def test_only_the_workflow_packages_modules_are_kept():
    keeper = WorkflowCodeKeeper()
    assert keeper.find_spec("onceonly.settings") is None
    spec = keeper.find_spec("workflows.steps", [str(WORKFLOW_PACKAGE)])
    assert spec is not None and isinstance(spec.loader, KeptCodeLoader)


def test_a_changed_source_file_is_loaded_again(tmp_path):
    source = tmp_path / "module_under_test.py"
    loader = KeptCodeLoader("module_under_test", str(source))

    def value() -> object:
        namespace: dict[str, object] = {}
        exec(loader.get_code("module_under_test"), namespace)
        return namespace["VALUE"]

    source.write_text("VALUE = 1\n")
    assert value() == 1
    assert loader.get_code("module_under_test") is loader.get_code("module_under_test")
    source.write_text("VALUE = 22\n")  # another size, whatever the clock's resolution
    assert value() == 22


async def test_the_runner_compiles_the_sdks_sandbox_snippets_once():
    # CompiledCodeRunner overrides a private SDK method: should an SDK upgrade rename it, the
    # override would silently do nothing, so this fails instead.
    assert inspect.signature(_Instance._run_code).parameters.keys() == {
        "self",
        "code",
        "extra_globals",
    }
    defn = workflow._Definition.must_from_class(WORKFLOWS[0])
    runner = workflow_runner()
    runner.prepare_workflow(defn)
    before = _compiled.cache_info()
    runner.prepare_workflow(defn)  # the same snippets again: compiled already
    after = _compiled.cache_info()
    assert after.hits > before.hits
    assert after.misses == before.misses


@pytest.mark.parametrize("sandboxed", [True, False])
async def test_the_worker_process_runs_workflows_in_the_sandbox_only_when_asked(
    time_skipping_env, settings, tmp_path, sandboxed
):
    settings = settings.model_copy(update={"state_dir": tmp_path, "workflow_sandbox": sandboxed})
    async with httpx.AsyncClient() as http, opened_store(settings) as store:
        main, *_ = build_workers(time_skipping_env.client, settings, http, store)
    runner = main.config()["workflow_runner"]
    assert isinstance(runner, SandboxedWorkflowRunner) is sandboxed
    assert isinstance(runner, UnsandboxedWorkflowRunner) is not sandboxed
