"""Who is calling: bearer JWTs (HS256) naming the citizen, an operator or a member of an
agency's staff (with an `agency` claim naming the one agency whose inbox they work), and the
pseudonymous citizen key under which their events are indexed (a keyed hash, so the id itself
is never stored).
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from onceonly.domain.catalogue import CATALOGUE
from onceonly.settings import Settings

Role = Literal["citizen", "operator", "agency"]
ROLES: tuple[Role, ...] = ("citizen", "operator", "agency")
TOKEN_LIFETIME = timedelta(hours=12)  # a working day of trying the API with one token
# Subjects are identity providers' ids (opaque strings, email-like ids, `urn:`-style ones):
# bounded, and in characters that need no escaping anywhere they are shown or logged.
SUBJECT = re.compile(r"[A-Za-z0-9._@:+-]{1,128}")
SUBJECT_RULE = (
    "token subject: at most 128 characters, not empty, each a letter, a digit or . _ @ : + -"
)
AGENCY_RULE = (
    "token agency: an agency token names one agency of the catalogue, and only an agency "
    "token names one"
)
_REQUIRED_CLAIMS = ["sub", "iat", "exp", "iss", "aud"]
# The claim each of PyJWT's refusals is about, so the reason names it first.
_CLAIM_ERRORS: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "token exp"),
    (jwt.InvalidIssuerError, "token issuer"),
    (jwt.InvalidAudienceError, "token audience"),
    (jwt.InvalidIssuedAtError, "token iat"),
    (jwt.ImmatureSignatureError, "token nbf or iat"),
    (jwt.MissingRequiredClaimError, "token claims"),
)


class InvalidToken(ValueError):
    """A bearer token that is missing, malformed, expired or wrongly signed."""


@dataclass(frozen=True)
class Caller:
    """An authenticated caller."""

    subject: str
    role: Role
    agency: str | None = None
    """For the `agency` role: the agency (its catalogue id) whose staff the caller is."""


def agency_ids() -> frozenset[str]:
    """The agencies staff tokens may name: the catalogue's."""
    return frozenset(agency.id for agency in CATALOGUE.agencies)


def _agency_fits(role: object, agency: object) -> bool:
    """An agency token names a known agency; no other token names any."""
    if role == "agency":
        return isinstance(agency, str) and agency in agency_ids()
    return agency is None


def mint_token(
    settings: Settings,
    subject: str,
    role: Role = "citizen",
    lifetime: timedelta = TOKEN_LIFETIME,
    agency: str | None = None,
) -> str:
    """A signed token for `subject`, as the identity provider would issue it (ValueError
    for a subject no token may carry, or an agency that does not fit the role: see
    AGENCY_RULE)."""
    if not SUBJECT.fullmatch(subject):
        raise ValueError(SUBJECT_RULE)
    if not _agency_fits(role, agency):
        raise ValueError(AGENCY_RULE)
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "sub": subject,
        "role": role,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + lifetime,
    }
    if agency is not None:
        claims["agency"] = agency
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


def verify_token(settings: Settings, token: str) -> Caller:
    """The caller a token names, or InvalidToken saying why not: signed with our secret
    (HS256 only), for our issuer and audience, issued and not expired, no longer-lived than
    `jwt_max_lifetime`, with a subject by SUBJECT_RULE, a known role, and an `agency` claim
    by AGENCY_RULE."""
    try:
        claims = jwt.decode(
            token,
            settings.jwt_secret,
            algorithms=["HS256"],
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.PyJWTError as error:
        claim = next((name for kind, name in _CLAIM_ERRORS if isinstance(error, kind)), "token")
        raise InvalidToken(f"{claim}: {error}") from None
    subject = claims["sub"]
    if not isinstance(subject, str) or not SUBJECT.fullmatch(subject):
        raise InvalidToken(SUBJECT_RULE)
    # PyJWT has checked that both are numbers (it takes numeric strings too).
    lifetime = int(claims["exp"]) - int(claims["iat"])
    if lifetime > settings.jwt_max_lifetime.total_seconds():
        hours = settings.jwt_max_lifetime.total_seconds() / 3600
        raise InvalidToken(f"token lifetime (exp - iat): at most {hours:g} hours")
    role = claims.get("role", "citizen")
    if role not in ROLES:
        raise InvalidToken("token role: must be citizen, operator or agency")
    agency = claims.get("agency")
    if not _agency_fits(role, agency):
        raise InvalidToken(AGENCY_RULE)
    return Caller(subject=subject, role=role, agency=agency)


def citizen_key(settings: Settings, citizen_id: str) -> str:
    """The citizen's pseudonymous key: HMAC-SHA256 of their id, truncated (128 bits)."""
    digest = hmac.new(settings.citizen_key_secret.encode(), citizen_id.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
