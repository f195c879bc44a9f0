"""Mock agencies from other distributions: an adapter plugin's mock, served by the mock
agencies' process beside the built-in ones, behind the same gates (faults, API key,
idempotency, schema, consent receipt).

A distribution registers its mock as an entry point of the group `onceonly.mocks`, named by
the agency id and loading a `PluginMock`:

    [project.entry-points."onceonly.mocks"]
    kiwisaver = "kiwisaver_adapter.mock:MOCK"

The mocks read only this group, never the adapters', so the mock process imports no adapter.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from mocks.kit.agency import Coverage, MockAgency

MOCKS_GROUP = "onceonly.mocks"
"""The entry-point group of plugins' mock agencies."""


@dataclass(frozen=True)
class PluginMock:
    """A plugin's mock agency and the receipt coverage of each of its services (by path)."""

    agency: MockAgency[Any]
    receipt_coverage: Mapping[str, Coverage]


def load_mocks(found: Iterable[EntryPoint], taken: Iterable[str]) -> list[PluginMock]:
    """The mocks behind `found` entry points; ValueError when one loads something else, is
    named for another agency, or takes a name already `taken` (a built-in's, say)."""
    names = set(taken)
    mocks = []
    for entry_point in found:
        where = f"entry point {entry_point.name!r} ({entry_point.value}) in {MOCKS_GROUP}"
        mock = entry_point.load()
        if not isinstance(mock, PluginMock):
            raise ValueError(f"{where} must load a PluginMock, not {type(mock).__name__}")
        if mock.agency.name != entry_point.name:
            raise ValueError(f"{where} serves {mock.agency.name!r}: name it so")
        if mock.agency.name in names:
            raise ValueError(f"{where}: a mock agency {mock.agency.name!r} is served already")
        names.add(mock.agency.name)
        mocks.append(mock)
    return mocks


def discover_mocks(taken: Iterable[str]) -> list[PluginMock]:
    """Every installed plugin's mock agency (see `load_mocks`)."""
    return load_mocks(entry_points(group=MOCKS_GROUP), taken)
