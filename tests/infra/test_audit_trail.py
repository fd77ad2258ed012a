"""The audit trail (docs/audit.md): every KMS Decrypt of a report part recorded by
CloudTrail with log-file validation, its log files locked and kept; the team may read
CloudTrail's events, no function may read or touch them."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from tests.builders import BASE, REPORT
from tests.cloudtrail_samples import stubbed_cloudtrail
from tests.infra.iam import Template, allows, as_list, recorded_actions
from vdp.cli.main import main

RETENTION = {"Ref": "AuditLogRetentionDays"}
LOG_KEY_ARN = {"Fn::GetAtt": ["AuditLogKey", "Arn"]}
ROOT = "arn:aws:iam::123456789012:root"
# What would let a function read the record, silence it or remove it.
TRAIL_ACTIONS = (
    "cloudtrail:LookupEvents",
    "cloudtrail:StopLogging",
    "cloudtrail:DeleteTrail",
    "cloudtrail:UpdateTrail",
    "cloudtrail:PutEventSelectors",
)
LOG_OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion")


@pytest.fixture(scope="module")
def cfn(template: dict[str, Any]) -> Template:
    return Template(template)


@pytest.fixture(scope="module")
def trail(resources: dict[str, Any]) -> dict[str, Any]:
    [found] = [r for r in resources.values() if r["Type"] == "AWS::CloudTrail::Trail"]
    properties: dict[str, Any] = found["Properties"]
    return properties


@pytest.fixture(scope="module")
def trail_arn(cfn: Template, trail: dict[str, Any]) -> str:
    """The ARN CloudTrail gives the trail: its name in the stack's region and account."""
    return f"arn:aws:cloudtrail:us-east-1:123456789012:trail/{cfn.resolve(trail['TrailName'])}"


def bucket_statements(resources: dict[str, Any]) -> list[dict[str, Any]]:
    policy = resources["AuditLogBucketPolicy"]["Properties"]
    assert policy["Bucket"] == {"Ref": "AuditLogBucket"}
    statements: list[dict[str, Any]] = policy["PolicyDocument"]["Statement"]
    return statements


def test_the_trail_records_every_management_event_everywhere_with_validation(
    trail: dict[str, Any],
) -> None:
    assert trail["EnableLogFileValidation"] is True
    assert trail["IsLogging"] is True
    assert trail["IsMultiRegionTrail"] is True and trail["IncludeGlobalServiceEvents"] is True
    # KMS Decrypt is a read-only management event: a write-only trail would miss it.
    [selector] = trail["EventSelectors"]
    assert selector["IncludeManagementEvents"] is True and selector["ReadWriteType"] == "All"
    assert "kms.amazonaws.com" not in selector.get("ExcludeManagementEventSources", [])
    assert "AdvancedEventSelectors" not in trail
    assert trail["S3BucketName"] == {"Ref": "AuditLogBucket"}
    assert trail["KMSKeyId"] == LOG_KEY_ARN


def test_the_trail_waits_for_the_bucket_policy_that_lets_it_write(
    resources: dict[str, Any],
) -> None:
    # CloudTrail checks the bucket policy when the trail is created.
    assert "AuditLogBucketPolicy" in as_list(resources["AuditTrail"]["DependsOn"])


def test_the_log_bucket_is_private_encrypted_versioned_and_outlives_the_stack(
    resources: dict[str, Any],
) -> None:
    bucket = resources["AuditLogBucket"]
    properties = bucket["Properties"]
    [rule] = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]

    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": LOG_KEY_ARN,
    }
    assert properties["PublicAccessBlockConfiguration"] == dict.fromkeys(
        ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"),
        True,
    )
    assert properties["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert bucket["DeletionPolicy"] == bucket["UpdateReplacePolicy"] == "Retain"


def test_log_files_are_locked_for_as_long_as_they_are_kept(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    properties = resources["AuditLogBucket"]["Properties"]
    lock = properties["ObjectLockConfiguration"]
    expiring = [
        rule for rule in properties["LifecycleConfiguration"]["Rules"] if "ExpirationInDays" in rule
    ]
    days = template["Parameters"]["AuditLogRetentionDays"]

    assert properties["ObjectLockEnabled"] is True and lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": RETENTION}
    assert [rule["ExpirationInDays"] for rule in expiring] == [RETENTION]
    assert "Prefix" not in expiring[0] and "Filter" not in expiring[0]
    # At least what CloudTrail's own event history keeps (90 days); a year by default.
    assert days["MinValue"] >= 90 and days["Default"] == 365


def test_the_log_bucket_refuses_plain_http(resources: dict[str, Any]) -> None:
    [tls] = [s for s in bucket_statements(resources) if "aws:SecureTransport" in str(s)]

    assert (tls["Effect"], tls["Principal"], tls["Action"]) == ("Deny", "*", "s3:*")
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert tls["Resource"] == [
        {"Fn::GetAtt": ["AuditLogBucket", "Arn"]},
        {"Fn::Sub": "${AuditLogBucket.Arn}/*"},
    ]


def test_nobody_but_the_root_user_deletes_or_unlocks_a_log_file(
    cfn: Template, resources: dict[str, Any]
) -> None:
    denied = [s for s in bucket_statements(resources) if s["Effect"] == "Deny"]
    [guard] = [s for s in denied if "s3:BypassGovernanceRetention" in as_list(s["Action"])]

    assert guard["Principal"] == "*"
    assert {"s3:DeleteObject", "s3:DeleteObjectVersion"} <= set(as_list(guard["Action"]))
    assert cfn.resolve(guard["Resource"]) == "arn:aws:s3:::auditlogbucket/*"
    [(operator, condition)] = guard["Condition"].items()
    assert operator == "ArnNotEquals"
    assert {key: cfn.resolve(value) for key, value in condition.items()} == {
        "aws:PrincipalArn": ROOT
    }


def test_only_this_trail_may_write_log_files_owned_by_the_bucket(
    cfn: Template, resources: dict[str, Any], trail_arn: str
) -> None:
    allowed = [s for s in bucket_statements(resources) if s["Effect"] == "Allow"]
    by_action = {statement["Action"]: statement for statement in allowed}

    assert set(by_action) == {"s3:GetBucketAcl", "s3:PutObject"}
    for statement in allowed:
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert cfn.resolve(statement["Condition"]["StringEquals"]["aws:SourceArn"]) == trail_arn
    assert cfn.resolve(by_action["s3:GetBucketAcl"]["Resource"]) == "arn:aws:s3:::auditlogbucket"
    put = by_action["s3:PutObject"]
    assert cfn.resolve(put["Resource"]) == "arn:aws:s3:::auditlogbucket/AWSLogs/123456789012/*"
    assert put["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control"


def test_the_log_key_rotates_and_serves_this_trail_only(
    cfn: Template, resources: dict[str, Any], trail_arn: str
) -> None:
    key = resources["AuditLogKey"]
    statements = key["Properties"]["KeyPolicy"]["Statement"]
    for_cloudtrail = [
        s for s in statements if s["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    ]

    assert key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    assert {s["Action"] for s in for_cloudtrail} == {"kms:GenerateDataKey*", "kms:DescribeKey"}
    for statement in for_cloudtrail:
        assert cfn.resolve(statement["Condition"]["StringEquals"]["aws:SourceArn"]) == trail_arn
    assert [s["Principal"] for s in statements if s not in for_cloudtrail] == [
        {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
    ]


def test_the_team_may_look_up_cloudtrail_events(cfn: Template, resources: dict[str, Any]) -> None:
    statements = resources["SecurityTeamPolicy"]["Properties"]["PolicyDocument"]["Statement"]

    # LookupEvents has no resource-level permissions: "*" is the only resource it takes.
    assert any(allows(cfn, s, "cloudtrail:LookupEvents", "*") for s in statements)
    assert not any(allows(cfn, s, "cloudtrail:StopLogging", "*") for s in statements)


def function_roles(resources: dict[str, Any]) -> list[str]:
    functions = [r for r in resources.values() if r["Type"] == "AWS::Serverless::Function"]
    return [function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions]


def test_no_function_reads_silences_or_touches_the_record(
    cfn: Template, resources: dict[str, Any], trail_arn: str
) -> None:
    roles = function_roles(resources)
    log_file = "arn:aws:s3:::auditlogbucket/AWSLogs/123456789012/CloudTrail/x.json.gz"
    log_key = cfn.resolve(LOG_KEY_ARN)

    assert "IntakeRole" in roles
    for role in roles:
        for statement in cfn.statements(role):
            for action in TRAIL_ACTIONS:
                assert not allows(cfn, statement, action, trail_arn), (role, action)
            for action in LOG_OBJECT_ACTIONS:
                assert not allows(cfn, statement, action, log_file), (role, action)
            assert not allows(cfn, statement, "kms:Decrypt", log_key), role


def test_every_call_of_timeline_with_cloudtrail_is_granted_to_the_team(
    aws: Any, cfn: Template, monkeypatch: pytest.MonkeyPatch
) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url=BASE).report_id
    stubbed_cloudtrail(monkeypatch).add_response("lookup_events", {"Events": []})
    made = recorded_actions(monkeypatch)
    result = CliRunner().invoke(main, ["reports", "timeline", report_id, "--cloudtrail"])

    assert result.exit_code == 0 and result.stderr == "", result.output
    assert "cloudtrail:LookupEvents" in made
    statements = cfn.resources["SecurityTeamPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
    resource = {"cloudtrail": "*", "dynamodb": table}
    for action in made:
        on = resource[action.split(":")[0]]
        assert any(allows(cfn, s, action, on) for s in statements), action
