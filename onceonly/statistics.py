"""The open statistics (GET /v1/statistics and the portal's statistics page): how many life
events of each type were started and completed each month, and how long they took; per service,
the shares of consent decisions that consented, declined or withdrew; per agency, the median
time to an outcome. Released under the disclosure control of
`onceonly.domain.disclosure_control` so that no one can learn about a single person.

Event figures come from Temporal's visibility store (counts and the start and close times of
closed events), step figures from the usage ledger (`onceonly.usage`), never from reading
histories one by one.
"""

import hashlib
import hmac
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from temporalio.client import Client, WorkflowExecution

from onceonly.domain import search_attributes
from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.disclosure_control import (
    MEDIAN_MIN_COUNT,
    ROUNDING_BASE,
    SMALLEST_PUBLISHED_COUNT,
    ended_months,
    published_count,
    published_median,
    published_share,
)
from onceonly.settings import Settings
from onceonly.usage import UsageFact, UsageLedger

ONCEONLY = f"{search_attributes.EVENT_TYPE.name} IS NOT NULL"
"""onceonly's life events, of any type (the namespace may hold other workflows)."""
COMPLETED = "completed"
"""The status of an event every applicable step of which is done."""
SECONDS_PER_DAY = 86_400
SECONDS_PER_HOUR = 3_600
CHOICES = ("grant", "decline", "expire", "withdraw")
"""The consent decisions a service's shares are of: a statutory step's acknowledgement and a
correction's receipt are no choice."""


class ReleaseRules(BaseModel):
    """How the figures were protected, for whoever reads them."""

    suppressed_below: int = Field(SMALLEST_PUBLISHED_COUNT, description="Counts below are null.")
    rounded_to_base: int = Field(ROUNDING_BASE, description="Counts are randomly rounded to it.")
    median_needs: int = Field(MEDIAN_MIN_COUNT, description="Values behind a published median.")
    months: str = Field(
        description="Only whole calendar months that have ended, in this time zone."
    )


class MonthFigures(BaseModel):
    """One life event type in one month; null where a figure is suppressed."""

    event_type: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM.")
    started: int | None = Field(description="Events started in the month.")
    completed: int | None = Field(description="Events completed in the month, every step done.")
    median_days_to_completion: float | None = Field(
        description="Of the events completed in the month, the median days from start to end."
    )


class ServiceMonthFigures(BaseModel):
    """One agency's service in one month: its consent decisions; null where suppressed."""

    agency: str
    service: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM.")
    decisions: int | None = Field(
        description="Consent decisions about the service's steps in the month: granted,"
        " declined, expired or withdrawn."
    )
    consented: float | None = Field(description="The share of them granting consent.")
    declined: float | None = Field(description="The share of them declining.")
    withdrawn: float | None = Field(description="The share of them withdrawing consent given.")


class AgencyMonthFigures(BaseModel):
    """One agency in one month: its outcomes and how long they took; null where suppressed."""

    agency: str
    month: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM.")
    outcomes: int | None = Field(description="Steps the agency decided in the month.")
    median_hours_to_outcome: float | None = Field(
        description="Of those, the median hours from the step's first request to the decision."
    )


class Statistics(BaseModel):
    """The published figures for the months asked about that have ended."""

    rules: ReleaseRules
    figures: list[MonthFigures]
    services: list[ServiceMonthFigures] = Field(default_factory=list)
    agencies: list[AgencyMonthFigures] = Field(default_factory=list)


def rounding_secret(settings: Settings) -> bytes:
    """The rounding's secret, derived from the service's citizen-key secret (never published,
    so nobody can recompute a cell's draw to undo its rounding)."""
    return hmac.new(
        settings.citizen_key_secret.encode(), b"onceonly open statistics", hashlib.sha256
    ).digest()


def month_bounds(month: str, timezone: str) -> tuple[str, str]:
    """A month's first instant and the next month's, in UTC, as visibility queries take them."""
    year, number = (int(part) for part in month.split("-"))
    zone = ZoneInfo(timezone)
    start = datetime(year, number, 1, tzinfo=zone)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=zone)
    return _utc(start), _utc(end)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def figures_of_month(
    secret: bytes,
    event_type: str,
    month: str,
    started: int,
    completion_days: Iterable[float],
) -> MonthFigures:
    """One cell's published figures from its raw numbers (pure: the rules in one place)."""
    days = sorted(completion_days)
    cell = f"{event_type}/{month}"
    days_median = published_median(days)
    return MonthFigures(
        event_type=event_type,
        month=month,
        started=published_count(secret, f"{cell}/started", started),
        completed=published_count(secret, f"{cell}/completed", len(days)),
        median_days_to_completion=None if days_median is None else round(days_median, 1),
    )


def service_figures(
    secret: bytes,
    entries: Iterable[UsageFact],
    months: list[str],
    zone: ZoneInfo,
    services: Iterable[tuple[str, str]],
) -> list[ServiceMonthFigures]:
    """Each service's (agency, service) consent decisions per month, as published counts and
    shares of them (pure). Every service has a row for every month, whether anything happened
    or not: a row's presence tells nothing."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for entry in entries:
        month = _month(entry.at, zone)
        if entry.kind == "consent" and entry.detail in CHOICES and month in months:
            counts[entry.agency, entry.service, month, entry.detail] += 1
    figures = []
    for month in months:
        for agency, service in services:
            name = f"{agency}/{service}/{month}"
            raw = {choice: counts[agency, service, month, choice] for choice in CHOICES}
            decided = published_count(secret, f"{name}/decisions", sum(raw.values()))
            share = {
                choice: published_share(published_count(secret, f"{name}/{choice}", n), decided)
                for choice, n in raw.items()
            }
            figures.append(
                ServiceMonthFigures(
                    agency=agency,
                    service=service,
                    month=month,
                    decisions=decided,
                    consented=share["grant"],
                    declined=share["decline"],
                    withdrawn=share["withdraw"],
                )
            )
    return figures


def agency_figures(
    secret: bytes,
    entries: Iterable[UsageFact],
    months: list[str],
    zone: ZoneInfo,
    agencies: Iterable[str],
) -> list[AgencyMonthFigures]:
    """Each agency's outcomes per month and their median time from the step's first request
    (pure): a median only of 20 or more; a row for every agency and month."""
    first_request: dict[tuple[str, str], UsageFact] = {}
    outcomes: list[UsageFact] = []
    for entry in sorted(entries, key=lambda entry: entry.at):
        if entry.kind == "request":
            first_request.setdefault((entry.event_id, entry.step_id), entry)
        elif entry.kind in ("completed", "failed") and _month(entry.at, zone) in months:
            outcomes.append(entry)
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    for outcome in outcomes:
        request = first_request.get((outcome.event_id, outcome.step_id))
        if request is not None:
            took = (outcome.at - request.at).total_seconds() / SECONDS_PER_HOUR
            hours[outcome.agency, _month(outcome.at, zone)].append(took)
    figures = []
    for month in months:
        for agency in agencies:
            values = sorted(hours[agency, month])
            middle = published_median(values)
            figures.append(
                AgencyMonthFigures(
                    agency=agency,
                    month=month,
                    outcomes=published_count(secret, f"{agency}/{month}/outcomes", len(values)),
                    median_hours_to_outcome=None if middle is None else round(middle, 2),
                )
            )
    return figures


async def statistics(
    client: Client,
    settings: Settings,
    *,
    event_types: Iterable[str],
    first: date,
    last: date,
    today: date,
    ledger: UsageLedger,
) -> Statistics:
    """The published figures of every event type for each month from `first`'s to `last`'s
    that ended before `today`: two visibility listings, counted here by type and month; and
    the step figures from one read of the usage ledger."""
    rules = ReleaseRules(months=settings.timezone)
    months = ended_months(first, last, today)
    if not months:
        return Statistics(rules=rules, figures=[])
    since, _ = month_bounds(months[0], settings.timezone)
    _, until = month_bounds(months[-1], settings.timezone)
    zone = ZoneInfo(settings.timezone)
    started: Counter[tuple[str, str]] = Counter()
    async for execution in client.list_workflows(
        f"{ONCEONLY} AND StartTime >= '{since}' AND StartTime < '{until}'"
    ):
        started[_event_type(execution), _month(execution.start_time, zone)] += 1
    # An event stays open a while after it ends (withdrawal stays possible), so it counts as
    # completed when its status last changed to completed, not when its workflow closes.
    updated = search_attributes.UPDATED_AT.name
    days: dict[tuple[str, str], list[float]] = defaultdict(list)
    async for execution in client.list_workflows(
        f"{ONCEONLY} AND {search_attributes.STATUS.name} = '{COMPLETED}'"
        f" AND {updated} >= '{since}' AND {updated} < '{until}'"
    ):
        ended = execution.typed_search_attributes.get(search_attributes.UPDATED_AT)
        if ended is not None:
            cell = _event_type(execution), _month(ended, zone)
            days[cell].append((ended - execution.start_time).total_seconds() / SECONDS_PER_DAY)
    secret = rounding_secret(settings)
    figures = [
        figures_of_month(secret, kind, month, started[kind, month], days[kind, month])
        for month in months
        for kind in event_types
    ]
    entries = await ledger.of_steps_active_between(
        datetime.fromisoformat(since), datetime.fromisoformat(until)
    )
    return Statistics(
        rules=rules,
        figures=figures,
        services=service_figures(secret, entries, months, zone, catalogue_services()),
        agencies=agency_figures(
            secret, entries, months, zone, [agency.id for agency in CATALOGUE.agencies]
        ),
    )


def catalogue_services() -> list[tuple[str, str]]:
    """Every (agency, service) a step of the catalogue uses, in order, once each."""
    steps = (step for event in CATALOGUE.life_events for step in event.steps)
    return sorted({(step.agency, step.service) for step in steps})


def _event_type(execution: WorkflowExecution) -> str:
    return execution.typed_search_attributes.get(search_attributes.EVENT_TYPE) or ""


def _month(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%Y-%m}"
