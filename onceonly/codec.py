"""The one data converter: pydantic payloads, encrypted with AES-GCM under a keyring.

The first key of the ring encrypts; every key decrypts, found by the key id stored beside
the ciphertext, so keys rotate without breaking running or finished events. Failure messages
and stack traces are encoded too, since they can quote data.
"""

import base64
import dataclasses
import os
from collections.abc import Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import (
    DataConverter,
    DefaultFailureConverterWithEncodedAttributes,
    PayloadCodec,
)

ENCODING = b"binary/encrypted"
KEY_ID_METADATA = "encryption-key-id"
NONCE_BYTES = 12  # the AES-GCM standard nonce size


class KeyringError(ValueError):
    """A keyring setting that cannot be used; the message says which rule it breaks."""


def parse_keyring(raw: str) -> dict[str, bytes]:
    """Parse 'id:base64key,id:base64key' (first = current) into an ordered id -> key map."""
    keyring: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in raw.split(","))):
        key_id, sep, encoded = entry.partition(":")
        if not sep or not key_id:
            raise KeyringError("payload_keys: each entry must be 'key-id:base64-key'")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise KeyringError(f"payload_keys: key {key_id!r} is not valid base64") from None
        if len(key) not in (16, 24, 32):
            raise KeyringError(f"payload_keys: key {key_id!r} must be 16, 24 or 32 bytes")
        keyring[key_id] = key
    if not keyring:
        raise KeyringError("payload_keys: at least one key is required")
    return keyring


class EncryptionCodec(PayloadCodec):
    """AES-GCM over whole serialized payloads, tagged with the id of the key used."""

    def __init__(self, keyring: dict[str, bytes]) -> None:
        self._current_id = next(iter(keyring))
        self._ciphers = {key_id: AESGCM(key) for key_id, key in keyring.items()}

    async def encode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Encrypt each payload with the current key."""
        cipher = self._ciphers[self._current_id]
        encoded = []
        for payload in payloads:
            nonce = os.urandom(NONCE_BYTES)
            encoded.append(
                Payload(
                    metadata={
                        "encoding": ENCODING,
                        KEY_ID_METADATA: self._current_id.encode(),
                    },
                    data=nonce + cipher.encrypt(nonce, payload.SerializeToString(), None),
                )
            )
        return encoded

    async def decode(self, payloads: Sequence[Payload]) -> list[Payload]:
        """Decrypt payloads this codec encrypted; pass others through unchanged."""
        decoded = []
        for payload in payloads:
            if payload.metadata.get("encoding") != ENCODING:
                decoded.append(payload)
                continue
            key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode()
            cipher = self._ciphers.get(key_id)
            if cipher is None:
                raise KeyringError(f"payload encrypted with unknown key id {key_id!r}")
            nonce, ciphertext = payload.data[:NONCE_BYTES], payload.data[NONCE_BYTES:]
            decoded.append(Payload.FromString(cipher.decrypt(nonce, ciphertext, None)))
        return decoded


def data_converter(payload_keys: str) -> DataConverter:
    """The converter used by the worker, API, CLI, replayer and tests."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(parse_keyring(payload_keys)),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
