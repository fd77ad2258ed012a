"""A browser's plain form post (no JavaScript): a 201 page with the receipt, or the form
again with the errors, never a JSON body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Request, Response

from chalicelib.domain.errors import VdpError
from chalicelib.domain.policy import Policy
from chalicelib.domain.records import Accepted
from chalicelib.web import pages, reporter_pages, requests, responses

Submit = Callable[[dict[str, Any], str | None], Accepted]


def answer_form_post(
    request: Request, policy: Policy, submit: Submit, frame_origins: list[str]
) -> Response:
    """Parse the form, hand its fields and Idempotency-Key to `submit`, answer as a page."""
    try:
        fields, key = requests.submission_fields(request, policy.limits.max_body_bytes)
    except VdpError as error:
        return responses.error_page(pages.form_page(policy, None, error), error, frame_origins)
    try:
        accepted = submit(fields, key)
    except VdpError as error:
        page = pages.form_page(policy, fields, error, idempotency_key=key)
        return responses.error_page(page, error, frame_origins)
    return responses.created_page(reporter_pages.receipt_page(policy, accepted), frame_origins)
