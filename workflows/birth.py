"""The birth life event: register the birth, then IRD number -> Best Start, and in parallel
health enrolment -> the National Immunisation Register, each behind the parent's consent.
"""

from temporalio import workflow

from onceonly.domain.birth import BirthStart
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.life_event import LifeEventProgress
from workflows.steps import LifeEventWorkflow

ADDED_STEPS = {"immunisation_register": "birth-immunisation-register"}
"""Steps added after birth events were already running, each with the patch that guards it:
an event started before the patch goes on without the step (see CONTRIBUTING.md)."""


@workflow.defn(name="birth")
class BirthWorkflow(LifeEventWorkflow):
    """A baby's birth, told to government once."""

    @workflow.init
    def __init__(self, start: BirthStart) -> None:
        super().__init__(BIRTH, start, start.data, ADDED_STEPS)

    @workflow.run
    async def run(self, start: BirthStart) -> LifeEventProgress:
        """Run the birth's steps to their end."""
        return await self.run_steps()
