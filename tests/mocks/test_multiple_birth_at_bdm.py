"""Twins at BDM: the adapter maps a child's multiple-birth block to BDM's plurality and
birthOrder, which the mock BDM (in process) registers, and the mock refuses them as BDM
would when they disagree (plurality 2 to 9, birth order 1 to plurality, both or neither)."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters import bdm
from adapters.bdm import BdmAdapter
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from onceonly.domain.catalogue import BIRTH
from onceonly.domain.multiple_birth import MultipleBirth
from tests.mocks.samples import disclose, sample_birth

BASE_URL = "http://agencies.test"
KEY = "dev-bdm-key"
PATH = "/bdm/v1/birth-registrations"
SERVICE = BIRTH.step("register_birth").service
TWIN = MultipleBirth(plurality=2, birth_order=2, sibling_event_id=f"birth-{'a' * 32}")


@pytest.fixture
async def client(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(tmp_path / "agencies.db", environ={})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url=BASE_URL, headers=admin_headers()
    ) as client:
        yield client


def registration(**child: Any) -> dict[str, Any]:
    body = bdm.to_bdm_registration(disclose("register_birth", sample_birth()))
    body["child"] |= child
    return body


def test_the_register_birth_step_discloses_plurality_and_order_but_not_the_link():
    fields = BIRTH.step("register_birth").fields
    assert {"multiple_birth.plurality", "multiple_birth.birth_order"} <= set(fields)
    assert "multiple_birth.sibling_event_id" not in fields
    assert "multiple_birth" not in fields


def test_a_twin_is_registered_with_its_plurality_and_birth_order():
    mapped = bdm.to_bdm_registration(disclose("register_birth", sample_birth(multiple_birth=TWIN)))
    assert mapped["child"]["plurality"] == 2
    assert mapped["child"]["birthOrder"] == 2
    assert "sibling" not in str(mapped)  # the link is onceonly's, not BDM's


def test_a_single_birth_sends_neither():
    mapped = bdm.to_bdm_registration(disclose("register_birth", sample_birth()))
    assert "plurality" not in mapped["child"] and "birthOrder" not in mapped["child"]


async def test_the_mock_bdm_registers_a_twin_through_the_adapter(client):
    adapter = BdmAdapter(client, BASE_URL, KEY)
    twin = disclose("register_birth", sample_birth(multiple_birth=TWIN))
    answer = await adapter.submit(SERVICE, twin, "birth-twin/register_birth")
    assert answer.outputs["child.birth_registration_number"] == answer.reference
    [record] = (await client.get("/bdm/_records")).json()["records"]
    assert record["received"]["child"]["plurality"] == 2
    assert record["received"]["child"]["birthOrder"] == 2


@pytest.mark.parametrize(
    ("child", "field", "message"),
    [
        ({"plurality": 2}, "child", "give both"),
        ({"birthOrder": 1}, "child", "give both"),
        ({"plurality": 2, "birthOrder": 3}, "child", "birthOrder: must be at most plurality"),
        ({"plurality": 1, "birthOrder": 1}, "child.plurality", "greater than or equal to 2"),
        ({"plurality": 10, "birthOrder": 1}, "child.plurality", "less than or equal to 9"),
        ({"plurality": 2, "birthOrder": 0}, "child.birthOrder", "greater than or equal to 1"),
        ({"plurality": "2", "birthOrder": 1}, "child.plurality", "valid integer"),
    ],
)
async def test_the_mock_bdm_refuses_an_inconsistent_multiple_birth(client, child, field, message):
    response = await client.post(
        PATH,
        json=registration(**child),
        headers={"X-Api-Key": KEY, "Idempotency-Key": "twin-1"},
    )
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert any(e["field"] == field and message in e["message"] for e in errors), errors
    assert (await client.get("/bdm/_records")).json()["records"] == []
