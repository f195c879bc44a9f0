"""`onceonly ops`: operators find, inspect, retry, correct and cancel life events.

Every command needs an operator's token (`--token` or ONCEONLY_OPERATOR_TOKEN); the operator's
name goes into the log line of every action, and of every `show --reveal`, which is the only
way to see personal values. Tables for people; `--json` for scripts.
"""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from onceonly import ops_report
from onceonly.api.corrections import start_correction
from onceonly.api.problems import ProblemError
from onceonly.auth import InvalidToken, verify_token
from onceonly.domain import search_attributes
from onceonly.domain.corrections import (
    CorrectionOrder,
    CorrectionProgress,
    CorrectionRequest,
    FieldCorrection,
)
from onceonly.domain.life_event import LifeEventProgress, StepRetry
from onceonly.domain.submission import SUBMIT_TO_AGENCY, AgencySubmission
from onceonly.logs import configure_logging
from onceonly.settings import Settings, get_settings
from onceonly.temporal import connect
from workflows.steps import LifeEventWorkflow

log = structlog.get_logger(__name__)
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


def _render_correction(correction: CorrectionProgress) -> str:
    head = f"correction {correction.number} ({correction.correction_id}): {correction.state}"
    rows = [("step", "agency", "state", "reference / note")]
    rows += [
        (a.step_id, a.agency, a.state, a.reference or a.note or "-") for a in correction.agencies
    ]
    return f"{head}, fields {', '.join(correction.paths)}\n{table(rows)}"


async def cancel_event(client: Client, event_id: str, operator: str, reason: str) -> None:
    """Ask the event to cancel, recording who asked and why (in clear: no personal data)."""
    await client.get_workflow_handle(event_id).cancel(reason=f"{operator}: {reason}")


def _render_list(events: list[dict[str, Any]]) -> str:
    rows = [("id", "type", "status", "awaiting consent", "failed", "updated")]
    rows += [
        (
            e["id"],
            e["event_type"] or "-",
            e["status"] or "-",
            ",".join(e["awaiting_consent"]) or "-",
            ",".join(e["failed_steps"]) or "-",
            e["updated_at"] or "-",
        )
        for e in events
    ]
    return table(rows) + f"\n{len(events)} event(s)"


def _render_show(event: dict[str, Any]) -> str:
    head = (
        f"{event['id']}  {event['event_type']}  {event['status']}  (started {event['started_at']})"
    )
    rows = [("step", "state", "attempts", "reference / error", "sent")]
    for step in event["steps"]:
        sent = step["sent"]
        shown = (
            ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in sent.items())
            if sent
            else "-"
        )
        rows.append(
            (
                step["id"],
                step["state"],
                str(step["attempts"]),
                step["reference"] or step["error"] or "-",
                shown,
            )
        )
    return f"{head}\n{table(rows)}"


def _operator(settings: Settings, token: str | None) -> str:
    if not token:
        raise OpsError("an operator token is required: --token or ONCEONLY_OPERATOR_TOKEN")
    try:
        caller = verify_token(settings, token)
    except InvalidToken as reason:
        raise OpsError(f"operator token: {reason}") from None
    if caller.role != "operator":
        raise OpsError("operator token: this command needs a token of role operator")
    return caller.subject


async def _run(args: argparse.Namespace) -> str:
    settings = get_settings()
    operator = _operator(settings, args.token or os.environ.get("ONCEONLY_OPERATOR_TOKEN"))
    client = await connect(settings)
    as_json: bool = getattr(args, "json", False)
    if args.ops_command == "list":
        filters = ListFilters(
            args.status,
            args.type,
            args.agency,
            args.stuck_for,
            args.awaiting_consent,
            args.failed,
            args.attention,
        )
        events = await list_events(client, filters)
        return json.dumps(events, indent=2) if as_json else _render_list(events)
    log.info(
        f"ops.{args.ops_command}",
        operator=operator,
        event_id=args.event_id,
        reveal=getattr(args, "reveal", False),
    )
    if args.ops_command == "show":
        event = await show_event(client, args.event_id, args.reveal)
        return json.dumps(event, indent=2, ensure_ascii=False) if as_json else _render_show(event)
    if args.ops_command == "retry":
        progress = await retry_step(client, args.event_id, args.step_id)
        return f"{args.step_id}: retrying (event {progress.status.value})"
    if args.ops_command == "correct":
        correction = await correct_fields(client, args.event_id, args.set, args.reason)
        return correction.model_dump_json(indent=2) if as_json else _render_correction(correction)
    if args.ops_command == "cancel":
        await cancel_event(client, args.event_id, operator, args.reason)
        return f"{args.event_id}: cancellation requested"
    return await _export_history(client, args)


async def _report(args: argparse.Namespace) -> str:
    # From the shared store alone: no Temporal connection needed.
    settings = get_settings()
    operator = _operator(settings, args.token or os.environ.get("ONCEONLY_OPERATOR_TOKEN"))
    log.info("ops.report", operator=operator, agency=args.agency)
    try:
        found = await ops_report.report(settings, args.since, args.until, args.agency)
    except ops_report.ReportRefused as refused:
        raise OpsError(str(refused)) from None
    if args.json:
        return found.model_dump_json(indent=2)
    return ops_report.as_csv(found) if args.csv else ops_report.as_text(found, table)


async def _export_history(client: Client, args: argparse.Namespace) -> str:
    history = await client.get_workflow_handle(args.event_id).fetch_history()
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:  # noqa: PTH123, ASYNC230
            out.write(history.to_json())
        return f"history of {args.event_id} written to {args.out} (payloads stay encrypted)"
    return json.dumps(json.loads(history.to_json()), indent=2)


def run_ops(args: argparse.Namespace) -> int:
    """Entry point of `onceonly ops ...`."""
    configure_logging()
    try:
        command = _report if args.ops_command == "report" else _run
        print(asyncio.run(command(args)))
    except OpsError as error:
        print(f"ops: {error}", file=sys.stderr)
        return 2
    return 0


def add_ops_parser(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The `ops` command and its subcommands."""
    ops = commands.add_parser(
        "ops", help="operators: find, inspect, retry, correct and cancel events; usage reports"
    )
    ops.add_argument("--token", help="operator JWT (default: ONCEONLY_OPERATOR_TOKEN)")
    sub = ops.add_subparsers(dest="ops_command", required=True)
    listing = sub.add_parser("list", help="events matching filters")
    listing.add_argument("--status")
    listing.add_argument("--type")
    listing.add_argument("--agency")
    listing.add_argument("--stuck-for", type=parse_duration, help="unchanged for this long: 2h, 3d")
    listing.add_argument("--awaiting-consent", action="store_true")
    listing.add_argument("--failed", action="store_true", help="with a failed step")
    listing.add_argument(
        "--attention",
        action="store_true",
        help="an agency's outcome is late, or a change did not take effect",
    )
    listing.add_argument("--json", action="store_true")
    show = sub.add_parser("show", help="an event's timeline, personal values masked")
    show.add_argument("event_id")
    show.add_argument("--reveal", action="store_true", help="show personal values (logged)")
    show.add_argument("--json", action="store_true")
    retry = sub.add_parser("retry", help="send a failed step again")
    retry.add_argument("event_id")
    retry.add_argument("step_id")
    correct = sub.add_parser("correct", help="correct fields sent wrongly, at every agency")
    correct.add_argument("event_id")
    correct.add_argument(
        "--set",
        type=parse_assignment,
        action="append",
        required=True,
        metavar="PATH=VALUE",
        help="a field's right value: path=text, or path:=json (repeat for more fields)",
    )
    correct.add_argument("--reason", default="corrected by an operator", help="why, briefly")
    correct.add_argument("--json", action="store_true")
    cancel = sub.add_parser("cancel", help="cancel an event")
    cancel.add_argument("event_id")
    cancel.add_argument(
        "--reason", required=True, help="why (no personal data: it is stored in clear)"
    )
    history = sub.add_parser("history", help="export the event's history for replay")
    history.add_argument("event_id")
    history.add_argument("--json", action="store_true", help="JSON (the only format)")
    history.add_argument("--out", help="write to this file")
    ops_report.add_report_parser(sub)
    ops.set_defaults(run=run_ops)
