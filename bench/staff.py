"""The agencies' staff in a drill: they sign in to every agency's inbox with an agency token
(as the portal's staff pages do) and complete each open task with a reference of their own,
so that corrections, withdrawals and checks an agency cannot do online end as they would in
an office, and the drill can tell the parts staff did by their references."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx

from adapters.plugins import WorkQueuePlugin, discover_plugins
from onceonly.auth import mint_token
from onceonly.domain.catalogue import CATALOGUE
from onceonly.settings import Settings

STAFF_REFERENCE = "STAFF-"
"""How every reference the drill's staff give begins."""
EVERY_SECONDS = 2.0


async def close_open_tasks(settings: Settings, http: httpx.AsyncClient) -> int:
    """Complete every open task in every agency's inbox; how many were closed now."""
    closed = 0
    for agency in CATALOGUE.agencies:
        token = mint_token(settings, f"drill.{agency.id}", role="agency", agency=agency.id)
        headers = {"Authorization": f"Bearer {token}"}
        listed = await http.get("/v1/agency/tasks", headers=headers)
        listed.raise_for_status()
        for task in listed.json()["tasks"]:
            path = f"/v1/agency/tasks/{task['task_id']}/complete"
            body = {"reference": f"{STAFF_REFERENCE}{task['task_id']}"}
            answer = await http.post(path, json=body, headers=headers)
            # 409: closed by another desk already; anything else is the drill's failure.
            if answer.status_code != 409:
                answer.raise_for_status()
                closed += 1
    return closed


@contextlib.asynccontextmanager
async def staff_at_work(settings: Settings, http: httpx.AsyncClient) -> AsyncIterator[None]:
    """Staff closing tasks every EVERY_SECONDS for as long as the block runs."""

    async def work() -> None:
        while True:
            try:
                await close_open_tasks(settings, http)
            except Exception as error:
                print(f"  staff could not work their inboxes: {error!r}", flush=True)
                raise
            await asyncio.sleep(EVERY_SECONDS)

    running = asyncio.create_task(work())
    try:
        yield
    finally:
        # A desk that failed fails the drill here, with its error (never silently).
        if not running.done():
            running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


def inbox_only_agencies() -> set[str]:
    """The installed agencies whose adapter is a work queue of its own: no mock holds their
    records (a deployment's `work_queue_agencies` aside, which the drill's stack leaves off)."""
    return {
        agency
        for agency, found in discover_plugins().items()
        if isinstance(found.plugin, WorkQueuePlugin)
    }
