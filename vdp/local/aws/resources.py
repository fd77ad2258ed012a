"""Create the AWS resources of a stage (for `vdp serve` on moto, and for tests).

Production resources come from CloudFormation; this mirrors their shape locally.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.store.dynamodb import STATUS_INDEX
from chalicelib.config import Settings
from chalicelib.domain.policy.document import load_policy


@dataclass(frozen=True)
class LocalResources:
    key_arn: str
    team_queue_url: str
    team_queue_arn: str


def create_resources(config: Settings, make_client: Any) -> LocalResources:
    """Key (with alias), versioned bucket, table with status index and stream, topic, team
    queue, secret, and the mail sender's SES identity."""
    key_arn = _key(make_client("kms"), config.kms_key_id)
    _bucket(make_client("s3"), config)
    _table(make_client("dynamodb"), config.table)
    sns = make_client("sns")
    sns.create_topic(Name=config.topic_arn.rsplit(":", 1)[1])
    queue_url, queue_arn = _team_queue(make_client("sqs"), sns, config)
    if config.secret_id:
        make_client("secretsmanager").create_secret(
            Name=config.secret_id, SecretString=secrets.token_urlsafe(32)
        )
    # The sender's domain, verified, as the template's SES identity is: SES sends only
    # from verified identities (moto too).
    domain = load_policy(config.policy_path).sender().rpartition("@")[2]
    make_client("sesv2").create_email_identity(EmailIdentity=domain)
    return LocalResources(key_arn, queue_url, queue_arn)


def find_resources(config: Settings, make_client: Any) -> LocalResources:
    """The resources a restored stack already has (as `create_resources` made them)."""
    key_arn = make_client("kms").describe_key(KeyId=config.kms_key_id)["KeyMetadata"]["Arn"]
    sqs = make_client("sqs")
    queue_url = str(sqs.get_queue_url(QueueName=_team_queue_name(config))["QueueUrl"])
    return LocalResources(str(key_arn), queue_url, _queue_arn(sqs, queue_url))


def _key(kms: Any, alias: str) -> str:
    key = kms.create_key(Description="vdp local report key")["KeyMetadata"]
    kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
    return str(key["Arn"])


def _bucket(s3: Any, config: Settings) -> None:
    region = s3.meta.region_name  # the client's, which may come from the AWS profile
    if region == "us-east-1":
        s3.create_bucket(Bucket=config.bucket)
    else:
        s3.create_bucket(
            Bucket=config.bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
    s3.put_bucket_versioning(Bucket=config.bucket, VersioningConfiguration={"Status": "Enabled"})


def _table(dynamodb: Any, name: str) -> None:
    dynamodb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": attr, "AttributeType": "S"}
            for attr in ("PK", "SK", "status", "created_at")
        ],
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": STATUS_INDEX,
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        # The outbox: each inserted item reaches the publisher function (as in the template).
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


def _team_queue(sqs: Any, sns: Any, config: Settings) -> tuple[str, str]:
    """The queue the local team 'receives' notifications on (raw delivery keeps attributes):
    its URL and ARN."""
    queue_url = str(sqs.create_queue(QueueName=_team_queue_name(config))["QueueUrl"])
    queue_arn = _queue_arn(sqs, queue_url)
    sns.subscribe(
        TopicArn=config.topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "false"},
    )
    return queue_url, queue_arn


def _team_queue_name(config: Settings) -> str:
    return f"vdp-{config.stage}-team"


def _queue_arn(sqs: Any, queue_url: str) -> str:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    return str(attributes["Attributes"]["QueueArn"])
