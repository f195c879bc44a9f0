"""The codec server: Temporal's remote codec protocol over the one payload codec, for operators.

The Temporal Web UI and `temporal ... --codec-endpoint URL` POST `{"payloads": [...]}`
(Temporal's `Payloads` in protobuf JSON) to `/decode` and `/encode` and show what comes back,
so operators read events in plaintext while Temporal itself only ever holds ciphertext.

Every encode and decode needs an operator's token (`onceonly token NAME --role operator`): as
`Authorization: Bearer ...` (the CLI's `--codec-auth`), or as the cookie that this server's
sign-in page (`GET /`) keeps in a browser. The cookie is for the Web UI: without an OIDC login
(the dev server has none) the UI has no token to pass, and it passes one only to https
endpoints, but it can send cookies ("Include cross-origin credentials" in its codec settings).
"""

import html
from typing import Annotated
from urllib.parse import parse_qs

import structlog
from cryptography.exceptions import InvalidTag
from fastapi import Depends, FastAPI, Header, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from temporalio.api.common.v1 import Payload, Payloads

from onceonly.api.deps import AppSettings
from onceonly.api.limits import BodyLimit
from onceonly.api.problems import FieldError, ProblemError, install_problem_handlers, invalid_input
from onceonly.auth import Caller, InvalidToken, verify_token
from onceonly.codec import EncryptionCodec, KeyringError, parse_keyring
from onceonly.metrics import install_metrics
from onceonly.settings import Settings

OPERATOR_COOKIE = "onceonly_operator"
# Temporal refuses a payload over 2 MiB; this leaves room for a few of them in one call.
MAX_BODY_BYTES = 8 * 1024 * 1024
# What the Web UI sends: its bearer token (when it has one), JSON, and the payloads' namespace.
ALLOWED_HEADERS = ["Authorization", "Content-Type", "X-Namespace"]
PREFLIGHT_MAX_AGE_SECONDS = 600  # one preflight per ten minutes, not one per history page

log = structlog.get_logger(__name__)
_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_bearer = HTTPBearer(
    auto_error=False, description="An operator's JWT (`onceonly token NAME --role operator`)."
)


Namespace = Annotated[str | None, Header(alias="X-Namespace")]


def authorize_operator(settings: Settings, token: str | None) -> Caller:
    """The operator a token names: 401 without a valid token, 403 for a citizen's."""
    if not token:
        raise ProblemError(
            401,
            "Unauthorized",
            "Authorization: an operator's token is required",
            headers=_CHALLENGE,
        )
    try:
        caller = verify_token(settings, token)
    except InvalidToken as reason:
        raise ProblemError(
            401, "Unauthorized", f"Authorization: {reason}", headers=_CHALLENGE
        ) from None
    if caller.role != "operator":
        raise ProblemError(403, "Forbidden", "Authorization: payloads are for operators' tokens")
    return caller


def _operator(
    request: Request,
    settings: AppSettings,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    # The header wins when both are present: it is what the caller chose for this request.
    token = credentials.credentials if credentials else request.cookies.get(OPERATOR_COOKIE)
    return authorize_operator(settings, token)


CurrentOperator = Annotated[Caller, Depends(_operator)]


async def _read_payloads(request: Request) -> list[Payload]:
    try:
        # Unknown fields are ignored: the Web UI may be newer than this SDK's protos.
        message = json_format.Parse(await request.body(), Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError):
        # The parser's message can quote the body, which may be personal data: not echoed.
        rule = "must be Temporal Payloads in protobuf JSON"
        raise invalid_input([FieldError(field="payloads", rule=rule)]) from None
    return list(message.payloads)


def _payloads_response(payloads: list[Payload]) -> Response:
    body = json_format.MessageToJson(Payloads(payloads=payloads), indent=None)
    return Response(body, media_type="application/json")


def _same_origin_only(request: Request) -> None:
    # Only this server's own sign-in page may set the cookie, not a form on another site.
    origin = request.headers.get("origin")
    if origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}":
        raise ProblemError(403, "Forbidden", "Origin: sign in from this server's own page")


_SIGN_IN_PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>onceonly codec server</title>
<h1>onceonly codec server</h1>
<p>Sign this browser in with an operator token, so that the Temporal Web UI can show decoded
payloads. Mint one with <code>onceonly token YOUR-NAME --role operator</code>.</p>
<form method="post" action="sign-in">
  <label>Operator token <input type="password" name="token" required autocomplete="off"></label>
  <button>Sign in</button>
</form>
<form method="post" action="sign-out"><button>Sign out</button></form>
</html>
"""

_SIGNED_IN_PAGE = """<!doctype html>
<html lang="en"><meta charset="utf-8"><title>onceonly codec server</title>
<h1>Signed in as {subject}</h1>
<p>The Temporal Web UI in this browser now decodes payloads here, once its Codec Server
settings use this endpoint with <em>Include cross-origin credentials</em> turned on.
Closing the browser signs you out; so does <a href=".">the sign-in page</a>.</p>
</html>
"""


def create_codec_app(settings: Settings) -> FastAPI:
    """The codec server for `settings`' keyring, answering CORS for the Web UI's origins."""
    codec = EncryptionCodec(parse_keyring(settings.payload_keys))
    app = FastAPI(
        title="onceonly codec server",
        version="1",
        summary="Temporal's codec server protocol: payloads decoded for operators.",
    )
    app.state.settings = settings
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)
    # Added last, so outermost: preflights are answered before authentication, and problem
    # answers (401, 413, ...) carry CORS headers the UI can read.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.codec_allowed_origins,
        allow_methods=["POST", "OPTIONS"],
        allow_headers=ALLOWED_HEADERS,
        # For the sign-in cookie: the UI's "Include cross-origin credentials".
        allow_credentials=True,
        max_age=PREFLIGHT_MAX_AGE_SECONDS,
    )
    install_metrics(app)  # every process answers /metrics; requests by route, never payloads

    @app.post("/encode", tags=["codec"])
    async def encode(
        request: Request, operator: CurrentOperator, namespace: Namespace = None
    ) -> Response:
        """Encrypt payloads with the current key (input an operator gives the UI or CLI)."""
        payloads = await _read_payloads(request)
        encoded = await codec.encode(payloads)
        log.info(
            "codec.encoded", operator=operator.subject, namespace=namespace, payloads=len(payloads)
        )
        return _payloads_response(encoded)

    @app.post("/decode", tags=["codec"])
    async def decode(
        request: Request, operator: CurrentOperator, namespace: Namespace = None
    ) -> Response:
        """Decrypt payloads with the key each names; others come back unchanged."""
        payloads = await _read_payloads(request)
        try:
            decoded = await codec.decode(payloads)
        except (KeyringError, InvalidTag, DecodeError):
            log.warning("codec.undecodable", operator=operator.subject, namespace=namespace)
            raise ProblemError(
                422,
                "Cannot decode",
                "payloads: encrypted under a key this server does not hold, or altered",
            ) from None
        log.info(
            "codec.decoded", operator=operator.subject, namespace=namespace, payloads=len(payloads)
        )
        return _payloads_response(decoded)

    @app.get("/", include_in_schema=False)
    async def sign_in_page() -> HTMLResponse:
        """A form that signs this browser in with an operator token."""
        return HTMLResponse(_SIGN_IN_PAGE)

    @app.post("/sign-in", tags=["browser"])
    async def sign_in(request: Request) -> HTMLResponse:
        """Keep an operator's token (form field `token`) in an HttpOnly cookie."""
        _same_origin_only(request)
        form = parse_qs((await request.body()).decode(errors="replace"))
        token = form.get("token", [""])[0].strip()
        operator = authorize_operator(settings, token)
        response = HTMLResponse(_SIGNED_IN_PAGE.format(subject=html.escape(operator.subject)))
        # A session cookie, out of reach of scripts; SameSite=Strict still reaches this server
        # from the UI, since another port of the same host is the same site. Cookies are not
        # scoped by port: the host's other servers (the UI's, the API) receive it and ignore it.
        response.set_cookie(
            OPERATOR_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        log.info("codec.signed_in", operator=operator.subject)
        return response

    @app.post("/sign-out", tags=["browser"])
    async def sign_out(request: Request) -> HTMLResponse:
        """Forget this browser's operator token."""
        _same_origin_only(request)
        response = HTMLResponse(_SIGN_IN_PAGE)
        response.delete_cookie(OPERATOR_COOKIE, httponly=True, samesite="strict")
        return response

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
