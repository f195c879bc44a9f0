"""The prefill look-up activity: asks one register what government already holds."""

from collections.abc import Mapping
from typing import Any

import httpx
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from adapters.addresses import AddressRegister
from adapters.bdm import BdmAdapter
from adapters.ird import IrdAdapter
from onceonly.domain import prefill as contract
from onceonly.domain.prefill import RegisterLookup

log = structlog.get_logger(__name__)


class RegisterLookups(contract.RegisterLookups):
    """The look-up activity, bound to the registers' adapters."""

    def __init__(self, addresses: AddressRegister, ird: IrdAdapter, bdm: BdmAdapter) -> None:
        self._addresses = addresses
        self._ird = ird
        self._bdm = bdm

    @activity.defn(name=contract.LOOK_UP_REGISTER)
    async def look_up_register(self, lookup: RegisterLookup) -> dict[str, Any]:
        """Look the citizen up in one register; adapter errors decide whether Temporal retries."""
        # Logs name the register only: identities and answers are personal data.
        log.info("register.look_up", source=lookup.source)
        if lookup.source == "addresses":
            residence = await self._addresses.residence(lookup.identity)
            return residence.model_dump(mode="json")
        if lookup.source == "ird":
            return {"ird_number": await self._ird.own_ird_number(lookup.identity)}
        if lookup.source == "bdm":
            if lookup.death_registration_number is None:
                raise ApplicationError(
                    "bdm: a death registration number is needed", non_retryable=True
                )
            record = await self._bdm.death_record(lookup.death_registration_number)
            return record.model_dump(mode="json")
        raise ApplicationError(f"no register {lookup.source!r}", non_retryable=True)


def build_register_lookups(
    client: httpx.AsyncClient, base_url: str, api_keys: Mapping[str, str]
) -> RegisterLookups:
    """The look-up activity over the address register, IRD and BDM under `base_url`."""
    return RegisterLookups(
        AddressRegister(client, base_url, api_keys["addresses"]),
        IrdAdapter(client, base_url, api_keys["ird"]),
        BdmAdapter(client, base_url, api_keys["bdm"]),
    )
