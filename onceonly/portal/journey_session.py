"""Where a citizen's answers wait between question pages: in the browser's own cookie,
encrypted and authenticated (AES-GCM, a key derived from the deployment's token secret), so
that any portal process reads them (no process keeps them in memory) and no one else can.

Each life event has its own cookie, sent only to its pages (`/start/<event>`), bound to the
citizen who signed in: another citizen on the same browser starts afresh.
"""

import base64
import json
import secrets
import zlib
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request
from fastapi.responses import Response

from onceonly.settings import Settings

# Browsers keep at least 4096 bytes a cookie; a long move is split over a few.
_CHUNK = 3800
_MOST_CHUNKS = 6
_NONCE_BYTES = 12


@dataclass
class Journey:
    """A journey under way: the answers so far, the prefill they came from, and the key that
    makes a repeated "send" start the same event once."""

    subject: str
    answers: dict[str, str] = field(default_factory=dict)
    prefill_id: str | None = None
    filled: list[tuple[str, str]] = field(default_factory=list)
    idempotency_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))

    def as_json(self) -> dict[str, Any]:
        """What the cookie holds."""
        return {
            "sub": self.subject,
            "answers": self.answers,
            "prefill_id": self.prefill_id,
            "filled": self.filled,
            "key": self.idempotency_key,
        }


def cookie_name(event_type: str, chunk: int) -> str:
    """The name of one chunk of an event's journey cookie."""
    return f"onceonly_answers_{event_type}_{chunk}"


def _key(settings: Settings) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"onceonly portal answers v1")
    return hkdf.derive(settings.jwt_secret.encode())


def load(request: Request, settings: Settings, event_type: str, subject: str) -> Journey:
    """The citizen's journey for this event, or a new one (none yet, or unreadable)."""
    sealed = "".join(
        request.cookies.get(cookie_name(event_type, chunk), "") for chunk in range(_MOST_CHUNKS)
    )
    if not sealed:
        return Journey(subject)
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        opened = AESGCM(_key(settings)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], event_type.encode()
        )
        held = json.loads(zlib.decompress(opened))
    except (ValueError, InvalidTag, zlib.error):
        return Journey(subject)
    if held.get("sub") != subject:
        return Journey(subject)
    return Journey(
        subject,
        answers={str(k): str(v) for k, v in held.get("answers", {}).items()},
        prefill_id=held.get("prefill_id"),
        filled=[(str(path), str(source)) for path, source in held.get("filled", [])],
        idempotency_key=str(held.get("key") or secrets.token_urlsafe(16)),
    )


def save(
    request: Request, response: Response, settings: Settings, event_type: str, journey: Journey
) -> None:
    """Keep the journey in the browser, sealed; refused (ValueError) past the cookies' room."""
    nonce = secrets.token_bytes(_NONCE_BYTES)
    packed = zlib.compress(json.dumps(journey.as_json(), separators=(",", ":")).encode())
    sealed = AESGCM(_key(settings)).encrypt(nonce, packed, event_type.encode())
    text = base64.urlsafe_b64encode(nonce + sealed).decode()
    chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)]
    if len(chunks) > _MOST_CHUNKS:
        raise ValueError("the answers are too long to keep")
    for chunk in range(_MOST_CHUNKS):
        name = cookie_name(event_type, chunk)
        if chunk < len(chunks):
            response.set_cookie(
                name,
                chunks[chunk],
                httponly=True,
                samesite="strict",
                secure=request.url.scheme == "https",
                path=f"/start/{event_type}",
            )
        elif name in request.cookies:
            response.delete_cookie(name, path=f"/start/{event_type}")


def forget(request: Request, response: Response, event_type: str) -> None:
    """Drop the journey (once the event has started, or on starting again)."""
    for chunk in range(_MOST_CHUNKS):
        name = cookie_name(event_type, chunk)
        if name in request.cookies:
            response.delete_cookie(name, path=f"/start/{event_type}")
