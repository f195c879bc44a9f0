"""The worker's wiring: a step that proves its effect needs an agency that can say, each
agency's rate limit, and which agencies' calls have a task queue of their own."""

from datetime import date

import httpx
import pytest

from adapters.base import AgencyPolicy, rate_limit
from adapters.registry import build_adapters
from onceonly.domain.people import intake_context
from onceonly.domain.step_graph import CatalogueError
from onceonly.domain.submission import agency_call_queue
from onceonly.life_events import LIFE_EVENTS, declared_policies, own_queue_agencies
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from onceonly.worker import check_capabilities


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


def test_an_agency_with_a_rate_limit_has_its_own_queue_and_the_others_share_the_workflows():
    policies = {"bdm": AgencyPolicy(rate_limit_per_second=5.0), "acc": AgencyPolicy()}
    assert own_queue_agencies(["bdm", "acc", "bdm"], policies, {}) == ("bdm",)
    assert own_queue_agencies(["bdm", "acc"], policies, {"bdm": 0}) == ()  # lifted
    assert own_queue_agencies(["bdm", "acc"], policies, {"acc": 2.0}) == ("acc", "bdm")
    # An agency whose policy this process cannot read keeps the safe choice.
    assert own_queue_agencies(["kiwisaver"], policies, {}) == ("kiwisaver",)


def test_an_agencys_calls_go_on_its_own_queue_only_when_the_event_says_so():
    assert agency_call_queue("main", "bdm", ("bdm",)) == "main.agency.bdm"
    assert agency_call_queue("main", "acc", ("bdm",)) == "main"
    # Events started before starters named the agencies: every agency on its own queue.
    assert agency_call_queue("main", "acc", None) == "main.agency.acc"


def test_a_new_event_names_the_rate_limited_agencies_of_its_steps():
    birth = LIFE_EVENTS["birth"]
    agencies = {step.agency for step in birth.spec.steps}
    limited = {a for a in agencies if declared_policies()[a].rate_limit_per_second}
    assert limited, "the birth reaches agencies whose adapters declare a rate limit"
    today = date(2026, 11, 26)
    data = birth.data_model.model_validate(birth_request_data(today), context=intake_context(today))
    start = birth.start(Settings(), "key", data)
    assert set(start.own_queue_agencies or ()) == limited
    lifted = Settings(agency_rate_limits=dict.fromkeys(agencies, 0))
    assert birth.start(lifted, "key", data).own_queue_agencies == ()
