"""The KiwiSaver adapter against onceonly's adapter contract kit, on its own mock and on a
recorded exchange; and the plugin as onceonly finds it. Run with this package installed."""

from datetime import date
from pathlib import Path
from typing import Any

import httpx
from kiwisaver_adapter.adapter import STEP, KiwiSaverAdapter, to_death_notification

from adapters.plugins import AdapterPlugin, capabilities, discover_plugins
from onceonly.adapter_contract import (
    Sample,
    ServedMocks,
    load_recording,
    verify_against_mock,
    verify_against_recording,
)
from onceonly.domain.catalogue import DEATH
from onceonly.domain.death import DeathData
from onceonly.domain.people import intake_context
from onceonly.domain.step_graph import select_fields
from onceonly.life_events import check_life_events
from onceonly.samples import death_request_data

TODAY = date(2026, 11, 25)
RECORDING = Path(__file__).with_name("member-death-notification.json")
REGISTRATION = {"deceased.death_registration_number": "2026/000042"}


def disclosure() -> dict[str, Any]:
    """The step's disclosure of onceonly's sample death, after BDM registered it."""
    data = DeathData.model_validate(death_request_data(TODAY), context=intake_context(TODAY))
    return select_fields(data.model_dump(mode="json"), REGISTRATION, STEP.fields)


SAMPLE = Sample.of("death", "notify_kiwisaver", disclosure())


async def test_the_adapter_keeps_the_contract_against_its_mock(
    contract_mocks: ServedMocks,
) -> None:
    await verify_against_mock(KiwiSaverAdapter, SAMPLE, contract_mocks)


async def test_the_adapter_keeps_the_contract_against_a_recorded_exchange() -> None:
    await verify_against_recording(KiwiSaverAdapter, SAMPLE, load_recording(RECORDING))


def test_the_notification_is_in_the_providers_format() -> None:
    assert to_death_notification(SAMPLE.disclosure) == {
        "member": {
            "irdNumber": "136410132",
            "surname": "Synthetic",
            "firstNames": "Hōhepa Te Rangi",
            "dateOfBirth": "1941-02-11",
        },
        "death": {"date": "2026-11-21", "registrationNumber": "2026/000042"},
        "contact": {
            "name": "Aroha Synthetic-Pōmare",
            "relationship": "CHILD",
            "capacity": "EXECUTOR",
            "postalAddress": ["PO Box 1234", "Whangārei", "Whangārei 0140"],
        },
    }


async def test_onceonly_finds_the_plugin_its_step_and_its_patch() -> None:
    found = discover_plugins()["kiwisaver"]
    assert found.distribution.startswith("onceonly-kiwisaver-adapter")
    assert DEATH.step("notify_kiwisaver").patch == "plugin-step-death-notify_kiwisaver"
    assert isinstance(found.plugin, AdapterPlugin)  # an API, not a staff work queue
    async with httpx.AsyncClient() as client:
        adapter = found.plugin.build(client, "http://kiwisaver.invalid", "unused")
    assert capabilities(adapter) == {"submit", "preview"}
    check_life_events(discover_plugins())
