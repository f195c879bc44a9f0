"""A birth workflow changed without `workflow.patched`: before its steps it sleeps, a timer
command that no recorded history has. Registered under the real name, "birth", so replaying
a committed history against it must be caught as non-deterministic.

It lives in a module of its own because the workflow sandbox re-imports a workflow's module.
"""

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from onceonly.domain.birth import BirthStart
    from onceonly.domain.life_event import LifeEventProgress
    from workflows.birth import BirthWorkflow


@workflow.defn(name="birth")
class DriftedBirthWorkflow(BirthWorkflow):
    """The birth, with an extra timer before its steps."""

    @workflow.run
    async def run(self, start: BirthStart) -> LifeEventProgress:
        """Sleep (the drift), then run the birth's steps as before."""
        await workflow.sleep(timedelta(seconds=1))
        return await self.run_steps()
