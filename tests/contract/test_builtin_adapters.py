"""The adapter contract kit run for every built-in adapter and every service it serves,
against the mock agencies with their consent receipt gate on; and the kit's own rules
caught breaking, so that its passes mean something."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from adapters.base import AgencyAnswer, AgencyRejected, AgencyUnavailable, Disclosure
from adapters.passports import PassportsAdapter
from onceonly.adapter_contract import (
    ContractViolation,
    ServedMocks,
    serve_mocks,
    verify_against_mock,
)
from onceonly.domain.catalogue import BIRTH, DEATH, MOVE
from tests.adapters import built_in

BUILT_IN_AGENCIES = set(built_in.BUILT_IN_AGENCIES)
SAMPLES = built_in.BUILT_IN_SAMPLES


@pytest.fixture(scope="module")
def mocks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedMocks]:
    with serve_mocks(tmp_path_factory.mktemp("contract") / "agencies.db") as served:
        yield served


def test_every_built_in_agency_and_service_has_a_sample():
    assert {sample.step.agency for sample in SAMPLES} == BUILT_IN_AGENCIES
    assert len(SAMPLES) == sum(
        1 for e in (BIRTH, MOVE, DEATH) for s in e.steps if s.agency in BUILT_IN_AGENCIES
    )


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.step.id for s in SAMPLES])
async def test_the_built_in_adapter_keeps_the_contract(mocks, sample):
    build = built_in.http_plugin(sample.step.agency).build
    await verify_against_mock(build, sample, mocks)


# --- the kit catches adapters that break the rules ------------------------------------------

PASSPORT = next(s for s in SAMPLES if s.step.id == "cancel_passport")


class Leaking(PassportsAdapter):
    """Sends every field it is given, declared or not."""

    async def submit(self, service: str, disclosure: Disclosure, key: str) -> AgencyAnswer:
        self._headers = {**self._headers, "X-Everything": json.dumps(dict(disclosure))}
        return await super().submit(service, disclosure, key)


class Forgetful(PassportsAdapter):
    """Makes a new request every time: a new key per call."""

    calls = 0

    async def submit(self, service: str, disclosure: Disclosure, key: str) -> AgencyAnswer:
        Forgetful.calls += 1
        return await super().submit(service, disclosure, f"{key}-{Forgetful.calls}")


class Swallowing(PassportsAdapter):
    """Calls an unavailable agency a rejection, so the step is never retried."""

    async def submit(self, service: str, disclosure: Disclosure, key: str) -> AgencyAnswer:
        try:
            return await super().submit(service, disclosure, key)
        except AgencyUnavailable as error:
            raise AgencyRejected(self.agency, "failed") from error


class Careless(PassportsAdapter):
    """Reads its disclosure by key, so a missing field is a KeyError."""

    async def preview(self, service: str, disclosure: Disclosure) -> dict[str, Any]:
        number = disclosure["deceased.passport_number"]  # the bug: KeyError when it is missing
        return {**await super().preview(service, disclosure), "passportNumber": number}


@pytest.mark.parametrize(
    ("adapter", "rule"),
    [
        (Leaking, "only the step's declared fields"),
        (Forgetful, "repeated idempotency key"),
        (Swallowing, "must raise AgencyUnavailable"),
        (Careless, "missing deceased.passport_number must fail as AgencyRejected"),
    ],
)
async def test_the_kit_names_the_rule_an_adapter_breaks(mocks, adapter, rule):
    with pytest.raises(ContractViolation, match=rule) as failure:
        await verify_against_mock(adapter, PASSPORT, mocks)
    assert str(failure.value).startswith("passports/passport-cancellation (death.cancel_passport)")
