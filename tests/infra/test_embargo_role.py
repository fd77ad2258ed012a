"""The hourly embargo publisher runs with a role of its own: it finds fixed reports by
status and discloses them (the report item and its status event), and nothing more."""

from __future__ import annotations

from typing import Any

from tests.builders import BUCKET, KEY, REPORT_PART
from tests.infra.iam import Template, allows

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
STATUS_INDEX = f"{TABLE}/index/status-index"
TOPIC = "arn:aws:sns:us-east-1:123456789012:eventtopic"
NEEDED = {
    ("dynamodb:Query", STATUS_INDEX),
    ("dynamodb:GetItem", TABLE),
    ("dynamodb:UpdateItem", TABLE),  # the report item, in the transaction
    ("dynamodb:PutItem", TABLE),  # its status event, in the same transaction
}
REFUSED = {
    ("dynamodb:Query", TABLE),
    ("dynamodb:Scan", TABLE),
    ("dynamodb:Scan", STATUS_INDEX),
    ("dynamodb:DeleteItem", TABLE),
    ("dynamodb:BatchWriteItem", TABLE),
    ("s3:GetObject", REPORT_PART),
    ("s3:PutObject", REPORT_PART),
    ("s3:ListBucketVersions", BUCKET),
    ("kms:Decrypt", KEY),
    ("kms:GenerateDataKey", KEY),
    ("sns:Publish", TOPIC),
    ("ses:SendRawEmail", "*"),
}


def granted(template: dict[str, Any]) -> tuple[Template, list[dict[str, Any]]]:
    cfn = Template(template)
    role = cfn.resources["PublishEmbargoes"]["Properties"]["Role"]["Fn::GetAtt"][0]
    return cfn, cfn.statements(role)


def test_the_publisher_may_find_fixed_reports_and_disclose_them(template: dict[str, Any]) -> None:
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
