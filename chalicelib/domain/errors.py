"""The one error tree of vdp; each error knows its public code.

    VdpError
     +-- RequestError            the client can fix it (4xx)
     |    +-- BadJson                bad_json
     |    |    +-- Undelimited           where the body ends is unknown (vdp serve closes)
     |    +-- NotFound               not_found
     |    +-- MethodNotAllowed       method_not_allowed
     |    +-- Conflict               conflict
     |    +-- PayloadTooLarge        payload_too_large
     |    +-- UnsupportedMediaType   unsupported_media_type
     |    +-- ValidationFailed       validation_failed (carries a field list)
     |    +-- RateLimited            rate_limited (carries retry_after)
     +-- Unavailable             a storage service failed (503, carries retry_after)
     +-- Refused                 a service refused a request for good (SES: a rejected mail)
     +-- Uncertain               a request was sent, its answer never came: it may have happened
     +-- AlreadyExists           a conditional write lost: internal, never shown as such
     +-- PolicyError             policy.toml is invalid: an operator's mistake
     +-- Tampered                a stored part fails its integrity check (the team's view)

Only `http.py` maps codes to status numbers. Messages are fixed texts and never
contain submitted content.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from chalicelib.domain.language import N_, _

UNKNOWN_FIELD = "(unknown field)"


class VdpError(Exception):
    """Base of every error vdp raises on purpose."""

    code = "internal_error"
    message = N_("Something went wrong on our side.")

    def __init__(self, message: str | None = None) -> None:
        # The class's own text in the language of the request in progress; a message
        # given here is the caller's to word (and to translate, if a reporter reads it).
        self.message = message or _(type(self).message)
        super().__init__(self.message)


class RequestError(VdpError):
    """The request cannot be served as sent."""


class BadJson(RequestError):
    code = "bad_json"
    message = N_("The request body is not valid JSON.")


class Undelimited(BadJson):
    """`vdp serve` cannot tell where the body ends: answered once, the connection closes."""


class NotFound(RequestError):
    code = "not_found"
    message = N_("Not found.")


class MethodNotAllowed(RequestError):
    code = "method_not_allowed"
    message = N_("This method is not allowed here.")


class Conflict(RequestError):
    code = "conflict"
    message = N_("The resource was changed by someone else; reload and try again.")


class PayloadTooLarge(RequestError):
    code = "payload_too_large"
    message = N_("The request is too large.")


class UnsupportedMediaType(RequestError):
    code = "unsupported_media_type"
    message = N_("Send application/json, application/x-www-form-urlencoded or multipart/form-data.")


@dataclass(frozen=True)
class FieldProblem:
    """One invalid field: a dotted path and a message that never repeats the input."""

    field: str
    message: str


def named_field(name: str, ours: Collection[str]) -> str:
    """A field name as an error may repeat it: one of ours, else a placeholder, so no
    name a client made up (submitted text like any other) is ever echoed."""
    return name if name in ours else UNKNOWN_FIELD


# The refusal of a known Idempotency-Key sent with other content (a form sent, then edited).
KEY_REUSED = FieldProblem("Idempotency-Key", "was already used for a different report")


class ValidationFailed(RequestError):
    code = "validation_failed"
    message = N_("Some fields are missing or invalid.")

    def __init__(self, fields: list[FieldProblem], message: str | None = None) -> None:
        super().__init__(message)
        self.fields = fields


class RateLimited(RequestError):
    code = "rate_limited"
    message = N_("Too many requests; try again later.")

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(VdpError):
    code = "unavailable"
    message = N_("Storage is temporarily unavailable; nothing was saved. Please try again.")

    def __init__(self, service: str, retry_after: int = 30) -> None:
        super().__init__()
        self.service = service
        self.retry_after = retry_after


class Refused(VdpError):
    """A service refused a request in a way that asking again cannot change (SES: a
    rejected message, an unverified domain, sending paused, no permission)."""

    code = "refused"

    def __init__(self, service: str, reason: str) -> None:
        super().__init__()
        self.service = service
        self.reason = reason  # the service's error code, never its message


class Uncertain(VdpError):
    """A request went out but its answer did not come back (a read timeout): the service
    may have carried it out, so sending it again may do it twice."""

    code = "uncertain"

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service


class AlreadyExists(VdpError):
    """A conditional write found the key taken (an id collision or a lost race)."""

    code = "conflict"


class Tampered(VdpError):
    """A sealed part that does not open for its own report and part: changed at rest, or
    copied from elsewhere. Only the team's commands meet it."""

    code = "integrity_failed"


class PolicyError(VdpError):
    """policy.toml could not be loaded; the message names the file and the field."""

    code = "policy_invalid"
