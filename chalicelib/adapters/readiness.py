"""Whether the local stack's resources exist (for /health under `vdp serve`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.config import Settings


def resource_status(config: Settings, make_client: Any) -> dict[str, bool]:
    """Which local resources exist (for /health under `vdp serve`)."""
    checks: dict[str, Callable[[], object]] = {
        "key": lambda: make_client("kms").describe_key(KeyId=config.kms_key_id),
        "bucket": lambda: make_client("s3").head_bucket(Bucket=config.bucket),
        "table": lambda: make_client("dynamodb").describe_table(TableName=config.table),
        "topic": lambda: make_client("sns").get_topic_attributes(TopicArn=config.topic_arn),
        "team_queue": lambda: make_client("sqs").get_queue_url(
            QueueName=f"vdp-{config.stage}-team"
        ),
    }
    status = {}
    for name, check in checks.items():
        try:
            check()
            status[name] = True
        except Exception:  # noqa: BLE001 - any failure means "not there"
            status[name] = False
    return status
