"""Finding adapters, mocks and catalogue fragments through entry points: the built-in
adapters are plugins like any other, clashes and gaps fail start-up with a message that
names the agency and the entry-point group, and a fragment's step joins its life event
behind a patch."""

import dataclasses
from importlib.metadata import EntryPoint
from pathlib import Path

import httpx
import pytest
from temporalio.exceptions import ApplicationError

from adapters.passports import PassportsAdapter
from adapters.plugins import (
    ADAPTERS_GROUP,
    AdapterPlugin,
    PluginError,
    api_key,
    capabilities,
    discover_plugins,
    load_plugins,
)
from adapters.registry import build_adapters
from mocks.agencies.passports import AGENCY as PASSPORTS_MOCK
from mocks.agencies.passports import RECEIPT_COVERAGE as PASSPORTS_COVERAGE
from mocks.app import create_app
from mocks.kit.admin import admin_headers
from mocks.kit.plugins import MOCKS_GROUP, PluginMock, load_mocks
from onceonly.cli import main
from onceonly.domain import catalogue as catalogue_module
from onceonly.domain.catalogue import (
    CATALOGUE_FILE,
    MOVE,
    FragmentError,
    load_catalogue,
)
from onceonly.domain.death import DeathData
from onceonly.domain.step_graph import CatalogueError, check_catalogue
from onceonly.life_events import LIFE_EVENTS, check_life_events
from onceonly.settings import Settings
from onceonly.store import opened_store
from tests.adapters.built_in import ALL_BUILT_IN, BUILT_IN, http_plugin
from tests.mocks.samples import disclose, sample_move

ANOTHER_PASSPORTS = AdapterPlugin(agency="passports", build=PassportsAdapter)
NOT_A_PLUGIN = object()
CUSTOMS_MOCK = PluginMock(
    agency=dataclasses.replace(PASSPORTS_MOCK, name="customs"),
    receipt_coverage=PASSPORTS_COVERAGE,
)
FRAGMENT = """
[[agencies]]
id = "kiwisaver"
name = "A KiwiSaver provider"

[[steps.death]]
id = "notify_kiwisaver"
agency = "kiwisaver"
service = "member-death-notification"
purpose = "Tell the provider."
legal_basis = { kind = "consent", reference = "The notifier's consent" }
fields = ["deceased.ird_number", "deceased.death_registration_number"]
depends_on = ["register_death"]
"""


def entry(name: str, attribute: str, group: str = ADAPTERS_GROUP) -> EntryPoint:
    return EntryPoint(name, f"{__name__}:{attribute}", group)


def test_the_built_in_adapters_are_found_through_their_entry_points():
    found = discover_plugins()
    assert {plugin.agency for plugin in BUILT_IN} <= set(found)
    assert found["passports"].plugin.build is PassportsAdapter
    assert found["passports"].distribution.startswith("onceonly ")


def test_two_adapters_for_one_agency_fail_naming_both():
    with pytest.raises(PluginError, match="two adapters for agency 'passports'"):
        load_plugins(
            [
                EntryPoint("passports", "adapters.passports:PLUGIN", ADAPTERS_GROUP),
                entry("passports", "ANOTHER_PASSPORTS"),
            ]
        )


@pytest.mark.parametrize(
    ("name", "attribute", "rule"),
    [
        ("passports", "NOT_A_PLUGIN", "must load an AdapterPlugin"),
        ("customs", "ANOTHER_PASSPORTS", "serves agency 'passports': name it so"),
    ],
)
def test_an_entry_point_that_is_not_the_agencys_plugin_is_refused(name, attribute, rule):
    with pytest.raises(PluginError, match=rule):
        load_plugins([entry(name, attribute)])


def test_an_agency_without_a_key_is_refused_naming_where_the_key_goes():
    with pytest.raises(PluginError, match="ONCEONLY_PASSPORTS_API_KEY"):
        api_key(ANOTHER_PASSPORTS, {}, {})
    assert api_key(ANOTHER_PASSPORTS, {}, {"ONCEONLY_PASSPORTS_API_KEY": "k"}) == "k"
    assert (
        api_key(ANOTHER_PASSPORTS, {"passports": "s"}, {"ONCEONLY_PASSPORTS_API_KEY": "k"}) == "s"
    )


async def test_adapters_are_built_from_plugins_with_their_capabilities():
    async with httpx.AsyncClient() as client:
        keys = {plugin.agency: "key" for plugin in BUILT_IN}
        adapters = build_adapters(client, "http://agencies.test", keys, environ={})
    assert set(adapters) >= set(keys)
    assert capabilities(adapters["passports"]) == {"submit", "preview"}
    assert capabilities(adapters["msd"]) >= {"submit", "preview", "withdraw"}


async def test_a_batch_file_adapter_needs_no_key_and_queues_into_the_stores_batch_queue(
    settings: Settings, tmp_path: Path
):
    only = {"justice": discover_plugins()["justice"]}
    assert http_plugin("justice").kind == "batch_file"
    store_settings = settings.model_copy(update={"store_path": tmp_path / "store.db"})
    async with httpx.AsyncClient() as client, opened_store(store_settings) as store:
        unbound = build_adapters(client, "http://agencies.test", {}, environ={}, plugins=only)
        bound = build_adapters(
            client, "http://agencies.test", {}, environ={}, plugins=only, batch_queue=store.batch
        )
        disclosure = disclose("update_fines_address", sample_move(), MOVE)
        service = MOVE.step("update_fines_address").service
        with pytest.raises(ApplicationError, match="built without the store's batch queue"):
            await unbound["justice"].submit(service, disclosure, "move-1/update_fines_address")
        answer = await bound["justice"].submit(service, disclosure, "move-1/update_fines_address")
        assert (answer.pending, answer.follow_up) == (True, "callback")
        assert (await store.batch.get(answer.reference)) is not None
    assert capabilities(bound["justice"]) == {"submit", "preview", "status"}


def test_start_up_fails_naming_the_agency_without_an_adapter_and_the_group():
    adapters = [agency for agency in ALL_BUILT_IN if agency != "veterans"]
    with pytest.raises(CatalogueError, match=r"veterans.*'onceonly\.adapters'"):
        check_life_events(adapters)
    check_life_events(ALL_BUILT_IN)


def test_a_fragment_adds_its_agency_and_step_behind_a_patch():
    catalogue = load_catalogue(CATALOGUE_FILE, [("test fragment", FRAGMENT)])
    step = catalogue.event("death").step("notify_kiwisaver")
    assert step.patch == "plugin-step-death-notify_kiwisaver"
    assert "kiwisaver" in {agency.id for agency in catalogue.agencies}
    assert all(s.patch is None for s in catalogue.event("death").steps if s is not step)
    models = {kind: spec.data_model for kind, spec in LIFE_EVENTS.items()}
    check_catalogue(catalogue, models, [*ALL_BUILT_IN, "kiwisaver"])


@pytest.mark.parametrize(
    ("change", "error", "rule"),
    [
        (("[[steps.death]]", "[[steps.wedding]]"), FragmentError, "unknown life events"),
        (('id = "kiwisaver"', 'id = "ird"'), FragmentError, "in the catalogue already"),
        (("fields = [", 'colour = "red"\nfields = ['), FragmentError, "colour"),
        (('"register_death"', '"register_funeral"'), CatalogueError, "unknown step"),
        (("deceased.ird_number", "deceased.shoe_size"), CatalogueError, "shoe_size"),
    ],
)
def test_a_bad_fragment_is_refused_naming_the_rule(change, error, rule):
    fragment = FRAGMENT.replace(*change)
    with pytest.raises(error, match=rule):
        catalogue = load_catalogue(CATALOGUE_FILE, [("test fragment", fragment)])
        models = {"birth": LIFE_EVENTS["birth"].data_model, "move": LIFE_EVENTS["move"].data_model}
        check_catalogue(catalogue, {**models, "death": DeathData})


def test_without_plugins_the_catalogue_is_the_file():
    assert load_catalogue(CATALOGUE_FILE, []) == catalogue_module.CATALOGUE


async def test_a_plugins_mock_is_served_and_clashes_are_refused(tmp_path):
    [mock] = load_mocks([entry("customs", "CUSTOMS_MOCK", MOCKS_GROUP)], taken=["passports"])
    app = create_app(tmp_path / "agencies.db", environ={}, plugins=[mock])
    transport = httpx.ASGITransport(app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://mocks.test", headers=admin_headers()
    ) as client:
        assert (await client.get("/customs/_records")).json()["agency"] == "customs"
    with pytest.raises(ValueError, match="served already"):
        load_mocks([entry("customs", "CUSTOMS_MOCK", MOCKS_GROUP)], taken=["customs"])
    with pytest.raises(ValueError, match="must load a PluginMock"):
        load_mocks([entry("customs", "NOT_A_PLUGIN", MOCKS_GROUP)], taken=[])


async def test_the_adapters_command_lists_each_adapter_its_distribution_and_capabilities(
    capsys,
):
    assert main(["adapters"]) == 0
    out = capsys.readouterr().out
    async with httpx.AsyncClient() as client:
        adapters = build_adapters(
            client,
            "http://agencies.test",
            {},
            environ={f"ONCEONLY_{plugin.agency.upper()}_API_KEY": "key" for plugin in BUILT_IN},
        )
    for agency, adapter in adapters.items():
        listed = ", ".join(sorted(capabilities(adapter)))
        assert f"{agency}: onceonly 0.1.0\n  capabilities: {listed}\n  policy: timeout" in out
