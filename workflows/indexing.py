"""Every change of a step goes through `record`, which keeps the event's search attributes in
step with its state: upserted only when what they show changed (each upsert is a history
event), at once or, in batched runs, once for all the changes made together.
"""

import asyncio
from typing import Any

from temporalio import workflow
from temporalio.common import SearchAttributeUpdate

from onceonly.domain import search_attributes
from onceonly.domain.life_event import StepState
from workflows.event_state import EventState


def record(state: EventState, step_id: str, new: StepState, **details: Any) -> None:
    """Move a step to `new` now, and index the event's state."""
    state.change(step_id, new, workflow.now(), **details)
    if not state.batched:
        upsert(state)
    elif not state.upsert_due:
        # Once the changes made together with this one are made (the rest of a batch of
        # decisions, say): one upsert, one history event, for them all.
        state.upsert_due = True
        asyncio.get_running_loop().call_soon(_upsert_when_due, state)


def _upsert_when_due(state: EventState) -> None:
    state.upsert_due = False
    upsert(state)


def upsert(state: EventState) -> None:
    """Index the status, open checkpoints and failed steps, only when they change."""
    indexed = state.index_change()
    if indexed is None:
        return
    updates: list[SearchAttributeUpdate[Any]] = [
        search_attributes.STATUS.value_set(indexed.status),
        search_attributes.AWAITING_CONSENT.value_set(indexed.awaiting_consent),
        search_attributes.FAILED_STEPS.value_set(indexed.failed_steps),
        search_attributes.UPDATED_AT.value_set(workflow.now()),
    ]
    if state.lifecycle:  # runs from before it upsert as they did
        updates.append(search_attributes.NEEDS_ATTENTION.value_set(indexed.needs_attention))
    workflow.upsert_search_attributes(updates)


def index_party_keys(state: EventState) -> None:
    """Index the keys of the parties who joined, so the API can check a caller's access."""
    workflow.upsert_search_attributes(
        [search_attributes.PARTY_KEYS.value_set(" ".join(sorted(state.party_keys.values())))]
    )
