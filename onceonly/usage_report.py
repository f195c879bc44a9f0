"""Who pays: what each agency's services did for onceonly, per month (`onceonly ops report` and
`GET /v1/operator/usage`), counted from the usage ledger (`onceonly.usage`) in one read, never
from histories.

Pure rules first (month buckets, percentiles, one step's facts into figures), then the thin
shell that reads the ledger. Definitions, for whoever bills by them:
- requests: steps whose first request went to the agency in the month; retries: attempts after
  the first; accepted, rejections (refused when sent, or failed at the agency's decision),
  completions: as the agency answered, in the month it answered.
- time to acceptance and to outcome: from the step's first request, by the month of the answer;
  p50 and p95 by linear interpolation (PostgreSQL's `percentile_cont`).
- overdue outcomes: an accepted request whose outcome came (or has not come) after the time
  the agency's policy promised with its answer (`AgencyAnswer.outcome_due`, the same promise
  the step's NEEDS_ATTENTION flag is raised by), counted in the month the promise ran out.
- manual tasks: corrections and withdrawals the agency takes only from a person.
- life events: distinct events with anything at the agency's service in the month.
"""

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from onceonly.usage import UsageFact, UsageLedger

OVERDUE_LOOKBACK = timedelta(days=31)
"""How far before the period the report reads steps, so that a promise made then that runs out
in the period is counted: longer than any agency's promised time (days, today)."""
LONGEST_PERIOD_DAYS = 366
"""One report spans a year at most, so that one question cannot read the whole ledger."""
OVERDUE_RULE = "outcome later than the time the agency promised with its acceptance"


class ServiceMonth(BaseModel):
    """One agency's service in one month."""

    agency: str
    service: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM, in the zone.")
    life_events: int = Field(description="Distinct life events with anything here this month.")
    requests: int = Field(description="Steps first sent to the agency this month.")
    retries: int = Field(description="Attempts after a step's first.")
    accepted: int
    rejections: int = Field(description="Refused when sent, or failed at the agency's decision.")
    completions: int
    manual_tasks: int = Field(description="Corrections and withdrawals left to a person.")
    overdue_outcomes: int
    corrections: int = Field(description="Corrections sent online or left to a person.")
    withdrawals: int = Field(description="Withdrawals done online or left to a person.")
    acceptance_p50_seconds: float | None
    acceptance_p95_seconds: float | None
    outcome_p50_seconds: float | None
    outcome_p95_seconds: float | None


class UsageReport(BaseModel):
    """The report for a period: its rows by agency, service and month."""

    since: date
    until: date = Field(description="The last day, included.")
    agency: str | None
    timezone: str
    overdue_rule: str = OVERDUE_RULE
    rows: list[ServiceMonth]


def percentile(values: Sequence[float], share: float) -> float | None:
    """The value below which `share` (0 to 1) of `values` lie, interpolating linearly between
    the two nearest ranks, as PostgreSQL's `percentile_cont` does; None for no values."""
    if not 0 <= share <= 1:
        raise ValueError(f"share: must be from 0 to 1, not {share}")
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def month_of(moment: datetime, zone: ZoneInfo) -> str:
    """The calendar month ("YYYY-MM") a moment falls in, in the zone."""
    return f"{moment.astimezone(zone):%Y-%m}"


class Months:
    """The calendar months (in a zone) that a period's instants fall in, found by bisecting
    their first instants: what `month_of` says, without formatting a date per entry."""

    def __init__(self, start: datetime, end: datetime, zone: ZoneInfo) -> None:
        """The months from `start`'s to `end`'s."""
        local = start.astimezone(zone)
        year, month = local.year, local.month
        self._starts: list[datetime] = []
        self._names: list[str] = []
        while True:
            first = datetime(year, month, 1, tzinfo=zone).astimezone(UTC)
            if first >= end and self._starts:
                break
            self._starts.append(first)
            self._names.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def of(self, moment: datetime) -> str:
        """The month `moment` (within the period) falls in."""
        return self._names[max(bisect_right(self._starts, moment) - 1, 0)]


def period_bounds(since: date, until: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The first instant of `since` and of the day after `until`, in the zone, as UTC."""
    start = datetime.combine(since, time(), zone)
    end = datetime.combine(until + timedelta(days=1), time(), zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def period_rule(since: date, until: date) -> str | None:
    """The rule a period breaks, or None."""
    if until < since:
        return "must not be before from"
    if (until - since).days >= LONGEST_PERIOD_DAYS:
        return f"must be less than {LONGEST_PERIOD_DAYS} days after from"
    return None


class _Cell:
    """One row's running counts and durations."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = defaultdict(int)
        self.events: set[str] = set()
        self.to_acceptance: list[float] = []
        self.to_outcome: list[float] = []


_COUNTED = {
    "accepted": ("accepted",),
    "rejected": ("rejections",),
    "failed": ("rejections",),
    "completed": ("completions",),
    "amended": ("corrections",),
    "amendment_manual": ("corrections", "manual_tasks"),
    "withdrawn": ("withdrawals",),
    "withdrawal_manual": ("withdrawals", "manual_tasks"),
}
"""Which counts each kind of fact adds one to (requests and consents are counted apart)."""


def service_months(
    entries: Iterable[UsageFact], since: date, until: date, zone: ZoneInfo, now: datetime
) -> list[ServiceMonth]:
    """The report's rows from the ledger's entries (each step's whole story): only what
    happened from `since` to `until` (days in the zone) counts, and promises that ran out
    before `now`. Rows come by agency, service and month."""
    start, end = period_bounds(since, until, zone)
    months = Months(start, end, zone)
    steps: dict[tuple[str, str], list[UsageFact]] = defaultdict(list)
    for entry in entries:
        steps[entry.event_id, entry.step_id].append(entry)
    cells: dict[tuple[str, str, str], _Cell] = defaultdict(_Cell)

    def cell(entry: UsageFact, moment: datetime) -> _Cell | None:
        if not start <= moment < end:
            return None
        found = cells[entry.agency, entry.service, months.of(moment)]
        if entry.kind != "consent":  # a step declined never reached the agency
            found.events.add(entry.event_id)
        return found

    for story in steps.values():
        story.sort(key=lambda entry: entry.at)
        requests = [entry for entry in story if entry.kind == "request"]
        first = requests[0].at if requests else None
        for entry in story:
            here = cell(entry, entry.at)
            if here is None:
                continue
            if entry.kind == "request":
                here.counts["requests" if entry is requests[0] else "retries"] += 1
            for count in _COUNTED.get(entry.kind, ()):
                here.counts[count] += 1
            if first is not None and entry.kind == "accepted":
                here.to_acceptance.append((entry.at - first).total_seconds())
            if first is not None and entry.kind in ("completed", "failed"):
                here.to_outcome.append((entry.at - first).total_seconds())
        _count_overdue(story, now, cell)
    return [
        _row(agency, service, month, found)
        for (agency, service, month), found in sorted(cells.items())
    ]


def _count_overdue(
    story: list[UsageFact], now: datetime, cell: Callable[[UsageFact, datetime], _Cell | None]
) -> None:
    accepted = next((e for e in story if e.kind == "accepted"), None)
    if accepted is None or accepted.due_seconds is None:
        return
    deadline = accepted.at + timedelta(seconds=accepted.due_seconds)
    outcome = next((e for e in story if e.kind in ("completed", "failed")), None)
    late = outcome.at > deadline if outcome is not None else now > deadline
    if late and deadline <= now:
        here = cell(accepted, deadline)
        if here is not None:
            here.counts["overdue_outcomes"] += 1


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _row(agency: str, service: str, month: str, cell: _Cell) -> ServiceMonth:
    counts = cell.counts
    return ServiceMonth(
        agency=agency,
        service=service,
        month=month,
        life_events=len(cell.events),
        requests=counts["requests"],
        retries=counts["retries"],
        accepted=counts["accepted"],
        rejections=counts["rejections"],
        completions=counts["completions"],
        manual_tasks=counts["manual_tasks"],
        overdue_outcomes=counts["overdue_outcomes"],
        corrections=counts["corrections"],
        withdrawals=counts["withdrawals"],
        acceptance_p50_seconds=_seconds(percentile(cell.to_acceptance, 0.5)),
        acceptance_p95_seconds=_seconds(percentile(cell.to_acceptance, 0.95)),
        outcome_p50_seconds=_seconds(percentile(cell.to_outcome, 0.5)),
        outcome_p95_seconds=_seconds(percentile(cell.to_outcome, 0.95)),
    )


async def usage_report(
    ledger: UsageLedger,
    *,
    since: date,
    until: date,
    agency: str | None,
    timezone: str,
    now: datetime,
) -> UsageReport:
    """The report from `since` to `until` (days included, in `timezone`), of one agency or all:
    one read of the ledger, aggregated here."""
    zone = ZoneInfo(timezone)
    start, end = period_bounds(since, until, zone)
    entries = await ledger.of_steps_active_between(start - OVERDUE_LOOKBACK, end, agency)
    rows = service_months(entries, since, until, zone, now)
    return UsageReport(since=since, until=until, agency=agency, timezone=timezone, rows=rows)


COLUMNS = tuple(ServiceMonth.model_fields)
"""The report's columns, in order, for CSV and tables."""


def report_records(report: UsageReport) -> list[list[str]]:
    """The rows as text cells under a header of COLUMNS; an empty cell where no figure is."""

    def text(value: object) -> str:
        return "" if value is None else str(value)

    return [list(COLUMNS)] + [
        [text(value) for value in row.model_dump().values()] for row in report.rows
    ]
