"""The outbox in the template: the table's stream, the publisher's trigger and role, the
dead-letter queue; SnapStart on the API function, which API Gateway calls through its alias."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.builders import KEY, REPORT_PART
from tests.infra.iam import STREAM_LABEL, Template, allows

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
STREAM = TABLE + STREAM_LABEL
TOPIC = "arn:aws:sns:us-east-1:123456789012:eventtopic"
DEAD_LETTERS = "arn:aws:sqs:us-east-1:123456789012:eventdeadletterqueue"
# What the publisher may do, and on what: read the stream, read a report's metadata (for
# the product and severity an event's notification names), publish, park what fails; and,
# as the mailer, claim an event's mail and check suppressions (the test in test_mail.py
# holds those writes to their own items).
PUBLISHER_MAY = {
    ("dynamodb:PutItem", TABLE),
    ("dynamodb:DeleteItem", TABLE),
    ("dynamodb:GetRecords", STREAM),
    ("dynamodb:GetShardIterator", STREAM),
    ("dynamodb:DescribeStream", STREAM),
    ("dynamodb:ListStreams", "*"),
    ("dynamodb:GetItem", TABLE),
    ("sns:Publish", TOPIC),
    ("sqs:SendMessage", DEAD_LETTERS),
}


def role_of(resources: dict[str, Any], function: str) -> str:
    return str(resources[function]["Properties"]["Role"]["Fn::GetAtt"][0])


def test_the_table_streams_every_new_item(resources: dict[str, Any]) -> None:
    stream = resources["ReportTable"]["Properties"]["StreamSpecification"]

    assert stream == {"StreamViewType": "NEW_IMAGE"}


def test_the_publisher_reads_the_tables_own_stream_and_parks_what_still_fails(
    resources: dict[str, Any],
) -> None:
    (source,) = resources["PublishEvents"]["Properties"]["Events"].values()
    mapping = source["Properties"]

    assert source["Type"] == "DynamoDB"
    assert mapping["Stream"] == {"Fn::GetAtt": ["ReportTable", "StreamArn"]}
    assert mapping["StartingPosition"] == "TRIM_HORIZON"  # nothing written before it is lost
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BisectBatchOnFunctionError"] is True
    assert 0 < mapping["MaximumRetryAttempts"] <= 10
    assert mapping["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["EventDeadLetterQueue", "Arn"]},
    }
    (only,) = mapping["FilterCriteria"]["Filters"]  # inserts of report and event items only
    assert json.loads(only["Pattern"]) == {
        "eventName": ["INSERT"],
        "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "REPORT#"}]}}},
    }
    assert resources["EventDeadLetterQueue"]["Type"] == "AWS::SQS::Queue"
    assert resources["EventDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True


def test_the_publisher_role_only_reads_the_stream_notifies_and_mails(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    cfn = Template(template)
    granted = cfn.statements(role_of(resources, "PublishEvents"))
    candidates = {
        *PUBLISHER_MAY,
        ("dynamodb:UpdateItem", TABLE),
        ("dynamodb:Query", TABLE + "/index/status-index"),
        ("dynamodb:Scan", TABLE),
        ("s3:GetObject", REPORT_PART),
        ("sns:Subscribe", TOPIC),
    }

    allowed = {(a, r) for a, r in candidates if any(allows(cfn, s, a, r) for s in granted)}

    assert allowed == PUBLISHER_MAY
    for statement in granted:  # the key only as SNS and S3 use it at rest, or for mail's parts
        if any(allows(cfn, statement, a, KEY) for a in ("kms:Decrypt", "kms:GenerateDataKey")):
            condition = json.dumps(statement["Condition"])
            assert "sns." in condition or "s3." in condition or "contact" in condition


@pytest.mark.parametrize(
    "role", ["IntakeRole", "SlaSweepRole", "OrphanSweepRole", "PurgeExpiredRole"]
)
def test_nothing_but_the_publisher_publishes(template: dict[str, Any], role: str) -> None:
    cfn = Template(template)

    assert not any(allows(cfn, s, "sns:Publish", TOPIC) for s in cfn.statements(role))


def test_the_teams_policy_writes_events_but_never_publishes(resources: dict[str, Any]) -> None:
    document = resources["SecurityTeamPolicy"]["Properties"]["PolicyDocument"]
    actions = {a for s in document["Statement"] for a in ([s["Action"]] if isinstance(
        s["Action"], str) else s["Action"])}  # fmt: skip

    assert "sns:Publish" not in actions
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "sns:Subscribe"} <= actions


def test_the_api_function_is_published_with_snapstart_behind_an_alias(
    resources: dict[str, Any],
) -> None:
    api = resources["APIHandler"]["Properties"]

    assert api["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    assert api["AutoPublishAlias"] == "live"
    assert api["Runtime"] in ("python3.12", "python3.13")  # SnapStart's Python runtimes


def test_api_gateway_invokes_the_alias_not_the_unpublished_function(
    resources: dict[str, Any],
) -> None:
    body = json.dumps(resources["RestAPI"]["Properties"]["DefinitionBody"])
    permission = resources["APIHandlerInvokePermission"]["Properties"]

    assert "functions/${APIHandlerAliaslive}/invocations" in body
    assert "${APIHandler.Arn}" not in body
    assert permission["FunctionName"] == {"Ref": "APIHandlerAliaslive"}


def test_every_function_runs_the_python_the_package_was_built_for(
    resources: dict[str, Any],
) -> None:
    runtimes = {
        name: value["Properties"]["Runtime"]
        for name, value in resources.items()
        if value.get("Type") == "AWS::Serverless::Function"
    }

    assert set(runtimes.values()) == {"python3.12"}, runtimes
    assert {"APIHandler", "PublishEvents", "SlaSweep"} <= set(runtimes)
    assert "OutboxRetry" not in resources
