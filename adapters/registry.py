"""The adapters in use, one per agency: every adapter plugin installed (entry-point group
`onceonly.adapters`), the built-in ones included, each ready to submit through a shared
HTTP client, or, for an agency whose staff work through the inbox, to open tasks in it.

A deployment may put any catalogue agency on the work-queue kind (`work_queue_agencies`,
say a council that takes no API call yet): its plugin's own work-queue adapter if it has
one, else the generic one, in place of its HTTP adapter."""

import os
from collections.abc import Collection, Mapping
from datetime import timedelta

import httpx

from adapters.base import AgencyAdapter
from adapters.plugins import (
    FoundPlugin,
    PluginError,
    WorkQueuePlugin,
    api_key,
    discover_plugins,
)
from adapters.work_queue import work_queue_factory
from onceonly.domain.inbox import TaskInbox


def build_adapters(
    client: httpx.AsyncClient,
    base_url: str,
    api_keys: Mapping[str, str],
    *,
    plugins: Mapping[str, FoundPlugin] | None = None,
    environ: Mapping[str, str] | None = None,
    inbox: TaskInbox | None = None,
    work_queue_agencies: Collection[str] = (),
    inbox_due: timedelta | None = None,
) -> dict[str, AgencyAdapter]:
    """Every adapter plugin installed (or `plugins`), keyed by agency id, each calling its
    agency under `base_url` with its key from `api_keys` or its own variable in `environ`
    (the process environment by default). PluginError names an agency without a key.

    Agencies of the work-queue kind (a `WorkQueuePlugin`, or named in `work_queue_agencies`)
    open tasks in `inbox`, due `inbox_due` after they open when given; without an inbox (a
    caller that only talks to agencies' APIs) the inbox-only ones are left out, and naming
    one in `work_queue_agencies` is a PluginError.
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
            adapters[agency] = plugin.build(client, base_url, api_key(plugin, api_keys, environ))
    return adapters
