"""Adapter plugins: how an agency's adapter is found, built and described.

Every adapter, built-in or not, is a distribution's entry point in the group
`onceonly.adapters`, named by the agency id and loading an `AdapterPlugin`:

    [project.entry-points."onceonly.adapters"]
    kiwisaver = "kiwisaver_adapter.adapter:PLUGIN"

An agency without an API loads a `WorkQueuePlugin` instead: its adapter is built from the
store's staff inbox (`adapters.work_queue`), with no HTTP client and no API key.

A plugin's mock agency (group `onceonly.mocks`, see mocks/kit/plugins.py) and its catalogue
fragment (group `onceonly.catalogue`, see onceonly/domain/catalogue.py) are entry points of
their own, so that neither the mock process nor the workflow sandbox imports adapter code.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Literal

import httpx

from adapters.base import AgencyAdapter, AmendingAdapter, StatusAdapter, WithdrawingAdapter
from adapters.work_queue import InboxFactory

ADAPTERS_GROUP = "onceonly.adapters"
"""The entry-point group adapters register in, one entry point per agency id."""

AdapterFactory = Callable[[httpx.AsyncClient, str, str], AgencyAdapter]
"""Builds an adapter from the shared HTTP client, the agencies' base URL and the API key."""


class PluginError(ValueError):
    """An adapter plugin that cannot be used: the message names the entry point and the rule."""


@dataclass(frozen=True)
class AdapterPlugin:
    """One agency's adapter as a distribution offers it."""

    agency: str
    """The agency id, as the catalogue names it and as the entry point is named."""
    build: AdapterFactory
    """The adapter's constructor (or any factory with its signature)."""
    api_key_env: str | None = None
    """The environment variable holding the agency's API key when the settings'
    `agency_api_keys` has none; `ONCEONLY_<AGENCY>_API_KEY` when not given."""
    kind: Literal["http", "batch_file"] = "http"
    """How the agency is reached: by calls (`build` gets the client, URL and key), or by a
    file per period (adapters.batch_file: built with no key, then bound to the store's
    batch queue by the registry)."""

    @property
    def key_variable(self) -> str:
        """The environment variable this plugin's API key may come from."""
        return self.api_key_env or f"ONCEONLY_{self.agency.upper()}_API_KEY"


@dataclass(frozen=True)
class WorkQueuePlugin:
    """One agency whose staff work through the inbox, as a distribution offers it."""

    agency: str
    """The agency id, as the catalogue names it and as the entry point is named."""
    build: InboxFactory
    """Builds the adapter from the store's inbox (`adapters.work_queue.work_queue_factory`)."""


@dataclass(frozen=True)
class FoundPlugin:
    """A plugin and the distribution that registered it."""

    plugin: AdapterPlugin | WorkQueuePlugin
    distribution: str


CAPABILITIES = ("submit", "preview", "status", "amend", "withdraw")
"""Everything an adapter may do, in lifecycle order; the first two every adapter does."""


def capabilities(adapter: AgencyAdapter) -> frozenset[str]:
    """What the adapter can do, read from the capability Protocols it implements."""
    found = {"submit", "preview"}
    if isinstance(adapter, StatusAdapter):
        found.add("status")
    if isinstance(adapter, AmendingAdapter):
        found.add("amend")
    if isinstance(adapter, WithdrawingAdapter):
        found.add("withdraw")
    return frozenset(found)


def _distribution(entry_point: EntryPoint) -> str:
    dist = entry_point.dist
    return "(unknown distribution)" if dist is None else f"{dist.name} {dist.version}"


def load_plugins(found: Iterable[EntryPoint]) -> dict[str, FoundPlugin]:
    """The plugins behind `found` entry points, by agency id.

    PluginError when an entry point does not load an `AdapterPlugin`, is named for another
    agency than its plugin serves, or when two distributions offer an adapter for one agency
    (which one to use is a deployment decision, never a guess).
    """
    plugins: dict[str, FoundPlugin] = {}
    for entry_point in found:
        where = f"entry point {entry_point.name!r} ({entry_point.value}) in {ADAPTERS_GROUP}"
        plugin = entry_point.load()
        if not isinstance(plugin, AdapterPlugin | WorkQueuePlugin):
            raise PluginError(
                f"{where} must load an AdapterPlugin or a WorkQueuePlugin, not "
                f"{type(plugin).__name__}"
            )
        if plugin.agency != entry_point.name:
            raise PluginError(f"{where} serves agency {plugin.agency!r}: name it so")
        distribution = _distribution(entry_point)
        if plugin.agency in plugins:
            other = plugins[plugin.agency].distribution
            raise PluginError(
                f"two adapters for agency {plugin.agency!r} in {ADAPTERS_GROUP}: from "
                f"{other} and from {distribution}; uninstall one of them"
            )
        plugins[plugin.agency] = FoundPlugin(plugin, distribution)
    return plugins


def discover_plugins() -> dict[str, FoundPlugin]:
    """Every installed adapter plugin, by agency id (see `load_plugins`)."""
    found = load_plugins(entry_points(group=ADAPTERS_GROUP))
    if not found:
        raise PluginError(
            f"no adapters registered in {ADAPTERS_GROUP}: is onceonly installed "
            "(pip install -e .) with its entry points?"
        )
    return found


def api_key(plugin: AdapterPlugin, api_keys: Mapping[str, str], environ: Mapping[str, str]) -> str:
    """The agency's API key: from the settings' keys, else from the plugin's own variable.

    PluginError when neither has one: an agency called without its key would only refuse
    every submission later, so the worker must not start.
    """
    key = api_keys.get(plugin.agency) or environ.get(plugin.key_variable)
    if not key:
        raise PluginError(
            f"no API key for agency {plugin.agency!r}: set {plugin.key_variable} or add it "
            "to ONCEONLY_AGENCY_API_KEYS"
        )
    return key
