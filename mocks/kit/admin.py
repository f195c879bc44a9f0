"""The mocks' control routes: `_records` (every citizen's data an agency holds) and `_faults`
(its fault knobs) are for tests, demos and drills. They answer only a caller presenting
`MOCK_ADMIN_KEY` in the `X-Admin-Key` header, in every mode; `MOCK_ENVIRONMENT=production`
does not serve them at all (mocks/kit/production.py).
"""

import secrets
from collections.abc import Awaitable, Callable, Mapping

from fastapi import HTTPException, Security
from fastapi.security import APIKeyHeader

ADMIN_KEY_ENV = "MOCK_ADMIN_KEY"
ADMIN_KEY_HEADER = "X-Admin-Key"
DEV_ADMIN_KEY = "dev-mocks-admin-key"  # development only: production refuses it
ENVIRONMENT_ENV = "MOCK_ENVIRONMENT"
ENVIRONMENTS = ("development", "production")

_header = APIKeyHeader(name=ADMIN_KEY_HEADER, auto_error=False, scheme_name="AdminKey")


def environment(environ: Mapping[str, str]) -> str:
    """`development` (the default) or `production` (ValueError naming the variable
    otherwise: a typo must not leave the control routes served)."""
    value = environ.get(ENVIRONMENT_ENV, "development")
    if value not in ENVIRONMENTS:
        raise ValueError(f"{ENVIRONMENT_ENV} must be development or production, not {value!r}")
    return value


def admin_key_from_env(environ: Mapping[str, str]) -> str | None:
    """The key that opens the control routes, or None in production, where none are served."""
    if environment(environ) == "production":
        return None
    return environ.get(ADMIN_KEY_ENV, DEV_ADMIN_KEY)


def admin_gate(admin_key: str) -> Callable[[str | None], Awaitable[None]]:
    """A route dependency: 401 unless the request presents `admin_key` in X-Admin-Key."""

    async def require_admin_key(presented: str | None = Security(_header)) -> None:
        if not secrets.compare_digest((presented or "").encode(), admin_key.encode()):
            raise HTTPException(401, f"{ADMIN_KEY_HEADER}: a valid admin key is required")

    return require_admin_key


def admin_headers(admin_key: str = DEV_ADMIN_KEY) -> dict[str, str]:
    """The headers a caller sends to reach `_records` and `_faults` (the development key's
    unless given: the tests' mocks are created without `MOCK_ADMIN_KEY`)."""
    return {ADMIN_KEY_HEADER: admin_key}
