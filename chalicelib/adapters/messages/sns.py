"""SNS: content-free notifications with attributes that subscribers can filter on."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
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


class SnsSubscriptions:
    """The topic's subscribers, each with an optional filter policy on message attributes."""

    def __init__(self, client: Any, topic_arn: str) -> None:
        self._client = client
        self._topic_arn = topic_arn

    def subscribe(
        self, protocol: str, endpoint: str, filter_policy: Mapping[str, list[str]]
    ) -> str:
        """Subscribe, or give a confirmed subscription of that endpoint this filter (none:
        every event); email and https endpoints stay pending until their owner confirms."""
        for sub in self._confirmed():
            if (sub["Protocol"], sub["Endpoint"]) == (protocol, endpoint):
                with translated("sns"):  # subscribing again would keep the old filter
                    self._client.set_subscription_attributes(
                        SubscriptionArn=sub["SubscriptionArn"],
                        AttributeName="FilterPolicy",
                        AttributeValue=json.dumps(filter_policy or {}),  # {}: no filter
                    )
                return str(sub["SubscriptionArn"])
        attributes = {"FilterPolicy": json.dumps(filter_policy)} if filter_policy else {}
        with translated("sns"):
            answer = self._client.subscribe(
                TopicArn=self._topic_arn,
                Protocol=protocol,
                Endpoint=endpoint,
                Attributes=attributes,
                ReturnSubscriptionArn=True,
            )
        return str(answer["SubscriptionArn"])

    def unsubscribe(self, endpoint_or_arn: str) -> tuple[str, ...]:
        """End the confirmed subscriptions of an endpoint, or one by its ARN: their ARNs."""
        ended = tuple(
            sub["SubscriptionArn"]
            for sub in self._confirmed()
            if endpoint_or_arn in (sub["SubscriptionArn"], sub["Endpoint"])
        )
        with translated("sns"):
            for arn in ended:
                self._client.unsubscribe(SubscriptionArn=arn)
        return ended

    def list(self) -> list[dict[str, Any]]:
        """Every subscription of the topic with its filter policy (None = all events)."""
        with translated("sns"):
            return [
                {**self._describe(sub), "filter_policy": self._filter(sub)} for sub in self._all()
            ]

    def _all(self) -> Sequence[Mapping[str, str]]:
        paginator = self._client.get_paginator("list_subscriptions_by_topic")
        with translated("sns"):
            pages = paginator.paginate(TopicArn=self._topic_arn)
            return [sub for page in pages for sub in page["Subscriptions"]]

    def _confirmed(self) -> Sequence[Mapping[str, str]]:
        # A pending one has no ARN yet ("PendingConfirmation"), so no attributes to set.
        return [sub for sub in self._all() if sub["SubscriptionArn"].startswith("arn:")]

    @staticmethod
    def _describe(sub: Mapping[str, str]) -> dict[str, Any]:
        return {
            "arn": sub["SubscriptionArn"],
            "protocol": sub["Protocol"],
            "endpoint": sub["Endpoint"],
        }

    def _filter(self, sub: Mapping[str, str]) -> Any:
        if not sub["SubscriptionArn"].startswith("arn:"):
            return None  # pending confirmation: no attributes to read yet
        attributes = self._client.get_subscription_attributes(
            SubscriptionArn=sub["SubscriptionArn"]
        )["Attributes"]
        policy = attributes.get("FilterPolicy")
        return (json.loads(policy) if policy else None) or None  # "{}" is no filter
