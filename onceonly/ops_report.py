"""`onceonly ops report`: the usage report per agency and service (onceonly/usage_report), as a
table, JSON or CSV, read from the shared store the worker writes."""

import argparse
import csv
import io
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from onceonly.api.usage import agency_rule
from onceonly.settings import Settings
from onceonly.store import opened_store
from onceonly.usage_report import UsageReport, period_rule, report_records, usage_report


class ReportRefused(ValueError):
    """The report's options break a rule; the message names the option and the rule."""


def day(text: str) -> date:
    """A YYYY-MM-DD option."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a date, YYYY-MM-DD") from None


async def report(settings: Settings, since: date, until: date, agency: str | None) -> UsageReport:
    """The report from the configured store; refuses a bad period or an unknown agency."""
    for option, rule in (("--to", period_rule(since, until)), ("--agency", agency_rule(agency))):
        if rule is not None:
            raise ReportRefused(f"{option}: {rule}")
    async with opened_store(settings) as store:
        return await usage_report(
            store.usage,
            since=since,
            until=until,
            agency=agency,
            timezone=settings.timezone,
            now=datetime.now(UTC),
        )


def as_csv(found: UsageReport) -> str:
    """The rows as CSV under a header; empty cells where a figure has no values."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(report_records(found))
    return out.getvalue().rstrip("\n")


def as_text(found: UsageReport, table: Callable[[Sequence[Sequence[str]]], str]) -> str:
    """A heading and the rows as aligned columns (`table`: the ops commands' own)."""
    who = found.agency or "every agency"
    head = f"usage of {who}, {found.since} to {found.until} (months in {found.timezone})"
    if not found.rows:
        return f"{head}\nnothing happened at an agency in the period"
    return f"{head}\noverdue: {found.overdue_rule}\n{table(report_records(found))}"


def add_report_parser(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """The `ops report` subcommand."""
    parser = sub.add_parser("report", help="usage per agency, service and month: who pays")
    parser.add_argument("--from", dest="since", type=day, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--to", dest="until", type=day, required=True, metavar="YYYY-MM-DD")
    parser.add_argument("--agency", help="one agency's id (default: every agency)")
    formats = parser.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true")
    formats.add_argument("--csv", action="store_true")
