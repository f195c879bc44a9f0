"""The fault drills of `make drill`, short: 15 births each, outages of seconds, a kill or two,
on one stack of separate processes (ephemeral ports, a temporary state dir).
"""

import asyncio
from collections.abc import Iterator

import pytest
from temporalio.client import Client

from bench.drill_run import DRILL_ENV, SHORT
from bench.drills import DRILLS
from bench.report import checks_table
from bench.stack import PieceStack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PieceStack]:
    stack = PieceStack.on_free_ports(tmp_path_factory.mktemp("drills"), DRILL_ENV)
    try:
        asyncio.run(stack.start())
        yield stack
    finally:
        asyncio.run(stack.stop())


@pytest.mark.parametrize("drill", list(DRILLS))
async def test_nothing_is_lost_or_done_twice(stack: PieceStack, drill: str):
    client = await Client.connect(stack.settings.temporal_address)
    checks = await DRILLS[drill](stack, client, SHORT)
    assert checks, "the drill checked nothing"
    assert all(check.passed for check in checks), checks_table(f"drill {drill}", checks)
