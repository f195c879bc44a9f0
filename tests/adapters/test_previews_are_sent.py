"""A preview cannot differ from what is sent: for every built-in adapter and every service it
serves, the body `preview` shows is the body the mock agency records as received when the
same disclosure is submitted. The council's property id is the one part looked up at sending
(a preview must not tell the council the address), so it alone may differ, and only from the
placeholder the preview shows for it."""

from collections.abc import Iterator

import httpx
import pytest

from adapters.council import PROPERTY_ID_WHEN_SENT
from onceonly.adapter_contract import Sample, ServedMocks, serve_mocks
from onceonly.contract_harness import Harness, key
from tests.adapters.built_in import BUILT_IN_SAMPLES, http_plugin


@pytest.fixture(scope="module")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMocks]:
    with serve_mocks(tmp_path_factory.mktemp("previews") / "agencies.db") as served:
        yield served


def received(mocks: ServedMocks, agency: str, idempotency_key: str) -> object:
    """The body the agency recorded under `idempotency_key`, as it received it."""
    listed = httpx.get(f"{mocks.base_url}/{agency}/_records", headers=mocks.admin_headers)
    [record] = [r for r in listed.json()["records"] if r["idempotency_key"] == idempotency_key]
    return record["received"]


@pytest.mark.parametrize("sample", BUILT_IN_SAMPLES, ids=[s.step.id for s in BUILT_IN_SAMPLES])
async def test_the_preview_is_the_body_the_agency_receives(mocks: ServedMocks, sample: Sample):
    step = sample.step
    harness = Harness(http_plugin(step.agency).build, mocks.base_url, mocks)
    sent = key(sample, "preview")
    async with harness.adapter(step.agency) as adapter:
        preview = await adapter.preview(step.service, sample.disclosure)
        await harness.call(
            harness.receipt(sample), lambda: adapter.submit(step.service, sample.disclosure, sent)
        )
    body = received(mocks, step.agency, sent)
    assert isinstance(body, dict)
    if step.agency == "council":
        assert preview["propertyId"] == PROPERTY_ID_WHEN_SENT
        assert body["propertyId"] != PROPERTY_ID_WHEN_SENT
        preview = preview | {"propertyId": body["propertyId"]}
    assert body == preview
