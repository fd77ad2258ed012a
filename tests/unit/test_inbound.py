"""Mail to the security address, against in-memory fakes: a new report with an automatic
answer, replies to a report, spam and viruses dropped, no answers to automatic mail, and
bad input that never loses a mail."""

from __future__ import annotations

import base64
import dataclasses
import logging
import re
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from typing import Any

import pysequoia
import pytest

from chalicelib.domain.errors import Refused, Unavailable, Uncertain
from chalicelib.domain.receipts import verify_receipt
from chalicelib.usecases import parts
from chalicelib.usecases.mail.inbound import NotFiledYet, check_filed, receive_ses_event
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import acknowledge
from tests.builders import ANN, MINIMAL_REPORT, guarded_ports
from tests.mail_samples import (
    ARMORED,
    BODY,
    CANARY,
    PUBLIC_KEY,
    PUBLIC_URL,
    SECURITY,
    FakeMailer,
    FakeMailLog,
    arrive,
    mail,
    mail_ports,
    only_report,
    pgp_mime,
    raw,
    report_mail,
    sent,
    ses_event,
)
from tests.unit.fakes import deliver


def inbound_keys(ports: Ports) -> list[str]:
    return [k for k in ports.blobs.objects if k.startswith("inbound/")]


# --- A new report ------------------------------------------------------------------------


def test_a_mail_becomes_a_report_and_its_raw_mail_is_deleted() -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, report_mail())

    report_id = only_report(ports)
    assert outcome == f"report {report_id}"
    content = show_report(ports, report_id).content
    assert content["title"] == f"Path traversal {CANARY}"
    assert str(content["description"]).startswith(BODY)
    assert content["product"] == "other"
    assert content["reporter"] == {
        "name": "Ann Analyst",
        "email": "ann@example.org",
        "email_updates": True,
    }
    assert inbound_keys(ports) == []


def test_the_sender_gets_an_automatic_answer_without_the_receipt() -> None:
    ports = mail_ports()

    arrive(ports, report_mail())

    report_id = only_report(ports)
    [(sender, recipient, data)] = sent(ports)
    answer = message_from_bytes(data, policy=email_policy.default)
    text = answer.get_content()
    assert (sender, recipient) == (SECURITY, "ann@example.org")
    assert answer["Reply-To"] == f"security+{report_id}@example.com"
    assert answer["Auto-Submitted"] == "auto-replied"
    assert answer["In-Reply-To"] == answer["References"] == "<original-1@example.org>"
    assert report_id in answer["Subject"]
    assert "We will acknowledge it by November 25, 2026." in text
    assert "reply to this mail" in text and "/status#" not in text and "Receipt" not in text


def test_an_attached_key_gets_an_encrypted_answer_with_the_receipt() -> None:
    ports = mail_ports()
    message = mail(subject=f"XSS {CANARY}")
    message.add_attachment(PUBLIC_KEY.encode(), "application", "pgp-keys", filename="key.asc")

    arrive(ports, raw(message))

    report_id = only_report(ports)
    [(_, _, data)] = sent(ports)
    answer = message_from_bytes(data, policy=email_policy.default)
    assert answer.get_content_type() == "multipart/encrypted"
    assert answer["Auto-Submitted"] == "auto-replied"
    inner = decrypt(data)
    receipt = re.search(r"Receipt: (\S+)", inner)
    assert receipt is not None
    record = ports.reports.get(report_id)
    assert record is not None and verify_receipt(report_id, receipt[1], record.receipt_hash)
    assert f"{PUBLIC_URL}/status#{report_id}.{receipt[1]}" in inner
    assert receipt[1] not in data.decode()  # only inside the encrypted part


def test_a_key_that_cannot_encrypt_gets_a_plain_answer_without_the_receipt() -> None:
    ports = mail_ports()
    message = mail()
    broken = PUBLIC_KEY.replace("mDMEZkey", "BROKEN")
    message.add_attachment(broken.encode(), "application", "pgp-keys", filename="key.asc")

    arrive(ports, raw(message))

    [(_, _, data)] = sent(ports)
    answer = message_from_bytes(data, policy=email_policy.default)
    assert answer.get_content_type() == "text/plain"
    assert "Receipt" not in answer.get_content() and "/status#" not in answer.get_content()


def test_the_outbox_does_not_mail_the_sender_a_second_time() -> None:
    ports = mail_ports()
    arrive(ports, report_mail())

    assert deliver(ports) == []

    assert len(sent(ports)) == 1
    assert [m["event"] for m, _ in ports.notifier.sent] == ["report.received"]


def test_a_failed_answer_keeps_the_report_and_gives_its_claim_back() -> None:
    ports = mail_ports()
    assert isinstance(ports.mailer, FakeMailer)
    ports.mailer.fail = True

    [outcome] = arrive(ports, report_mail())

    report_id = only_report(ports)
    assert outcome == f"report {report_id}" and inbound_keys(ports) == []
    assert f"{report_id}/received" not in ports.mail_log.claims


@pytest.mark.parametrize(
    "error", [Uncertain("ses"), Refused("ses", "MessageRejected")], ids=["unanswered", "refused"]
)
def test_an_answer_ses_may_have_sent_or_refused_keeps_its_claim(error: Exception) -> None:
    ports = mail_ports()
    assert isinstance(ports.mailer, FakeMailer)
    ports.mailer.error = error

    [outcome] = arrive(ports, report_mail())
    ports.mailer.error = None
    deliver(ports)

    report_id = only_report(ports)
    assert outcome == f"report {report_id}" and inbound_keys(ports) == []
    assert f"{report_id}/received" in ports.mail_log.claims
    assert sent(ports) == []  # the outbox does not send a second "received"


def test_files_left_out_are_named_in_the_answer() -> None:
    ports = mail_ports()
    message = mail()
    message.add_attachment(b"x" * (5 * 1024 * 1024), "application", "zip", filename="big.zip")

    [outcome] = arrive(ports, raw(message))

    assert outcome.endswith("(files skipped)")
    text = message_from_bytes(sent(ports)[0][2], policy=email_policy.default).get_content()
    assert "- big.zip (5,242,880 bytes): over the limits" in text


def test_the_answer_names_twenty_parts_left_out_and_counts_the_rest() -> None:
    ports = mail_ports()
    message = mail()
    for index in range(30):
        message.add_attachment(b"x", "application", "octet-stream", filename=f"f{index}")

    arrive(ports, raw(message))

    text = message_from_bytes(sent(ports)[0][2], policy=email_policy.default).get_content()
    left_out = ports.policy.limits.max_attachments  # the first files are added
    assert f"- f{left_out + 19} (" in text and f"- f{left_out + 20} (" not in text
    assert f"- and {30 - left_out - 20} more" in text


def test_an_invalid_from_makes_an_anonymous_report_without_an_answer() -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, raw(mail(sender="ann@@example..org")))

    report_id = only_report(ports)
    assert outcome == f"report {report_id}"
    assert parts.load_contact(ports, report_id) is None and sent(ports) == []


def test_an_address_the_intake_refuses_still_makes_an_anonymous_report() -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, raw(mail(sender="ann@localhost")))

    assert outcome.startswith("report ")
    assert parts.load_contact(ports, only_report(ports)) is None and sent(ports) == []


def test_a_mail_that_cannot_be_filed_is_kept_for_the_team(caplog: Any) -> None:
    ports = mail_ports()
    policy = ports.policy
    mail_section = policy.mail.model_copy(update={"default_product": "no-such-product"})
    ports = dataclasses.replace(ports, policy=policy.model_copy(update={"mail": mail_section}))

    with caplog.at_level(logging.INFO):
        [outcome] = arrive(ports, report_mail())

    assert outcome == "kept: validation_failed"
    assert ports.reports.records == {} and inbound_keys(ports) == ["inbound/m-0001"]
    assert (
        "mail kept: not filed (validation_failed); left under inbound/ for the team" in caplog.text
    )
    assert CANARY not in caplog.text and "ann@example.org" not in caplog.text


def test_rate_limits_count_per_sender_and_keep_the_mail_over_them() -> None:
    ports = dataclasses.replace(guarded_ports(), mailer=FakeMailer(), mail_log=FakeMailLog())
    per_sender = ports.policy.abuse.reports_per_hour_per_source

    outcomes = [arrive(ports, report_mail(), message_id=f"m-{n}")[0] for n in range(per_sender)]
    [over] = arrive(ports, report_mail(), message_id="m-over")
    [other] = arrive(ports, raw(mail(sender="bea@example.org")), message_id="m-bea")

    assert all(outcome.startswith("report ") for outcome in outcomes)
    assert over == "kept: rate_limited" and inbound_keys(ports) == ["inbound/m-over"]
    assert other.startswith("report ")
    assert check_filed([over]) == [over]  # not retried: it stays for the team


def test_mail_needs_no_proof_of_work_even_when_the_form_always_does() -> None:
    ports = dataclasses.replace(guarded_ports(), mailer=FakeMailer(), mail_log=FakeMailLog())
    abuse = ports.policy.abuse.model_copy(update={"proof_of_work": "always"})
    ports = dataclasses.replace(ports, policy=ports.policy.model_copy(update={"abuse": abuse}))
    per_sender = abuse.reports_per_hour_per_source

    outcomes = [arrive(ports, report_mail(), message_id=f"m-{n}")[0] for n in range(per_sender)]
    [over] = arrive(ports, report_mail(), message_id="m-over")

    assert all(outcome.startswith("report ") for outcome in outcomes)
    assert over == "kept: rate_limited"  # still counted per sender


def test_storage_failures_keep_the_mail() -> None:
    ports = mail_ports()
    ports.keys.fail = True

    [outcome] = arrive(ports, report_mail())

    assert outcome == "kept: unavailable" and inbound_keys(ports) == ["inbound/m-0001"]


@pytest.mark.parametrize(
    ("outcomes", "retried"),
    [
        (["kept: unavailable"], True),
        (["report VDP-0000-0001", "kept: error"], True),
        (["kept: conflict"], True),  # another delivery was still filing it
        (["kept: rate_limited"], False),  # left for the team: a retry would be limited too
        (["kept: validation_failed"], False),
        (["report VDP-0000-0001", "message VDP-0000-0002", "dropped: spam"], False),
    ],
)
def test_an_event_fails_only_when_a_later_delivery_may_file_its_mail(
    outcomes: list[str], retried: bool
) -> None:
    if retried:
        with pytest.raises(NotFiledYet) as failed:
            check_filed(outcomes)
        assert failed.value.outcomes == outcomes
    else:
        assert check_filed(outcomes) == outcomes


def test_the_retry_of_an_event_files_its_mail_once() -> None:
    ports = mail_ports()
    ports.keys.fail = True
    [kept] = arrive(ports, report_mail())
    ports.keys.fail = False

    event = ses_event("m-0001", "ann@example.org", (SECURITY,))
    [filed] = receive_ses_event(event, ports)

    assert kept == "kept: unavailable" and filed == f"report {only_report(ports)}"
    assert receive_ses_event(event, ports) == ["skipped: no stored mail"]


def test_a_second_delivery_of_the_same_event_files_nothing_twice() -> None:
    ports = mail_ports()
    arrive(ports, report_mail())
    event_again = {"Records": [{"ses": {"mail": {"messageId": "m-0001"}, "receipt": {}}}]}

    assert receive_ses_event(event_again, ports) == ["skipped: no stored mail"]
    assert len(ports.reports.records) == 1


# --- Replies to a report -------------------------------------------------------------------


def existing_report(ports: Ports, email: str = "ann@example.org") -> str:
    arrive(ports, raw(mail(sender=email)), message_id="first", source=email)
    return only_report(ports)


def test_a_verified_reply_from_the_contact_becomes_a_message_on_the_report() -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    reply = raw(mail(f"Here is a second PoC. {CANARY}", subject=f"Re: [{report_id}]"))

    [outcome] = arrive(ports, reply, recipients=(f"security+{report_id}@example.com",))

    assert outcome == f"message {report_id}"
    assert list(ports.reports.records) == [report_id]
    [message] = show_report(ports, report_id).messages
    assert message.text.startswith(f"Here is a second PoC. {CANARY}")
    assert inbound_keys(ports) == [] and len(sent(ports)) == 1  # no answer to a reply


def redelivered_reply(ports: Ports, report_id: str, message_id: str) -> dict[str, Any]:
    """A reply stored under inbound/ and SES's event for it (with its timestamp)."""
    ports.blobs.put_new(f"inbound/{message_id}", raw(mail("Once.", subject=f"Re: [{report_id}]")))
    event = ses_event(message_id, "ann@example.org", (f"security+{report_id}@example.com",))
    event["Records"][0]["ses"]["mail"]["timestamp"] = "2026-03-02T10:00:00.000Z"
    return event


def test_a_reply_delivered_again_after_a_lost_answer_adds_one_message(monkeypatch: Any) -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    event = redelivered_reply(ports, report_id, "m-again")
    stored = ports.reports.add_event

    def lost_answer(report: str, item: Any) -> None:  # the put lands, its answer is lost
        stored(report, item)
        raise Unavailable("dynamodb")

    monkeypatch.setattr(ports.reports, "add_event", lost_answer)
    assert receive_ses_event(event, ports) == ["kept: error"]  # so Lambda delivers it again
    monkeypatch.setattr(ports.reports, "add_event", stored)

    assert receive_ses_event(event, ports) == [f"message {report_id}"]

    assert [m.text[:5] for m in show_report(ports, report_id).messages] == ["Once."]
    assert inbound_keys(ports) == []


def test_a_reply_delivered_twice_at_once_meets_the_puts_condition(monkeypatch: Any) -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    event = redelivered_reply(ports, report_id, "m-twice")
    assert receive_ses_event(event, ports) == [f"message {report_id}"]
    redelivered_reply(ports, report_id, "m-twice")  # the same mail, stored again
    # The second delivery reads the history before the first one's event is in it.
    monkeypatch.setattr(ports.reports, "events", lambda _report: [])

    assert receive_ses_event(event, ports) == [f"message {report_id}"]

    monkeypatch.undo()
    assert [m.text[:5] for m in show_report(ports, report_id).messages] == ["Once."]
    assert inbound_keys(ports) == []


def test_a_public_key_sent_in_a_reply_reaches_the_team_with_the_message() -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    reply = mail("Here is my key, as your mail asked.", subject=f"Re: [{report_id}]")
    reply.add_attachment(PUBLIC_KEY.encode(), "application", "pgp-keys", filename="key.asc")
    to_report = (f"security+{report_id}@example.com",)

    [outcome] = arrive(ports, raw(reply), message_id="m-key", recipients=to_report)

    assert outcome == f"message {report_id}"
    [message] = show_report(ports, report_id).messages
    assert PUBLIC_KEY.strip() in message.text


def test_a_public_key_sent_with_a_long_reply_is_kept_whole() -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    reply = mail("A long trace. " * 3_000, subject=f"Re: [{report_id}]")  # over 20,000
    reply.add_attachment(PUBLIC_KEY.encode(), "application", "pgp-keys", filename="key.asc")
    to_report = (f"security+{report_id}@example.com",)

    [outcome] = arrive(ports, raw(reply), message_id="m-long", recipients=to_report)

    assert outcome == f"message {report_id}"
    [message] = show_report(ports, report_id).messages
    assert PUBLIC_KEY.strip() in message.text  # the reply's text is what was cut
    assert "A long trace." in message.text and "cut off" in message.text


def test_a_reply_to_a_lower_case_plus_address_is_matched() -> None:
    ports = mail_ports()
    report_id = existing_report(ports)

    [outcome] = arrive(
        ports, report_mail(), recipients=(f"security+{report_id.lower()}@example.com",)
    )

    assert outcome == f"message {report_id}"


@pytest.mark.parametrize(
    ("sender", "verdicts"),
    [
        ("mallory@example.net", {}),  # a forged plus-address: another sender
        ("ann@example.org", {"spf": "FAIL"}),
        ("ann@example.org", {"dkim": "FAIL"}),
        ("ann@example.org", {"dkim": "GRAY"}),
        # SPF and DKIM pass for the forger's own domains; only DMARC ties them to From.
        ("ann@example.org", {"dmarc": "FAIL"}),
    ],
)
def test_an_unverified_or_foreign_reply_becomes_a_new_report(
    sender: str, verdicts: dict[str, str]
) -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    reply = raw(mail(f"Please close it. {CANARY}", sender=sender))

    [outcome] = arrive(
        ports, reply, source=sender, recipients=(f"security+{report_id}@example.com",), **verdicts
    )

    assert outcome.startswith("report ") and report_id not in outcome
    assert show_report(ports, report_id).messages == []
    assert len(ports.reports.records) == 2


@pytest.mark.parametrize(
    "from_lines",
    [
        "From: ann@example.org <mallory@evil.example>",
        "From: =?utf-8?q?Ann=0D=0AX=3A_y?= <ann@example.org>",
        "From: Ann: ann@example.org;",
        "From: ann@example.org, mallory@evil.example",
        "From: ann@example.org\r\nFrom: mallory@evil.example",
    ],
    ids=["name is the contact's address", "CR LF in a name", "a group", "two mailboxes",
         "two From headers"],
)  # fmt: skip
def test_a_reply_without_one_clear_sender_becomes_an_unanswered_new_report(
    from_lines: str,
) -> None:
    ports = mail_ports()
    report_id = existing_report(ports)
    answers = len(sent(ports))
    reply = f"{from_lines}\r\nSubject: Re: [{report_id}] {CANARY}\r\n\r\n{BODY}\r\n"
    to_report = (f"security+{report_id}@example.com",)

    [outcome] = arrive(ports, reply.encode(), message_id="m-reply", recipients=to_report)

    new_id = outcome.removeprefix("report ")
    assert new_id != report_id and set(ports.reports.records) == {report_id, new_id}
    assert show_report(ports, report_id).messages == []
    assert parts.load_contact(ports, new_id) is None
    assert len(sent(ports)) == answers  # no answer to a sender no one can vouch for


@pytest.mark.parametrize(
    "recipient",
    [
        "security+VDP-0000-0000@example.com",  # no such report
        "security+not-an-id@example.com",
        "other+{id}@example.com",  # another mailbox's plus-address
        "security+{id}@elsewhere.example",
    ],
)
def test_other_plus_addresses_become_new_reports(recipient: str) -> None:
    ports = mail_ports()
    report_id = existing_report(ports)

    [outcome] = arrive(ports, report_mail(), recipients=(recipient.format(id=report_id),))

    assert outcome.startswith("report ") and report_id not in outcome


# --- Mail about a mailed report -------------------------------------------------------------


def later_mail(ports: Ports, report_id: str) -> bytes:
    """The mail the outbox sends when the team acknowledges the report."""
    before = len(sent(ports))
    acknowledge(ports, ANN, report_id)
    deliver(ports)
    [(_, _, data)] = sent(ports)[before:]
    return data


def test_a_mailed_report_without_a_key_is_not_told_of_a_receipt_it_never_got() -> None:
    ports = mail_ports()
    arrive(ports, report_mail())

    data = later_mail(ports, only_report(ports))

    text = message_from_bytes(data, policy=email_policy.default).get_content()
    assert "receipt you got" not in text
    assert "A report sent by mail gets its receipt only in a mail encrypted to your key." in text
    assert "Reply with your public OpenPGP key, and the team can write to you" in text


def test_a_report_from_the_form_is_reminded_of_its_receipt() -> None:
    ports = mail_ports()
    fields = {**MINIMAL_REPORT, "reporter": {"email": "rae@example.org"}}
    report_id = submit_report(fields, ports, base_url=PUBLIC_URL).report_id
    deliver(ports)

    data = later_mail(ports, report_id)

    text = message_from_bytes(data, policy=email_policy.default).get_content()
    assert "(The status page asks for the receipt you got when you sent the report.)" in text
    assert "A report sent by mail" not in text


def test_later_mail_to_a_key_carries_the_receipt_sealed_at_intake() -> None:
    ports = mail_ports()
    message = mail(subject=f"XSS {CANARY}")
    message.add_attachment(PUBLIC_KEY.encode(), "application", "pgp-keys", filename="key.asc")
    arrive(ports, raw(message))
    report_id = only_report(ports)
    [(_, _, answer)] = sent(ports)
    receipt = re.search(r"Receipt: (\S+)", decrypt(answer))
    assert receipt is not None

    inner = decrypt(later_mail(ports, report_id))

    assert receipt[1] not in inner  # the mailer never held it; the sealed block does
    assert f"{PUBLIC_URL}/status#{report_id}.{receipt[1]}" in opened_block(inner)


# --- Spam and viruses ------------------------------------------------------------------------


@pytest.mark.parametrize("verdict", ["spam", "virus"])
def test_spam_and_viruses_are_dropped_and_counted(verdict: str, caplog: Any) -> None:
    ports = mail_ports()

    with caplog.at_level(logging.INFO):
        [outcome] = arrive(ports, report_mail(), **{verdict: "FAIL"})

    assert outcome == f"dropped: {verdict}"
    assert ports.blobs.objects == {} and ports.reports.records == {}
    assert sent(ports) == []
    [line] = [r for r in caplog.records if r.getMessage().startswith("mail dropped")]
    assert line.getMessage() == f"mail dropped: {verdict}" and line.count == 1
    assert CANARY not in caplog.text


@pytest.mark.parametrize("verdict", ["GRAY", "PROCESSING_FAILED"])
def test_an_undecided_spam_verdict_still_files_the_report(verdict: str) -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, report_mail(), spam=verdict)

    assert outcome.startswith("report ")


# --- No answer to automatic mail -----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "sender", "headers"),
    [
        ("", "ann@example.org", {}),
        ("<>", "ann@example.org", {}),
        ("MAILER-DAEMON@mx.example.org", "MAILER-DAEMON@mx.example.org", {}),
        ("postmaster@example.org", "postmaster@example.org", {}),
        ("ann@example.org", "ann@example.org", {"Auto-Submitted": "auto-replied"}),
        ("ann@example.org", "ann@example.org", {"Precedence": "bulk"}),
        ("ann@example.org", "ann@example.org", {"List-Id": "<x.lists.example.org>"}),
        ("no-reply@example.org", "no-reply@example.org", {}),
        ("ann@example.org", "noreply@example.org", {}),
        # Our own answer, come back: a reply loop.
        (SECURITY, SECURITY, {"Auto-Submitted": "auto-replied"}),
        ("security+VDP-0000-0000@example.com", "security+VDP-0000-0000@example.com", {}),
    ],
)
def test_automatic_mail_is_filed_but_never_answered(
    source: str, sender: str, headers: dict[str, str]
) -> None:
    ports = mail_ports()
    data = raw(mail(subject=f"Undeliverable {CANARY}", sender=sender, headers=headers))

    [outcome] = arrive(ports, data, source=source)

    assert outcome.startswith("report ") and sent(ports) == []
    deliver(ports)
    assert sent(ports) == []  # nor does the outbox mail it


@pytest.mark.parametrize(
    "verdicts",
    [{"spf": "FAIL", "dkim": "FAIL", "dmarc": "FAIL"}, {"dmarc": "FAIL"}],
    ids=["nothing passed", "a forged From with the forger's own SPF and DKIM"],
)
def test_an_unauthenticated_sender_is_not_answered_nor_mailed_later(
    verdicts: dict[str, str],
) -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, report_mail(), **verdicts)

    contact = parts.load_contact(ports, only_report(ports))
    assert outcome.startswith("report ") and sent(ports) == []
    assert contact is not None and contact["email_updates"] is False
    deliver(ports)
    assert sent(ports) == []


def test_a_suppressed_address_is_not_answered() -> None:
    ports = mail_ports()
    ports.mail_log.suppress("ann@example.org", "bounce")

    arrive(ports, report_mail())

    assert sent(ports) == []


# --- Bad input -------------------------------------------------------------------------------


def test_a_40_mb_mail_becomes_a_report_with_its_text_cut() -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, raw(mail("B" * (40 * 1024 * 1024))))

    report_id = only_report(ports)
    assert outcome == f"report {report_id} (cut, files skipped)"
    description = str(show_report(ports, report_id).content["description"])
    assert len(description) <= 50_000 and "[The text was cut at 40,000 characters" in description
    text = message_from_bytes(sent(ports)[0][2], policy=email_policy.default).get_content()
    assert "- mail.txt (41,943,041 bytes): over the limits" in text


def test_a_thousand_part_mail_becomes_a_report_with_the_rest_listed() -> None:
    ports = mail_ports()
    message = mail()
    for index in range(1000):
        message.add_attachment(b"x", "application", "octet-stream", filename=f"f{index}")

    [outcome] = arrive(ports, raw(message))

    report_id = only_report(ports)
    assert outcome == f"report {report_id} (files skipped, parts skipped)"
    record = ports.reports.get(report_id)
    assert record is not None and record.attachment_count == ports.policy.limits.max_attachments


@pytest.mark.parametrize("charset", ["cp1252", "koi8-r", "x-unknown-8bit"])
def test_any_charset_becomes_a_report(charset: str) -> None:
    ports = mail_ports()
    data = (
        b"From: ann@example.org\r\nSubject: charset\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n\r\n"
        b"Bytes \xe9\xe8\xff in a report long enough to be one.\r\n"
    )

    [outcome] = arrive(ports, data)

    assert outcome.startswith("report ")
    description = str(show_report(ports, only_report(ports)).content["description"])
    assert description.startswith("Bytes ")


def test_cr_lf_in_headers_stays_out_of_the_report_and_leaves_no_sender_to_answer() -> None:
    ports = mail_ports()
    data = (
        b"From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40example=2Eorg?= <eve@example.org>\r\n"
        b"Subject: =?utf-8?q?Hello=0D=0ABcc=3A_victim=40example=2Eorg?=\r\n"
        b"Message-ID: <a@b>\r\n\r\nA body that is long enough to be a description.\r\n"
    )

    [outcome] = arrive(ports, data, source="eve@example.org")

    report_id = only_report(ports)
    content = show_report(ports, report_id).content
    assert outcome == f"report {report_id}"
    assert content["title"] == "Hello Bcc: victim@example.org"
    assert "reporter" not in content and parts.load_contact(ports, report_id) is None
    assert "It read: =?utf-8?q?Eve=0D=0ABcc" in str(content["description"])
    assert sent(ports) == []
    deliver(ports)
    assert sent(ports) == []


@pytest.mark.parametrize(
    "data",
    [
        b"From: ann@example.org\r\nSubject: damaged\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n--b1\r\n\r\n' + BODY.encode(),
        b"From: ann@example.org\r\nSubject: damaged\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed\r\n\r\n" + BODY.encode(),
        b"From: ann@example.org\r\nSubject: damaged\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"!!not base64!!" + BODY.encode(),
        b"\x00\xff garbage without headers",
    ],
)
def test_malformed_mime_becomes_a_report_that_says_so(data: bytes) -> None:
    ports = mail_ports()

    [outcome] = arrive(ports, data)

    assert outcome.startswith("report ") and "malformed" in outcome
    assert inbound_keys(ports) == []


@pytest.mark.parametrize("inline", [False, True], ids=["PGP/MIME", "inline armor"])
def test_pgp_mime_becomes_a_report_with_the_armor_intact(inline: bool) -> None:
    ports = mail_ports()
    team_key = pysequoia.Cert.from_bytes(ports.policy.encryption.pgp_key.encode())
    armor = bytes(pysequoia.encrypt(recipients=[team_key], bytes=BODY.encode())).decode()

    [outcome] = arrive(ports, raw(mail(armor)) if inline else pgp_mime(armor))

    report_id = only_report(ports)
    assert outcome == f"report {report_id}"
    content = show_report(ports, report_id).content
    # The armor alone: the intake checked it is to our key, and the CLI can decrypt it.
    assert content["description"] == armor.strip()
    assert "encrypted" in ports.reports.records[report_id].flags
    assert "[Received by mail.]" in str(content["steps_to_reproduce"])


def test_pgp_mime_to_another_key_is_kept_as_quoted_text_with_its_notes() -> None:
    ports = mail_ports()

    arrive(ports, pgp_mime())

    description = str(show_report(ports, only_report(ports)).content["description"])
    assert ARMORED.strip() in description and "[Received by mail.]" in description
    assert "encrypted" not in ports.reports.records[only_report(ports)].flags


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"ses": {}},
        {"ses": {"mail": {"messageId": "../../reports/x"}}},
        {"ses": {"mail": {"messageId": ".."}}},
        {"ses": {"mail": {"messageId": "x" * 101}}},
        "not a record",
    ],
)
def test_records_without_a_usable_message_id_are_skipped(record: object) -> None:
    ports = mail_ports()

    assert receive_ses_event({"Records": [record]}, ports) == ["skipped: no message id"]


def test_one_failing_record_does_not_cost_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    ports = mail_ports()
    ports.blobs.put_new("inbound/broken", b"x")
    original = ports.blobs.get

    def flaky(key: str) -> bytes:
        if key == "inbound/broken":
            raise RuntimeError("a bug of ours")
        return original(key)

    monkeypatch.setattr(ports.blobs, "get", flaky)
    arrive(ports, report_mail(), message_id="fine")
    event = {"Records": [{"ses": {"mail": {"messageId": "broken"}, "receipt": {}}}]}

    assert receive_ses_event(event, ports) == ["kept: error"]
    assert inbound_keys(ports) == ["inbound/broken"]


def decrypt(data: bytes) -> str:
    """The fake encryptor's armored part, opened."""
    armored = data.decode().split("-----BEGIN PGP MESSAGE-----")[1].split("-----END")[0]
    inner = message_from_bytes(
        base64.b64decode("".join(armored.split())), policy=email_policy.default
    )
    assert isinstance(inner, EmailMessage)
    return str(inner.get_content())


def opened_block(text: str) -> str:
    """The fake encryptor's block inside a text (a receipt sealed at intake), opened."""
    armored = text.split("-----BEGIN PGP MESSAGE-----")[1].split("-----END")[0]
    return base64.b64decode("".join(armored.split())).decode()
