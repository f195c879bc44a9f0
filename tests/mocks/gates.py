"""The gates every mock agency's services pass, as one suite each agency's test module runs
over its own services (`services`) and format rules (`wrong_formats`), parametrized by
tests/mocks/conftest.py: a valid request is answered with the agency's reference; the API key
and the `Idempotency-Key` are required; a repeat answers its first answer and a different body
under the same key is a conflict; each format rule names the agency's field, never the value;
and an agency that is down records nothing.
"""

import json
import re
from typing import Any, ClassVar

import httpx

from tests.mocks.services import (
    AUTH,
    Service,
    changed,
    has_macron,
    key_of,
    named,
    post,
    problems,
    records,
    text,
)

WrongFormat = tuple[str, str, Any, str]
"""A body broken one way: the service's name, the path changed, the value put there, and the
agency's field the refusal must name. Most are what a sloppy mapping (or another agency's
format) would send."""


class AgencyGates:
    """The shared gate tests; a subclass names an agency's services and format rules."""

    services: ClassVar[dict[str, Service]] = {}
    wrong_formats: ClassVar[list[WrongFormat]] = []

    async def test_a_valid_request_is_accepted_with_the_agencys_reference(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        body = service.body()
        response = await post(client, service, body)
        assert response.status_code == service.status, response.text
        assert re.fullmatch(service.first_reference, service.reference_in(response.json()))
        (record,) = await records(client, service.agency)
        assert record["received"] == body
        assert record["answer"] == response.json()
        # Macrons are kept as the citizen wrote them.
        assert has_macron(record["received"]) or not service.keeps_macrons

    async def test_a_missing_or_wrong_api_key_is_refused_in_the_agencys_shape(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        own = {header.lower() for header in AUTH[service.agency]("k")}
        key = key_of(service.agency)
        # The right key in a header the agency does not read is no key at all.
        elsewhere = {"Authorization": f"Bearer {key}", "X-Api-Key": key}
        for headers in (
            {},
            AUTH[service.agency]("wrong-key"),
            {h: v for h, v in elsewhere.items() if h.lower() not in own},
        ):
            response = await post(client, service, service.body(), headers=headers)
            assert response.status_code == 401
            assert "API key" in text(problems(service.agency, response))
        assert await records(client, service.agency) == []

    async def test_a_submission_needs_an_idempotency_key(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        response = await post(client, service, service.body(), idempotency_key=None)
        assert response.status_code == 400
        assert "Idempotency-Key" in named(service.agency, response)
        assert await records(client, service.agency) == []

    async def test_a_repeat_returns_the_first_answer_and_makes_one_record(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        first = await post(client, service, service.body(), idempotency_key="event-1/step")
        again = await post(client, service, service.body(), idempotency_key="event-1/step")
        assert again.status_code == first.status_code == service.status
        assert again.json() == first.json()
        held = await records(client, service.agency)
        assert [r["idempotency_key"] for r in held] == ["event-1/step"]
        other = await post(client, service, service.body(), idempotency_key="event-2/step")
        assert service.reference_in(other.json()) != service.reference_in(first.json())

    async def test_the_same_key_for_a_different_body_is_a_conflict(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        await post(client, service, service.body(), idempotency_key="k")
        other = changed(service.body(), *service.change)
        response = await post(client, service, other, idempotency_key="k")
        assert response.status_code == 409
        assert "Idempotency-Key" in named(service.agency, response)
        assert "already used" in text(problems(service.agency, response))
        (record,) = await records(client, service.agency)
        assert record["received"] == service.body()
        # The other body under a key of its own is a submission of its own.
        second = await post(client, service, other, idempotency_key="k2")
        assert second.status_code == service.status
        first = (await records(client, service.agency))[0]["answer"]
        assert service.reference_in(second.json()) != service.reference_in(first)
        assert len(await records(client, service.agency)) == 2

    async def test_each_format_rule_is_enforced_naming_the_field_without_its_value(
        self, client: httpx.AsyncClient, wrong_format: WrongFormat
    ) -> None:
        name, path, value, field = wrong_format
        service = self.services[name]
        response = await post(client, service, changed(service.body(), path, value))
        assert response.status_code == 422
        found = problems(service.agency, response)
        assert field in {named for named, _ in found}
        for sent in value if isinstance(value, list) else [value]:
            if isinstance(sent, str) and sent:
                assert sent not in response.text
                assert sent not in json.dumps(response.json(), ensure_ascii=False)
        if value is not None and not isinstance(value, str):
            assert str(value) not in text(found)
        assert await records(client, service.agency) == []

    async def test_an_empty_body_is_refused_in_the_agencys_shape(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        response = await post(client, service, {})
        assert response.status_code == 422
        assert named(service.agency, response)

    async def test_a_service_that_is_down_answers_503_and_records_nothing(
        self, client: httpx.AsyncClient, name: str
    ) -> None:
        service = self.services[name]
        await client.put(f"/{service.agency}/_faults", json={"error_rate": 1.0})
        response = await post(client, service, service.body())
        assert response.status_code == 503
        assert problems(service.agency, response)
        assert await records(client, service.agency) == []
