"""Which SES answers refuse one mail for good, and which only wait for the setup's fix."""

from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.adapters.messages.ses import SesMailer
from chalicelib.domain.errors import Refused, Unavailable


class _Refusing:
    def __init__(self, code: str) -> None:
        self.code = code

    def send_email(self, **_: Any) -> dict[str, str]:
        raise ClientError({"Error": {"Code": self.code, "Message": "no"}}, "SendEmail")


@pytest.mark.parametrize("code", ["MessageRejected", "BadRequestException"])
def test_a_refusal_of_the_message_is_for_good(code: str) -> None:
    with pytest.raises(Refused):
        SesMailer(_Refusing(code), None).send("a@example.com", "b@example.org", b"mail")


@pytest.mark.parametrize(
    "code",
    [
        "AccessDenied",
        "AccessDeniedException",
        "AccountSuspendedException",
        "SendingPausedException",
        "MailFromDomainNotVerifiedException",
        "NotFoundException",
        "TooManyRequestsException",
    ],
)
def test_a_refusal_of_the_accounts_setup_is_retried(code: str) -> None:
    # A slip in the account's setup must not skip every reporter's mail for good.
    with pytest.raises(Unavailable):
        SesMailer(_Refusing(code), None).send("a@example.com", "b@example.org", b"mail")
