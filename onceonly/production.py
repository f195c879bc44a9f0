"""Production mode: every process refuses to start while a development secret, key or login
is in force, naming the setting; development mode (`onceonly up`) only warns.

The development values are public (they are in this repository), so a process running with
one lets anyone forge what it protects: tokens, receipts, callbacks, or a citizen's session.
The checks read settings only and run before any connection is made, so a refusal is quick.
"""

import sys

from cryptography.hazmat.primitives import serialization

from onceonly.codec import parse_keyring
from onceonly.receipts import signing_key
from onceonly.settings import (
    AGENCIES,
    DEV_CITIZEN_KEY_SECRET,
    DEV_JWT_SECRET,
    DEV_MOCKS_ADMIN_KEY,
    DEV_PAYLOAD_KEY,
    DEV_RECEIPT_SIGNING_KEY,
    Settings,
)

STORE_PROCESSES = frozenset({"api", "worker", "setup"})
"""The processes that read or write the shared store (setup migrates it), which production
keeps in PostgreSQL."""
_OWN = "set a secret of your own"


def _dev_public_key() -> bytes:
    key = serialization.load_pem_private_key(DEV_RECEIPT_SIGNING_KEY.encode(), None)
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _is_dev_signing_key(settings: Settings) -> bool:
    try:
        public = signing_key(settings).public_key()
    except ValueError:
        return False  # not a key at all: the receipt signer refuses it with its own message
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return raw == _dev_public_key()


def _publishes_dev_key(settings: Settings) -> bool:
    for pem in settings.receipt_verification_keys:
        try:
            key = serialization.load_pem_public_key(pem.encode())
            raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        except ValueError:
            continue  # not an Ed25519 public key: publishing the keys refuses it
        if raw == _dev_public_key():
            return True
    return False


def _holds_dev_payload_key(settings: Settings) -> bool:
    try:
        keys = parse_keyring(settings.payload_keys).values()
    except ValueError:
        return False  # the codec refuses a malformed keyring with its own message
    return parse_keyring(DEV_PAYLOAD_KEY)["k1"] in keys


def _agencies_with(values: dict[str, str], development: str) -> list[str]:
    """The agencies whose value is a development one (`development` formatted with any
    agency's name: a development key given to the wrong agency is still public)."""
    public = {development.format(agency=agency) for agency in {*AGENCIES, *values}}
    return sorted(agency for agency, value in values.items() if value in public)


def development_problems(settings: Settings) -> dict[str, str]:
    """Each environment variable whose development value is in force, with what is wrong and
    what to do; empty when none is."""
    problems: dict[str, str] = {}
    if settings.jwt_secret == DEV_JWT_SECRET:
        problems["ONCEONLY_JWT_SECRET"] = f"has its development value; {_OWN}"
    if settings.citizen_key_secret == DEV_CITIZEN_KEY_SECRET:
        problems["ONCEONLY_CITIZEN_KEY_SECRET"] = f"has its development value; {_OWN}"
    if _holds_dev_payload_key(settings):
        problems["ONCEONLY_PAYLOAD_KEYS"] = (
            "holds the development key; give a keyring of your own (`id:base64-key,...`)"
        )
    if _is_dev_signing_key(settings):
        problems["ONCEONLY_RECEIPT_SIGNING_KEY"] = (
            "is the development key; generate an Ed25519 key of your own"
        )
    if _publishes_dev_key(settings):
        problems["ONCEONLY_RECEIPT_VERIFICATION_KEYS"] = (
            "publishes the development key's public half; remove it"
        )
    callbacks = _agencies_with(settings.agency_callback_secrets, "dev-{agency}-callback-secret")
    if callbacks:
        problems["ONCEONLY_AGENCY_CALLBACK_SECRETS"] = (
            f"has development values for {', '.join(callbacks)}; set each agency's own secret"
        )
    keys = _agencies_with(settings.agency_api_keys, "dev-{agency}-key")
    if keys:
        problems["ONCEONLY_AGENCY_API_KEYS"] = (
            f"has development values for {', '.join(keys)}; set the keys each agency issued"
        )
    if settings.mocks_admin_key == DEV_MOCKS_ADMIN_KEY:
        problems["ONCEONLY_MOCKS_ADMIN_KEY"] = f"has its development value; {_OWN}"
    if settings.statistics_as_of is not None:
        problems["ONCEONLY_STATISTICS_AS_OF"] = (
            "is set (the open statistics would publish a month before it has ended); unset it"
        )
    if settings.portal_dev_login:
        problems["ONCEONLY_PORTAL_DEV_LOGIN"] = (
            "is on (anyone may sign in as any citizen); set it to false"
        )
    return problems


def development_settings(settings: Settings) -> list[str]:
    """The environment variables whose development value (or development login) is in force."""
    return list(development_problems(settings))


def production_problems(settings: Settings, process: str) -> dict[str, str]:
    """What stops `process` from starting in production: the development settings in force,
    and a missing database where the process uses the shared store."""
    problems = development_problems(settings)
    if process in STORE_PROCESSES and not settings.database_url:
        problems["ONCEONLY_DATABASE_URL"] = (
            f"is not set; the {process} keeps its state in PostgreSQL in production"
        )
    return problems


def refuse_development_settings(settings: Settings, process: str) -> None:
    """In production, name each development setting in force on stderr and exit (status 2);
    in development, nothing (`onceonly up` warns instead)."""
    if settings.environment != "production":
        return
    problems = production_problems(settings, process)
    for name, problem in problems.items():
        print(
            f"onceonly {process}: refusing to start in production: {name} {problem}",
            file=sys.stderr,
        )
    if problems:
        raise SystemExit(2)


def refuse_production_up(settings: Settings) -> None:
    """`onceonly up` is the development stack: refuse it in production (status 2)."""
    if settings.environment == "production":
        print(
            "onceonly up: refusing to start: ONCEONLY_ENVIRONMENT is production, and `up` is "
            "the development stack (development secrets, local state, the mock agencies); "
            "run `onceonly setup`, `api`, `worker` and `codec-server` as separate processes",
            file=sys.stderr,
        )
        raise SystemExit(2)
