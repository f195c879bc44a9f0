"""The mocks' control routes: `_records` and `_faults` answer only the admin key (401 without
it or with another, 200 with it) in development, and are not served at all in production.
"""

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from mocks.app import create_app, development_settings
from mocks.kit.admin import ADMIN_KEY_HEADER, admin_headers

BASE_URL = "http://mocks.test"
CONTROL = [
    ("GET", "/bdm/_records"),
    ("GET", "/ird/_faults"),
    ("PUT", "/ird/_faults"),
    ("GET", "/addresses/_records"),  # a register's, through the same pipeline
    ("PUT", "/addresses/_faults"),
]


async def _answers(app: FastAPI, headers: dict[str, str]) -> list[int]:
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, headers=headers) as c:
        return [
            (await c.request(method, path, json={} if method == "PUT" else None)).status_code
            for method, path in CONTROL
        ]


@pytest.mark.parametrize(
    "headers",
    [{}, {ADMIN_KEY_HEADER: "dev-mocks-admin-key-but-longer"}, {ADMIN_KEY_HEADER: ""}],
    ids=["no-key", "another-key", "empty-key"],
)
async def test_without_the_admin_key_the_control_routes_answer_401(tmp_path: Path, headers):
    app = create_app(tmp_path / "agencies.db", environ={})
    assert await _answers(app, headers) == [401] * len(CONTROL)


async def test_the_admin_key_opens_them_and_its_own_replaces_the_default(tmp_path: Path):
    development = create_app(tmp_path / "dev.db", environ={})
    assert await _answers(development, admin_headers()) == [200] * len(CONTROL)
    own = create_app(tmp_path / "own.db", environ={"MOCK_ADMIN_KEY": "own-admin-key"})
    assert await _answers(own, admin_headers("own-admin-key")) == [200] * len(CONTROL)
    assert await _answers(own, admin_headers()) == [401] * len(CONTROL)


async def test_the_refusal_names_the_header_and_says_nothing_held(tmp_path: Path):
    app = create_app(tmp_path / "agencies.db", environ={})
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
        refused = await client.get("/bdm/_records")
    assert refused.json() == {"detail": "X-Admin-Key: a valid admin key is required"}


async def test_production_serves_no_control_routes_even_to_the_admin_key(tmp_path: Path):
    environ = {"MOCK_ENVIRONMENT": "production", "MOCK_ADMIN_KEY": "own-admin-key"}
    app = create_app(tmp_path / "agencies.db", environ=environ)
    assert await _answers(app, admin_headers("own-admin-key")) == [404] * len(CONTROL)
    assert not [path for path in app.openapi()["paths"] if "/_records" in path or "_faults" in path]


def test_the_development_settings_of_the_mocks():
    defaults = development_settings({}, plugins=[])
    assert defaults[:3] == ["MOCK_ADMIN_KEY", "MOCK_BDM_API_KEY", "MOCK_IRD_API_KEY"]
    assert "MOCK_ADDRESSES_API_KEY" in defaults and defaults[-1] == "MOCK_RECEIPT_JWKS"
    own = {name: f"own-{name}" for name in defaults}
    assert development_settings(own, plugins=[]) == []
    assert development_settings({**own, "MOCK_IRD_API_KEY": "dev-ird-key"}, plugins=[]) == [
        "MOCK_IRD_API_KEY"
    ]
    # Another agency's development key is just as public.
    assert development_settings({**own, "MOCK_IRD_API_KEY": "dev-msd-key"}, plugins=[]) == [
        "MOCK_IRD_API_KEY"
    ]
    leaked = {**own, "MOCK_CALLBACK_SECRETS": '{"ird": "dev-ird-callback-secret"}'}
    assert development_settings(leaked, plugins=[]) == ["MOCK_CALLBACK_SECRETS"]
