"""SES's bounces and complaints as the mail_feedback function receives them: the
configuration set's event destination publishes each event (`eventType`) to the feedback
topic, and SNS invokes the function. Permanent bounces and complaints stop all mail to the
address; a transient bounce (a full mailbox) stops nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import boto
from tests.integration.helpers import sent, submitted, team

TOPIC = "arn:aws:sns:us-east-1:123456789012:vdp-mail-feedback"


@pytest.fixture(autouse=True)
def public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDP_PUBLIC_URL", "https://vdp.example.com")


def ses_event(kind: str, address: str, **detail: Any) -> dict[str, Any]:
    """One SES event as a configuration set's SNS event destination publishes it."""
    mail = {
        "timestamp": "2026-12-01T10:00:00.000Z",
        "source": "security@example.com",
        "sendingAccountId": "123456789012",
        "messageId": "0100018c-ses-message-id",
        "destination": [address],
        "headersTruncated": False,
        "commonHeaders": {"from": ["security@example.com"], "to": [address]},
        "tags": {"ses:configuration-set": ["vdp"]},
    }
    if kind == "Bounce":
        body = {
            "bounceType": detail["bounce_type"],
            "bounceSubType": detail["sub_type"],
            "bouncedRecipients": [{"emailAddress": address, "action": "failed",
                                   "status": "5.1.1", "diagnosticCode": "smtp; 550"}],
            "timestamp": "2026-12-01T10:00:01.000Z",
            "feedbackId": "0100018c-feedback",
            "reportingMTA": "dsn; a.example",
        }  # fmt: skip
        return {"eventType": "Bounce", "bounce": body, "mail": mail}
    body = {
        "complainedRecipients": [{"emailAddress": address}],
        "timestamp": "2026-12-01T10:00:01.000Z",
        "feedbackId": "0100018c-feedback",
        "complaintFeedbackType": "abuse",
    }
    return {"eventType": "Complaint", "complaint": body, "mail": mail}


def submit(address: str) -> str:
    """A report whose reporter left `address`: its id."""
    body = {"title": "Stored XSS in profile names", "product": "example-app",
            "description": "The display name is rendered unescaped on the team page.",
            "policy_accepted": True, "reporter": {"email": address}}  # fmt: skip
    return str(submitted(body)["report_id"])


def delivered(notification: dict[str, Any]) -> None:
    """SNS invokes the function with the event as its message."""
    from chalicelib.web.mail import mail_feedback

    record = {
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": f"{TOPIC}:subscription",
        "Sns": {
            "Type": "Notification",
            "MessageId": "sns-message-id",
            "TopicArn": TOPIC,
            "Subject": None,
            "Message": json.dumps(notification),
            "Timestamp": "2026-12-01T10:00:02.000Z",
            "MessageAttributes": {},
        },
    }
    mail_feedback({"Records": [record]}, None)


def test_bounces_and_complaints_from_the_event_destination_stop_mail_but_a_transient_does_not(
    outbox: Any,
) -> None:
    # Given three reporters who were mailed when their reports arrived
    reports = {
        address: submit(address)
        for address in ("gone@example.org", "annoyed@example.org", "full@example.org")
    }
    outbox.pump()
    assert len(sent()) == 3

    # When SES reports a permanent bounce, a complaint and a transient bounce
    gone = ses_event("Bounce", "gone@example.org", bounce_type="Permanent", sub_type="General")
    full = ses_event("Bounce", "full@example.org", bounce_type="Transient", sub_type="MailboxFull")
    delivered(gone)
    delivered(ses_event("Complaint", "annoyed@example.org"))
    delivered(full)
    for report_id in reports.values():
        team("reports", "ack", report_id)
    outbox.pump()

    # Then only the address whose mailbox was full hears of its acknowledgment
    later = sent()[3:]
    assert [set(mail.destinations) for mail in later] == [{"full@example.org"}]
    assert reports["full@example.org"] in later[0].raw_data
    stored = json.dumps(boto("dynamodb").scan(TableName="vdp-local")["Items"])
    assert "gone@example.org" not in stored and "annoyed@example.org" not in stored


@pytest.mark.parametrize(
    "notification",
    [{"eventType": "Send", "mail": {}}, {"eventType": "Bounce"}, {"eventType": "Complaint"}],
)
def test_other_events_and_ones_without_recipients_suppress_nothing(
    outbox: Any, notification: dict[str, Any]
) -> None:
    report_id = submit("reporter@example.org")
    outbox.pump()

    delivered(notification)
    team("reports", "ack", report_id)
    outbox.pump()

    assert len(sent()) == 2
