"""A browser's plain form post (no JavaScript): a 201 page with the receipt, or the form
again with the errors, never a JSON body. Pages speak the language of the page the form
was sent from."""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Request, Response

from chalicelib.domain import language
from chalicelib.domain.errors import VdpError
from chalicelib.domain.policy.document import Policy
from chalicelib.domain.report.records import Accepted
from chalicelib.usecases.reporter.proof import WaitRequired
from chalicelib.web import requests, responses
from chalicelib.web.pages import form_page as pages
from chalicelib.web.pages import reporter as reporter_pages

Submit = Callable[[requests.Submitted], Accepted]


def answer_form_post(
    request: Request,
    policy: Policy,
    submit: Submit,
    frame_origins: list[str],
    new_token: Callable[[], str],
) -> Response:
    """Parse the form, hand it to `submit`, answer as a page. A refused form comes back
    with a fresh form token, or the same one while its wait is not over."""
    try:
        sent = requests.submission_fields(request, policy.limits.max_body_bytes)
    except VdpError as error:
        page = pages.form_page(policy, None, error, form_token=new_token())
        return responses.error_page(page, error, frame_origins)
    spoken = sent.language if sent.language in policy.languages else language.current()
    with language.speaking(spoken):
        try:
            accepted = submit(sent)
        except VdpError as error:
            token = sent.form_token if isinstance(error, WaitRequired) else new_token()
            page = pages.form_page(
                policy, sent.fields, error, idempotency_key=sent.idempotency_key,
                form_token=token or "",
            )  # fmt: skip
            return responses.error_page(page, error, frame_origins)
        page = reporter_pages.receipt_page(policy, accepted)
    return responses.created_page(page, frame_origins)
