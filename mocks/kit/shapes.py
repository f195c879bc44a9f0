"""The pieces agencies' own wire conventions are made of: where an agency reads its API key
from (a header of its own, or an `Authorization` scheme), and how its error shape lists the
problems of a refused request.
"""

from collections.abc import Callable
from typing import Any

from fastapi import Request

from mocks.kit.agency import Problem

KeyReader = Callable[[Request], str | None]
"""How an agency reads the API key a request presents (None: it presents none)."""


def header_key(header: str) -> KeyReader:
    """An agency that takes its key in a header of its own (`X-Api-Key`, say)."""

    def read(request: Request) -> str | None:
        return request.headers.get(header)

    read.__doc__ = f"The key in `{header}`."
    return read


def authorization_key(scheme: str, *, any_case: bool = False) -> KeyReader:
    """An agency that takes its key as `Authorization: <scheme> <key>`; with `any_case`, the
    scheme's name in any case (as HTTP's `Bearer`)."""

    def read(request: Request) -> str | None:
        presented, _, key = request.headers.get("Authorization", "").partition(" ")
        matches = presented.lower() == scheme.lower() if any_case else presented == scheme
        return key if matches else None

    read.__doc__ = f"The key in `Authorization: {scheme} <key>`."
    return read


def listed(problems: list[Problem], field: str, message: str) -> list[dict[str, Any]]:
    """Each problem as an object naming its field (null for none) and its message under the
    agency's own keys (`{"field", "message"}`, `{"Property", "Message"}`)."""
    return [{field: p.field, message: p.message} for p in problems]


def joined(problems: list[Problem], separator: str = ": ") -> str:
    """Every problem in one string: `<field><separator><message>` (the message alone for a
    problem of no field), joined with "; "."""
    return "; ".join(f"{p.field}{separator}{p.message}" if p.field else p.message for p in problems)
