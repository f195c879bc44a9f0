"""The worker's wiring: a step that proves its effect needs an agency that can say, and each
agency's rate limit."""

import httpx
import pytest

from adapters.base import AgencyPolicy
from adapters.registry import build_adapters
from onceonly.domain.step_graph import CatalogueError
from onceonly.settings import Settings
from onceonly.worker import check_capabilities, rate_limit


class WithoutStatus:
    """An IRD adapter that can submit but not say where a request stands."""

    agency = "ird"


async def test_every_step_that_proves_its_effect_has_an_adapter_that_can_say():
    settings = Settings()
    async with httpx.AsyncClient() as client:
        adapters = build_adapters(client, settings.agency_base_url, settings.agency_api_keys)
        check_capabilities(adapters)  # the built-in adapters can
        with pytest.raises(CatalogueError, match=r"move\.update_ird_address \(ird\)"):
            check_capabilities({**adapters, "ird": WithoutStatus()})  # type: ignore[dict-item]


def test_an_agencys_rate_limit_is_the_deployments_else_its_adapters():
    policy = AgencyPolicy(rate_limit_per_second=5.0)
    assert rate_limit(policy, "bdm", None) == 5.0
    assert rate_limit(policy, "bdm", {"msd": 50.0}) == 5.0
    assert rate_limit(policy, "bdm", {"bdm": 50.0}) == 50.0
    assert rate_limit(policy, "bdm", {"bdm": 0}) is None  # lifted
    assert rate_limit(AgencyPolicy(), "acc", None) is None  # the adapter sets none
