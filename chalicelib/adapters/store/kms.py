"""KMS: data keys for envelope encryption, bound to an encryption context."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.failures import translated
from chalicelib.domain.crypto import Context, DataKey


class KmsKeys:
    def __init__(self, client: Any, key_id: str) -> None:
        self._client = client
        self._key_id = key_id

    def generate(self, context: Context) -> DataKey:
        """A fresh AES-256 data key; KMS records the context in the wrapped copy."""
        with translated("kms"):
            answer = self._client.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=dict(context)
            )
        return DataKey(
            plaintext=answer["Plaintext"], wrapped=answer["CiphertextBlob"], key_id=answer["KeyId"]
        )

    def unwrap(self, wrapped: bytes, context: Context) -> bytes:
        """Decrypt a wrapped data key; KMS refuses unless the context matches."""
        with translated("kms"):
            answer = self._client.decrypt(CiphertextBlob=wrapped, EncryptionContext=dict(context))
        plaintext: bytes = answer["Plaintext"]
        return plaintext
