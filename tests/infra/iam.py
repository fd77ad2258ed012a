"""Read IAM out of a CloudFormation template: a role's statements, intrinsics resolved.

Resolution is just enough to match ARNs with IAM's own wildcards: `Fn::GetAtt X.Arn`,
`Ref X` and `${X.Arn}` / `${AWS::...}` inside `Fn::Sub` become fixed example values.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

import pytest
from botocore.client import BaseClient

from tests.builders import KEY

PSEUDO = {
    "AWS::Partition": "aws",
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::StackName": "vdp",
}
_ARN_BY_TYPE = {
    "AWS::S3::Bucket": "arn:aws:s3:::{name}",
    "AWS::KMS::Key": "arn:aws:kms:us-east-1:123456789012:key/{name}",
    "AWS::DynamoDB::Table": "arn:aws:dynamodb:us-east-1:123456789012:table/{name}",
    "AWS::SNS::Topic": "arn:aws:sns:us-east-1:123456789012:{name}",
    "AWS::Logs::LogGroup": "arn:aws:logs:us-east-1:123456789012:log-group:{name}:*",
    "AWS::SQS::Queue": "arn:aws:sqs:us-east-1:123456789012:{name}",
}
STREAM_LABEL = "/stream/2026-01-01T00:00:00.000"


class Template:
    def __init__(self, template: dict[str, Any]) -> None:
        self.resources: dict[str, Any] = template["Resources"]

    def resolve(self, value: Any) -> Any:
        """A literal for `value`, with intrinsics replaced by example names and ARNs."""
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self._ref(value["Ref"])
        if "Fn::GetAtt" in value:
            return self._attribute(*value["Fn::GetAtt"])
        if "Fn::Sub" in value:
            return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), value["Fn::Sub"])
        raise ValueError(f"cannot resolve {value}")

    def statements(self, role: str) -> list[dict[str, Any]]:
        """Every statement a role receives: inline, attached AWS::IAM::Policy, managed."""
        properties = self.resources[role]["Properties"]
        documents = [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
        for resource in self.resources.values():
            roles = resource.get("Properties", {}).get("Roles", [])
            if {"Ref": role} in roles:
                documents.append(resource["Properties"]["PolicyDocument"])
        assert not properties.get("ManagedPolicyArns"), "managed policies are not inspected"
        return [statement for document in documents for statement in document["Statement"]]

    def _ref(self, name: str) -> str:
        if name in PSEUDO:
            return PSEUDO[name]
        if self.resources.get(name, {}).get("Type") == "AWS::SNS::Topic":
            return self._attribute(name, "Arn")  # a topic's Ref is its ARN
        return name.lower()

    def _attribute(self, name: str, attribute: str) -> str:
        kind = self.resources[name]["Type"]
        if attribute == "StreamArn" and kind == "AWS::DynamoDB::Table":
            return _ARN_BY_TYPE[kind].format(name=name.lower()) + STREAM_LABEL
        assert attribute == "Arn", attribute
        if kind == "AWS::IAM::Role":
            return f"arn:aws:iam::123456789012:role/{name.lower()}"
        return _ARN_BY_TYPE[kind].format(name=name.lower())

    def _sub(self, name: str) -> str:
        if name in PSEUDO:
            return PSEUDO[name]
        resource, _, attribute = name.partition(".")
        return self._attribute(resource, attribute) if attribute else resource.lower()


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(template: Template, statement: dict[str, Any], action: str, resource: str) -> bool:
    """Whether an Allow statement grants `action` on `resource`, ignoring its conditions."""
    assert "NotAction" not in statement and "NotResource" not in statement
    if statement["Effect"] != "Allow":
        return False
    actions = [a.lower() for a in as_list(statement["Action"])]
    if not any(fnmatch.fnmatchcase(action.lower(), pattern) for pattern in actions):
        return False
    patterns = as_list(template.resolve(statement["Resource"]))
    return any(fnmatch.fnmatchcase(resource, pattern) for pattern in patterns)


Call = tuple[str, str, dict[str, Any]]  # IAM action, resource, request condition keys


def permits(cfn: Template, statement: dict[str, Any], call: Call) -> bool:
    """Whether an Allow statement grants the call, its conditions evaluated."""
    action, resource, request = call
    if not allows(cfn, statement, action, resource):
        return False
    conditions = statement.get("Condition", {})
    return all(
        holds(operator, cfn.resolve(expected), request.get(key))
        for operator, tests in conditions.items()
        for key, expected in tests.items()
    )


def holds(operator: str, expected: Any, actual: Any) -> bool:
    wanted = as_list(expected)
    if operator == "Null":
        return (actual is None) == (wanted == ["true"])
    if operator.startswith("ForAllValues:"):
        inner = operator.removeprefix("ForAllValues:")
        return all(holds(inner, expected, value) for value in as_list(actual or []))
    if actual is None:  # a key the request lacks matches no value
        return False
    if operator == "StringEquals":
        return actual in wanted
    if operator == "StringLike":
        return any(fnmatch.fnmatchcase(actual, pattern) for pattern in wanted)
    raise AssertionError(f"condition {operator} is not evaluated here")


def decrypt(context: dict[str, str]) -> Call:
    """kms:Decrypt of a data key sealed with `context`, called by the function itself."""
    request: dict[str, Any] = {f"kms:EncryptionContext:{k}": v for k, v in context.items()}
    return "kms:Decrypt", KEY, {**request, "kms:EncryptionContextKeys": sorted(context)}


# API operations whose IAM action has another name; None: no permission needed.
IAM_ACTION = {
    "s3:HeadObject": "s3:GetObject",
    "s3:ListObjectVersions": "s3:ListBucketVersions",
    "s3:ListObjectsV2": "s3:ListBucket",
    "sts:GetCallerIdentity": None,
}


def iam_actions(service: str, operation: str, params: dict[str, Any]) -> set[str]:
    """IAM authorizes a DynamoDB transaction as the actions of its items."""
    if operation != "TransactWriteItems":
        return {f"{service}:{operation}"}
    item_action = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
    return {
        f"dynamodb:{item_action.get(kind, 'ConditionCheckItem')}"
        for item in params["TransactItems"]
        for kind in item
    }


def recorded_actions(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The IAM actions every AWS call made from now on needs (filled as calls are made)."""
    made: set[str] = set()
    call = BaseClient._make_api_call

    def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        made.update(iam_actions(self.meta.service_model.signing_name, operation, params))
        return call(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    return made
