"""The adapters onceonly ships, as their plugins, and one sample of every service they serve:
shared by the adapter, contract, preview and mock tests."""

from typing import Any

from adapters.plugins import AdapterPlugin, discover_plugins
from mocks.agencies.health import nhi_number_for
from mocks.kit.formats import nz_today
from onceonly.adapter_contract import Sample
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE, LifeEventSpec
from tests.mocks.samples import disclose, sample_birth, sample_death, sample_move

BUILT_IN_AGENCIES = (
    "bdm",
    "ird",
    "msd",
    "health",
    "nzta",
    "electoral",
    "acc",
    "passports",
    "council",
    "veterans",
    "kaingaora",
)
"""The agencies onceonly has adapters for, each registered as a plugin in pyproject.toml like
any other. (The address register has no submissions: `adapters.addresses.AddressRegister`
serves prefill.)"""
BUILT_IN_WORK_QUEUES = ("maori_land_court",)
"""The agencies onceonly ships as work queues only (tasks in their staff's inbox, no API)."""
_PLUGINS = discover_plugins()


def http_plugin(agency: str) -> AdapterPlugin:
    """The installed plugin of an agency that has an API (not a work queue)."""
    plugin = _PLUGINS[agency].plugin
    assert isinstance(plugin, AdapterPlugin), f"{agency} works through the staff inbox"
    return plugin


BUILT_IN: tuple[AdapterPlugin, ...] = tuple(http_plugin(agency) for agency in BUILT_IN_AGENCIES)
"""The built-in adapters' plugins, found as the worker finds them (`.agency`, `.build`)."""
BATCH_FILE_AGENCIES = ("justice",)
"""The built-in agencies reached by a file per period rather than calls (adapters.batch_file):
the HTTP contract kit, the previews-sent test and the mocks' HTTP gates leave them out;
tests/unit/test_batch_*.py, tests/store/test_batch_queue.py and tests/mocks/test_justice.py
cover them."""
EVERY_BUILT_IN: tuple[AdapterPlugin, ...] = BUILT_IN + tuple(
    http_plugin(agency) for agency in BATCH_FILE_AGENCIES
)
"""Every built-in adapter's plugin, by HTTP or by file."""
ALL_BUILT_IN = (*BUILT_IN_AGENCIES, *BATCH_FILE_AGENCIES, *BUILT_IN_WORK_QUEUES)
"""Every agency onceonly ships a plugin for, of any kind."""

# Facts earlier steps issued, for the steps that disclose them (valid in each agency's rules).
FACTS = {
    "child__birth_registration_number": "2026/000001",
    "child__ird_number": "130000010",
    "child__nhi_number": nhi_number_for(0),
    "deceased__death_registration_number": "2026/000042",
}


def dossier(event: LifeEventSpec) -> Any:
    """The event's sample data; the move is recent, as the council takes only those."""
    if event is BIRTH:
        return sample_birth()
    if event is MOVE:
        return sample_move().model_copy(update={"move_date": nz_today()})
    return sample_death()


BUILT_IN_SAMPLES = [
    Sample(event, step, disclose(step.id, dossier(event), event, **FACTS))
    for event in (BIRTH, MOVE, DEATH)
    for step in event.steps
    if step.agency in BUILT_IN_AGENCIES
]
"""One sample of every service a built-in adapter serves, on every life event."""
