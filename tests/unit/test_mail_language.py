"""Mail speaks the report's language, against in-memory fakes: a report filed in German
gets its mail in German (dates as Germans write them), an English one in English, and a
mail to the security address in German becomes a German report with a German answer."""

from __future__ import annotations

import dataclasses
from datetime import date
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage

import pytest

from chalicelib.domain import language
from chalicelib.domain.report.records import ReportRecord
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.triage import acknowledge
from tests.builders import ANN, BASE, MINIMAL_REPORT
from tests.mail_samples import (
    PUBLIC_URL,
    arrive,
    mail,
    mail_ports,
    only_report,
    raw,
    report_mail,
    sent,
)
from tests.unit.fakes import deliver

MONATE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember")  # fmt: skip
REPLY = "Danke, wir können es nachvollziehen."


def german(day: date | None) -> str:
    assert day is not None
    return f"{day.day}. {MONATE[day.month - 1]} {day.year}"


def filed(ports: Ports, spoken: str) -> str:
    """A report sent from a page in `spoken`, with an address for its mail."""
    fields = {**MINIMAL_REPORT, "reporter": {"email": "rae@example.org"}}
    with language.speaking(spoken):
        return submit_report(fields, ports, base_url=BASE).report_id


def mails(ports: Ports) -> dict[str, EmailMessage]:
    """What the mailer sent, by subject."""
    read = (message_from_bytes(data, policy=email_policy.default) for *_, data in sent(ports))
    return {
        str(message["Subject"]): message for message in read if isinstance(message, EmailMessage)
    }


def record(ports: Ports, report_id: str) -> ReportRecord:
    stored = ports.reports.get(report_id)
    assert stored is not None
    return stored


def test_a_report_filed_in_german_is_received_acknowledged_and_answered_in_german() -> None:
    ports = mail_ports()
    report_id = filed(ports, "de")
    deliver(ports)
    acknowledge(ports, ANN, report_id, REPLY)
    deliver(ports)

    by_subject = mails(ports)
    received = by_subject[f"[{report_id}] Ihre Meldung ist eingegangen"]
    acknowledged = by_subject[f"[{report_id}] Der Eingang Ihrer Meldung wurde bestätigt"]
    replied = by_subject[f"[{report_id}] Das Sicherheitsteam hat geantwortet"]
    stored = record(ports, report_id)
    assert stored.language == "de" and len(by_subject) == 3
    assert {message["Content-Language"] for message in by_subject.values()} == {"de"}
    text = received.get_content()
    assert "Wir haben Ihre Schwachstellenmeldung erhalten. Vielen Dank." in text
    assert "Bis zum 25. November 2026 erhalten Sie unsere Eingangsbestätigung." in text
    assert f"Meldung: {report_id}" in text and "-- Sicherheitsteam von Example Corp" in text
    assert f"E-Mails zu dieser Meldung abbestellen: {PUBLIC_URL}/unsubscribe?report=" in text
    text = acknowledged.get_content()
    assert "Das Sicherheitsteam hat den Eingang Ihrer Meldung bestätigt." in text
    assert f"Bis zum {german(stored.triage_by)} bewerten wir Ihre Meldung." in text
    text = replied.get_content()
    assert "Das Sicherheitsteam hat auf Ihre Meldung geantwortet." in text
    assert "Antworten Sie auf diese E-Mail" in text and REPLY not in text  # not encrypted
    assert not any("Your report" in m.get_content() for m in by_subject.values())


def test_a_report_filed_in_english_gets_its_mail_in_english() -> None:
    ports = mail_ports()
    report_id = filed(ports, "en")
    deliver(ports)
    acknowledge(ports, ANN, report_id)
    deliver(ports)

    by_subject = mails(ports)
    assert set(by_subject) == {
        f"[{report_id}] Your report was received",
        f"[{report_id}] Your report was acknowledged",
    }
    assert {message["Content-Language"] for message in by_subject.values()} == {"en"}
    text = by_subject[f"[{report_id}] Your report was received"].get_content()
    assert "We will acknowledge it by November 25, 2026." in text
    assert "-- Example Corp security team" in text and "Meldung" not in text


def test_a_language_the_policy_no_longer_offers_falls_back_to_its_first() -> None:
    ports = mail_ports()
    report_id = filed(ports, "en")
    german_only = ports.policy.model_copy(update={"languages": ["de"]})

    deliver(dataclasses.replace(ports, policy=german_only))

    [(subject, message)] = mails(ports).items()
    assert subject == f"[{report_id}] Ihre Meldung ist eingegangen"
    assert message["Content-Language"] == "de"


def test_a_mail_in_german_becomes_a_german_report_with_a_german_answer() -> None:
    ports = mail_ports()
    message = mail(subject="Pfadüberschreitung beim Export")
    # On the text part once the file makes the mail multipart, as some mail clients send it.
    message["Content-Language"] = "de-DE"
    message.add_attachment(b"x" * (5 * 1024 * 1024), "application", "zip", filename="big.zip")
    for index in range(25):
        message.add_attachment(b"x", "application", "octet-stream", filename=f"f{index}")

    arrive(ports, raw(message))

    report_id = only_report(ports)
    assert record(ports, report_id).language == "de"
    [(subject, answer)] = mails(ports).items()
    assert subject == f"[{report_id}] Ihre Meldung ist eingegangen"
    assert answer["Content-Language"] == "de" and answer["Auto-Submitted"] == "auto-replied"
    text = answer.get_content()
    assert "Bis zum 25. November 2026 erhalten Sie unsere Eingangsbestätigung." in text
    assert "Diese E-Mail ist nicht verschlüsselt" in text
    assert "- big.zip (5.242.880 Byte): über den Grenzen für Anhänge" in text
    assert "- und 1 weitere" in text  # 21 left out: 20 named

    acknowledge(ports, ANN, report_id)
    deliver(ports)  # the report's later mail is German too
    later = mails(ports)[f"[{report_id}] Der Eingang Ihrer Meldung wurde bestätigt"]
    # A report by mail without a key was never given a receipt: no mail speaks of one.
    assert "Eine per E-Mail gesendete Meldung erhält ihren Beleg nur" in later.get_content()


@pytest.mark.parametrize(
    ("header", "spoken"),
    [("de", "de"), ("de-AT, en", "de"), ("fr, de", "de"), ("en-GB", "en"), ("fr", "en")],
)
def test_a_mails_content_language_picks_the_first_the_policy_offers(
    header: str, spoken: str
) -> None:
    ports = mail_ports()

    message = mail()
    message["Content-Language"] = header

    arrive(ports, raw(message))

    assert record(ports, only_report(ports)).language == spoken
    [answer] = mails(ports).values()
    assert answer["Content-Language"] == spoken


def test_a_mail_without_content_language_is_in_the_policys_first_language() -> None:
    ports = mail_ports()
    ports = dataclasses.replace(
        ports, policy=ports.policy.model_copy(update={"languages": ["de", "en"]})
    )

    arrive(ports, report_mail())

    assert record(ports, only_report(ports)).language == "de"
    [subject] = mails(ports)
    assert subject.endswith("Ihre Meldung ist eingegangen")
