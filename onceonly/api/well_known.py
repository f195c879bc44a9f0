"""The public keys that verify consent receipts, at well-known URLs (no sign-in needed)."""

from fastapi import APIRouter, Response
from fastapi.responses import PlainTextResponse

from onceonly.api.deps import AppSettings
from onceonly.receipts import public_jwks, public_key_pem

router = APIRouter(prefix="/.well-known", tags=["receipts"])
# Long enough to spare the API a fetch per receipt checked; short enough that a rotated key
# reaches every verifier within minutes.
KEYS_MAX_AGE_SECONDS = 300
_CACHEABLE = {"Cache-Control": f"public, max-age={KEYS_MAX_AGE_SECONDS}"}


@router.get("/jwks.json")
async def read_receipt_keys(
    settings: AppSettings, response: Response
) -> dict[str, list[dict[str, str]]]:
    """Every public key a consent receipt may be signed with (RFC 7517 JWKS, EdDSA/Ed25519):
    pick the key by the receipt's `kid`."""
    response.headers.update(_CACHEABLE)
    return public_jwks(settings)


@router.get(
    "/consent-receipt-key.pem",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
async def read_receipt_key_pem(settings: AppSettings) -> PlainTextResponse:
    """The key that signs consent receipts now, as a PEM public key."""
    return PlainTextResponse(public_key_pem(settings), headers=_CACHEABLE)
