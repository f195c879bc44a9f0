"""The adapters in use, one per agency: every adapter plugin installed (entry-point group
`onceonly.adapters`), the built-in ones included, each ready to submit through a shared
HTTP client, or, for an agency that takes a batch file, into the store's batch queue."""

import os
from collections.abc import Mapping

import httpx

from adapters.base import AgencyAdapter
from adapters.batch_file import BatchFileAdapter
from adapters.plugins import AdapterPlugin, FoundPlugin, api_key, discover_plugins
from onceonly.domain.batch import BatchQueue


def build_adapters(
    client: httpx.AsyncClient,
    base_url: str,
    api_keys: Mapping[str, str],
    *,
    plugins: Mapping[str, FoundPlugin] | None = None,
    environ: Mapping[str, str] | None = None,
    batch_queue: BatchQueue | None = None,
) -> dict[str, AgencyAdapter]:
    """Every adapter plugin installed (or `plugins`), keyed by agency id, each calling its
    agency under `base_url` with its key from `api_keys` or its own variable in `environ`
    (the process environment by default); a batch-file agency's adapter (no key) queues into
    `batch_queue` (without one it can preview but not submit). PluginError names an agency
    without a key."""
    found = discover_plugins() if plugins is None else plugins
    environ = os.environ if environ is None else environ
    return {
        agency: _built(
            entry.plugin,
            client=client,
            base_url=base_url,
            api_keys=api_keys,
            environ=environ,
            batch_queue=batch_queue,
        )
        for agency, entry in found.items()
    }


def _built(
    plugin: AdapterPlugin,
    *,
    client: httpx.AsyncClient,
    base_url: str,
    api_keys: Mapping[str, str],
    environ: Mapping[str, str],
    batch_queue: BatchQueue | None,
) -> AgencyAdapter:
    if plugin.kind == "http":
        return plugin.build(client, base_url, api_key(plugin, api_keys, environ))
    adapter = plugin.build(client, base_url, "")
    if batch_queue is not None and isinstance(adapter, BatchFileAdapter):
        return adapter.on_queue(batch_queue)
    return adapter
