"""A request body limit enforced before anything parses the body (a 10 MB body is refused
unread, whether or not it declares its length).
"""

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onceonly.api.problems import PROBLEM_JSON, Problem


class BodyLimit:
    """ASGI middleware answering 413 to any body over `max_bytes`."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse by Content-Length at once, or count the bytes of a streamed body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
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
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": bytes(body), "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        problem = Problem(
            title="Request body too large",
            status=413,
            detail=f"body: must be at most {self.max_bytes} bytes",
        )
        body = json.dumps(problem.model_dump()).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
