"""What a workflow history's markers say, for the tests that read recorded histories and the
ones that read a history just made."""

import json

from temporalio.client import WorkflowHistory


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
