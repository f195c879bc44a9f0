"""One run of a batch-file agency's exchange, as each agency's Temporal Schedule starts it
(onceonly.batch_schedules): apply the agency's acknowledgements, then send its ended period's
file. A workflow, not a cron job on one machine, so that it runs once per period on whichever
worker is up, and a run cut short by a worker's loss is finished by another (its activities
are idempotent: see activities/batch_exchange.py).
"""

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from onceonly.domain.batch import (
    BATCH_EXCHANGE_WORKFLOW,
    EXPORT_BATCH,
    IMPORT_BATCH,
    BatchRun,
    BatchRunReport,
)

# Reading a day's acknowledgements or writing a day's file: minutes at the most.
STEP_TIMEOUT = timedelta(minutes=10)
# A full disk or a store that is down mends itself, or an operator mends it: keep trying,
# spaced out, for an hour; then the run fails (operators see it) and the schedule's next run
# (which skips while one is running) takes up what was left, as every run does.
RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=5))
GIVE_UP = timedelta(hours=1)


@workflow.defn(name=BATCH_EXCHANGE_WORKFLOW)
class BatchExchangeWorkflow:
    """Import the agency's acknowledgements, then export its ended period."""

    @workflow.run
    async def run(self, run: BatchRun) -> BatchRunReport:
        """What the run applied and sent (ids and counts only)."""
        due = BatchRun(agency=run.agency, at=run.at or workflow.now())
        imported = await workflow.execute_activity(
            IMPORT_BATCH,
            due,
            result_type=BatchRunReport,
            start_to_close_timeout=STEP_TIMEOUT,
            schedule_to_close_timeout=GIVE_UP,
            retry_policy=RETRY,
        )
        exported = await workflow.execute_activity(
            EXPORT_BATCH,
            due,
            result_type=BatchRunReport,
            start_to_close_timeout=STEP_TIMEOUT,
            schedule_to_close_timeout=GIVE_UP,
            retry_policy=RETRY,
        )
        return BatchRunReport(
            agency=run.agency,
            files=[*imported.files, *exported.files],
            items=imported.items + exported.items,
            woken=imported.woken,
            refused=imported.refused,
        )
