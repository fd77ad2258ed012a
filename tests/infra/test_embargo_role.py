"""The hourly embargo publisher runs with a role of its own: it finds reports by status,
discloses the due ones (the report item and its status event) and publishes their sealed
credits (the `credit` part, the public acknowledgments), and nothing more. Which KMS
contexts it may open is proved in test_scheduled_roles.py."""

from __future__ import annotations

from typing import Any

from tests.builders import ATTACHMENT_PART, BUCKET, CREDIT_PART, KEY, MESSAGE_PART, REPORT_PART
from tests.infra.iam import Template, allows

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
STATUS_INDEX = f"{TABLE}/index/status-index"
TOPIC = "arn:aws:sns:us-east-1:123456789012:eventtopic"
CONTACT_PART = REPORT_PART.replace("report.enc", "contact.enc")
ACKNOWLEDGMENTS = f"{BUCKET}/public/acknowledgments.json"
NEEDED = {
    ("dynamodb:Query", STATUS_INDEX),
    ("dynamodb:GetItem", TABLE),
    ("dynamodb:UpdateItem", TABLE),  # the report item, in the transaction
    ("dynamodb:PutItem", TABLE),  # its status event, in the same transaction
    ("s3:GetObject", CREDIT_PART),  # the sealed credit name
    ("s3:PutObject", ACKNOWLEDGMENTS),
}
REFUSED = {
    ("dynamodb:Query", TABLE),
    ("dynamodb:Scan", TABLE),
    ("dynamodb:Scan", STATUS_INDEX),
    ("dynamodb:DeleteItem", TABLE),
    ("dynamodb:BatchWriteItem", TABLE),
    ("s3:GetObject", REPORT_PART),
    ("s3:GetObject", ATTACHMENT_PART),
    ("s3:GetObject", MESSAGE_PART),
    ("s3:GetObject", CONTACT_PART),
    ("s3:PutObject", REPORT_PART),
    ("s3:PutObject", CREDIT_PART),
    ("s3:PutObject", f"{BUCKET}/public/other.json"),
    ("s3:ListBucketVersions", BUCKET),
    ("kms:GenerateDataKey", KEY),
    ("sns:Publish", TOPIC),
    ("ses:SendRawEmail", "*"),
}


def granted(template: dict[str, Any]) -> tuple[Template, list[dict[str, Any]]]:
    cfn = Template(template)
    role = cfn.resources["PublishEmbargoes"]["Properties"]["Role"]["Fn::GetAtt"][0]
    return cfn, cfn.statements(role)


def test_the_publisher_may_disclose_reports_and_publish_their_credits_only(
    template: dict[str, Any],
) -> None:
    cfn, statements = granted(template)

    allowed = {(a, r) for a, r in NEEDED | REFUSED if any(allows(cfn, s, a, r) for s in statements)}

    assert allowed == NEEDED


def test_the_publisher_runs_hourly_with_a_role_of_its_own(resources: dict[str, Any]) -> None:
    function = resources["PublishEmbargoes"]["Properties"]
    roles = [
        value["Properties"]["Role"]
        for name, value in resources.items()
        if value.get("Type") == "AWS::Serverless::Function" and name != "PublishEmbargoes"
    ]

    assert function["Role"] == {"Fn::GetAtt": ["PublishEmbargoesRole", "Arn"]}
    assert function["Role"] not in roles
    [schedule] = function["Events"].values()
    assert schedule == {"Type": "Schedule", "Properties": {"Schedule": "rate(1 hour)"}}
