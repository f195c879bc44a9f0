"""The built-in adapters, one per agency, ready to submit through a shared HTTP client."""

from collections.abc import Mapping

import httpx

from adapters.acc import AccAdapter
from adapters.base import AgencyAdapter
from adapters.bdm import BdmAdapter
from adapters.council import CouncilAdapter
from adapters.electoral import ElectoralAdapter
from adapters.health import HealthAdapter
from adapters.ird import IrdAdapter
from adapters.kaingaora import KaingaOraAdapter
from adapters.msd import MsdAdapter
from adapters.nzta import NztaAdapter
from adapters.passports import PassportsAdapter
from adapters.veterans import VeteransAdapter

BUILT_IN = (
    BdmAdapter,
    IrdAdapter,
    MsdAdapter,
    HealthAdapter,
    NztaAdapter,
    ElectoralAdapter,
    AccAdapter,
    PassportsAdapter,
    CouncilAdapter,
    VeteransAdapter,
    KaingaOraAdapter,
)
"""The adapter classes onceonly ships, for BDM, IRD, MSD, Health, NZTA, the Electoral
Commission, ACC, Passports, the council, Veterans' Affairs and Kāinga Ora. (The address
register has no submissions: `adapters.addresses.AddressRegister` serves prefill.)"""


def build_adapters(
    client: httpx.AsyncClient, base_url: str, api_keys: Mapping[str, str]
) -> dict[str, AgencyAdapter]:
    """Every built-in adapter keyed by agency id, each calling its agency under `base_url`."""
    missing = [cls.agency for cls in BUILT_IN if cls.agency not in api_keys]
    if missing:
        raise ValueError(f"no API key for: {', '.join(missing)}")
    return {cls.agency: cls(client, base_url, api_keys[cls.agency]) for cls in BUILT_IN}
