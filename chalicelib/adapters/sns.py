"""SNS: content-free notifications with attributes that subscribers can filter on."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chalicelib.adapters.failures import translated


class SnsNotifier:
    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def publish(self, message: Mapping[str, object], attributes: Mapping[str, str]) -> None:
        with translated("sns"):
            self._client.publish(
                TopicArn=self._topic_arn,
                Message=json.dumps(message, separators=(",", ":")),
                MessageAttributes={
                    name: {"DataType": "String", "StringValue": value}
                    for name, value in attributes.items()
                },
            )
