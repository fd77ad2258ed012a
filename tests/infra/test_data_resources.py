"""Data at rest: encrypted with the stack's key, private, versioned, recoverable, retained."""

from __future__ import annotations

from typing import Any

import pytest

KEY_ARN = {"Fn::GetAtt": ["ReportKey", "Arn"]}


def of_type(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    [found] = [r for r in resources.values() if r["Type"] == kind]
    properties: dict[str, Any] = found["Properties"]
    return properties


@pytest.mark.parametrize("key", ["ReportKey", "MailFeedbackKey"])
def test_keys_rotate(resources: dict[str, Any], key: str) -> None:
    assert resources[key]["Properties"]["EnableKeyRotation"] is True


def test_bucket_encrypts_with_the_key_and_a_bucket_key(resources: dict[str, Any]) -> None:
    [rule] = resources["ReportBucket"]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ]

    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": KEY_ARN,
    }
    assert rule["BucketKeyEnabled"] is True


def test_bucket_blocks_every_kind_of_public_access(resources: dict[str, Any]) -> None:
    block = resources["ReportBucket"]["Properties"]["PublicAccessBlockConfiguration"]

    assert block == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }


def test_bucket_is_versioned_and_expires_old_versions(resources: dict[str, Any]) -> None:
    bucket = resources["ReportBucket"]["Properties"]
    rules = bucket["LifecycleConfiguration"]["Rules"]

    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert any("NoncurrentVersionExpiration" in rule for rule in rules)
    assert any("AbortIncompleteMultipartUpload" in rule for rule in rules)


def test_bucket_policy_denies_plain_http_to_bucket_and_objects(resources: dict[str, Any]) -> None:
    statements = resources["ReportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    [tls] = [s for s in statements if "aws:SecureTransport" in str(s.get("Condition"))]

    assert tls["Effect"] == "Deny" and tls["Principal"] == "*" and tls["Action"] == "s3:*"
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Resource"] == [
        {"Fn::GetAtt": ["ReportBucket", "Arn"]},
        {"Fn::Sub": "${ReportBucket.Arn}/*"},
    ]


def test_bucket_policy_denies_puts_that_choose_other_encryption(resources: dict[str, Any]) -> None:
    statements = resources["ReportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    denied = {
        key
        for s in statements
        if s["Effect"] == "Deny" and s["Action"] == "s3:PutObject"
        for key, null in s["Condition"].get("Null", {}).items()
        if null == "false"
    }

    assert denied == {
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:x-amz-server-side-encryption-customer-algorithm",
    }


def test_table_recovers_expires_and_encrypts(resources: dict[str, Any]) -> None:
    table = of_type(resources, "AWS::DynamoDB::Table")

    assert table["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["SSESpecification"] == {
        "SSEEnabled": True,
        "SSEType": "KMS",
        "KMSMasterKeyId": KEY_ARN,
    }
    assert table["DeletionProtectionEnabled"] is True
    assert table["BillingMode"] == "PAY_PER_REQUEST"


def test_table_has_the_status_index_the_code_queries(resources: dict[str, Any]) -> None:
    from chalicelib.adapters.store.dynamodb import STATUS_INDEX

    [index] = of_type(resources, "AWS::DynamoDB::Table")["GlobalSecondaryIndexes"]

    assert index["IndexName"] == STATUS_INDEX
    assert [k["AttributeName"] for k in index["KeySchema"]] == ["status", "created_at"]
    assert index["Projection"] == {"ProjectionType": "ALL"}


def test_topics_encrypt_at_rest(resources: dict[str, Any]) -> None:
    assert resources["EventTopic"]["Properties"]["KmsMasterKeyId"] == KEY_ARN
    # Bounce and complaint notices name addresses: their own key, which SES may use.
    assert resources["MailFeedbackTopic"]["Properties"]["KmsMasterKeyId"] == {
        "Ref": "MailFeedbackKey"
    }


@pytest.mark.parametrize("name", ["ReportKey", "ReportBucket", "ReportTable"])
def test_data_outlives_the_stack(resources: dict[str, Any], name: str) -> None:
    assert resources[name]["DeletionPolicy"] == "Retain"
    assert resources[name]["UpdateReplacePolicy"] == "Retain"
