"""Follow-ups, replies and notes are sealed for their own event: moved, they cannot be opened."""

from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.crypto import SealedBlobError
from chalicelib.domain.errors import Tampered
from chalicelib.domain.report.records import ReportEvent
from chalicelib.usecases import parts
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import add_message, reporter_status
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import reply
from tests.builders import ANN, BASE, REPORT
from tests.conftest import boto


def move_blob(report_id: str, from_event: str, to_event: str) -> None:
    """What someone with write access to the bucket could do: one text's blob at another's key."""
    s3, bucket = boto("s3"), bootstrap.settings().bucket
    blob = s3.get_object(Bucket=bucket, Key=parts.message_key(report_id, from_event))["Body"]
    s3.put_object(Bucket=bucket, Key=parts.message_key(report_id, to_event), Body=blob.read())


def test_a_follow_up_moved_onto_another_cannot_be_opened_by_the_team(aws: Any) -> None:
    # Given a report with two follow-ups from its reporter
    ports = bootstrap.ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    report_id, receipt = accepted.report_id, accepted.receipt
    first = add_message(report_id, receipt, {"message": "The PoC is at /poc.html"}, ports)
    second = add_message(report_id, receipt, {"message": "It also works on 2.1."}, ports)
    assert [m.text for m in show_report(ports, report_id).messages] == [
        "The PoC is at /poc.html",
        "It also works on 2.1.",
    ]

    # When the first one's blob is put where the second one's lies
    move_blob(report_id, first.message_id, second.message_id)

    # Then the team is told, instead of reading the first text twice
    with pytest.raises(Tampered, match="another report, part or event"):
        show_report(ports, report_id)


def test_a_reply_moved_onto_another_cannot_be_opened_for_the_reporter(aws: Any) -> None:
    ports = bootstrap.ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    report_id, receipt = accepted.report_id, accepted.receipt
    first = reply(ports, ANN, report_id, "Thanks, we can reproduce it.")
    second = reply(ports, ANN, report_id, "Fixed in 2.4.2.")

    move_blob(report_id, first.event_id, second.event_id)

    with pytest.raises(SealedBlobError, match="another report, part or event"):
        reporter_status(report_id, receipt, ports)


def test_a_text_stored_before_texts_named_their_event_still_opens(aws: Any) -> None:
    # Given a follow-up sealed as vdp sealed them until texts named their event (an upgrade
    # keeps the bucket): the context names the report and the part only
    ports = bootstrap.ports()
    report_id = submit_report(REPORT, ports, base_url=BASE).report_id
    event = ReportEvent(at=ports.clock(), kind="message", public=True)
    key = parts.message_key(report_id, event.event_id)
    parts.store(ports, report_id, parts.MESSAGE, key, b"Sent before the upgrade.")
    ports.reports.add_event(report_id, event.model_copy(update={"part": key}))

    # When the team opens the report, then the follow-up reads as it was written
    assert [m.text for m in show_report(ports, report_id).messages] == ["Sent before the upgrade."]
