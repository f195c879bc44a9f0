"""Prefill: look up, in parallel, the registers the citizen agreed to, and draft the parts of
their life event's data that government already holds.

A citizen is waiting on the answer, so each look-up gets a few quick tries; a register that
cannot answer in time is reported as unavailable and the citizen types that part instead.
"""

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.prefill import (
    Prefill,
    PrefillRequest,
    RegisterLookup,
    RegisterLookups,
    draft_from,
)

LOOK_UP_TIMEOUT = timedelta(seconds=5)
# Long enough for three quick tries, short enough for a person waiting at a form.
GIVE_UP_AFTER = timedelta(seconds=15)
LOOK_UP_RETRY_POLICY = RetryPolicy(initial_interval=timedelta(milliseconds=500), maximum_attempts=3)


@workflow.defn(name="prefill")
class PrefillWorkflow:
    """One citizen's prefill of one life event."""

    @workflow.run
    async def run(self, request: PrefillRequest) -> Prefill:
        """Look up every agreed register and answer with the draft."""
        spec = CATALOGUE.event(request.event_type)
        answers = await asyncio.gather(
            *(self._look_up(request.lookup(source)) for source in request.sources)
        )
        found = {
            source: answer
            for source, answer in zip(request.sources, answers, strict=True)
            if answer is not None
        }
        draft = draft_from(spec, found)
        return draft.model_copy(
            update={
                "citizen_key": request.citizen_key,
                "unavailable": tuple(source for source in request.sources if source not in found),
            }
        )

    async def _look_up(self, lookup: RegisterLookup) -> dict[str, Any] | None:
        try:
            return await workflow.execute_activity_method(
                RegisterLookups.look_up_register,
                lookup,
                start_to_close_timeout=LOOK_UP_TIMEOUT,
                schedule_to_close_timeout=GIVE_UP_AFTER,
                retry_policy=LOOK_UP_RETRY_POLICY,
                summary=f"look up {lookup.source}",
            )
        except ActivityError:
            return None
