"""What the mock agencies' tests share besides fixtures (tests/mocks/conftest.py): the mocks
served to a client, and a stand-in for onceonly's callback route that a slow agency calls.
"""

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.callbacks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AgencyCallback,
    CallbackRefused,
    verify_callback,
)
from onceonly.domain.catalogue import BIRTH, DEATH
from tests.mocks.samples import disclose, sample_birth, sample_death

BASE_URL = "http://agencies.test"
"""Where the tests' clients and adapters find the mocks (an in-process transport)."""
SECRET = "ird-callback-secret-for-tests"
"""The secret IRD signs its callbacks with in these tests."""
NEWBORN = BIRTH.step("child_ird_number").service
DEATH_REGISTRATION = DEATH.step("register_death").service
# Keys in onceonly's format (`<event id>/<step id>`), which a callback names.
BIRTH_EVENT = f"birth-{'a' * 32}"
BIRTH_KEY = f"{BIRTH_EVENT}/child_ird_number"
DEATH_KEY = f"death-{'b' * 32}/register_death"


def newborn() -> dict[str, Any]:
    """The sample birth as IRD's newborn service is given it (the slow agency's request)."""
    return disclose(
        "child_ird_number", sample_birth(), child__birth_registration_number="2026/000001"
    )


def death() -> dict[str, Any]:
    """The sample death as BDM's death registration is given it (the reviewed request)."""
    return disclose("register_death", sample_death(), DEATH)


def mocks_app(tmp_path: Path, **environ: str) -> FastAPI:
    """The mock agencies on a store in `tmp_path`, configured by `environ` alone."""
    return create_app(tmp_path / "agencies.db", environ=environ)


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app holding the admin key, with the app's lifespan running (its loop
    of promised work), as `python -m mocks` runs it."""
    transport = httpx.ASGITransport(app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=transport, base_url=BASE_URL, headers=admin_headers()
        ) as client,
    ):
        yield client


@dataclass
class Receiver:
    """A tiny HTTP server on loopback standing in for onceonly's callback route: it checks
    each callback's signature and answers 200, or 401 when it does not hold; the first calls
    are answered `first_answers` (503: the API is down; 425: the step is not waiting yet)."""

    first_answers: list[int] = field(default_factory=list)
    callbacks: asyncio.Queue[AgencyCallback] = field(default_factory=asyncio.Queue)
    paths: list[str] = field(default_factory=list)
    calls: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        request_line, *header_lines = head.strip().split("\r\n")
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.calls += 1
        self.paths.append(request_line.split()[1])
        status = 200
        if self.calls <= len(self.first_answers):
            status = self.first_answers[self.calls - 1]
        else:
            try:
                verify_callback(
                    SECRET.encode(),
                    headers.get(TIMESTAMP_HEADER.lower()),
                    headers.get(SIGNATURE_HEADER.lower()),
                    body,
                    time.time(),
                )
                self.callbacks.put_nowait(AgencyCallback.model_validate_json(body))
            except CallbackRefused:
                status = 401
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        writer.close()
