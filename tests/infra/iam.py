"""Read IAM out of a CloudFormation template: a role's statements, intrinsics resolved.

Resolution is just enough to match ARNs with IAM's own wildcards: `Fn::GetAtt X.Arn`,
`Ref X` and `${X.Arn}` / `${AWS::...}` inside `Fn::Sub` become fixed example values.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Any

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
