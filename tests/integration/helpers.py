"""Resources the integration tests add to moto's account, submissions through the app, the
team's CLI, and the mail moto's SES accepted."""

import json
from typing import Any

from tests.conftest import boto


def queue(name: str) -> tuple[str, str]:
    """A new SQS queue (a subscriber's endpoint): its URL and its ARN."""
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn


def submitted(body: dict[str, Any]) -> dict[str, Any]:
    """POST /reports through the app (chalice's test client, the local stage): the 201 body."""
    from chalice.test import Client

    from app import app
    from tests.conftest import PROJECT_DIR

    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        answer = client.http.post(
            "/reports", body=json.dumps(body), headers={"Content-Type": "application/json"}
        )
    assert answer.status_code == 201, answer.body
    accepted: dict[str, Any] = json.loads(answer.body)
    return accepted


def team(*arguments: str) -> str:
    """The team's `vdp` CLI: its output (the command must succeed)."""
    from click.testing import CliRunner

    from vdp.cli.main import main

    result = CliRunner().invoke(main, list(arguments))
    assert result.exit_code == 0, result.output
    return result.output


def sent() -> list[Any]:
    """What moto's SES accepted (raw messages, in order)."""
    from moto.ses.models import ses_backends

    return list(ses_backends["123456789012"]["us-east-1"].sent_messages)
