"""The built-in adapters, one per agency, ready to submit through a shared HTTP client."""

from collections.abc import Mapping

import httpx

from adapters.base import AgencyAdapter
from adapters.bdm import BdmAdapter
from adapters.health import HealthAdapter
from adapters.ird import IrdAdapter
from adapters.msd import MsdAdapter

BUILT_IN = (BdmAdapter, IrdAdapter, MsdAdapter, HealthAdapter)
"""The adapter classes onceonly ships, for BDM, IRD, MSD and Health."""


def build_adapters(
    client: httpx.AsyncClient, base_url: str, api_keys: Mapping[str, str]
) -> dict[str, AgencyAdapter]:
    """Every built-in adapter keyed by agency id, each calling its agency under `base_url`."""
    missing = [cls.agency for cls in BUILT_IN if cls.agency not in api_keys]
    if missing:
        raise ValueError(f"no API key for: {', '.join(missing)}")
    return {cls.agency: cls(client, base_url, api_keys[cls.agency]) for cls in BUILT_IN}
