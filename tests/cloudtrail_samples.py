"""CloudTrail records and a stubbed CloudTrail client, shared by the tests of `vdp reports
timeline --cloudtrail` and of the trail in the template."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import bootstrap

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
OTHER_REPORT_ID = "VDP-4HJD-2WPQ"
ALICE = "arn:aws:sts::123456789012:assumed-role/vdp-team/alice"
MALLORY = "arn:aws:iam::123456789012:user/mallory"


def decrypt_event(
    at: str,
    context: dict[str, str] | None,
    *,
    arn: str = ALICE,
    source_ip: str = "203.0.113.7",
    error: str | None = None,
    event_id: str = "d6c2a4a0-3b1e-4a7e-9d55-0f1c2b3a4d5e",
) -> dict[str, Any]:
    """A LookupEvents event as CloudTrail returns a KMS Decrypt: the record as JSON text."""
    identity = {
        "type": "AssumedRole" if ":assumed-role/" in arn else "IAMUser",
        "principalId": "AROAEXAMPLEID:alice",
        "arn": arn,
        "accountId": "123456789012",
        "accessKeyId": "ASIAEXAMPLEKEY",
    }
    parameters: dict[str, Any] = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
    if context is not None:
        parameters["encryptionContext"] = context
    record: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": identity,
        "eventTime": at,
        "eventSource": "kms.amazonaws.com",
        "eventName": "Decrypt",
        "awsRegion": "us-east-1",
        "sourceIPAddress": source_ip,
        "userAgent": "Boto3/1.44.5 Python/3.11.9 Linux/6.1.0 Botocore/1.44.5",
        "requestParameters": parameters,
        "responseElements": None,
        "requestID": "4f2c8e7a-1b3d-4c5e-8f9a-0b1c2d3e4f5a",
        "eventID": event_id,
        "readOnly": True,
        "resources": [{"accountId": "123456789012", "type": "AWS::KMS::Key", "ARN": KEY_ARN}],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": "123456789012",
        "eventCategory": "Management",
    }
    if error:
        record["errorCode"] = error
        record["errorMessage"] = "User is not authorized to perform: kms:Decrypt"
    return {
        "EventId": event_id,
        "EventName": "Decrypt",
        "ReadOnly": "true",
        "EventTime": datetime.fromisoformat(at),
        "EventSource": "kms.amazonaws.com",
        "Username": arn.rsplit("/", 1)[-1],
        "Resources": [{"ResourceType": "AWS::KMS::Key", "ResourceName": KEY_ARN}],
        "CloudTrailEvent": json.dumps(record),
    }


def s3_bucket_decrypt(at: str) -> dict[str, Any]:
    """S3 opening an object under SSE-KMS on a caller's behalf: no report in its context."""
    event = decrypt_event(at, {"aws:s3:arn": "arn:aws:s3:::vdp-reports/inbound/mail-1"})
    record = json.loads(event["CloudTrailEvent"])
    record["userIdentity"]["invokedBy"] = "s3.amazonaws.com"
    record["sourceIPAddress"] = "s3.amazonaws.com"
    return {**event, "CloudTrailEvent": json.dumps(record)}


def stubbed_cloudtrail(monkeypatch: pytest.MonkeyPatch) -> Stubber:
    """The CLI's cloudtrail client answers from a Stubber; every other client is vdp's own."""
    trail = boto3.client("cloudtrail", region_name="us-east-1")
    made = bootstrap.client
    monkeypatch.setattr(
        bootstrap,
        "client",
        lambda config, service: trail if service == "cloudtrail" else made(config, service),
    )
    stubber = Stubber(trail)
    stubber.activate()
    return stubber
