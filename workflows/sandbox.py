"""The workflow sandbox every worker, replayer and test runs workflows in.

The sandbox re-imports workflow code for each run, so that no state leaks between runs; a
module named here is shared from the worker's own imports instead. The list is explicit and
minimal: `tests/workflow/test_sandbox.py` fails when an entry is unused, and when a workflow
module reaches anything beyond what workflows may import.
"""

import compileall
import functools
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any

from temporalio.worker import WorkflowInstance, WorkflowInstanceDetails
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions
from temporalio.worker.workflow_sandbox._runner import _Instance

# The SDK's defaults already pass through the standard library, temporalio, pydantic,
# pydantic_core and annotated_types; only our own modules are listed here.
PASSTHROUGH_MODULES = (
    # Pure, immutable pydantic models and rules: shared, a payload decodes to the same class
    # the worker and the API use, and models are not rebuilt for every workflow run.
    "onceonly.domain",
    # Workflow helpers with no workflow code in them: pure consent rules, attribute keys. Not
    # re-imported for every new event (as the SDK advises for such modules); the modules
    # with workflow code stay in the sandbox, under its checks.
    "workflows.consent",
    "workflows.search_attributes",
)
WORKFLOW_PACKAGE = Path(__file__).parent


def workflow_runner() -> SandboxedWorkflowRunner:
    """The sandboxed runner with the project's passthrough modules."""
    compile_workflow_modules()
    restrictions = SandboxRestrictions.default.with_passthrough_modules(*PASSTHROUGH_MODULES)
    return CompiledCodeRunner(restrictions=restrictions)


@dataclass(frozen=True)
class CompiledCodeRunner(SandboxedWorkflowRunner):
    """The SDK's sandboxed runner, with each of its few snippets of code compiled once.

    The SDK enters a workflow's sandbox by `exec` of a short code string, compiled again each
    time: for every activation, and three times for every payload a workflow task carries (to
    find its serialization context). That compiling was a tenth of the worker's busy time
    (py-spy, bench/profile.py). The snippets and everything they do are the SDK's own.
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


def compile_workflow_modules() -> bool:
    """Write the workflow modules' bytecode where Python looks for it, unless it is there and
    current; False when it cannot be written (a read-only install compiles its own).

    Each new workflow imports them again in its sandbox, and an import without bytecode on
    disk compiles the source: about 20 ms of a worker's time per new event. Imports write
    bytecode themselves, except where PYTHONDONTWRITEBYTECODE is set, as it often is.
    """
    return compileall.compile_dir(WORKFLOW_PACKAGE, maxlevels=0, quiet=2)
