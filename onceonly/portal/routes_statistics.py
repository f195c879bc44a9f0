"""The open statistics page: the public figures of GET /v1/statistics, for anyone, in words."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from onceonly.portal.client import Api, ApiProblem
from onceonly.portal.pages import month_name, page_lang, render, settings_of
from onceonly.portal.text import text

router = APIRouter(include_in_schema=False)
MONTHS_OFFERED = 36
"""As far back as the API answers in one question."""
MONTHS_SHOWN = 12
"""What the page shows before anyone chooses: the last year."""


def months_before(today: date, count: int) -> list[str]:
    """The `count` months before `today`'s, newest first, as YYYY-MM."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        months.append(f"{year:04d}-{month:02d}")
    return months


@router.get("/statistics")
async def statistics_page(
    request: Request, since: str | None = None, until: str | None = None
) -> Response:
    """Life events started and completed each month, and how long they took."""
    settings = settings_of(request)
    lang = page_lang(request)
    offered = months_before(datetime.now(ZoneInfo(settings.timezone)).date(), MONTHS_OFFERED)
    chosen = {"since": since or offered[MONTHS_SHOWN - 1], "until": until or offered[0]}
    problem = None
    figures: list[dict[str, object]] = []
    async with Api(request, None) as api:
        catalogue = await api.get("/v1/catalogue")
        try:
            figures = (await api.get("/v1/statistics", params=chosen))["figures"]
        except ApiProblem as refused:
            if refused.status != 422:
                raise
            problem = "; ".join(error["rule"] for error in refused.errors)
    titles = {event["event_type"]: event["title"] for event in catalogue["life_events"]}
    by_month: dict[str, list[dict[str, object]]] = {}
    for row in figures:
        by_month.setdefault(str(row["month"]), []).append(row)
    months = {month: month_name(month, lang) for month in offered}
    context = {
        "title": text("statistics.title", lang),
        "chosen": chosen,
        "months": months,
        "by_month": sorted(by_month.items(), reverse=True),
        "titles": titles,
        "problem": problem,
    }
    return render(request, "statistics.html", context)
