"""What `vdp subscribe` checks before SNS sees an endpoint, and what it says after.

SNS takes almost any endpoint and fails later, out of sight: a mistyped address or a
plain-http URL never confirms, and a queue that does not exist never receives. So each
protocol's endpoint is checked here, and a refusal is one line naming the rule.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urlsplit

from chalicelib.domain.errors import FieldProblem, NotFound, ValidationFailed
from vdp.cli.output import one_line

if TYPE_CHECKING:
    from chalicelib.config import Settings

QUEUE_ARN = re.compile(
    r"^arn:aws[\w-]*:sqs:(?P<region>[a-z]{2}(?:-[a-z]+)+-\d{1,2}):(?P<account>\d{12})"
    r":(?P<name>[A-Za-z0-9_-]{1,80}(?:\.fifo)?)$"
)
# What SQS answers for a queue that does not exist, or that the caller may not see.
NO_QUEUE = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


def check_endpoint(protocol: str, endpoint: str, settings: Settings) -> None:
    """Refuse an endpoint its protocol cannot deliver to (ValidationFailed, NotFound)."""
    if protocol == "email":
        _check_address(endpoint)
    elif protocol == "https":
        _check_url(endpoint)
    else:
        _check_queue(endpoint, settings)


def _check_address(endpoint: str) -> None:
    from email_validator import EmailNotValidError, validate_email

    try:
        validate_email(endpoint, check_deliverability=False)
    except EmailNotValidError as exc:
        _refuse(f"an email endpoint is an address such as team@example.org: {exc}")


def _check_url(endpoint: str) -> None:
    try:
        parts = urlsplit(endpoint)
        usable = parts.scheme == "https" and bool(parts.hostname) and parts.port != 0
    except ValueError:  # an unclosed IPv6 bracket, a port above 65535
        usable = False
    if not usable or any(c.isspace() for c in endpoint):
        _refuse("an https endpoint is an https:// URL with a host, such as https://example.org/vdp")


def _check_queue(endpoint: str, settings: Settings) -> None:
    """A queue ARN whose queue SQS knows (asked in the ARN's region and account)."""
    from chalicelib import bootstrap
    from chalicelib.adapters.failures import translated

    found = QUEUE_ARN.match(endpoint)
    if found is None:
        _refuse("an sqs endpoint is a queue ARN: arn:aws:sqs:REGION:ACCOUNT:NAME")
    name, account, region = found["name"], found["account"], found["region"]
    sqs = bootstrap.client(settings.model_copy(update={"region": region}), "sqs")
    try:
        with translated("sqs", missing=NO_QUEUE):
            sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)
    except NotFound:
        missing = f"SQS has no queue {name} in account {account} ({region}) that you can see"
        raise NotFound(missing) from None


def _refuse(problem: str) -> NoReturn:
    problem = one_line(problem)
    raise ValidationFailed([FieldProblem("endpoint", problem)], problem)


def confirmation(protocol: str, endpoint: str, topic_arn: str) -> str | None:
    """What must happen before notifications arrive at a new subscription (None: nothing)."""
    if protocol == "email":
        return f"SNS mails a confirmation link to {endpoint}"
    if protocol == "https":
        return f"SNS posts a confirmation request to {endpoint}"
    if endpoint.split(":")[4] != topic_arn.split(":")[4]:  # a queue in another account
        return "SNS sends a confirmation message to the queue, for its account to confirm"
    return None
