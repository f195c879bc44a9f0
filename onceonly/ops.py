"""What `onceonly ops` does: operators find, inspect, retry, correct and cancel life events
(the command line, its token check and its output are in `onceonly.ops_cli`).

Every command needs an operator's token (`--token` or ONCEONLY_OPERATOR_TOKEN); the operator's
name goes into the log line of every action, and of every `show --reveal`, which is the only
way to see personal values.
"""

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onceonly.api.corrections import start_correction
from onceonly.api.problems import ProblemError
from onceonly.domain import search_attributes
from onceonly.domain.corrections import (
    CorrectionOrder,
    CorrectionProgress,
    CorrectionRequest,
    FieldCorrection,
)
from onceonly.domain.life_event import LifeEventProgress, StepRetry
from onceonly.domain.submission import SUBMIT_TO_AGENCY, AgencySubmission
from workflows.steps import LifeEventWorkflow

MASK = "•••"
_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class OpsError(RuntimeError):
    """An operator command that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class ListFilters:
    """What `ops list` narrows the events to."""

    status: str | None = None
    event_type: str | None = None
    agency: str | None = None
    stuck_for: timedelta | None = None
    awaiting_consent: bool = False
    failed: bool = False
    attention: bool = False


def parse_duration(text: str) -> timedelta:
    """'90s', '15m', '2h' or '3d' as a timedelta."""
    unit = text[-1:]
    if unit not in _DURATION_UNITS or not text[:-1].isdigit():
        raise argparse.ArgumentTypeError("must be a number and a unit: s, m, h or d (as in 2h)")
    return timedelta(seconds=int(text[:-1]) * _DURATION_UNITS[unit])


def _quoted(value: str) -> str:
    # Visibility queries take single-quoted strings; operators' filters must not break out.
    if "'" in value or "\\" in value:
        raise OpsError(f"filter value {value!r} may not contain quotes or backslashes")
    return f"'{value}'"


def visibility_query(filters: ListFilters, now: datetime) -> str:
    """The Temporal visibility query for the filters (always only onceonly's events)."""
    clauses = [f"{search_attributes.EVENT_TYPE.name} IS NOT NULL"]
    if filters.event_type:
        clauses.append(f"{search_attributes.EVENT_TYPE.name} = {_quoted(filters.event_type)}")
    if filters.status:
        clauses.append(f"{search_attributes.STATUS.name} = {_quoted(filters.status)}")
    if filters.agency:
        clauses.append(f"{search_attributes.AGENCIES.name} = {_quoted(filters.agency)}")
    if filters.awaiting_consent:
        clauses.append(f"{search_attributes.AWAITING_CONSENT.name} IS NOT NULL")
    if filters.failed:
        clauses.append(f"{search_attributes.FAILED_STEPS.name} IS NOT NULL")
    if filters.attention:
        clauses.append(f"{search_attributes.NEEDS_ATTENTION.name} = true")
    if filters.stuck_for is not None:
        since = (now - filters.stuck_for).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        clauses.append(f"{search_attributes.UPDATED_AT.name} < '{since}'")
        clauses.append("ExecutionStatus = 'Running'")
    return " AND ".join(clauses)


def table(rows: Sequence[Sequence[str]]) -> str:
    """Rows as aligned columns, the first row being the header."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def masked(disclosure: dict[str, Any], reveal: bool) -> dict[str, Any]:
    """The disclosure's values, or a mask over each unless the operator asked to reveal."""
    return disclosure if reveal else dict.fromkeys(disclosure, MASK)


async def list_events(client: Client, filters: ListFilters) -> list[dict[str, Any]]:
    """The matching events, newest first, as plain dicts."""
    events = []
    async for execution in client.list_workflows(visibility_query(filters, datetime.now(UTC))):
        attributes = execution.typed_search_attributes
        updated = attributes.get(search_attributes.UPDATED_AT)
        events.append(
            {
                "id": execution.id,
                "event_type": attributes.get(search_attributes.EVENT_TYPE),
                "status": attributes.get(search_attributes.STATUS),
                "awaiting_consent": list(attributes.get(search_attributes.AWAITING_CONSENT) or []),
                "failed_steps": list(attributes.get(search_attributes.FAILED_STEPS) or []),
                "started_at": execution.start_time.isoformat(),
                "updated_at": updated.isoformat() if updated else None,
            }
        )
    return sorted(events, key=lambda event: event["started_at"], reverse=True)


async def show_event(client: Client, event_id: str, reveal: bool) -> dict[str, Any]:
    """The event's steps with their states, attempts, errors and what each agency was sent."""
    handle = client.get_workflow_handle(event_id)
    progress: LifeEventProgress = await handle.query(LifeEventWorkflow.progress)
    sent: dict[str, dict[str, Any]] = {}
    async for event in handle.fetch_history_events():
        scheduled = event.activity_task_scheduled_event_attributes
        if (
            event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            and scheduled.activity_type.name == SUBMIT_TO_AGENCY
        ):
            [submission] = await client.data_converter.decode(
                event.activity_task_scheduled_event_attributes.input.payloads, [AgencySubmission]
            )
            sent[submission.step_id] = masked(submission.disclosure, reveal)
    description = await handle.describe()
    return {
        "id": progress.event_id,
        "event_type": progress.event_type,
        "status": progress.status.value,
        "temporal_status": description.status.name if description.status else None,
        "started_at": progress.started_at.isoformat(),
        "steps": [
            {
                "id": step.step_id,
                "state": step.state.value,
                "attempts": step.attempts,
                "reference": step.reference,
                "error": step.error,
                "updated_at": step.updated_at.isoformat(),
                "sent": sent.get(step.step_id),
            }
            for step in progress.steps
        ],
    }


async def retry_step(client: Client, event_id: str, step_id: str) -> LifeEventProgress:
    """Send a failed step again."""
    handle = client.get_workflow_handle(event_id)
    try:
        return await handle.execute_update(LifeEventWorkflow.retry_step, StepRetry(step_id=step_id))
    except WorkflowUpdateFailedError as failure:
        cause = failure.cause
        reason = cause.message if isinstance(cause, ApplicationError) else str(failure)
        raise OpsError(reason) from None
    except RPCError as error:
        if error.status is RPCStatusCode.NOT_FOUND:
            raise OpsError(f"{event_id}: no such event, or it has ended") from None
        raise


def parse_assignment(text: str) -> FieldCorrection:
    """`path=text` sets a text value; `path:=json` sets any JSON value (a number, null, an
    object), as httpie writes them."""
    path, json_sep, value = text.partition(":=")
    if not json_sep:
        path, text_sep, value = text.partition("=")
        if not text_sep:
            raise argparse.ArgumentTypeError("must be path=text or path:=json")
    try:
        parsed = json.loads(value) if json_sep else value
        return FieldCorrection(path=path, value=parsed)
    except (ValueError, TypeError):
        # Neither the value nor the path is echoed: the value is personal data.
        raise argparse.ArgumentTypeError(
            "the path must be a dotted field name and a := value JSON"
        ) from None


async def correct_fields(
    client: Client, event_id: str, corrections: Sequence[FieldCorrection], reason: str
) -> CorrectionProgress:
    """Correct fields of the event at an operator's request; each agency holding one is sent
    its correction, or marked for a manual one."""
    try:
        request = CorrectionRequest(corrections=tuple(corrections), reason=reason)
    except ValueError as error:
        raise OpsError(f"correction: {error}") from None
    order = CorrectionOrder(request=request, by="operator")
    try:
        return await start_correction(client.get_workflow_handle(event_id), order)
    except ProblemError as problem:
        raise OpsError(f"{event_id}: {problem.problem.detail}") from None


async def cancel_event(client: Client, event_id: str, operator: str, reason: str) -> None:
    """Ask the event to cancel, recording who asked and why (in clear: no personal data)."""
    await client.get_workflow_handle(event_id).cancel(reason=f"{operator}: {reason}")
