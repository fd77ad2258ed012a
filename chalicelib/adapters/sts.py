"""STS: who is calling (the team member's AWS identity, recorded as the actor)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.failures import translated


class StsIdentity:
    def __init__(self, client: Any) -> None:
        self._client = client
        self._arn: str | None = None

    def caller(self) -> str:
        """The caller's ARN (asked once per process; it cannot change under us)."""
        if self._arn is None:
            with translated("sts"):
                self._arn = str(self._client.get_caller_identity()["Arn"])
        return self._arn
