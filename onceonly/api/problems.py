"""Errors as RFC 9457 problem details, mapped in one place. Every problem about input names
the field and the rule it breaks, and never echoes the submitted value (it may be personal).
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger(__name__)


class FieldError(BaseModel):
    """One rule one field breaks."""

    field: str
    rule: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[FieldError] = []


class ProblemError(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: Sequence[FieldError] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = Problem(title=title, status=status, detail=detail, errors=list(errors))
        self.headers = headers or {}


def invalid_input(errors: Sequence[FieldError]) -> ProblemError:
    """A 422 naming every field and rule."""
    first = errors[0]
    return ProblemError(422, "Invalid input", f"{first.field}: {first.rule}", errors)


def field_errors(details: Iterable[Any], prefix: tuple[str | int, ...] = ()) -> list[FieldError]:
    """Pydantic's error details as field/rule pairs (dotted paths, list indexes in brackets)."""
    errors = []
    for detail in details:
        loc = [*prefix, *detail["loc"]]
        if loc and loc[0] == "body":
            loc = loc[1:]
        errors.append(FieldError(field=_dotted(loc) or "body", rule=_rule(detail)))
    return errors


def from_validation_error(error: ValidationError, prefix: tuple[str | int, ...]) -> ProblemError:
    """A 422 for a model validated by hand (with context), its paths under `prefix`."""
    return invalid_input(field_errors(error.errors(include_input=False), prefix))


def _dotted(loc: Sequence[str | int]) -> str:
    path = ""
    for part in loc:
        name = part if isinstance(part, int) else _field_name(str(part))
        path += f"[{name}]" if isinstance(name, int) else (f".{name}" if path else name)
    return path


_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


def _field_name(part: str) -> str:
    # Our fields are plain identifiers; any other key is the caller's, and is not echoed back
    # (it may be markup or personal data).
    return part if _FIELD_NAME.match(part) else "(unknown field)"


# Pydantic's wording for the commonest rules, said plainly.
_PLAIN_RULES = {"missing": "is required", "extra_forbidden": "is not a field of this form"}


def _rule(detail: dict[str, Any]) -> str:
    plain = _PLAIN_RULES.get(detail["type"])
    return plain or str(detail["msg"]).removeprefix("Value error, ")


def _respond(problem: Problem) -> JSONResponse:
    return JSONResponse(problem.model_dump(), status_code=problem.status, media_type=PROBLEM_JSON)


def install_problem_handlers(app: FastAPI) -> None:
    """Answer every error the API raises as a problem document."""

    @app.exception_handler(ProblemError)
    async def _problem(_: Request, error: ProblemError) -> JSONResponse:
        response = _respond(error.problem)
        response.headers.update(error.headers)
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, error: RequestValidationError) -> JSONResponse:
        return _respond(invalid_input(field_errors(error.errors())).problem)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, error: Exception) -> JSONResponse:
        # The type only: an exception's text can quote the data being handled.
        log.error("api.unexpected_error", error_type=type(error).__name__)
        problem = Problem(title="Internal error", status=500, detail="something went wrong")
        return _respond(problem)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        title = {401: "Unauthorized", 404: "Not found", 405: "Method not allowed"}.get(
            error.status_code, "Error"
        )
        problem = Problem(title=title, status=error.status_code, detail=str(error.detail))
        response = _respond(problem)
        response.headers.update(error.headers or {})
        if error.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request))
        return response


def allowed_methods(request: Request) -> list[str]:
    """Every method the request's path is served with. Starlette's 405 names only the first
    route matching the path, though another route may serve the same path (GET and POST)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
