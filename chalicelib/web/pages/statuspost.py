"""The status page's form posts: report id and receipt (and, for a follow-up, the message)
in the body, answered with the status page, or the look-up form saying what went wrong."""

from __future__ import annotations

from chalice.app import Request, Response

from chalicelib.domain import language
from chalicelib.domain.errors import NotFound, VdpError
from chalicelib.domain.language import _
from chalicelib.domain.policy.document import Policy
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.status import add_message, reporter_status
from chalicelib.web import requests, responses
from chalicelib.web.pages.shell import LANGUAGE_FIELD
from chalicelib.web.pages.status import lookup_page, status_page


def answer_status_post(
    request: Request, policy: Policy, ports: Ports, frame_origins: list[str]
) -> Response:
    values = requests.form_values(request, policy.limits.max_body_bytes)
    chosen = values.get(LANGUAGE_FIELD, "")
    with language.speaking(chosen if chosen in policy.languages else language.current()):
        return _answer(request, policy, ports, values, frame_origins)


def _answer(
    request: Request,
    policy: Policy,
    ports: Ports,
    values: dict[str, str],
    frame_origins: list[str],
) -> Response:
    report_id, receipt = values.get("report_id", "").strip(), values.get("receipt", "").strip()
    address = requests.source_ip(request)
    try:
        if "message" in values:
            return _follow_up(policy, ports, (report_id, receipt, address), values["message"],
                              frame_origins)  # fmt: skip
        view = reporter_status(report_id, receipt, ports, address)
    except NotFound:
        error = NotFound(
            _("We found no report with this ID and receipt. Check both and try again.")
        )
        return responses.error_page(lookup_page(policy, error, report_id), error, frame_origins)
    except VdpError as error:
        return responses.error_page(lookup_page(policy, error, report_id), error, frame_origins)
    return responses.page(status_page(policy, view, receipt), frame_origins)


def _follow_up(
    policy: Policy,
    ports: Ports,
    holder: tuple[str, str, str],
    draft: str,
    frame_origins: list[str],
) -> Response:
    """Send the message, then show the status with it; a refused one stays in the box.
    `holder`: the report id, the receipt and the client's address."""
    report_id, receipt, address = holder
    try:
        add_message(report_id, receipt, {"message": draft}, ports, address)
    except NotFound:
        raise  # the look-up form says so
    except VdpError as error:  # an empty or long message, a rate limit: the draft stays
        view = reporter_status(report_id, receipt, ports)
        page = status_page(policy, view, receipt, error=error, draft=draft)
        return responses.error_page(page, error, frame_origins)
    view = reporter_status(report_id, receipt, ports)
    return responses.created_page(status_page(policy, view, receipt, sent=True), frame_origins)
