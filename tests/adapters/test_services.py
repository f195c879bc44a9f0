"""The one way to write an adapter (adapters/services.py): what a service declaration gives,
what it refuses before sending anything, and capabilities that follow the declaration."""

import base64

import httpx
import pytest

from adapters.base import (
    AgencyRejected,
    AmendmentNotOffered,
    ServiceNotOffered,
    WithdrawalNotOffered,
)
from adapters.http import AgencyApi, ApiKeyHeader, BasicAuth
from adapters.plugins import capabilities
from adapters.services import JsonAgencyAdapter, Service
from onceonly.domain.amendments import AMENDMENT_NOT_OFFERED
from onceonly.domain.submission import WITHDRAWAL_NOT_OFFERED
from tests.adapters.built_in import BUILT_IN
from tests.adapters.support import BASE_URL, death_disclosure

# What each built-in adapter can do besides submit and preview, as its agency offers it.
CAPABILITIES = {
    "bdm": {"status"},
    "ird": {"status", "amend"},
    "msd": {"status", "amend", "withdraw"},
    "health": {"withdraw"},
    "nzta": {"status", "amend"},
    "electoral": {"amend"},
    "acc": set(),
    "passports": set(),
    "council": {"withdraw"},
    "veterans": set(),
    "kaingaora": set(),
}


class Greeting(JsonAgencyAdapter):
    """An agency with one service and no capabilities."""

    agency = "greeting"
    title = "the greeting office"
    api = AgencyApi("/greeting/v1", ApiKeyHeader("X-Key"), lambda body: body.get("error"))
    services = (Service("hello", "/hellos", lambda d: {"to": d["name"]}, lambda a: a),)


def _unreachable(sent: list[httpx.Request]) -> httpx.AsyncClient:
    """A client that notes every request and answers none of them well."""

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return httpx.AsyncClient(transport=httpx.MockTransport(answer))


@pytest.mark.parametrize("plugin", BUILT_IN, ids=[plugin.agency for plugin in BUILT_IN])
def test_each_adapter_can_do_what_its_agency_offers_and_no_more(plugin):
    adapter = plugin.build(httpx.AsyncClient(), BASE_URL, "key")
    assert capabilities(adapter) == {"submit", "preview"} | CAPABILITIES[plugin.agency]


def test_an_adapter_declaring_no_capability_has_none():
    assert capabilities(Greeting(httpx.AsyncClient(), BASE_URL, "key")) == {"submit", "preview"}


async def test_a_service_the_agency_lacks_is_refused_by_name_before_anything_is_sent():
    sent: list[httpx.Request] = []
    async with _unreachable(sent) as client:
        adapter = Greeting(client, BASE_URL, "key")
        for call in (adapter.preview("goodbye", {}), adapter.submit("goodbye", {}, "k")):
            with pytest.raises(
                ServiceNotOffered, match="the greeting office offers no service 'goodbye'"
            ) as refused:
                await call
            assert refused.value.non_retryable
    assert sent == []


async def test_a_service_without_an_amendment_or_withdrawal_is_refused_by_type_unsent():
    sent: list[httpx.Request] = []
    async with _unreachable(sent) as client:
        msd = next(p for p in BUILT_IN if p.agency == "msd").build(client, BASE_URL, "key")
        disclosure = death_disclosure("stop_msd_payments")
        with pytest.raises(AmendmentNotOffered) as amend:
            await msd.amend("stop-payments", "SP-000001", disclosure, "k")  # type: ignore[attr-defined]
        with pytest.raises(WithdrawalNotOffered) as withdraw:
            await msd.withdraw("stop-payments", "SP-000001", "k")  # type: ignore[attr-defined]
        electoral = next(p for p in BUILT_IN if p.agency == "electoral").build(
            client, BASE_URL, "k"
        )
        with pytest.raises(AgencyRejected, match="the Electoral Commission offers no service"):
            await electoral.submit("stop-payments", disclosure, "k")
    assert (amend.value.type, withdraw.value.type) == (
        AMENDMENT_NOT_OFFERED,
        WITHDRAWAL_NOT_OFFERED,
    )
    assert amend.value.non_retryable and withdraw.value.non_retryable
    assert sent == []


def test_the_api_key_goes_as_each_agency_takes_it():
    assert ApiKeyHeader("X-Api-Key").headers("k1") == {"X-Api-Key": "k1"}
    assert ApiKeyHeader("Authorization", "Bearer").headers("k1") == {"Authorization": "Bearer k1"}
    [basic] = BasicAuth("onceonly").headers("k1").values()
    assert base64.b64decode(basic.removeprefix("Basic ")) == b"onceonly:k1"


async def test_the_one_constructor_puts_every_path_below_the_agencys_root():
    sent: list[httpx.Request] = []
    async with _unreachable(sent) as client:
        adapter = Greeting(client, f"{BASE_URL}/", "key")
        with pytest.raises(Exception, match="unavailable"):
            await adapter.submit("hello", {"name": "Aroha"}, "k")
    [request] = sent
    assert str(request.url) == f"{BASE_URL}/greeting/v1/hellos"
    assert request.headers["X-Key"] == "key"
    assert request.headers["Idempotency-Key"] == "k"
