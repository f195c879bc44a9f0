"""The workflow sandbox the workflow tests and every replay run workflows in, and a worker
when its settings ask (`ONCEONLY_WORKFLOW_SANDBOX`).

The sandbox re-imports workflow code for each run, so that no state leaks between runs; a
module named here is shared from the worker's own imports instead. The list is explicit and
minimal: `tests/workflow/test_sandbox.py` fails when an entry is unused, and when a workflow
module reaches anything beyond what workflows may import.

Two costs of the SDK's sandbox are paid once per process here rather than over and over: the
workflow modules' code objects (`WorkflowCodeKeeper`), and the SDK's own snippets of code that
enter a sandbox (`CompiledCodeRunner`). Neither changes what runs in the sandbox.
"""

import functools
import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any, ClassVar

from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

# The SDK's defaults already pass through the standard library, temporalio, pydantic,
# pydantic_core and annotated_types; our own modules are listed here, and the libraries the
# domain's rules call.
PASSTHROUGH_MODULES = (
    # Pure, immutable pydantic models and rules: shared, a payload decodes to the same class
    # the worker and the API use, and models are not rebuilt for every workflow run.
    "onceonly.domain",
    # Workflow helpers with no workflow code in them: pure consent rules. Not re-imported for
    # every new event (as the SDK advises for such modules); the modules with workflow code
    # stay in the sandbox, under its checks.
    "workflows.consent",
    # The domain's identifier and contact rules (a correction is checked in the workflow as at
    # intake): pure functions over strings. phonenumbers loads a region's data on first use,
    # an import that must not run again, under the sandbox's restrictions, for every event.
    "stdnum",
    "phonenumbers",
    "email_validator",
)
WORKFLOW_PACKAGE = Path(__file__).parent


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandboxed runner with the project's passthrough modules."""
    keep_workflow_code()
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    return CompiledCodeRunner(restrictions=restrictions)


@dataclass(frozen=True)
class CompiledCodeRunner(SandboxedWorkflowRunner):
    """The SDK's sandboxed runner, with each of its few snippets of code compiled once.

    The SDK enters a workflow's sandbox by `exec` of a short code string, compiled again each
    time: for every activation, and three times for every payload a workflow task carries (to
    find its serialization context). That compiling was 7% of the worker's time (py-spy
    `--gil`, bench/profile.py). The snippets and everything they do are the SDK's own.
    """

    def create_instance(self, det: WorkflowInstanceDetails) -> WorkflowInstance:
        """A sandboxed instance that runs the SDK's snippets compiled once."""
        return _CompiledCodeInstance(det, self.runner_class, self.restrictions)


class _CompiledCodeInstance(_Instance):
    def _run_code(self, code: str, **extra_globals: Any) -> None:
        # exec() takes a code object where the SDK passes the string.
        super()._run_code(_compiled(code), **extra_globals)  # type: ignore[arg-type]


@functools.lru_cache(maxsize=256)
def _compiled(code: str) -> CodeType:
    """`code` compiled as the SDK's exec() would compile it; the snippets are a handful of
    constant strings (one per workflow class to load), so the cache stays small."""
    return compile(code, "<string>", "exec")


def keep_workflow_code() -> None:
    """Have the workflow package's modules load their code from memory after the first time
    (once per process; `WorkflowCodeKeeper`)."""
    if not any(isinstance(finder, WorkflowCodeKeeper) for finder in sys.meta_path):
        sys.meta_path.insert(0, WorkflowCodeKeeper())


class WorkflowCodeKeeper(importlib.abc.MetaPathFinder):
    """Finds the workflow package's modules as Python does, with a loader that keeps each
    one's code object in memory, for as long as its source file is unchanged.

    Each new workflow run imports these modules again in its sandbox: reading and unmarshalling
    their bytecode every time was 6% of a busy worker's time, and compiling their source, where
    nothing writes bytecode (PYTHONDONTWRITEBYTECODE), about 10 ms per new event. Code objects
    are immutable: every run still executes the module afresh, as the sandbox intends.
    """

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """The module's spec as the path finder has it, with a code-keeping loader when it
        is a source file of the workflow package."""
        if fullname.partition(".")[0] != WORKFLOW_PACKAGE.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        loader = spec.loader if spec is not None else None
        if isinstance(loader, importlib.machinery.SourceFileLoader) and _in_package(loader.path):
            assert spec is not None
            spec.loader = KeptCodeLoader(loader.name, loader.path)
        return spec


def _in_package(path: str) -> bool:
    return Path(path).parent == WORKFLOW_PACKAGE


class KeptCodeLoader(importlib.machinery.SourceFileLoader):
    """A source file's loader that compiles (or reads the bytecode of) each file once per
    process and version of the file, then hands out the same code object."""

    _kept: ClassVar[dict[str, tuple[tuple[float, int], CodeType]]] = {}

    def get_code(self, fullname: str) -> CodeType:
        """The module's code object: kept, unless its source file changed since."""
        stats = self.path_stats(self.path)
        version = (stats["mtime"], stats.get("size", 0))
        kept = self._kept.get(self.path)
        if kept is None or kept[0] != version:
            code = super().get_code(fullname)
            assert code is not None  # a source file always has code
            kept = (version, code)
            self._kept[self.path] = kept
        return kept[1]
