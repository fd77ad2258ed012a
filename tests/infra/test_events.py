"""The outbox in the template: the table's stream, the publisher's trigger and role, the
dead-letter queue; SnapStart on the API function, which API Gateway calls through its alias."""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.client import BaseClient

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.triage import acknowledge
from tests.builders import ADVISORY_REPORT, ANN, BUCKET, KEY
from tests.conftest import boto
from tests.infra.iam import STREAM_LABEL, Call, Template, allows, as_list, decrypt, permits
from tests.outbox import TableStream

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
STREAM = TABLE + STREAM_LABEL
TOPIC = "arn:aws:sns:us-east-1:123456789012:eventtopic"
DEAD_LETTERS = "arn:aws:sqs:us-east-1:123456789012:eventdeadletterqueue"
SES = "arn:aws:ses:us-east-1:123456789012"
LOG_GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:publisheventsloggroup:*"
Condition = dict[str, dict[str, Any]]
REPORT_ITEMS: Condition = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["REPORT#*"]}}
MAIL_ITEMS: Condition = {
    "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["MAIL#*", "SUPPRESS#*"]}
}
VIA_SNS: Condition = {
    "StringEquals": {
        "kms:ViaService": "sns.us-east-1.amazonaws.com",
        "kms:EncryptionContext:aws:sns:topicArn": TOPIC,
    }
}
VIA_S3: Condition = {  # the bucket's ARN with S3 Bucket Keys (as the bucket is set), the
    # object's without them, as every role has it; s3:GetObject limits the objects.
    "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
    "StringLike": {
        "kms:EncryptionContext:aws:s3:arn": [
            BUCKET,
            f"{BUCKET}/reports/*/contact.enc",
            f"{BUCKET}/reports/*/messages/*.enc",
        ]
    },
}
CONTACT_AND_REPLIES: Condition = {
    "StringEquals": {"kms:EncryptionContext:part": ["contact", "reply"]},
    "Null": {"kms:EncryptionContext:report_id": "false"},
    "ForAllValues:StringEquals": {"kms:EncryptionContextKeys": ["report_id", "part", "event_id"]},
}
# Everything the publisher's role grants, each with its condition; nothing else. It reads
# the stream; reads a report's metadata item (the product and severity an event's
# notification names); publishes to the topic (SNS seals it with the key); parks what
# still fails; and, as the mailer, opens the contact and reply parts (their objects, their
# envelope keys, S3's bucket key), claims an event's mail and checks suppressions (their own
# items only), signs unsubscribe links with the secret, sends through SES, and logs.
PUBLISHER_GRANTS: list[tuple[str, str, Condition | None]] = [
    ("dynamodb:DescribeStream", STREAM, None),
    ("dynamodb:GetRecords", STREAM, None),
    ("dynamodb:GetShardIterator", STREAM, None),
    ("dynamodb:ListStreams", "*", None),
    ("dynamodb:GetItem", TABLE, REPORT_ITEMS),
    ("sns:Publish", TOPIC, None),
    ("kms:GenerateDataKey", KEY, VIA_SNS),
    ("kms:Decrypt", KEY, VIA_SNS),
    ("sqs:SendMessage", DEAD_LETTERS, None),
    ("kms:Decrypt", KEY, CONTACT_AND_REPLIES),
    ("s3:GetObject", f"{BUCKET}/reports/*/contact.enc", None),
    ("s3:GetObject", f"{BUCKET}/reports/*/messages/*.enc", None),
    ("kms:Decrypt", KEY, VIA_S3),
    ("ses:SendEmail", f"{SES}:identity/maildomain", None),
    ("ses:SendEmail", f"{SES}:configuration-set/mailconfigurationsetname", None),
    ("dynamodb:PutItem", TABLE, MAIL_ITEMS),
    ("dynamodb:DeleteItem", TABLE, MAIL_ITEMS),
    ("dynamodb:GetItem", TABLE, MAIL_ITEMS),
    ("secretsmanager:GetSecretValue", "sourcesecret", None),
    ("logs:CreateLogStream", LOG_GROUP, None),
    ("logs:PutLogEvents", LOG_GROUP, None),
]


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


def canonical(cfn: Template, condition: Any) -> str | None:
    """A condition as comparable text: intrinsics resolved, keys and value lists sorted."""
    if condition is None:
        return None

    def resolved(value: Any) -> Any:
        if isinstance(value, dict) and not {"Ref", "Fn::GetAtt", "Fn::Sub"} & value.keys():
            return {key: resolved(inner) for key, inner in value.items()}
        return sorted(as_list(cfn.resolve(value)))

    return json.dumps(resolved(condition), sort_keys=True)


def grants(cfn: Template, statements: list[dict[str, Any]]) -> set[tuple[str, str, str | None]]:
    """Every (action, resource, condition) the statements allow, one per pair."""
    found = set()
    for statement in statements:
        assert statement["Effect"] == "Allow", statement.get("Sid")
        assert not {"NotAction", "NotResource", "NotPrincipal"} & statement.keys()
        condition = canonical(cfn, statement.get("Condition"))
        for action in as_list(statement["Action"]):
            for resource in as_list(cfn.resolve(statement["Resource"])):
                found.add((action, resource, condition))
    return found


def test_the_publisher_role_grants_exactly_its_list(
    template: dict[str, Any], resources: dict[str, Any]
) -> None:
    cfn = Template(template)
    granted = grants(cfn, cfn.statements(role_of(resources, "PublishEvents")))
    expected = {(a, r, canonical(cfn, c)) for a, r, c in PUBLISHER_GRANTS}

    assert sorted(granted - expected, key=str) == []  # nothing more
    assert sorted(expected - granted, key=str) == []  # nothing less, nothing looser


def publisher_calls(service: str, operation: str, params: dict[str, Any]) -> list[Call]:
    """The IAM authorizations a publisher's API call needs, named as in the template."""
    if service == "kms" and operation == "Decrypt":
        return [decrypt(params["EncryptionContext"])]
    if service == "s3":
        return [(f"s3:{operation}", f"{BUCKET}/{params['Key']}", {})]
    if service == "dynamodb" and ("Key" in params or "Item" in params):
        partition = (params.get("Key") or params["Item"])["PK"]["S"]
        return [(f"dynamodb:{operation}", TABLE, {"dynamodb:LeadingKeys": [partition]})]
    if service == "ses" and operation == "SendEmail":  # the sender's identity, the config set
        configured = ["configuration-set/mailconfigurationsetname"] * (
            "ConfigurationSetName" in params
        )
        return [
            ("ses:SendEmail", f"{SES}:{name}", {}) for name in ["identity/maildomain"] + configured
        ]
    named = {"sns:Publish": TOPIC, "secretsmanager:GetSecretValue": "sourcesecret"}
    return [(f"{service}:{operation}", named.get(f"{service}:{operation}", "*"), {})]


def test_the_publisher_may_make_every_call_of_a_run_that_notifies_and_mails(
    aws: Any, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a report with the reporter's address, acknowledged with a reply
    import app

    ports = bootstrap.ports()
    report_id = submit_report(ADVISORY_REPORT, ports, base_url="https://x").report_id
    acknowledge(ports, ANN, report_id, message="Thanks, we are on it.")
    made: list[Call] = []
    call = BaseClient._make_api_call
    recording = False

    def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        if recording:
            made.extend(publisher_calls(self.meta.service_model.signing_name, operation, params))
        return call(self, operation, params)

    def publisher(event: dict[str, Any], context: Any) -> Any:
        nonlocal recording
        recording = True
        try:
            return app.publish_events(event, context)
        finally:
            recording = False

    # When the stream hands the inserts to the publisher, each AWS call it makes recorded
    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    stream = TableStream(boto("dynamodb"), boto("dynamodbstreams"), publisher)
    assert stream.pump() == []

    # Then it read the report's item, opened the contact, mailed, and every call is granted
    cfn = Template(template)
    granted = cfn.statements(role_of(cfn.resources, "PublishEvents"))
    read = f"REPORT#{report_id}"
    assert ("dynamodb:GetItem", TABLE, {"dynamodb:LeadingKeys": [read]}) in made
    assert decrypt({"report_id": report_id, "part": "contact"}) in made
    assert any(action == "ses:SendEmail" for action, _, _ in made)
    assert [c for c in made if not any(permits(cfn, s, c) for s in granted)] == []


def test_nothing_but_the_publisher_publishes(template: dict[str, Any]) -> None:
    cfn = Template(template)
    publisher = role_of(cfn.resources, "PublishEvents")
    documents = {
        name: cfn.statements(name)
        for name, resource in cfn.resources.items()
        if resource.get("Type") == "AWS::IAM::Role" and name != publisher
    }
    for name, resource in cfn.resources.items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::IAM::ManagedPolicy" or (
            resource.get("Type") == "AWS::IAM::Policy"
            and {"Ref": publisher} not in properties.get("Roles", [])
        ):  # the team's policy; policies for users, groups or roles outside the template
            documents[name] = properties["PolicyDocument"]["Statement"]

    publishing = [
        name
        for name, statements in documents.items()
        if any(allows(cfn, s, "sns:Publish", TOPIC) for s in as_list(statements))
    ]

    assert publishing == []
    assert {"IntakeRole", "ReceiveMailRole", "SecurityTeamPolicy"} <= documents.keys()
    assert any(allows(cfn, s, "sns:Publish", TOPIC) for s in cfn.statements(publisher))


def test_the_teams_policy_writes_events_but_never_publishes(template: dict[str, Any]) -> None:
    cfn = Template(template)
    document = cfn.resources["SecurityTeamPolicy"]["Properties"]["PolicyDocument"]
    statements = as_list(document["Statement"])

    def granted(action: str, resource: str) -> bool:
        return any(allows(cfn, s, action, resource) for s in statements)

    assert not granted("sns:Publish", TOPIC)
    assert granted("dynamodb:PutItem", TABLE) and granted("dynamodb:UpdateItem", TABLE)
    assert granted("sns:Subscribe", TOPIC)


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
