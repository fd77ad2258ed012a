"""`vdp subscribe` twice changes the filter; `vdp unsubscribe` ends a subscription."""

import json
from typing import Any

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
