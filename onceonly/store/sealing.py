"""Personal data the store must keep (a task's disclosure, for the agency's staff to read)
is kept sealed: AES-GCM under the payload key ring's current key, tagged with the key's id so
that a rotated key still opens what it sealed, as Temporal's payloads are (onceonly.codec).
"""

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from onceonly.codec import KeyringError, parse_keyring

NONCE_BYTES = 12


class Sealer:
    """Seals and opens values with one key ring ('id:base64key,...', the first current)."""

    def __init__(self, payload_keys: str) -> None:
        keyring = parse_keyring(payload_keys)
        self._current = next(iter(keyring))
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.items()}

    def seal(self, plain: bytes, context: str) -> str:
        """`plain` sealed under the current key, bound to `context` (a row's id), as text."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self._current].encrypt(nonce, plain, context.encode())
        return f"{self._current}:{base64.b64encode(nonce + sealed).decode()}"

    def open(self, sealed: str, context: str) -> bytes:
        """What `seal` sealed under `context`; KeyringError for a key id no longer held."""
        key_id, _, encoded = sealed.partition(":")
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise KeyringError(f"sealed with unknown key id {key_id!r}")
        data = base64.b64decode(encoded)
        return cipher.decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], context.encode())
