"""Who pays: the usage report per agency and service, for operators (onceonly/usage_report)."""

from datetime import UTC, date, datetime
from typing import Annotated

import structlog
from fastapi import APIRouter, Query

from onceonly.api.deps import AppSettings, CurrentOperator, SharedStore
from onceonly.api.problems import FieldError, invalid_input
from onceonly.domain.catalogue import CATALOGUE
from onceonly.usage_report import UsageReport, period_rule, usage_report

router = APIRouter(tags=["operators"])
log = structlog.get_logger(__name__)

Since = Annotated[date, Query(alias="from", description="The first day, YYYY-MM-DD.")]
Until = Annotated[
    date, Query(alias="to", description="The last day, YYYY-MM-DD, included; within a year.")
]
OfAgency = Annotated[
    str | None, Query(description="One agency's id in the catalogue; all when left out.")
]


def agency_rule(agency: str | None) -> str | None:
    """The rule an agency filter breaks, or None."""
    known = sorted(agency.id for agency in CATALOGUE.agencies)
    if agency is not None and agency not in known:
        return f"must be an agency of the catalogue: {', '.join(known)}"
    return None


@router.get("/v1/operator/usage")
async def read_usage_report(
    *,
    operator: CurrentOperator,
    settings: AppSettings,
    store: SharedStore,
    since: Since,
    until: Until,
    agency: OfAgency = None,
) -> UsageReport:
    """Per agency, service and month (in the service's time zone): requests, retries,
    acceptances, rejections, completions, manual tasks, overdue outcomes, corrections,
    withdrawals, life events, and times to acceptance and to outcome (p50, p95)."""
    errors = [
        FieldError(field=field, rule=rule)
        for field, rule in (("to", period_rule(since, until)), ("agency", agency_rule(agency)))
        if rule is not None
    ]
    if errors:
        raise invalid_input(errors)
    log.info("operator.usage_report", operator=operator.name, agency=agency)
    return await usage_report(
        store.usage,
        since=since,
        until=until,
        agency=agency,
        timezone=settings.timezone,
        now=datetime.now(UTC),
    )
