"""Amazon SES (v2): raw mail to reporters, through the policy's configuration set.

A send is made once (bootstrap gives this client a single attempt): a send whose answer
is lost may have gone out, so it is reported as Uncertain rather than sent again. A
refusal that asking again cannot change is Refused; anything else is Unavailable.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError, ConnectionClosedError, ReadTimeoutError

from chalicelib.adapters.failures import translated
from chalicelib.domain.errors import Refused, Uncertain

# SES v2's error codes for this one message, which sending it again cannot change: a
# rejected message (a virus, an address SES will not send to) or input it cannot read.
# Codes about the account or its setup (AccessDenied*, AccountSuspendedException,
# SendingPausedException, MailFromDomainNotVerifiedException, NotFoundException for a
# missing configuration set or identity) are not here: they say nothing about the mail and
# end once the setup is fixed, so they are Unavailable, and the stream retries the record
# and at last parks it in its dead-letter queue rather than skipping every mail for good.
REFUSALS = frozenset({"MessageRejected", "BadRequestException"})


class SesMailer:
    def __init__(self, client: Any, configuration_set: str | None) -> None:
        self._client = client
        self._configuration_set = configuration_set

    def send(self, sender: str, recipient: str, raw: bytes) -> str:
        """Send one raw MIME message; the SES message id."""
        extra = {"ConfigurationSetName": self._configuration_set} if self._configuration_set else {}
        with translated("ses"):
            try:
                answer = self._client.send_email(
                    FromEmailAddress=sender,
                    Destination={"ToAddresses": [recipient]},
                    Content={"Raw": {"Data": raw}},
                    **extra,
                )
            except (ReadTimeoutError, ConnectionClosedError) as exc:  # sent, answer lost
                raise Uncertain("ses") from exc
            except ClientError as exc:
                code = str(exc.response.get("Error", {}).get("Code", ""))
                if code in REFUSALS:
                    raise Refused("ses", code) from exc
                raise
        return str(answer.get("MessageId", ""))
