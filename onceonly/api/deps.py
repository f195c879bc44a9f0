"""The API's dependencies, declared once so route signatures read like sentences.

Each is `async def` although none awaits: FastAPI runs a plain `def` dependency in a thread
of its pool, a hand-over per dependency per request for work that takes microseconds.
"""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from temporalio.client import Client

from onceonly.api.problems import ProblemError
from onceonly.auth import Caller, InvalidToken, citizen_key, verify_token
from onceonly.settings import Settings
from onceonly.store import Store

_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_bearer = HTTPBearer(auto_error=False, description="A citizen's JWT (see `onceonly token`).")


async def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _temporal(request: Request) -> Client:
    client: Client = request.app.state.temporal
    return client


async def _store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


AppSettings = Annotated[Settings, Depends(_settings)]
Temporal = Annotated[Client, Depends(_temporal)]
SharedStore = Annotated[Store, Depends(_store)]
"""The store every API replica and worker shares (opened by the app's lifespan)."""


class Citizen:
    """The calling citizen and the pseudonymous key their events are indexed under."""

    def __init__(self, caller: Caller, key: str) -> None:
        self.id = caller.subject
        self.key = key


Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _caller(settings: Settings, credentials: HTTPAuthorizationCredentials | None) -> Caller:
    """The verified caller of a bearer token (401 without one, or with one that fails)."""
    if credentials is None:
        raise ProblemError(
            401, "Unauthorized", "Authorization: a bearer token is required", headers=_CHALLENGE
        )
    try:
        return verify_token(settings, credentials.credentials)
    except InvalidToken as reason:
        raise ProblemError(
            401, "Unauthorized", f"Authorization: {reason}", headers=_CHALLENGE
        ) from None


async def _citizen(settings: AppSettings, credentials: Credentials) -> Citizen:
    caller = _caller(settings, credentials)
    if caller.role != "citizen":
        raise ProblemError(403, "Forbidden", "Authorization: this API is for citizens' tokens")
    return Citizen(caller, citizen_key(settings, caller.subject))


CurrentCitizen = Annotated[Citizen, Depends(_citizen)]


class Operator:
    """The calling operator, by the name in their token (which goes into the log lines)."""

    def __init__(self, caller: Caller) -> None:
        self.name = caller.subject


async def _operator(settings: AppSettings, credentials: Credentials) -> Operator:
    caller = _caller(settings, credentials)
    if caller.role != "operator":
        raise ProblemError(403, "Forbidden", "Authorization: this route is for operators' tokens")
    return Operator(caller)


CurrentOperator = Annotated[Operator, Depends(_operator)]


class Staff:
    """A member of one agency's staff, by the name in their token and their agency's id: they
    see and close only that agency's inbox tasks."""

    def __init__(self, caller: Caller) -> None:
        assert caller.agency is not None  # verify_token refuses an agency token without one
        self.name = caller.subject
        self.agency = caller.agency


async def _staff(settings: AppSettings, credentials: Credentials) -> Staff:
    caller = _caller(settings, credentials)
    if caller.role != "agency":
        raise ProblemError(
            403, "Forbidden", "Authorization: this route is for agency staff's tokens"
        )
    return Staff(caller)


CurrentStaff = Annotated[Staff, Depends(_staff)]
