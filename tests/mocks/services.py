"""The mock agencies' submission services as the tests drive them (see tests/mocks/gates.py):
where each service is, a valid body made by its adapter's mapping of a sample dossier, the
reference it answers with, and each agency's key header and error shape, read back as the
(field, message) problems the agency reported.
"""

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from onceonly.domain.catalogue import BIRTH, LifeEventSpec
from tests.mocks.samples import disclose

Problems = list[tuple[str | None, str]]
"""What an agency's error body says: each problem's field (None for none) and message."""


@dataclass(frozen=True)
class Service:
    """One submission service of a mock agency under test."""

    agency: str
    path: str
    body: Callable[[], dict[str, Any]]
    """A valid request in the agency's format."""
    reference: str
    """Where the answer holds the agency's reference: a dotted path (`meta.versionId`, list
    indexes as digits)."""
    first_reference: str
    """The first reference a fresh mock issues, as a pattern."""
    change: tuple[str, Any]
    """A valid change to the body (a dotted path and its new value): another submission."""
    status: int = 201
    keeps_macrons: bool = False
    """Whether the body holds a name with a macron, which the record must keep as sent."""

    def reference_in(self, answer: dict[str, Any]) -> str:
        """The agency's reference in one of its answers."""
        found: Any = answer
        for part in self.reference.split("."):
            found = found[int(part)] if isinstance(found, list) else found[part]
        return str(found)


def mapped(
    mapping: Callable[[dict[str, Any]], dict[str, Any]],
    step_id: str,
    sample: Callable[[], BaseModel],
    event: LifeEventSpec = BIRTH,
    /,
    **facts: str,
) -> Callable[[], dict[str, Any]]:
    """A body maker: the adapter's `mapping` of the sample's disclosure to the step, with the
    facts earlier steps issued."""
    return lambda: mapping(disclose(step_id, sample(), event, **facts))


def _basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


AUTH: dict[str, Callable[[str], dict[str, str]]] = {
    "bdm": lambda key: {"X-Api-Key": key},
    "ird": lambda key: {"Authorization": f"Bearer {key}"},
    "msd": lambda key: {"X-MSD-Client-Key": key},
    "health": lambda key: {"apikey": key},
    "nzta": lambda key: {"X-NZTA-Api-Key": key},
    "electoral": lambda key: {"Authorization": f"ApiKey {key}"},
    "acc": lambda key: {"x-acc-apikey": key},
    "passports": lambda key: {"X-DIA-Api-Key": key},
    "council": lambda key: {"X-Council-Key": key},
    "veterans": lambda key: {"Authorization": "Basic " + _basic("onceonly", key)},
    "kaingaora": lambda key: {"Ocp-Apim-Subscription-Key": key},
    "addresses": lambda key: {"X-Api-Key": key},
}
"""Each agency's key, presented its own way."""


def key_of(agency: str) -> str:
    """The agency's development API key."""
    return f"dev-{agency}-key"


def _bdm(body: Any, status: int) -> Problems:
    assert set(body) == {"errors"}
    return [(e["field"], e["message"]) for e in body["errors"]]


def _ird(body: Any, status: int) -> Problems:
    assert set(body) == {"faultCode", "faultString"}
    problems: Problems = [(None, body["faultCode"])]
    for part in body["faultString"].split("; "):
        field, sep, message = part.partition(": ")
        # A field's name has no space; a message alone may hold ": " after its first words.
        problems.append((field, message) if sep and " " not in field else (None, part))
    return problems


def _msd(body: Any, status: int) -> Problems:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    details = [(d["path"], d["issue"]) for d in body["error"]["details"]]
    return [(None, body["error"]["message"]), *details]


def _health(body: Any, status: int) -> Problems:
    assert body["resourceType"] == "OperationOutcome"
    return [(i.get("expression", [None])[0], i["diagnostics"]) for i in body["issue"]]


def _nzta(body: Any, status: int) -> Problems:
    (errors,) = body.values()
    assert set(body) == {"errors"}
    assert all(set(e) == {"code", "field", "message"} for e in errors)
    return [(e["field"], e["message"]) for e in errors]


def _electoral(body: Any, status: int) -> Problems:
    assert set(body) == {"error"}
    assert set(body["error"]) == {"message", "details"}
    details = body["error"]["details"]
    assert all(set(d) == {"field", "issue"} for d in details)
    return [(None, body["error"]["message"])] + [(d["field"], d["issue"]) for d in details]


def _acc(body: Any, status: int) -> Problems:
    assert set(body) == {"status", "title", "detail", "invalid_params"}
    assert body["status"] == status
    params = body["invalid_params"]
    assert all(set(p) == {"name", "reason"} for p in params)
    return [(None, body["title"]), (None, body["detail"] or "")] + [
        (p["name"], p["reason"]) for p in params
    ]


def _passports(body: Any, status: int) -> Problems:
    assert set(body) == {"code", "message", "fieldErrors"}
    return [(None, body["message"]), *body["fieldErrors"].items()]


def _council(body: Any, status: int) -> Problems:
    assert set(body) == {"message", "errors"}
    fields = [(field, rule) for field, rules in body["errors"].items() for rule in rules]
    return [(None, body["message"]), *fields]


def _veterans(body: Any, status: int) -> Problems:
    assert set(body) == {"error_code", "error_description", "invalid_fields"}
    # The description names each field with its rule; invalid_fields lists the fields alone.
    named = [(field, body["error_description"]) for field in body["invalid_fields"]]
    return [(None, body["error_description"]), *named]


def _kaingaora(body: Any, status: int) -> Problems:
    assert set(body) == {"Errors"}
    return [(e["Property"], e["Message"]) for e in body["Errors"]]


def _register(body: Any, status: int) -> Problems:
    assert set(body) == {"success", "errors"}
    assert body["success"] is False
    return [(e["parameter"], e["detail"]) for e in body["errors"]]


PROBLEMS: dict[str, Callable[[Any, int], Problems]] = {
    "bdm": _bdm,
    "ird": _ird,
    "msd": _msd,
    "health": _health,
    "nzta": _nzta,
    "electoral": _electoral,
    "acc": _acc,
    "passports": _passports,
    "council": _council,
    "veterans": _veterans,
    "kaingaora": _kaingaora,
    "addresses": _register,
}
"""Each agency's error shape, checked and read as problems."""


def problems(agency: str, response: httpx.Response) -> Problems:
    """The problems the agency's refusal reports."""
    return PROBLEMS[agency](response.json(), response.status_code)


def text(found: Problems) -> str:
    """The problems as one string, each field before its message."""
    return " ".join(f"{field} {message}" if field else message for field, message in found)


def named(agency: str, response: httpx.Response) -> set[str]:
    """The fields the agency's refusal names."""
    return {field for field, _ in problems(agency, response) if field}


async def post(
    client: httpx.AsyncClient,
    service: Service,
    body: Any,
    *,
    headers: dict[str, str] | None = None,
    idempotency_key: str | None = "key-1",
) -> httpx.Response:
    """A submission to the service, with the agency's key unless `headers` say otherwise."""
    sent = AUTH[service.agency](key_of(service.agency)) if headers is None else dict(headers)
    if idempotency_key is not None:
        sent["Idempotency-Key"] = idempotency_key
    return await client.post(service.path, json=body, headers=sent)


async def records(client: httpx.AsyncClient, agency: str) -> list[dict[str, Any]]:
    """The submissions the agency holds (its `_records`)."""
    response = await client.get(f"/{agency}/_records")
    assert response.status_code == 200
    held: list[dict[str, Any]] = response.json()["records"]
    return held


class _Delete:
    """Stands for "leave the key out" in a change; named, so test ids are the same in every
    process (pytest-xdist compares them)."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `body` with the value at a dotted path (list indexes as digits)
    replaced, added or (with `DELETE`) left out."""
    copy: dict[str, Any] = json.loads(json.dumps(body))
    *parents, last = path.split(".")
    target: Any = copy
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    key: Any = int(last) if isinstance(target, list) else last
    if value is DELETE:
        del target[key]
    else:
        target[key] = value
    return copy


def has_macron(body: Any) -> bool:
    """Whether a body holds a letter with a macron, as written (not escaped)."""
    return re.search("[āēīōū]", json.dumps(body, ensure_ascii=False)) is not None
