"""What a failed command tells the team: one line that names the cause, never a traceback.

The adapters turn every botocore failure into `Unavailable`, which is the right answer
for a reporter (a 503 that says nothing of our setup). The team at a terminal needs
the cause instead: no server at the endpoint, no credentials, a refused permission.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from chalicelib.domain.errors import VdpError

DENIED = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
)
EXPIRED = frozenset({"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"})
PASSING = frozenset({"Throttling", "ThrottlingException", "ProvisionedThroughputExceededException"})


def describe_failure(exc: VdpError) -> str:
    """The error's own message, or what AWS said when an AWS call caused it."""
    service = getattr(exc, "service", None)
    cause = exc.__cause__
    if service is None:  # a domain error (no such report, a refused move): its own words
        return exc.message
    if isinstance(cause, ClientError):
        return _refused(cause, service) or f"{exc.message} ({service})"
    if isinstance(cause, EndpointConnectionError):
        endpoint = cause.kwargs.get("endpoint_url")
        return f"cannot reach {endpoint} ({service}): is `vdp serve` running there?"
    if isinstance(cause, NoCredentialsError | PartialCredentialsError):
        return (
            "no AWS credentials: set AWS_PROFILE or run `aws configure` "
            "(or pass --local for `vdp serve`)"
        )
    if isinstance(cause, NoRegionError):
        return "no AWS region: set AWS_REGION or a region in your AWS profile"
    if isinstance(cause, BotoCoreError):
        return f"{service}: {cause}"
    if cause is not None:  # an answer botocore could not read: a proxy, or not AWS at all
        return f"{service} answered unexpectedly ({_said(cause)}): check the endpoint"
    return f"{exc.message} ({service})"


def _said(cause: BaseException) -> str:
    """The first line of an AWS error, short (a parser's error quotes the whole answer)."""
    first = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return first[:160]


def _refused(cause: ClientError, service: str | None) -> str | None:
    error = cause.response.get("Error", {})
    code = str(error.get("Code", ""))
    status = int(cause.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    action = f"{service} {cause.operation_name}"
    if code in DENIED:
        return f"AWS denied {action} ({code}): your role lacks this permission"
    if code in EXPIRED:
        return f"AWS refused your credentials for {action} ({code}): renew them"
    if code in PASSING or status >= 500:
        return None  # passing trouble: the "try again" message is the right one
    return f"AWS refused {action}: {code}: {error.get('Message', '')}".rstrip(": ")
