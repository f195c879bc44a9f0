"""The mocks in production mode (`MOCK_ENVIRONMENT=production`): `python -m mocks` refuses to
start while a development key is in force, naming the variable. The development values are
public (they are in this repository), so they would let anyone act as onceonly towards an
agency, read what it holds, or sign its callbacks.
"""

import json
from collections.abc import Iterable, Mapping

from mocks.kit.admin import ADMIN_KEY_ENV, DEV_ADMIN_KEY, environment
from mocks.kit.callbacks import CALLBACK_SECRETS_ENV
from mocks.kit.receipts import JWKS_ENV

_WHY = {
    JWKS_ENV: "is not set (no consent receipt would be checked); give onceonly's public keys",
    CALLBACK_SECRETS_ENV: "holds development secrets; set each agency's own",
}


def development_api_key(agency: str) -> str:
    """The agency's development API key, which the mocks take unless told otherwise."""
    return f"dev-{agency}-key"


def _dev_callback_secrets(raw: str | None, agencies: Iterable[str]) -> bool:
    try:
        configured = json.loads(raw or "{}")
    except ValueError:
        return False  # the callback set-up refuses it with its own message
    public = {f"dev-{agency}-callback-secret" for agency in agencies}
    return isinstance(configured, dict) and any(secret in public for secret in configured.values())


def development_settings_of(environ: Mapping[str, str], agencies: Iterable[str]) -> list[str]:
    """The variables whose development value is in force for mocks serving `agencies`."""
    names = list(agencies)
    found: list[str] = []
    if environ.get(ADMIN_KEY_ENV, DEV_ADMIN_KEY) == DEV_ADMIN_KEY:
        found.append(ADMIN_KEY_ENV)
    # Any agency's development key is public, the agency's own or another's.
    public_keys = {development_api_key(agency) for agency in names}
    for agency in names:
        variable = f"MOCK_{agency.upper()}_API_KEY"
        if environ.get(variable, development_api_key(agency)) in public_keys:
            found.append(variable)
    if not environ.get(JWKS_ENV, "").strip():
        found.append(JWKS_ENV)
    if _dev_callback_secrets(environ.get(CALLBACK_SECRETS_ENV), names):
        found.append(CALLBACK_SECRETS_ENV)
    return found


def startup_refusals(environ: Mapping[str, str], agencies: Iterable[str]) -> list[str]:
    """Why the mocks must not start: an unknown `MOCK_ENVIRONMENT`, or in production each
    development setting in force; empty when they may."""
    try:
        mode = environment(environ)
    except ValueError as error:
        return [str(error)]
    if mode != "production":
        return []
    own = "has its development value; set one of your own"
    return [
        f"in production: {name} {_WHY.get(name, own)}"
        for name in development_settings_of(environ, agencies)
    ]
