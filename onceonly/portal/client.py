"""The portal's way to the citizen API: real HTTP requests to /v1, in process, through the same
app (its middleware, limits and problem documents included), with the citizen's own token.
The portal holds no API logic of its own; whatever the API refuses, it shows.
"""

from collections.abc import Mapping
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request

# Every request stays in process; the host only names the API in its own logs and errors.
_BASE_URL = "http://api.portal.internal"
_TIMEOUT = httpx.Timeout(45.0)  # a prefill may wait 30 s for registers
CLOSE_FIELDS = {"complete": "reference", "reject": "reason"}
"""How staff close a task (the route's last segment), and the one field its body has."""


class ApiProblem(Exception):
    """The API answered with a problem document (RFC 9457)."""

    def __init__(self, status: int, problem: Mapping[str, Any]) -> None:
        self.status = status
        self.title = str(problem.get("title", ""))
        self.detail = str(problem.get("detail", ""))
        self.errors: list[dict[str, str]] = [
            {"field": str(error.get("field", "")), "rule": str(error.get("rule", ""))}
            for error in problem.get("errors") or []
            if isinstance(error, Mapping)
        ]
        # A duplicate's 409 names the open event (an extension member of the problem).
        existing = problem.get("existing_event_id")
        self.existing_event_id = existing if isinstance(existing, str) else None
        super().__init__(f"{status} {self.title}: {self.detail}")


class Api:
    """An HTTP client of the citizen API, from the app serving `request`, as the citizen
    holding `token` (or anonymous)."""

    def __init__(self, request: Request, token: str | None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        # The browser's own address, so the API's per-caller limits count each visitor apart.
        client = (request.client.host, request.client.port) if request.client else ("", 0)
        self._client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=request.app, client=client),
            base_url=_BASE_URL,
            headers=headers,
            timeout=_TIMEOUT,
        )

    async def __aenter__(self) -> "Api":
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._client.aclose()

    async def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        """The JSON answer to a GET, or ApiProblem."""
        return _answer(await self._client.get(path, params=params))

    async def post(
        self, path: str, body: Mapping[str, Any], headers: Mapping[str, str] | None = None
    ) -> Any:
        """The JSON answer to a POST of `body` as JSON, or ApiProblem."""
        return _answer(await self._client.post(path, json=body, headers=headers))

    async def delete(self, path: str) -> Any:
        """The JSON answer to a DELETE, or ApiProblem."""
        return _answer(await self._client.delete(path))


async def agency_tasks(api: Api, state: str) -> dict[str, Any]:
    """The staff member's agency's tasks in `state` (open, completed, rejected or all), each
    a summary without personal data."""
    answer: dict[str, Any] = await api.get("/v1/agency/tasks", params={"state": state})
    return answer


async def agency_task(api: Api, task_id: str) -> dict[str, Any]:
    """One task with its fields, receipt check and outcome (the API logs the view)."""
    answer: dict[str, Any] = await api.get(f"/v1/agency/tasks/{quote(task_id, safe='')}")
    return answer


async def close_agency_task(api: Api, task_id: str, action: str, value: str) -> dict[str, Any]:
    """Complete the task with the agency's reference, or reject it with a reason."""
    field = CLOSE_FIELDS[action]
    path = f"/v1/agency/tasks/{quote(task_id, safe='')}/{action}"
    answer: dict[str, Any] = await api.post(path, {field: value})
    return answer


def _answer(response: httpx.Response) -> Any:
    if response.is_success:
        return response.json()
    try:
        problem = response.json()
    except ValueError:
        problem = {"title": response.reason_phrase, "detail": ""}
    raise ApiProblem(response.status_code, problem if isinstance(problem, Mapping) else {})
