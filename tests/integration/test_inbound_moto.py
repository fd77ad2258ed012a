"""Mail to the security address against in-process moto, through the Lambda function SES's
receipt rule invokes (receive_mail): the raw mail in the bucket becomes a stored report and
is deleted, the answer goes out through SES, and a real OpenPGP key gets the receipt."""

from __future__ import annotations

import re
from email import message_from_bytes, message_from_string
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.usecases.reporter.status import reporter_status
from chalicelib.usecases.team.inbox import show_report
from tests.conftest import boto

BUCKET = "vdp-local-reports"
PUBLIC_URL = "https://intake.example.com"
BODY = "The password reset link never expires; an old mail still resets the account."


@pytest.fixture
def receive(aws: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The app's receive_mail, as the receipt rule's Lambda action calls it."""
    monkeypatch.setenv("VDP_PUBLIC_URL", PUBLIC_URL)
    bootstrap.reset()
    import app

    return app.app.handler_map["receive_mail"]


def mail(
    subject: str = "Reset links never expire", sender: str = "ann@example.org"
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Ann <{sender}>"
    message["To"] = "security@example.com"
    message["Subject"] = subject
    message["Message-ID"] = "<reset-1@example.org>"
    message.set_content(BODY)
    return message


def arrive(receive: Any, message: EmailMessage, message_id: str, **verdicts: str) -> list[str]:
    """SES's S3 action, then its Lambda action."""
    boto("s3").put_object(Bucket=BUCKET, Key=f"inbound/{message_id}", Body=message.as_bytes())
    return list(receive(ses_event(message, message_id, **verdicts), None)["outcomes"])


def ses_event(message: EmailMessage, message_id: str, **verdicts: str) -> dict[str, Any]:
    """The event SES's Lambda action hands over for a stored mail."""
    status = {"spam": "PASS", "virus": "PASS", "spf": "PASS", "dkim": "PASS", "dmarc": "PASS",
              **verdicts}  # fmt: skip
    recipients = [str(message["To"])]
    receipt: dict[str, Any] = {f"{k}Verdict": {"status": v} for k, v in status.items()}
    receipt["recipients"] = recipients
    sent = {"messageId": message_id, "source": "ann@example.org", "destination": recipients}
    return {"Records": [{"eventSource": "aws:ses", "ses": {"mail": sent, "receipt": receipt}}]}


def inbound_versions() -> list[dict[str, Any]]:
    listed = boto("s3").list_object_versions(Bucket=BUCKET, Prefix="inbound/")
    return [*listed.get("Versions", []), *listed.get("DeleteMarkers", [])]


def sent_mail() -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends["123456789012"]["us-east-1"].sent_messages)


def test_a_stored_mail_becomes_a_report_and_every_version_of_it_is_deleted(receive: Any) -> None:
    [outcome] = arrive(receive, mail(), "0100018f-mail-1")

    report_id = outcome.removeprefix("report ")
    report = show_report(bootstrap.ports(), report_id)
    assert report.record.status == "received" and report.record.product == "other"
    assert report.content["title"] == "Reset links never expire"
    assert str(report.content["description"]).startswith(BODY)
    assert report.content["reporter"]["email"] == "ann@example.org"
    assert inbound_versions() == []


def test_the_answer_goes_out_through_ses_once(receive: Any, outbox: Any) -> None:
    [outcome] = arrive(receive, mail(), "0100018f-mail-2")
    assert outbox.pump() == []  # the outbox's own "received" mail is not sent again

    [answer] = sent_mail()
    parsed = message_from_string(answer.raw_data, policy=email_policy.default)
    report_id = outcome.removeprefix("report ")
    assert answer.destinations[0] == "ann@example.org"
    assert parsed["Reply-To"] == f"security+{report_id}@example.com"
    assert parsed["In-Reply-To"] == "<reset-1@example.org>"
    assert parsed["Auto-Submitted"] == "auto-replied"


def test_an_attached_key_gets_the_receipt_encrypted_to_it(receive: Any) -> None:
    import pysequoia

    key = pysequoia.Tsk.generate("Ann <ann@example.org>")
    message = mail()
    public = str(key.extract_certificate()).encode()
    message.add_attachment(public, "application", "pgp-keys", filename="ann.asc")

    [outcome] = arrive(receive, message, "0100018f-mail-3")

    [answer] = sent_mail()
    parsed = message_from_string(answer.raw_data, policy=email_policy.default)
    assert parsed.get_content_type() == "multipart/encrypted"
    armored = re.search(
        r"-----BEGIN PGP MESSAGE-----.*?-----END PGP MESSAGE-----", answer.raw_data, re.S
    )
    assert armored is not None
    inner = pysequoia.decrypt(decryptor=key.decryptor(), bytes=armored[0].encode()).bytes.decode()
    receipt = re.search(r"Receipt: (\S+)", inner)
    assert receipt is not None and receipt[1] not in answer.raw_data
    report_id = outcome.removeprefix("report ")
    view = reporter_status(report_id, receipt[1], bootstrap.ports())
    assert view.status == "received"
    assert f"{PUBLIC_URL}/status#{report_id}.{receipt[1]}" in inner


def test_a_reply_from_the_contact_becomes_a_message_on_the_report(receive: Any) -> None:
    [outcome] = arrive(receive, mail(), "0100018f-mail-4")
    report_id = outcome.removeprefix("report ")
    reply = mail(subject=f"Re: [{report_id}] Your report was received")
    reply.replace_header("To", f"security+{report_id}@example.com")
    reply.set_content("It also works for accounts with two-factor authentication.")

    assert arrive(receive, reply, "0100018f-mail-5") == [f"message {report_id}"]

    [message] = show_report(bootstrap.ports(), report_id).messages
    assert message.text.startswith("It also works for accounts with two-factor")
    assert inbound_versions() == []


def test_spam_is_dropped_and_its_raw_mail_deleted(receive: Any) -> None:
    assert arrive(receive, mail(), "0100018f-mail-6", spam="FAIL") == ["dropped: spam"]

    assert inbound_versions() == []
    assert boto("dynamodb").scan(TableName="vdp-local")["Count"] == 0
    assert sent_mail() == []


def test_a_mail_in_german_gets_its_receipt_in_german_and_stays_a_german_report(
    receive: Any,
) -> None:
    import pysequoia

    key = pysequoia.Tsk.generate("Ann <ann@example.org>")
    message = mail(subject="Links zum Zurücksetzen laufen nie ab")
    message["Content-Language"] = "de"
    public = str(key.extract_certificate()).encode()
    message.add_attachment(public, "application", "pgp-keys", filename="ann.asc")

    [outcome] = arrive(receive, message, "0100018f-mail-9")

    report_id = outcome.removeprefix("report ")
    assert show_report(bootstrap.ports(), report_id).record.language == "de"
    [answer] = sent_mail()
    armored = re.search(
        r"-----BEGIN PGP MESSAGE-----.*?-----END PGP MESSAGE-----", answer.raw_data, re.S
    )
    assert armored is not None
    data = pysequoia.decrypt(decryptor=key.decryptor(), bytes=armored[0].encode()).bytes
    inner = message_from_bytes(data, policy=email_policy.default)
    text = inner.get_content()
    assert inner["Content-Language"] == "de"
    receipt = re.search(r"Beleg: (\S+)", text)
    assert receipt is not None
    assert reporter_status(report_id, receipt[1], bootstrap.ports()).status == "received"
    assert "Mit dem Beleg öffnen Sie die Statusseite Ihrer Meldung." in text
    assert f"Meldung: {report_id}" in text and "Ihre Meldung verfolgen: " in text


def test_mail_aws_could_not_file_fails_the_invocation_and_its_retry_files_it_once(
    receive: Any,
) -> None:
    from chalicelib.usecases.mail.inbound import NotFiledYet
    from tests.faults.injection import injected

    message_id = "0100018f-mail-10"
    boto("s3").put_object(Bucket=BUCKET, Key=f"inbound/{message_id}", Body=mail().as_bytes())
    event = ses_event(mail(), message_id)

    # KMS down: the mail is kept and the invocation fails, so Lambda delivers it again
    with injected("kms", "connect_timeout"), pytest.raises(NotFiledYet) as failed:
        receive(event, None)
    assert failed.value.outcomes == ["kept: unavailable"]
    assert [v["Key"] for v in inbound_versions()] == [f"inbound/{message_id}"]

    # Lambda's retry, KMS back: one report, the stored mail gone
    [outcome] = receive(event, None)["outcomes"]
    assert outcome.startswith("report ") and inbound_versions() == []
    assert receive(event, None)["outcomes"] == ["skipped: no stored mail"]


def test_mail_over_the_senders_rate_limit_is_kept_without_failing_the_invocation(
    receive: Any,
) -> None:
    from tests.conftest import clear_of_the_hour_boundary

    clear_of_the_hour_boundary()  # the limit counts per clock hour
    per_sender = bootstrap.policy().abuse.reports_per_hour_per_source
    for n in range(per_sender):
        [outcome] = arrive(receive, mail(), f"0100018f-limit-{n}")
        assert outcome.startswith("report ")

    assert arrive(receive, mail(), "0100018f-limit-over") == ["kept: rate_limited"]
    assert [v["Key"] for v in inbound_versions()] == ["inbound/0100018f-limit-over"]
