"""Amazon SES (v2): raw mail to reporters, through the policy's configuration set."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.failures import translated


class SesMailer:
    def __init__(self, client: Any, configuration_set: str | None) -> None:
        self._client = client
        self._configuration_set = configuration_set

    def send(self, sender: str, recipient: str, raw: bytes) -> str:
        """Send one raw MIME message; the SES message id."""
        extra = {"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}
        with translated("ses"):
            answer = self._client.send_email(
                FromEmailAddress=sender,
                Destination={"ToAddresses": [recipient]},
                Content={"Raw": {"Data": raw}},
                **extra,
            )
        return str(answer.get("MessageId", ""))
