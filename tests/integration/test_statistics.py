"""The open statistics on the real stack: counted from Temporal's visibility store by type and
month, published only for months that have ended, small counts suppressed and the rest on the
base-3 grid, the same figures for the same question, and no sign-in needed."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest

from onceonly.domain.disclosure_control import published_count
from onceonly.samples import move_request_data
from onceonly.statistics import rounding_secret, statistics
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


def figures_once_the_month_ended(stack: Stack) -> dict[str, dict[str, object]]:
    this_month = today(stack).replace(day=1)

    async def ask() -> dict[str, dict[str, object]]:
        client = await connect(stack.settings)
        published = await statistics(
            client,
            stack.settings,
            event_types=["birth", "move", "death"],
            first=this_month,
            last=this_month,
            today=next_month(this_month),
        )
        return {row.event_type: row.model_dump() for row in published.figures}

    return asyncio.run(ask())


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
