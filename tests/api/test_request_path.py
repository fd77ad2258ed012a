"""What a submission costs on AWS: four calls (rate window, data key, the sealed report,
the conditional metadata put) and no SNS publish; the team hears of it through the table's
stream instead. The reporter's contact adds two calls, an Idempotency-Key three."""

import json
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap
from tests.api.helpers import JSON, post_report
from tests.builders import MINIMAL_REPORT
from tests.conftest import boto

FOUR_CALLS = [
    ("DynamoDB", "UpdateItem"),  # the rate window
    ("KMS", "GenerateDataKey"),
    ("S3", "PutObject"),  # the sealed report
    ("DynamoDB", "PutItem"),  # the metadata, conditional
]
SIX_CALLS = [  # with the reporter's address: the contact is a part of its own
    *FOUR_CALLS[:3],
    ("KMS", "GenerateDataKey"),  # the contact part's own data key (part=contact)
    ("S3", "PutObject"),  # the sealed contact
    FOUR_CALLS[3],
]
SEVEN_CALLS = [  # with an Idempotency-Key (the report form always sends one)
    ("DynamoDB", "PutItem"),  # claims the key: conditional, pending, leased
    *FOUR_CALLS,
    ("KMS", "GenerateDataKey"),  # seals the answer kept for a repeat (part=idempotency)
    ("DynamoDB", "UpdateItem"),  # the key's item: done, the report id, the sealed answer
]
REPEAT_CALLS = [  # the same key again: the first answer, and no second report
    ("DynamoDB", "PutItem"),  # the claim, refused: the key is taken
    ("DynamoDB", "GetItem"),  # the key's item
    ("KMS", "Decrypt"),  # opens the kept answer
]


@pytest.fixture
def aws_calls(aws: Any) -> Iterator[list[tuple[str, str]]]:
    """(service, operation) of every API call vdp's clients make, in order. The hook is on
    the session bootstrap's clients come from; clients copy its handlers when created, so
    the cached ones are dropped first."""
    calls: list[tuple[str, str]] = []

    def record(model: Any, **_: Any) -> None:
        calls.append((model.service_model.service_id, model.name))

    events = bootstrap._session().events
    events.register("before-call", record, unique_id="vdp-test-calls")
    bootstrap.reset()
    try:
        yield calls
    finally:
        events.unregister("before-call", unique_id="vdp-test-calls")
        bootstrap.reset()


def test_a_submission_makes_four_aws_calls_and_publishes_nothing(api, aws_calls, aws) -> None:
    body = {**MINIMAL_REPORT, "version": "2.0.1"}
    assert post_report(api, body).status_code == 201  # a new instance reads its secret once
    aws_calls.clear()

    answer = post_report(api, body)

    assert answer.status_code == 201
    assert aws_calls == FOUR_CALLS
    report_id = json.loads(answer.body)["report_id"]
    assert (
        boto("dynamodb")
        .get_item(
            TableName="vdp-local", Key={"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}}
        )
        .get("Item")
    )


def test_the_reporters_contact_adds_two_calls(api, aws_calls) -> None:
    body = {**MINIMAL_REPORT, "reporter": {"name": "Grace", "email": "grace@example.org"}}
    assert post_report(api, MINIMAL_REPORT).status_code == 201  # the instance's secret read
    aws_calls.clear()

    answer = post_report(api, body)

    assert answer.status_code == 201
    assert aws_calls == SIX_CALLS


def test_an_idempotency_key_adds_three_calls_and_a_repeat_costs_three(api, aws_calls) -> None:
    keyed = {**JSON, "Idempotency-Key": "form-3f9c2a7e"}
    assert post_report(api, MINIMAL_REPORT).status_code == 201  # the instance's secret read
    aws_calls.clear()

    first = post_report(api, MINIMAL_REPORT, keyed)
    made_first = list(aws_calls)
    aws_calls.clear()
    repeat = post_report(api, MINIMAL_REPORT, keyed)

    assert first.status_code == 201 and made_first == SEVEN_CALLS
    assert (repeat.status_code, repeat.body) == (201, first.body)
    assert aws_calls == REPEAT_CALLS


def test_the_team_hears_of_it_from_the_stream_not_the_request(api, aws_calls, aws, outbox) -> None:
    answer = post_report(api, MINIMAL_REPORT)
    report_id = json.loads(answer.body)["report_id"]
    during_request = [call for call in aws_calls if call[0] == "SNS"]

    assert outbox.pump() == []

    assert answer.status_code == 201 and during_request == []
    assert ("SNS", "Publish") in aws_calls
    [message] = boto("sqs").receive_message(QueueUrl=aws.team_queue_url)["Messages"]
    notice = json.loads(json.loads(message["Body"])["Message"])
    assert (notice["event"], notice["report_id"]) == ("report.received", report_id)


def test_a_failed_receipt_check_costs_the_same_calls_whatever_the_id(api, aws_calls) -> None:
    accepted = json.loads(post_report(api, MINIMAL_REPORT).body)
    cases = {
        "wrong receipt": (accepted["report_id"], "a-wrong-receipt"),
        "unknown id": ("VDP-0000-0000", accepted["receipt"]),
        "malformed id": ("not-an-id", accepted["receipt"]),
    }

    costs = {}
    for case, (report_id, receipt) in cases.items():
        aws_calls.clear()
        answer = api.get(f"/reports/{report_id}", headers={"Authorization": f"Bearer {receipt}"})
        costs[case] = (answer.status_code, answer.body, list(aws_calls))

    assert costs["wrong receipt"] == costs["unknown id"] == costs["malformed id"]
    assert costs["unknown id"][2] == [("DynamoDB", "BatchGetItem"), ("DynamoDB", "UpdateItem")]
