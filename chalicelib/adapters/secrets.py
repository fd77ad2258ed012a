"""Secrets Manager: the intake's HMAC secret (rate-limit salts, proof-of-work signatures)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.failures import translated


class SecretsManagerSecret:
    def __init__(self, client: Any, secret_id: str) -> None:
        self._client = client
        self._secret_id = secret_id

    def value(self) -> bytes:
        with translated("secretsmanager"):
            answer = self._client.get_secret_value(SecretId=self._secret_id)
        return str(answer["SecretString"]).encode()
