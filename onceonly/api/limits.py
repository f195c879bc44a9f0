"""What a request may be and how often a caller may send one.

- A body limit enforced before anything parses the body (a 10 MB body is refused unread,
  whether or not it declares its length); for the citizen API, bodies must also be JSON
  nested no deeper than any form of ours needs.
- A per-citizen rate limit: a token bucket per caller, keyed by the citizen key of a valid
  token, or by the client's address for a request without one. Kept in the shared store when
  a database is configured, so every API replica spends from the caller's one budget; in the
  API's memory on the embedded store (one API on one machine).
"""

import json
import math
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onceonly.api.problems import PROBLEM_JSON, FieldError, Problem
from onceonly.auth import InvalidToken, citizen_key, verify_token
from onceonly.settings import Settings
from onceonly.store import RateBudgets, Store

# Our deepest body (a move: data, household, member, name, given names) nests 6 deep; 32 leaves
# room for any form to come and refuses the thousands-deep bodies that exhaust a parser.
MAX_JSON_DEPTH = 32
# Buckets remembered at once; the least recently seen caller is forgotten first (a caller
# idle for burst/rate seconds has a full bucket anyway, the same as a fresh one).
MAX_CALLERS = 100_000
_JSON_TYPE = re.compile(r"^application/([\w.-]+\+)?json\s*(;|$)", re.IGNORECASE)
_JSON_SPECIAL = re.compile(rb'[\[\]{}"\\]')


async def send_problem(send: Send, problem: Problem, headers: dict[str, str] | None = None) -> None:
    """Answer with a problem document straight from ASGI middleware."""
    body = json.dumps(problem.model_dump()).encode()
    extra = [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def json_nests_deeper_than(body: bytes, limit: int) -> bool:
    """True when a JSON text nests arrays and objects more than `limit` deep (brackets
    inside strings do not count). One pass over the special characters, no parsing.
    """
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_SPECIAL.finditer(body):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == b"\\":
                escaped_at = at + 1
            in_string = char != b'"'
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        elif char in (b"]", b"}"):
            depth -= 1
    return False


class BodyLimit:
    """ASGI middleware answering 413 to any body over `max_bytes`; with `json_only`, 415 to
    a body that is not JSON and 422 to JSON nested deeper than MAX_JSON_DEPTH, on paths under
    `json_prefix` (other paths, such as the portal's HTML forms, keep only the size limit).
    """

    def __init__(
        self, app: ASGIApp, max_bytes: int, json_only: bool = False, json_prefix: str = "/"
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_only = json_only
        self.json_prefix = json_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse by Content-Length at once, or count the bytes of a streamed body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(send, self._too_large())
            return
        # Buffer the (small, bounded) body first: a limit hit half-way through parsing would
        # surface as the framework's generic parse error instead of a 413.
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            if len(body) > self.max_bytes:
                await send_problem(send, self._too_large())
                return
            if not message.get("more_body", False):
                break
        json_only = self.json_only and str(scope["path"]).startswith(self.json_prefix)
        content_type = headers.get(b"content-type", b"")
        refusal = self._refusal(content_type, bytes(body)) if body and json_only else None
        if refusal is not None:
            await send_problem(send, refusal)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    def _too_large(self) -> Problem:
        detail = f"body: must be at most {self.max_bytes} bytes"
        return Problem(title="Request body too large", status=413, detail=detail)

    def _refusal(self, content_type: bytes, body: bytes) -> Problem | None:
        if not _JSON_TYPE.match(content_type.decode("latin-1")):
            detail = "Content-Type: must be application/json"
            return Problem(title="Unsupported media type", status=415, detail=detail)
        rule = json_body_rule(body)
        if rule is None:
            return None
        error = FieldError(field="body", rule=rule)
        return Problem(title="Invalid input", status=422, detail=f"body: {rule}", errors=[error])


def json_body_rule(body: bytes) -> str | None:
    """The rule a JSON body breaks before any parser sees it, or None."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # RFC 8259: JSON between systems is UTF-8 (the parser would guess at UTF-16 too).
        return "must be JSON encoded as UTF-8"
    if json_nests_deeper_than(body, MAX_JSON_DEPTH):
        return f"must not nest arrays and objects more than {MAX_JSON_DEPTH} deep"
    return None


class TokenBucket:
    """A caller's budget: up to `capacity` requests at once, refilled at `rate` a second."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.updated = now

    def take(self, now: float) -> float:
        """Spend one request: 0 when the budget allows it now, else the seconds until it will
        (and nothing is spent).
        """
        # max(): a clock that steps back must not drain the bucket.
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = max(now, self.updated)
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class CallerBudgets:
    """A token bucket per caller (`per_minute` on average, `burst` at once), on `clock`, in
    this process's memory: for one API process only."""

    def __init__(
        self, per_minute: int, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.per_minute = per_minute
        self.burst = burst
        self.clock = clock
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    async def wait(self, caller: str) -> float:
        """Spend one of `caller`'s requests: 0 when allowed now, else the seconds to wait."""
        return self.take(caller)

    def take(self, caller: str) -> float:
        """`wait`, for callers that are not coroutines."""
        now = self.clock()
        bucket = self._buckets.get(caller)
        if bucket is None:
            bucket = self._buckets[caller] = TokenBucket(self.burst, self.per_minute / 60, now)
            if len(self._buckets) > MAX_CALLERS:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(caller)
        return bucket.take(now)


def caller_of(settings: Settings, scope: Scope) -> str:
    """Whom a request counts against: the citizen a valid citizen's token names, otherwise
    the client's address (so made-up tokens cannot mint fresh budgets).
    """
    authorization = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() == "bearer" and token:
        try:
            caller = verify_token(settings, token.strip())
        except InvalidToken:
            caller = None
        if caller is not None and caller.role == "citizen":
            return f"citizen:{citizen_key(settings, caller.subject)}"
    client = scope.get("client")
    return f"address:{client[0] if client else 'unknown'}"


class RateLimit:
    """ASGI middleware answering 429 with Retry-After once a caller has spent their budget
    on the citizen API (`/v1/...`); health and metrics are never limited. Budgets are the
    shared store's when it keeps them (`app.state.store.budgets`), else this process's own.
    """

    def __init__(
        self, app: ASGIApp, settings: Settings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.settings = settings
        per_minute = settings.rate_limit_per_minute
        self.own_budgets = CallerBudgets(per_minute, settings.rate_limit_burst, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request against its caller, or refuse it."""
        limited = (
            scope["type"] == "http"
            and self.settings.rate_limit_per_minute > 0
            and scope["path"].startswith("/v1/")
        )
        budgets = self._budgets(scope)
        wait = await budgets.wait(caller_of(self.settings, scope)) if limited else 0.0
        if not wait:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        detail = (
            f"rate limit: at most {budgets.per_minute} requests a minute "
            f"({budgets.burst} at once); retry after {seconds} s"
        )
        problem = Problem(title="Too many requests", status=429, detail=detail)
        await send_problem(send, problem, {"Retry-After": str(seconds)})

    def _budgets(self, scope: Scope) -> RateBudgets:
        store: Store | None = getattr(scope["app"].state, "store", None) if "app" in scope else None
        if store is not None and store.budgets is not None:
            return store.budgets
        return self.own_budgets
