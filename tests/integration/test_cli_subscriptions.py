"""`vdp subscribe` twice changes the filter; `vdp unsubscribe` ends a subscription."""

import json
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import boto
from vdp.cli.main import main


def vdp(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def filters(endpoint: str) -> list[Any]:
    rows = json.loads(vdp("subscriptions", "--json").output)
    return [row["filter_policy"] for row in rows if row["endpoint"] == endpoint]


def queue_arn(name: str) -> str:
    url = boto("sqs").create_queue(QueueName=name)["QueueUrl"]
    attributes = boto("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])


def test_subscribing_again_replaces_the_filter_and_unsubscribe_ends_it(aws: Any) -> None:
    queue, other = queue_arn("team-high"), queue_arn("team-all")
    vdp("subscribe", "sqs", other)

    narrowed = vdp("subscribe", "sqs", queue, "--severity", "high")
    after_narrowing = filters(queue)
    widened = vdp("subscribe", "sqs", queue)
    after_widening = filters(queue)
    ended = vdp("unsubscribe", queue)
    again = vdp("unsubscribe", queue)

    assert narrowed.exit_code == widened.exit_code == ended.exit_code == 0
    assert after_narrowing == [{"severity": ["high"]}]
    assert after_widening == [None]  # one subscription, now for every event
    assert ended.output.startswith("unsubscribed arn:aws:sns:")
    assert filters(queue) == [] and filters(other) == [None]
    assert again.exit_code == 1 and "no confirmed subscription for" in again.output


@pytest.mark.parametrize(
    ("protocol", "endpoint", "refusal"),
    [
        ("email", "not-an-email", "an email endpoint is an address such as team@example.org: "),
        ("email", "team@localhost", "an email endpoint is an address such as team@example.org: "),
        ("https", "http://example.org/vdp", "an https endpoint is an https:// URL with a host"),
        ("https", "https:///vdp", "an https endpoint is an https:// URL with a host"),
        ("sqs", "team-queue", "an sqs endpoint is a queue ARN: arn:aws:sqs:REGION:ACCOUNT:NAME"),
        (
            "sqs",
            "arn:aws:sqs:us-east-1:123456789012:no-such-queue",
            "SQS has no queue no-such-queue in account 123456789012 (us-east-1)",
        ),
    ],
)
def test_an_endpoint_its_protocol_cannot_reach_is_refused_in_one_line(
    aws: Any, protocol: str, endpoint: str, refusal: str
) -> None:
    refused = vdp("subscribe", protocol, endpoint)

    assert refused.exit_code == 1
    assert len(refused.output.splitlines()) == 1
    assert refused.output.startswith(f"Error: {refusal}"), refused.output
    assert filters(endpoint) == []  # nothing was subscribed


def test_each_new_subscription_says_what_must_happen_before_notifications_arrive(
    aws: Any,
) -> None:
    queue = queue_arn("team-triage")

    mailed = vdp("subscribe", "email", "team@example.org")
    posted = vdp("subscribe", "https", "https://hooks.example.org/vdp")
    queued = vdp("subscribe", "sqs", queue, "--json")

    assert [r.exit_code for r in (mailed, posted, queued)] == [0, 0, 0]
    assert mailed.output.splitlines()[1] == (
        "SNS mails a confirmation link to team@example.org; "
        "notifications start only once it is confirmed"
    )
    assert posted.output.splitlines()[1] == (
        "SNS posts a confirmation request to https://hooks.example.org/vdp; "
        "notifications start only once it is confirmed"
    )
    assert json.loads(queued.output)["needs_confirmation"] is False
    assert filters("team@example.org") == filters(queue) == [None]


def test_subscribing_a_confirmed_endpoint_again_asks_for_no_new_confirmation(aws: Any) -> None:
    queue = queue_arn("team-confirmed")
    first = vdp("subscribe", "sqs", queue)

    again = vdp("subscribe", "sqs", queue, "--severity", "critical")

    assert "no confirmation needed" in first.output.splitlines()[1]
    assert again.output.splitlines()[1] == (
        "already confirmed; it now has the filter given here (none: every event)"
    )
    assert filters(queue) == [{"severity": ["critical"]}]
