"""The open statistics on the real stack: counted from Temporal's visibility store by type and
month (and from the usage ledger per service and agency), published only for months that have
ended, small counts suppressed and the rest on the base-3 grid, shares only as quotients of
published counts, the same figures for the same question, and no sign-in needed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import Any

import httpx
import pytest

from onceonly.domain.catalogue import CATALOGUE
from onceonly.domain.disclosure_control import published_count, published_share
from onceonly.samples import move_request_data
from onceonly.statistics import rounding_secret, statistics
from onceonly.store import opened_store
from onceonly.temporal import connect
from tests.integration.conftest import Stack, citizen, run_to_the_end, today

pytestmark = pytest.mark.integration
MOVES_COMPLETED = 7
MOVES_LEFT_OPEN = 2


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@pytest.fixture(scope="module")
def moves(stack: Stack) -> int:
    """Moves by different citizens: most run to the end, two are left waiting."""
    body = {"event_type": "move", "data": move_request_data(today(stack))}

    def completed(n: int) -> None:
        with citizen(stack, f"statistics-mover-{n}") as api:
            assert run_to_the_end(api, body)["status"] == "completed"

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(completed, range(MOVES_COMPLETED)))
    for n in range(MOVES_LEFT_OPEN):
        with citizen(stack, f"statistics-waiting-{n}") as api:
            assert api.post("/v1/life-events", json=body).status_code == 201
    return MOVES_COMPLETED + MOVES_LEFT_OPEN


def published_once_the_month_ended(stack: Stack) -> dict[str, Any]:
    this_month = today(stack).replace(day=1)

    async def ask() -> dict[str, Any]:
        client = await connect(stack.settings)
        async with opened_store(stack.settings) as store:
            published = await statistics(
                client,
                stack.settings,
                event_types=["birth", "move", "death"],
                first=this_month,
                last=this_month,
                today=next_month(this_month),
                ledger=store.usage,
            )
        return published.model_dump()

    return asyncio.run(ask())


def figures_once_the_month_ended(stack: Stack) -> dict[str, dict[str, object]]:
    figures = published_once_the_month_ended(stack)["figures"]
    return {row["event_type"]: row for row in figures}


def test_a_month_that_has_ended_is_published_with_its_counts_protected(stack: Stack, moves: int):
    month = f"{today(stack):%Y-%m}"
    figures = figures_once_the_month_ended(stack)
    secret = rounding_secret(stack.settings)
    assert figures["move"]["started"] == published_count(secret, f"move/{month}/started", moves)
    assert figures["move"]["completed"] == published_count(
        secret, f"move/{month}/completed", MOVES_COMPLETED
    )
    assert figures["move"]["started"] in {6, 9} and figures["move"]["completed"] in {6, 9}
    assert figures["move"]["median_days_to_completion"] is None  # fewer than 20 behind it
    # The other types here had fewer than 6 (or no) events: suppressed, never 0 or a small count.
    for kind in ("birth", "death"):
        assert figures[kind]["completed"] is None
    assert figures == figures_once_the_month_ended(stack)  # asked again, the same figures


def test_the_public_route_publishes_no_month_under_way_and_names_bad_months(
    stack: Stack, moves: int
):
    month = f"{today(stack):%Y-%m}"
    with httpx.Client(base_url=stack.api_url, timeout=30) as anyone:
        answer = anyone.get("/v1/statistics", params={"since": month, "until": month})
        assert answer.status_code == 200, answer.text
        assert answer.json()["figures"] == []
        assert answer.json()["rules"]["suppressed_below"] == 6
        assert "public" in answer.headers["cache-control"]
        for params, field in [
            ({"since": "2026-13", "until": month}, "since"),
            ({"since": month}, "until"),
            ({"since": "2026-10", "until": "2026-09"}, "until"),
            ({"since": "2020-01", "until": "2026-01"}, "until"),
        ]:
            refused = anyone.get("/v1/statistics", params=params)
            assert refused.status_code == 422, refused.text
            assert refused.json()["errors"][0]["field"].endswith(field), refused.json()


def test_each_services_consent_shares_and_each_agencys_outcomes_are_protected(
    stack: Stack, moves: int
):
    month = f"{today(stack):%Y-%m}"
    published = published_once_the_month_ended(stack)
    secret = rounding_secret(stack.settings)
    services = {(row["agency"], row["service"]): row for row in published["services"]}
    [move] = [event for event in CATALOGUE.life_events if event.event_type == "move"]
    for step in move.steps:
        row = services[step.agency, step.service]
        if step.legal_basis.kind != "consent":  # acknowledged, not chosen: no decisions
            assert row["decisions"] is None and row["consented"] is None, row
            continue
        # Every completed move granted the step; the two left open decided nothing.
        cell = f"{step.agency}/{step.service}/{month}"
        decided = published_count(secret, f"{cell}/decisions", MOVES_COMPLETED)
        granted = published_count(secret, f"{cell}/grant", MOVES_COMPLETED)
        assert row["decisions"] == decided and decided in {6, 9}
        assert row["consented"] == published_share(granted, decided)
        assert row["declined"] is None and row["withdrawn"] is None  # none: below 6
    # Every service and agency of the catalogue has its row, whatever happened there.
    assert len(services) == len(
        {(s.agency, s.service) for e in CATALOGUE.life_events for s in e.steps}
    )
    agencies = {row["agency"]: row for row in published["agencies"]}
    assert set(agencies) == {agency.id for agency in CATALOGUE.agencies}
    at_council = sum(step.agency == "council" for step in move.steps) * MOVES_COMPLETED
    council = agencies["council"]
    assert council["outcomes"] == published_count(secret, f"council/{month}/outcomes", at_council)
    assert council["median_hours_to_outcome"] is None  # fewer than 20 behind it
    assert agencies["bdm"]["outcomes"] is None  # no births or deaths here
