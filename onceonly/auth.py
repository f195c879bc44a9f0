"""Who is calling: bearer JWTs (HS256) naming the citizen, and the pseudonymous citizen key
under which their events are indexed (a keyed hash, so the id itself is never stored).
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from onceonly.settings import Settings

Role = Literal["citizen", "operator"]
TOKEN_LIFETIME = timedelta(hours=12)  # a working day of trying the API with one token


class InvalidToken(ValueError):
    """A bearer token that is missing, malformed, expired or wrongly signed."""


@dataclass(frozen=True)
class Caller:
    """An authenticated caller."""

    subject: str
    role: Role


def mint_token(
    settings: Settings, subject: str, role: Role = "citizen", lifetime: timedelta = TOKEN_LIFETIME
) -> str:
    """A signed token for `subject`, as the identity provider would issue it."""
    now = datetime.now(UTC)
    claims = {
        "sub": subject,
        "role": role,
        "iss": settings.jwt_issuer,
        "iat": now,
        "exp": now + lifetime,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def verify_token(settings: Settings, token: str) -> Caller:
    """The caller a token names, or InvalidToken saying why not."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            options={"require": ["sub", "exp", "iss"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from None
    role = claims.get("role", "citizen")
    if role not in ("citizen", "operator") or not claims["sub"]:
        raise InvalidToken("token has no valid subject or role")
    return Caller(subject=claims["sub"], role=role)


def citizen_key(settings: Settings, citizen_id: str) -> str:
    """The citizen's pseudonymous key: HMAC-SHA256 of their id, truncated (128 bits)."""
    digest = hmac.new(settings.citizen_key_secret.encode(), citizen_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
