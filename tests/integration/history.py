"""What a life event's Temporal workflow recorded, as an operator's client sees it: the
Updates it accepted (a callback that reached it is one), the activities it ran, and the agency
calls it is still retrying.
"""

import asyncio

from temporalio.client import WorkflowHistory

from onceonly.temporal import connect
from tests.integration.conftest import Stack

OUTCOME_READY = "agency_outcome_ready"
"""The Update a verified agency callback sends the event's workflow."""


def history(stack: Stack, event_id: str) -> WorkflowHistory:
    async def fetch() -> WorkflowHistory:
        client = await connect(stack.settings)
        return await client.get_workflow_handle(event_id).fetch_history()

    return asyncio.run(fetch())


def updates_accepted(stack: Stack, event_id: str) -> list[str]:
    """The names of the Updates the event's workflow accepted, in order (the consents too)."""
    return [
        event.workflow_execution_update_accepted_event_attributes.accepted_request.input.name
        for event in history(stack, event_id).events
        if event.HasField("workflow_execution_update_accepted_event_attributes")
    ]


def wakes(stack: Stack, event_id: str) -> int:
    """How many agencies' callbacks reached the event's workflow."""
    return updates_accepted(stack, event_id).count(OUTCOME_READY)


def activities_scheduled(stack: Stack, event_id: str) -> list[str]:
    return [
        event.activity_task_scheduled_event_attributes.activity_type.name
        for event in history(stack, event_id).events
        if event.HasField("activity_task_scheduled_event_attributes")
    ]


def pending_submissions(stack: Stack, event_id: str) -> list[tuple[int, str]]:
    """The event's agency calls under way: each one's attempt and its last failure (which
    Temporal holds encrypted, as every payload)."""

    async def describe() -> list[tuple[int, str]]:
        client = await connect(stack.settings)
        described = await client.get_workflow_handle(event_id).describe()
        return [
            (pending.attempt, str(await client.data_converter.decode_failure(pending.last_failure)))
            for pending in described.raw_description.pending_activities
            if pending.activity_type.name == "submit_to_agency"
        ]

    return asyncio.run(describe())
