"""Resources the integration tests add to moto's account."""

from tests.conftest import boto


def queue(name: str) -> tuple[str, str]:
    """A new SQS queue (a subscriber's endpoint): its URL and its ARN."""
    sqs = boto("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return url, arn
