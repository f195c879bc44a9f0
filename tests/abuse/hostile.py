"""Turning a case of corpus.yaml into the request it describes: the body, the headers, the
token, and the hostile strings that must not come back (the vocabulary is in corpus.yaml).
"""

import base64
import hashlib
import hmac
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import yaml

from onceonly import samples
from onceonly.settings import Settings

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus.yaml").read_text(encoding="utf-8"))
CHUNK = 64 * 1024
# A string that is only letters, digits and a little punctuation is no attack: "grant", a
# date or a step id may rightly appear in the answer.
_PLAIN = re.compile(r"[A-Za-z0-9_ .:/-]{0,40}")


@dataclass
class HostileRequest:
    """What to send, and what must not come back."""

    method: str
    path: str
    headers: dict[bytes, bytes]
    content: bytes | None
    stream: bool
    hostile: list[str]

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body in pieces, as a client streaming it without a Content-Length would."""
        assert self.content is not None
        for start in range(0, len(self.content), CHUNK):
            yield self.content[start : start + CHUNK]


def _claims(settings: Settings, subject: str, **changes: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    claims = {"sub": subject, "role": "citizen", "iss": settings.jwt_issuer, "iat": now}
    claims.update(aud=settings.jwt_audience, exp=now + timedelta(hours=1))
    claims.update(changes)
    return {key: value for key, value in claims.items() if value is not None}


def _signed(settings: Settings, subject: str, **changes: Any) -> str:
    return "Bearer " + jwt.encode(_claims(settings, subject, **changes), settings.jwt_secret)


def _forged(settings: Settings, subject: str, **headers: Any) -> str:
    secret = "not-the-secret-" + settings.jwt_secret[::-1]
    return "Bearer " + jwt.encode(_claims(settings, subject), secret, headers=headers or None)


def _hs512(settings: Settings, subject: str) -> str:
    return "Bearer " + jwt.encode(_claims(settings, subject), settings.jwt_secret * 2, "HS512")


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _rs256_header(settings: Settings, subject: str) -> str:
    """An HS256 signature under a header claiming RS256: the algorithm-confusion attack."""
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    payload = _b64(
        json.dumps(_claims(settings, subject), default=lambda t: int(t.timestamp())).encode()
    )
    signature = hmac.new(settings.jwt_secret.encode(), header + b"." + payload, hashlib.sha256)
    return "Bearer " + (header + b"." + payload + b"." + _b64(signature.digest())).decode()


def _alg_none(settings: Settings, subject: str) -> str:
    unsigned = jwt.encode(_claims(settings, subject), None, algorithm="none")  # type: ignore[arg-type]
    return "Bearer " + unsigned


AUTHORIZATION: dict[str, Callable[[Settings, str], str | None]] = {
    "citizen": _signed,
    "none": lambda settings, subject: None,
    "expired": lambda s, subject: _signed(
        s, subject, iat=datetime.now(UTC) - timedelta(hours=2), exp=datetime.now(UTC)
    ),
    "forged": _forged,
    "alg_none": _alg_none,
    "wrong_issuer": lambda s, subject: _signed(s, subject, iss="https://idp.example.com"),
    "wrong_audience": lambda s, subject: _signed(s, subject, aud="another-service"),
    "no_audience": lambda s, subject: _signed(s, subject, aud=None),
    "no_issued_at": lambda s, subject: _signed(s, subject, iat=None),
    "month_long": lambda s, subject: _signed(
        s, subject, exp=datetime.now(UTC) + timedelta(days=30)
    ),
    "long_subject": lambda s, subject: _signed(s, "c" * 10_000),
    "subject_with_spaces": lambda s, subject: _signed(s, f"{subject} <script>"),
    "hs512": _hs512,
    "rs256_header": _rs256_header,
    "no_subject": lambda s, subject: (
        "Bearer "
        + jwt.encode({k: v for k, v in _claims(s, subject).items() if k != "sub"}, s.jwt_secret)
    ),
    "empty_subject": lambda s, subject: _signed(s, ""),
    "numeric_subject": lambda s, subject: _signed(s, subject, sub=12345),
    "unknown_role": lambda s, subject: _signed(s, subject, role="admin"),
    "operator": lambda s, subject: _signed(s, subject, role="operator"),
    "not_yet_valid": lambda s, subject: _signed(
        s, subject, nbf=datetime.now(UTC) + timedelta(hours=1)
    ),
    "issued_in_future": lambda s, subject: _signed(
        s, subject, iat=datetime.now(UTC) + timedelta(hours=1)
    ),
    "kid_injection": lambda s, subject: _forged(s, subject, kid="../../etc/passwd"),
    "garbage_segments": lambda s, subject: "Bearer a.b.c",
    "sql_injection": lambda s, subject: "Bearer ' OR 1=1 --",
    "basic_scheme": lambda s, subject: "Basic dXNlcjpwYXNzd29yZA==",
    "empty_bearer": lambda s, subject: "Bearer ",
}


def expand(value: Any, ids: dict[str, str], today: date) -> Any:
    """A corpus value with its generators ({repeat: ...}, ...) and placeholders resolved."""
    if isinstance(value, dict):
        if "repeat" in value:
            return value["repeat"] * value["times"]
        if "repeat_item" in value:
            return [expand(value["repeat_item"], ids, today) for _ in range(value["times"])]
        if "days_from_today" in value:
            return (today + timedelta(days=value["days_from_today"])).isoformat()
        return {key: expand(item, ids, today) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, ids, today) for item in value]
    if isinstance(value, str) and value.startswith("{") and value[1:-1] in ids:
        return ids[value[1:-1]]
    return value


def _set(data: Any, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def _remove(data: Any, dotted: str) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    del data[last]


def _start_body(request: dict[str, Any], ids: dict[str, str], today: date) -> dict[str, Any]:
    event = request["start"]
    data = getattr(samples, f"{event}_request_data")(today)
    for dotted, value in request.get("set", {}).items():
        _set(data, dotted, expand(value, ids, today))
    for dotted in request.get("remove", []):
        _remove(data, dotted)
    body = {"event_type": event, "data": data}
    body.update(expand(request.get("top", {}), ids, today))
    for key in request.get("drop", []):
        del body[key]
    return body


def _raw(raw: Any) -> bytes:
    if isinstance(raw, str):
        return raw.encode()
    if "nested" in raw:
        depth = raw["nested"]
        return b'{"event_type": "birth", "data": ' + b"[" * depth + b"]" * depth + b"}"
    if "bytes" in raw:
        return b'{"event_type": "birth", "data": {"child": "' + b"x" * raw["bytes"] + b'"}}'
    if "digits" in raw:
        return b'{"event_type": "birth", "data": {"child": ' + b"9" * raw["digits"] + b"}}"
    return bytes.fromhex(raw["hex"])


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for key, item in value.items() for s in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


def _hostile(strings: list[str]) -> list[str]:
    return [s for s in strings if len(s) >= 4 and not _PLAIN.fullmatch(s)]


def hostile_request(
    case: dict[str, Any], settings: Settings, subject: str, ids: dict[str, str], today: date
) -> HostileRequest:
    """The request a corpus case describes, sent as `subject` (or with a hostile token)."""
    request = case["request"]
    headers = {"content-type": "application/json"}
    suspects = list(case.get("hostile", []))
    if "start" in request:
        method, path = "POST", "/v1/life-events"
        body = _start_body(request, ids, today)
        suspects += _strings(expand(request.get("set", {}), ids, today))
        suspects += _strings(expand(request.get("top", {}), ids, today))
        content: bytes | None = json.dumps(body, ensure_ascii=True).encode()
    else:
        method, path = request["method"], request["path"]
        for name, value in ids.items():
            path = path.replace(f"{{{name}}}", value)
        if "json" in request:
            body = expand(request["json"], ids, today)
            suspects += _strings(body)
            content = json.dumps(body, ensure_ascii=True).encode()
        else:
            content = _raw(request["raw"]) if "raw" in request else None
    for name, value in expand(request.get("headers", {}), ids, today).items():
        headers[name.lower()] = value
        suspects.append(value)
    authorization = AUTHORIZATION[case.get("as", "citizen")](settings, subject)
    if authorization is not None:
        headers["authorization"] = authorization
        if case.get("as", "citizen") != "citizen":
            suspects.append(authorization.partition(" ")[2])
    return HostileRequest(
        method=method,
        path=path,
        headers={name.encode(): value.encode("latin-1") for name, value in headers.items()},
        content=content,
        stream=bool(request.get("stream")),
        hostile=_hostile(suspects),
    )
