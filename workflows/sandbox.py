"""The workflow sandbox every worker, replayer and test runs workflows in.

The sandbox re-imports workflow code for each run, so that no state leaks between runs; a
module named here is shared from the worker's own imports instead. The list is explicit and
minimal: `tests/workflow/test_sandbox.py` fails when an entry is unused, and when a workflow
module reaches anything beyond what workflows may import.
"""

import compileall
from pathlib import Path

from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

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
    return SandboxedWorkflowRunner(restrictions=restrictions)


def compile_workflow_modules() -> bool:
    """Write the workflow modules' bytecode where Python looks for it, unless it is there and
    current; False when it cannot be written (a read-only install compiles its own).

    Each new workflow imports them again in its sandbox, and an import without bytecode on
    disk compiles the source: about 20 ms of a worker's time per new event. Imports write
    bytecode themselves, except where PYTHONDONTWRITEBYTECODE is set, as it often is.
    """
    return compileall.compile_dir(WORKFLOW_PACKAGE, maxlevels=0, quiet=2)
