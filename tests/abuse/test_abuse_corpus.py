"""Every request of the abuse corpus (corpus.yaml) is refused with a clear 4xx problem
document, starts or changes no workflow, and does not echo its hostile values back.
"""

import asyncio
import json
from typing import Any

import pytest

from tests.abuse.conftest import CALLER, Probe
from tests.abuse.hostile import CORPUS, HostileRequest, hostile_request

PROBLEM_JSON = "application/problem+json"
# Long enough for the dev server's visibility to list a workflow that was started by mistake.
LATE_START_SECONDS = 2.0


def _params() -> list[Any]:
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=case["pending"])]
            if "pending" in case
            else [],
        )
        for case in CORPUS
    ]


def _ids(probe: Probe) -> dict[str, str]:
    other = probe.other_event
    kind, _, digits = other.partition("-")
    return {
        "own": probe.own_event,
        "other": other,
        "other_upper": f"{kind}-{digits.upper()}",
        "other_as_death": f"death-{digits}",
        "long_id": "a" * 10_000,
    }


def _names(problem: dict[str, Any], field: str, rule: str | None) -> bool:
    """True when the problem names `field` (and `rule`): in `errors`, or first in `detail`."""
    if problem["errors"]:
        return any(
            error["field"] == field and (rule is None or rule in error["rule"])
            for error in problem["errors"]
        )
    detail = problem["detail"]
    return detail.startswith(f"{field}:") and (rule is None or rule in detail)


def _echoes(text: str, hostile: str) -> bool:
    forms = {hostile, json.dumps(hostile)[1:-1], json.dumps(hostile, ensure_ascii=False)[1:-1]}
    return any(form in text for form in forms)


async def _send(probe: Probe, request: HostileRequest) -> Any:
    content = request.chunks() if request.stream else request.content
    return await probe.http.request(
        request.method, request.path, headers=request.headers, content=content
    )


def test_the_corpus_covers_the_kinds_of_abuse():
    assert len(CORPUS) >= 100
    assert len({case["id"] for case in CORPUS}) == len(CORPUS)
    events = {case["request"].get("start") for case in CORPUS}
    assert {"birth", "move", "death"} <= events
    kinds = {case.get("as", "citizen") for case in CORPUS}
    assert {"expired", "forged", "alg_none", "wrong_issuer"} <= kinds


@pytest.mark.asyncio(loop_scope="module")
@pytest.mark.parametrize("case", _params())
async def test_a_hostile_request_is_refused_and_changes_nothing(case, probe: Probe):
    request = hostile_request(case, probe.settings, CALLER, _ids(probe), probe.today)
    before = await probe.workflows()

    response = await _send(probe, request)
    if response.is_success and "id" in response.json():
        probe.accepted[case["id"]] = response.json()["id"]

    expected = case["expect"]
    assert response.status_code == expected["status"], response.text[:500]
    assert response.headers["content-type"] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == response.status_code
    assert problem["title"] and problem["detail"]
    if "field" in expected:
        assert _names(problem, expected["field"], expected.get("rule")), problem
    echoed = [hostile for hostile in request.hostile if _echoes(response.text, hostile)]
    assert not echoed, f"the answer echoes {echoed!r}"
    assert await probe.workflows() == before, "a workflow was started or changed"


@pytest.mark.asyncio(loop_scope="module")
async def test_after_the_whole_corpus_only_the_two_events_exist(probe: Probe):
    await asyncio.sleep(LATE_START_SECONDS)
    pending = {case["id"] for case in CORPUS if "pending" in case}
    assert set(probe.accepted) <= pending, "a case not marked pending started an event"
    started = set(await probe.workflows()) - set(probe.accepted.values())
    assert started == {probe.own_event, probe.other_event}
