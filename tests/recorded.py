"""What a workflow history recorded, for the tests that read recorded histories and the ones
that read a history just made: the patches its markers name, the queues its calls went to."""

import json

from temporalio.client import WorkflowHistory

from onceonly.domain.submission import SUBMIT_TO_AGENCY


def patch_ids(history: WorkflowHistory) -> list[str]:
    """The patches a history's markers say its event took."""
    markers = [
        event.marker_recorded_event_attributes
        for event in history.events
        if event.HasField("marker_recorded_event_attributes")
    ]
    return [
        json.loads(marker.details["patch-data"].payloads[0].data)["id"]
        for marker in markers
        if marker.marker_name == "core_patch"
    ]


def submission_queues(history: WorkflowHistory) -> set[str]:
    """The task queues a history's agency submissions were scheduled on."""
    return {
        event.activity_task_scheduled_event_attributes.task_queue.name
        for event in history.events
        if event.HasField("activity_task_scheduled_event_attributes")
        and event.activity_task_scheduled_event_attributes.activity_type.name == SUBMIT_TO_AGENCY
    }
