"""A death: BDM registers it (unless the funeral director already has), then each agency
that knew the person is told, behind the notifier's consent, with the registration number.
"""

from temporalio import workflow

from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathStart
from onceonly.domain.life_event import LifeEventProgress
from workflows.steps import LifeEventWorkflow


@workflow.defn(name="death")
class DeathWorkflow(LifeEventWorkflow):
    """A death, told to government once by the next of kin or executor."""

    @workflow.init
    def __init__(self, start: DeathStart) -> None:
        super().__init__(DEATH, start, start.data)

    @workflow.run
    async def run(self, start: DeathStart) -> LifeEventProgress:
        """Run the death's steps to their end."""
        return await self.run_steps()
