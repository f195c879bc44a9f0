"""Moving house: the mover's driver licence, electoral roll, IRD, MSD, health record, council,
ACC and the Ministry of Justice's fines collection (by its daily file, a step added behind its
catalogue patch `move-fines-address`) are told of the new address, each behind the mover's own
consent. All steps are independent and run in parallel; those that do not apply (no dogs, no
licence) are shown so.
"""

from temporalio import workflow

from onceonly.domain.catalogue import MOVE
from onceonly.domain.life_event import LifeEventProgress
from onceonly.domain.move import MoveStart
from workflows.steps import LifeEventWorkflow


@workflow.defn(name="move")
class MoveWorkflow(LifeEventWorkflow):
    """A household's move, told to government once."""

    @workflow.init
    def __init__(self, start: MoveStart) -> None:
        super().__init__(MOVE, start, start.data)

    @workflow.run
    async def run(self, start: MoveStart) -> LifeEventProgress:
        """Run the move's steps to their end."""
        return await self.run_steps()
