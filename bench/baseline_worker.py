"""The baseline's worker: `python -m bench.baseline_worker ADDRESS`, until SIGTERM.

A process of its own, as onceonly's worker is, so the two are measured alike.
"""

import asyncio
import signal
import sys
from datetime import timedelta

import httpx
from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from bench.baseline import ACTIVITY, TASK_QUEUE, BaselineWorkflow

STARTED = "baseline worker started"


class Calls:
    """The baseline's one activity, on one shared HTTP client."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    @activity.defn(name=ACTIVITY)
    async def call_agency(self, url: str) -> int:
        """GET `url`; its status, or an error that Temporal retries."""
        response = await self._http.get(url)
        response.raise_for_status()
        return response.status_code


async def serve(address: str) -> None:
    """Poll the baseline task queue until SIGINT or SIGTERM."""
    client = await Client.connect(address)
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stop.set)
    async with httpx.AsyncClient(timeout=10) as http:
        worker = Worker(
            client,
            task_queue=TASK_QUEUE,
            workflows=[BaselineWorkflow],
            activities=[Calls(http).call_agency],
            graceful_shutdown_timeout=timedelta(seconds=5),
        )
        async with worker:
            print(STARTED, flush=True)
            await stop.wait()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
