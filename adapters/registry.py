"""The adapters in use, one per agency: every adapter plugin installed (entry-point group
`onceonly.adapters`), the built-in ones included, each ready to submit through a shared
HTTP client; for an agency that takes a batch file, into the store's batch queue; for an
agency whose staff work through the inbox, to open tasks in it.

A deployment may put any catalogue agency on the work-queue kind (`work_queue_agencies`,
say a council that takes no API call yet): its plugin's own work-queue adapter if it has
one, else the generic one, in place of its HTTP adapter."""

import os
from collections.abc import Collection, Mapping
from datetime import timedelta

import httpx

from adapters.base import AgencyAdapter
from adapters.batch_file import BatchFileAdapter
from adapters.plugins import (
    AdapterPlugin,
    FoundPlugin,
    PluginError,
    WorkQueuePlugin,
    api_key,
    discover_plugins,
)
from adapters.work_queue import work_queue_factory
from onceonly.domain.batch import BatchQueue
from onceonly.domain.inbox import TaskInbox


def build_adapters(
    client: httpx.AsyncClient,
    base_url: str,
    api_keys: Mapping[str, str],
    *,
    plugins: Mapping[str, FoundPlugin] | None = None,
    environ: Mapping[str, str] | None = None,
    batch_queue: BatchQueue | None = None,
    inbox: TaskInbox | None = None,
    work_queue_agencies: Collection[str] = (),
    inbox_due: timedelta | None = None,
) -> dict[str, AgencyAdapter]:
    """Every adapter plugin installed (or `plugins`), keyed by agency id, each calling its
    agency under `base_url` with its key from `api_keys` or its own variable in `environ`
    (the process environment by default). PluginError names an agency without a key.

    A batch-file agency's adapter (no key) queues into `batch_queue` (without one it can
    preview but not submit). Agencies of the work-queue kind (a `WorkQueuePlugin`, or named
    in `work_queue_agencies`) open tasks in `inbox`, due `inbox_due` after they open when
    given; without an inbox (a caller that only talks to agencies' APIs) the inbox-only ones
    are left out, and naming one in `work_queue_agencies` is a PluginError.
    """
    found = discover_plugins() if plugins is None else plugins
    environ = os.environ if environ is None else environ
    if work_queue_agencies and inbox is None:
        raise PluginError(
            f"work_queue_agencies names {', '.join(sorted(work_queue_agencies))}, "
            "but no inbox was given to open their tasks in"
        )
    adapters: dict[str, AgencyAdapter] = {}
    for agency in dict.fromkeys([*found, *work_queue_agencies]):
        plugin = found[agency].plugin if agency in found else None
        if isinstance(plugin, WorkQueuePlugin):
            if inbox is not None:
                adapters[agency] = plugin.build(inbox, inbox_due)
        elif inbox is not None and agency in work_queue_agencies:
            adapters[agency] = work_queue_factory(agency)(inbox, inbox_due)
        elif plugin is not None:
            adapters[agency] = _built(
                plugin,
                client=client,
                base_url=base_url,
                api_keys=api_keys,
                environ=environ,
                batch_queue=batch_queue,
            )
    return adapters


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
