"""Mail's routes and functions: one-click unsubscribe (RFC 8058), SES's bounces and
complaints, and mail to the security address (SES's receipt rule invokes receive_mail)."""

from __future__ import annotations

import json
from typing import Any

from chalice.app import Blueprint, Response, SNSEvent

from chalicelib import bootstrap
from chalicelib.domain.errors import NotFound
from chalicelib.web import requests, responses

mail = Blueprint(__name__)
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]


@mail.route("/unsubscribe", methods=["GET"])
@responses.guarded
def unsubscribe_page() -> Response:
    """The link in a mail, opened in a browser: a button (a GET never unsubscribes)."""
    from chalicelib.web.pages.reporter import unsubscribe_page as page

    report_id, token = _target()
    html = page(bootstrap.policy(), report_id, token, done=False)
    return responses.page(html, [])


@mail.route("/unsubscribe", methods=["POST"], content_types=FORM_TYPES)
@responses.guarded
def unsubscribe() -> Response:
    """One-click unsubscribe, from a mail client (RFC 8058) or the page's button."""
    from chalicelib.usecases.mail.consent import unsubscribe as stop
    from chalicelib.web.pages.reporter import unsubscribe_page as page

    report_id, token = _target()
    report_id = stop(report_id, token, bootstrap.ports())
    return responses.page(page(bootstrap.policy(), report_id, token, done=True), [])


def _target() -> tuple[str, str]:
    query: dict[str, str] = dict(requests.in_progress(mail).query_params or {})
    report_id, token = query.get("report", ""), query.get("token", "")
    if not report_id or not token or len(report_id) > 64 or len(token) > 64:
        raise NotFound()
    return report_id, token


@mail.lambda_function(name="receive_mail")
def receive_mail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SES's receipt rule (its Lambda action): each stored mail becomes a report or a
    reporter's message. Fails when a mail may be filed later: Lambda retries the event."""
    from chalicelib.usecases.mail.inbound import check_filed, receive_ses_event

    return {"outcomes": check_filed(receive_ses_event(event, bootstrap.ports()))}


@mail.on_sns_message(topic="vdp-mail-feedback", name="mail_feedback")
def mail_feedback(event: SNSEvent) -> None:
    """SES's bounces and complaints (through the configuration set's SNS destination)."""
    from chalicelib.usecases.mail.consent import record_feedback

    try:
        notification = json.loads(event.message)
    except ValueError:
        return
    if isinstance(notification, dict):
        record_feedback(notification, bootstrap.ports())
