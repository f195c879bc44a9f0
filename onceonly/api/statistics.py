"""The open statistics: public, no sign-in, nothing about any one person (onceonly/statistics)."""

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Response

from onceonly.api.deps import AppSettings, SharedStore, Temporal
from onceonly.api.problems import FieldError, invalid_input
from onceonly.domain.catalogue import CATALOGUE
from onceonly.statistics import Statistics, statistics

router = APIRouter(tags=["statistics"])
MONTH = r"^2[0-9]{3}-(0[1-9]|1[0-2])$"
"""A month of this millennium, YYYY-MM (ASCII digits: `\\d` would take any script's)."""
MOST_MONTHS = 36
"""A query spans at most three years, so that one question cannot make the API list every
event ever started."""
# Figures of ended months do not change; an hour spares the store repeated questions.
CACHEABLE = {"Cache-Control": "public, max-age=3600"}

Since = Annotated[str, Query(pattern=MONTH, description="The first month, YYYY-MM.")]
Until = Annotated[
    str,
    Query(
        pattern=MONTH,
        description=f"The last month, YYYY-MM: not before `since`, and less than {MOST_MONTHS} "
        "months after it.",
    ),
]


def first_day(month: str) -> date:
    """The first day of a YYYY-MM month."""
    return date.fromisoformat(f"{month}-01")


def months_rule(since: str, until: str) -> str | None:
    """The rule two months (each of MONTH's form) break as a query's span, or None."""
    first, last = first_day(since), first_day(until)
    if last < first:
        return "must not be before since"
    if (last.year - first.year) * 12 + last.month - first.month >= MOST_MONTHS:
        return f"must be less than {MOST_MONTHS} months after since"
    return None


@router.get("/v1/statistics")
async def read_statistics(
    *,
    settings: AppSettings,
    temporal: Temporal,
    store: SharedStore,
    response: Response,
    since: Since,
    until: Until,
) -> Statistics:
    """Life events started and completed per type and month, and their median time to
    completion; per service, the shares of consent decisions granted, declined and withdrawn;
    per agency, the median time to an outcome; for the months from `since` to `until` that
    have ended. Counts below 6 are null and the rest randomly rounded to base 3, as Stats NZ
    releases integrated data; a share is a quotient of such counts; a median needs 20 values."""
    rule = months_rule(since, until)
    if rule is not None:
        raise invalid_input([FieldError(field="until", rule=rule)])
    first, last = first_day(since), first_day(until)
    # Development only (production refuses the setting): a drill asks as if the month ended.
    today = settings.statistics_as_of or datetime.now(ZoneInfo(settings.timezone)).date()
    event_types = [event.event_type for event in CATALOGUE.life_events]
    response.headers.update(CACHEABLE)
    return await statistics(
        temporal,
        settings,
        event_types=event_types,
        first=first,
        last=last,
        today=today,
        ledger=store.usage,
    )
