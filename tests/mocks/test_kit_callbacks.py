"""The slow agencies' promised work survives a restart of the mocks: it is a row in their store,
written with the request's record, and a loop in whichever mocks process runs decides it when
due and calls back until onceonly takes the callback. A restart is a new app on the same file;
a crash is an app whose loop never ran (or a claim whose process died).
"""

import asyncio
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.bdm import BdmAdapter
from adapters.ird import IrdAdapter
from mocks.kit.admin import admin_headers
from mocks.kit.callbacks import delivery
from mocks.kit.later import MAX_RETRY_SECONDS, retry_delay
from mocks.kit.promises import Later
from mocks.kit.store import Store
from tests.mocks.support import (
    BASE_URL,
    BIRTH_KEY,
    DEATH_KEY,
    DEATH_REGISTRATION,
    NEWBORN,
    Receiver,
    death,
    mocks_app,
    newborn,
    serving,
)


def test_retries_double_from_half_a_second_to_fifteen():
    assert [retry_delay(n) for n in (1, 2, 3, 4, 5, 6, 7, 20)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        15.0,
        15.0,
        15.0,
    ]
    assert retry_delay(0) == 0.5
    assert max(retry_delay(n) for n in range(1, 100)) == MAX_RETRY_SECONDS


def test_what_each_answer_means_for_a_callback():
    assert [delivery(s) for s in (200, 202, 204)] == ["delivered"] * 3
    assert [delivery(s) for s in (None, 500, 502, 503, 408, 425, 429)] == ["retry"] * 7
    # 409: onceonly knows already (a replay of a delivery whose answer was lost).
    assert delivery(409) == "known"
    assert [delivery(s) for s in (400, 401, 404, 422)] == ["refused"] * 4


async def later_of(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    return list((await client.get(f"/{agency}/_records")).json()["later"])


async def until_done(client: httpx.AsyncClient, agency: str, seconds: float = 5) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        [work] = await later_of(client, agency)
        if work["state"] == "done" or time.monotonic() > deadline:
            return work
        await asyncio.sleep(0.05)


async def test_a_callback_promised_before_a_crash_is_delivered_after_the_restart(
    tmp_path: Path, slow_environ: dict[str, str], receiver: tuple[Receiver, str]
) -> None:
    # The first process accepts the registration and dies before the number is due: its loop
    # never ran (no lifespan), as after a SIGKILL.
    crashed = mocks_app(tmp_path, **slow_environ)
    transport = httpx.ASGITransport(crashed)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        answer = await IrdAdapter(client, BASE_URL, "dev-ird-key").submit(
            NEWBORN, newborn(), BIRTH_KEY
        )
        [work] = await later_of(client, "ird")
    assert answer.pending
    assert (work["idempotency_key"], work["state"]) == (BIRTH_KEY, "pending")
    await asyncio.sleep(0.4)  # due while no mocks run
    assert receiver[0].calls == 0

    async with serving(mocks_app(tmp_path, **slow_environ)) as client:
        callback = await asyncio.wait_for(receiver[0].callbacks.get(), timeout=5)
        assert (callback.reference, callback.state) == (answer.reference, "completed")
        work = await until_done(client, "ird")
        status = await IrdAdapter(client, BASE_URL, "dev-ird-key").status(NEWBORN, answer.reference)
    assert (work["state"], work["outcome"], work["attempts"]) == ("done", "delivered (HTTP 200)", 1)
    assert status.state == "completed"


LEASE = 2.0  # long enough to start an app in, on a busy machine


async def test_a_claim_whose_process_died_is_taken_again_once_its_lease_runs_out(
    tmp_path: Path, slow_environ: dict[str, str], receiver: tuple[Receiver, str]
) -> None:
    crashed = mocks_app(tmp_path, **slow_environ)
    transport = httpx.ASGITransport(crashed)
    async with httpx.AsyncClient(
        transport=transport, base_url=BASE_URL, headers=admin_headers()
    ) as client:
        await IrdAdapter(client, BASE_URL, "dev-ird-key").submit(NEWBORN, newborn(), BIRTH_KEY)
    # A process claims the work when due, then dies mid-attempt.
    store = Store(tmp_path / "agencies.db")
    await asyncio.sleep(0.35)
    claimed_at = time.time()
    [claimed] = await store.promises.claim_due(claimed_at, 10, LEASE, "dead-process")
    async with serving(mocks_app(tmp_path, **slow_environ)) as client:
        # Halfway through the lease, however long the app took to start: still untouched.
        await asyncio.sleep(max(0.0, claimed_at + LEASE / 2 - time.time()))
        assert receiver[0].calls == 0, "a live claim was taken"
        callback = await asyncio.wait_for(receiver[0].callbacks.get(), timeout=5)
        work = await until_done(client, "ird")
    assert callback.callback_id == claimed.callback_id
    assert work["outcome"] == "delivered (HTTP 200)"
    # The dead process's late word changes nothing.
    assert not await store.promises.settle(claimed, "dead-process", "delivered (HTTP 200)")


@pytest.mark.parametrize(
    ("answers", "outcome", "attempts"),
    [
        ([503, 425, 502], "delivered (HTTP 200)", 4),
        ([409], "known (HTTP 409)", 1),
        ([401], "refused (HTTP 401)", 1),
    ],
    ids=["down-then-taken", "replayed", "refused"],
)
async def test_a_callback_is_tried_until_onceonly_takes_it_or_refuses_it(
    tmp_path: Path,
    slow_environ: dict[str, str],
    receiver: tuple[Receiver, str],
    answers: list[int],
    outcome: str,
    attempts: int,
) -> None:
    receiver[0].first_answers = answers
    async with serving(mocks_app(tmp_path, **slow_environ)) as client:
        await IrdAdapter(client, BASE_URL, "dev-ird-key").submit(NEWBORN, newborn(), BIRTH_KEY)
        work = await until_done(client, "ird", seconds=10)
    assert (work["state"], work["outcome"], work["attempts"]) == ("done", outcome, attempts)
    assert receiver[0].calls == attempts


async def test_bdm_decides_when_due_without_being_asked(
    tmp_path: Path, slow_environ: dict[str, str], receiver: tuple[Receiver, str]
) -> None:
    async with serving(mocks_app(tmp_path, **slow_environ)) as client:
        bdm = BdmAdapter(client, BASE_URL, "dev-bdm-key")
        answer = await bdm.submit(DEATH_REGISTRATION, death(), DEATH_KEY)
        work = await until_done(client, "bdm")
        status = await bdm.status(DEATH_REGISTRATION, answer.reference)
    # BDM calls no one back: the decision is taken and kept, to be read when asked.
    assert (work["outcome"], receiver[0].calls) == ("decided", 0)
    assert status.state == "completed"


def test_two_processes_on_one_file_never_claim_the_same_work(tmp_path: Path) -> None:
    path = tmp_path / "agencies.db"
    first, second = Store(path), Store(path)
    due = time.time() - 1

    async def promise_many() -> None:
        for n in range(60):
            await first.record_once(
                "ird",
                f"key-{n}",
                {"n": n},
                lambda _: (202, {}),
                lambda status, answer: Later("ird.test", due),
            )

    asyncio.run(promise_many())
    claimed: dict[str, list[int]] = {"first": [], "second": []}

    def claim_all(name: str, store: Store) -> None:
        while True:
            works = asyncio.run(store.promises.claim_due(time.time(), 3, 60.0, name))
            if not works:
                return
            claimed[name] += [work.id for work in works]

    threads = [
        threading.Thread(target=claim_all, args=(name, store))
        for name, store in (("first", first), ("second", second))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not set(claimed["first"]) & set(claimed["second"])
    assert sorted(claimed["first"] + claimed["second"]) == list(range(1, 61))
