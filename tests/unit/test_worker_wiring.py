"""The worker's wiring: which steps' proof of effect their agency's staff answer, each
agency's rate limit, and which agencies' calls have a task queue of their own."""

from datetime import date

import httpx

from adapters.base import AgencyPolicy
from adapters.registry import build_adapters
from onceonly.domain.people import intake_context
from onceonly.domain.submission import agency_call_queue
from onceonly.life_events import LIFE_EVENTS, own_queue_agencies
from onceonly.samples import birth_request_data
from onceonly.settings import Settings
from onceonly.worker import check_capabilities, rate_limit


class WithoutStatus:
    """An IRD adapter that can submit but not say where a request stands."""

    agency = "ird"


async def test_a_step_whose_agency_cannot_say_its_effect_is_checked_by_its_staff():
    settings = Settings()
    async with httpx.AsyncClient() as client:
        adapters = build_adapters(client, settings.agency_base_url, settings.agency_api_keys)
        assert check_capabilities(adapters) == []  # the built-in adapters can say
        # Without a status endpoint the worker still starts: the agency's staff are asked.
        by_staff = check_capabilities({**adapters, "ird": WithoutStatus()})  # type: ignore[dict-item]
        assert "move.update_ird_address (ird)" in by_staff


def test_an_agencys_rate_limit_is_the_deployments_else_its_adapters():
    policy = AgencyPolicy(rate_limit_per_second=5.0)
    assert rate_limit(policy, "bdm", None) == 5.0
    assert rate_limit(policy, "bdm", {"msd": 50.0}) == 5.0
    assert rate_limit(policy, "bdm", {"bdm": 50.0}) == 50.0
    assert rate_limit(policy, "bdm", {"bdm": 0}) is None  # lifted
    assert rate_limit(AgencyPolicy(), "acc", None) is None  # the adapter sets none


def test_every_agency_has_its_own_queue_unless_the_deployment_lifts_its_limit():
    assert own_queue_agencies(["bdm", "acc", "bdm"], {}) == ("acc", "bdm")
    assert own_queue_agencies(["bdm", "acc"], {"bdm": 0}) == ("acc",)  # lifted: shares
    assert own_queue_agencies(["bdm", "acc"], {"bdm": 50.0}) == ("acc", "bdm")


def test_an_agencys_calls_go_on_its_own_queue_only_when_the_event_says_so():
    assert agency_call_queue("main", "bdm", ("bdm",)) == "main.agency.bdm"
    assert agency_call_queue("main", "acc", ("bdm",)) == "main"
    # Events started before starters named the agencies: every agency on its own queue.
    assert agency_call_queue("main", "acc", None) == "main.agency.acc"


def test_a_new_event_names_the_agencies_of_its_steps_whose_limit_is_not_lifted():
    birth = LIFE_EVENTS["birth"]
    agencies = {step.agency for step in birth.spec.steps}
    today = date(2026, 11, 26)
    data = birth.data_model.model_validate(birth_request_data(today), context=intake_context(today))
    assert set(birth.start(Settings(), "key", data).own_queue_agencies or ()) == agencies
    lifted = Settings(agency_rate_limits={"health": 0})
    assert set(birth.start(lifted, "key", data).own_queue_agencies or ()) == agencies - {"health"}
