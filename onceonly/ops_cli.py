"""The `onceonly ops` command line: its arguments, the operator's token, and what it prints
(tables for people, `--json` for scripts). The operations themselves are in `onceonly.ops`.
"""

import argparse
import asyncio
import json
import os
import sys
from typing import Any

import structlog
from temporalio.client import Client

from onceonly import ops_report
from onceonly.auth import InvalidToken, verify_token
from onceonly.domain.corrections import CorrectionProgress
from onceonly.logs import configure_logging
from onceonly.ops import (
    ListFilters,
    OpsError,
    cancel_event,
    correct_fields,
    list_events,
    parse_assignment,
    parse_duration,
    retry_step,
    show_event,
    table,
)
from onceonly.settings import Settings, get_settings
from onceonly.temporal import connect

log = structlog.get_logger("onceonly.ops")


def _render_correction(correction: CorrectionProgress) -> str:
    head = f"correction {correction.number} ({correction.correction_id}): {correction.state}"
    rows = [("step", "agency", "state", "reference / note")]
    rows += [
        (a.step_id, a.agency, a.state, a.reference or a.note or "-") for a in correction.agencies
    ]
    return f"{head}, fields {', '.join(correction.paths)}\n{table(rows)}"


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


async def _batch(args: argparse.Namespace) -> str:
    from onceonly.batch_schedules import run_now  # noqa: PLC0415 (only this command needs it)

    settings = get_settings()
    operator = _operator(settings, args.token or os.environ.get("ONCEONLY_OPERATOR_TOKEN"))
    log.info("ops.batch", operator=operator, agency=args.agency)
    both = not (args.export or args.acknowledgements)
    try:
        reports = await run_now(
            settings,
            args.agency,
            export=both or args.export,
            acknowledge=both or args.acknowledgements,
            redeliver=args.redeliver,
        )
    except ValueError as refused:
        raise OpsError(str(refused)) from None
    return "\n".join(report.model_dump_json() for report in reports)


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
        commands = {"report": _report, "batch": _batch}
        command = commands.get(args.ops_command, _run)
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
    batch = sub.add_parser(
        "batch", help="run a batch-file agency's exchange now: apply its acknowledgements, send"
    )
    batch.add_argument("--agency", required=True, help="the batch-file agency, as in justice")
    batch.add_argument("--export", action="store_true", help="only send the ended period's file")
    batch.add_argument(
        "--import",
        dest="acknowledgements",
        action="store_true",
        help="only apply the acknowledgements it dropped",
    )
    batch.add_argument("--redeliver", metavar="FILE", help="write a file sent before again")
    ops.set_defaults(run=run_ops)
