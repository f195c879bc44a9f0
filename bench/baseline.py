"""The baseline: the least a Temporal workflow can do for the same work as a birth.

One signal (the citizen's decision), then five HTTP activities in the birth's shape: one
first, then two chains of two side by side. No consent timers, no search attributes, no
encryption, no pydantic: what is left is Temporal's own cost, which our throughput is
measured against. Its worker (`python -m bench.baseline_worker`) runs on a task queue of its
own, against the same dev server and the same mock process.
"""

import asyncio
from datetime import timedelta

from temporalio import workflow

TASK_QUEUE = "bench-baseline"
WORKFLOW_TYPE = "BenchBaseline"
ACTIVITY = "call_agency"
# As long as onceonly's agency call timeout, so a lost call costs both the same.
CALL_TIMEOUT = timedelta(seconds=30)


@workflow.defn(name=WORKFLOW_TYPE)
class BaselineWorkflow:
    """Wait for one signal, then call the mock process five times in the birth's shape."""

    def __init__(self) -> None:
        self._decided = False

    @workflow.signal
    def decide(self) -> None:
        """The decision that lets the calls go."""
        self._decided = True

    @workflow.run
    async def run(self, url: str) -> None:
        """Call `url` once, then twice in each of two parallel chains."""
        await workflow.wait_condition(lambda: self._decided)
        await self._call(url)
        await asyncio.gather(self._chain(url), self._chain(url))

    async def _chain(self, url: str) -> None:
        await self._call(url)
        await self._call(url)

    async def _call(self, url: str) -> None:
        await workflow.execute_activity(ACTIVITY, url, start_to_close_timeout=CALL_TIMEOUT)
