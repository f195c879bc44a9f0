"""The birth life event: register the birth, then IRD number -> Best Start, and in parallel
health enrolment, each behind the parent's consent.
"""

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from onceonly.domain.birth import BirthStart
    from onceonly.domain.catalogue import BIRTH
    from onceonly.domain.life_event import LifeEventProgress
    from workflows.steps import LifeEventWorkflow


@workflow.defn(name="birth")
class BirthWorkflow(LifeEventWorkflow):
    """A baby's birth, told to government once."""

    @workflow.init
    def __init__(self, start: BirthStart) -> None:
        super().__init__(BIRTH, start, start.data)

    @workflow.run
    async def run(self, start: BirthStart) -> LifeEventProgress:
        """Run the birth's steps to their end."""
        return await self.run_steps()
