"""The adapters in use, one per agency: every adapter plugin installed (entry-point group
`onceonly.adapters`), the built-in ones included, each ready to submit through a shared
HTTP client."""

import os
from collections.abc import Mapping

import httpx

from adapters.base import AgencyAdapter
from adapters.plugins import FoundPlugin, api_key, discover_plugins


def build_adapters(
    client: httpx.AsyncClient,
    base_url: str,
    api_keys: Mapping[str, str],
    *,
    plugins: Mapping[str, FoundPlugin] | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, AgencyAdapter]:
    """Every adapter plugin installed (or `plugins`), keyed by agency id, each calling its
    agency under `base_url` with its key from `api_keys` or its own variable in `environ`
    (the process environment by default). PluginError names an agency without a key."""
    found = discover_plugins() if plugins is None else plugins
    environ = os.environ if environ is None else environ
    return {
        agency: entry.plugin.build(client, base_url, api_key(entry.plugin, api_keys, environ))
        for agency, entry in found.items()
    }
