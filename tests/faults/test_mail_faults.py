"""Mail to reporters when SES misbehaves, against the moto server: a send SES carried out
but answered too late is not sent again, and a message SES refuses is logged and left
behind without holding up the stream."""

from __future__ import annotations

import json
import logging
from typing import Any

from tests.api.helpers import post_report
from tests.faults.conftest import Intake
from tests.faults.injection import LOST_ANSWER, REJECTED, injected

ADDRESS = "linus@example.org"  # the reporter of the sample report (tests/builders.py)


def mails_sent() -> int:
    """How many mails moto's SES took (its server runs in this process; SES v2's sends
    are kept by its SES backend)."""
    from moto.ses.models import ses_backends

    return len(ses_backends["123456789012"]["us-east-1"].sent_messages)


def submitted(intake: Intake) -> str:
    answer = post_report(intake.api)
    assert answer.status_code == 201, answer.body
    return str(json.loads(answer.body)["report_id"])


def test_a_send_ses_carried_out_but_answered_too_late_is_not_sent_again(
    intake: Intake, caplog: Any
) -> None:
    # Given a report whose reporter left an address
    report_id = submitted(intake)

    # When SES takes the mail but its answer is lost (a read timeout)
    with caplog.at_level(logging.INFO), injected("sesv2", LOST_ANSWER, "SendEmail") as fault:
        assert intake.stream.pump() == []  # the record is done: nothing handed over again

    # Then it was sent once, and neither botocore nor the stream sends it again
    assert fault.attempts == 1 and fault.max_attempts == 1
    assert intake.stream.pump() == []
    assert mails_sent() == 1
    [line] = [r for r in caplog.records if "unanswered" in r.getMessage()]
    assert line.report_id == report_id and ADDRESS not in caplog.text


def test_a_message_ses_refuses_is_logged_once_and_the_stream_moves_on(
    intake: Intake, caplog: Any
) -> None:
    # Given SES refusing the first report's mail for good
    first = submitted(intake)
    with caplog.at_level(logging.INFO), injected("sesv2", REJECTED, "SendEmail") as fault:
        # When the stream hands it over
        assert intake.stream.pump() == []  # not reported failed: not retried for ever

    # Then one attempt, one log line without content or address, and the claim kept
    assert fault.attempts == 1
    [line] = [r for r in caplog.records if r.getMessage().startswith("mail refused")]
    assert line.getMessage() == "mail refused (MessageRejected); not sent, not retried"
    assert line.report_id == first and ADDRESS not in caplog.text
    assert intake.stream.pump() == [] and mails_sent() == 0

    # And the next report's mail goes out as usual
    submitted(intake)
    assert intake.stream.pump() == []
    assert mails_sent() == 1
