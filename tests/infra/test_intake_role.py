"""The intake function may seal and store reports but never open them
(docs/architecture.md: storage)."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.usecases import parts
from tests.builders import ATTACHMENT_PART, CREDIT_PART, KEY, MESSAGE_PART, REPORT_PART
from tests.infra.iam import Template, allows, as_list

INTAKE = "APIHandler"  # chalice names the function behind every route APIHandler
OPENABLE_PARTS = {"reply", "idempotency"}
# The S3 and SNS at-rest layers call KMS on the caller's behalf; those grants are bound
# to the service (kms:ViaService) and to the bucket or topic encryption context.
SERVICE_LAYERS = {
    "s3.us-east-1.amazonaws.com": "kms:EncryptionContext:aws:s3:arn",
    "sns.us-east-1.amazonaws.com": "kms:EncryptionContext:aws:sns:topicArn",
}


@pytest.fixture(scope="module")
def cfn(template: dict[str, Any]) -> Template:
    return Template(template)


@pytest.fixture(scope="module")
def intake(cfn: Template, resources: dict[str, Any]) -> list[dict[str, Any]]:
    role = resources[INTAKE]["Properties"]["Role"]["Fn::GetAtt"][0]
    return cfn.statements(role)


def test_every_function_has_its_own_role_from_the_template(resources: dict[str, Any]) -> None:
    functions = {n: r for n, r in resources.items() if r["Type"] == "AWS::Serverless::Function"}
    roles = [function["Properties"]["Role"] for function in functions.values()]

    assert INTAKE in functions
    for role in roles:
        assert isinstance(role, dict) and "Fn::GetAtt" in role, f"placeholder role {role}"
        assert resources[role["Fn::GetAtt"][0]]["Type"] == "AWS::IAM::Role"
    assert len({str(role) for role in roles}) == len(roles), "functions share a role"


def test_intake_cannot_decrypt_report_attachment_or_message_keys(
    cfn: Template, intake: list[dict[str, Any]]
) -> None:
    decrypting = [s for s in intake if allows(cfn, s, "kms:Decrypt", KEY)]

    assert decrypting, "intake must open replies and stored responses"
    for statement in decrypting:
        condition = statement.get("Condition", {})
        equals = condition.get("StringEquals", {})
        parts = equals.get("kms:EncryptionContext:part")
        if parts is not None:
            assert set(as_list(parts)) <= OPENABLE_PARTS, statement["Sid"]
            assert "kms:EncryptionContext:part" not in condition.get("StringLike", {})
            assert condition["Null"]["kms:EncryptionContext:report_id"] == "false"
        else:
            via = cfn.resolve(equals["kms:ViaService"])
            assert via in SERVICE_LAYERS, f"{statement['Sid']}: unbounded kms:Decrypt"
            context_key = SERVICE_LAYERS[via]
            assert any(context_key in block for block in condition.values()), statement["Sid"]


def test_intake_generates_data_keys_only_for_the_parts_it_writes(
    cfn: Template, intake: list[dict[str, Any]]
) -> None:
    generating = [s for s in intake if allows(cfn, s, "kms:GenerateDataKey", KEY)]
    envelope = [s for s in generating if "kms:ViaService" not in str(s.get("Condition"))]

    assert len(envelope) == 1
    condition = envelope[0]["Condition"]
    assert set(condition["StringLike"]["kms:EncryptionContext:part"]) == {
        "report",
        "attachment-*",
        "contact",
        "message",
        "idempotency",
    }
    assert condition["Null"]["kms:EncryptionContext:report_id"] == "false"


@pytest.mark.parametrize(
    ("action", "context"),
    [
        ("kms:GenerateDataKey", parts.context("VDP-7K3M-9QX2", parts.REPORT)),
        ("kms:GenerateDataKey", parts.context("VDP-7K3M-9QX2", parts.MESSAGE, "e1")),
        ("kms:Decrypt", parts.context("VDP-7K3M-9QX2", parts.REPLY, "e1")),
    ],
)
def test_the_contexts_the_intake_seals_and_opens_with_have_only_allowed_keys(
    cfn: Template, intake: list[dict[str, Any]], action: str, context: dict[str, str]
) -> None:
    # A key outside kms:EncryptionContextKeys would make KMS refuse every such call.
    statements = [s for s in intake if allows(cfn, s, action, KEY)]
    envelope = [s for s in statements if "kms:ViaService" not in str(s.get("Condition"))]

    assert len(envelope) == 1
    allowed = envelope[0]["Condition"]["ForAllValues:StringEquals"]["kms:EncryptionContextKeys"]
    assert set(context) <= set(allowed)


@pytest.mark.parametrize("part", [REPORT_PART, ATTACHMENT_PART])
def test_intake_cannot_read_report_or_attachment_objects(
    cfn: Template, intake: list[dict[str, Any]], part: str
) -> None:
    for action in ("s3:GetObject", "s3:GetObjectVersion"):
        granted = [s.get("Sid") for s in intake if allows(cfn, s, action, part)]
        assert not granted, f"{action} on {part} through {granted}"


def test_intake_writes_parts_and_reads_only_message_objects(
    cfn: Template, intake: list[dict[str, Any]]
) -> None:
    for part in (REPORT_PART, ATTACHMENT_PART, MESSAGE_PART):
        assert any(allows(cfn, s, "s3:PutObject", part) for s in intake), part
    assert any(allows(cfn, s, "s3:GetObject", MESSAGE_PART) for s in intake)
    # The sealed credit name is the team's alone: the intake cannot plant one.
    assert not any(allows(cfn, s, "s3:PutObject", CREDIT_PART) for s in intake)


def test_intake_deletes_nothing(cfn: Template, intake: list[dict[str, Any]]) -> None:
    for statement in intake:
        assert "*" not in as_list(cfn.resolve(statement["Resource"])), statement.get("Sid")
        for action in as_list(statement["Action"]):
            assert "*" not in action, action
            assert "delete" not in action.lower(), (statement.get("Sid"), action)


def test_intake_reaches_its_resources_through_environment(resources: dict[str, Any]) -> None:
    variables = resources[INTAKE]["Properties"]["Environment"]["Variables"]

    assert variables["VDP_STAGE"] == "prod"
    assert variables["VDP_KMS_KEY_ID"] == {"Fn::GetAtt": ["ReportKey", "Arn"]}
    assert variables["VDP_BUCKET"] == {"Ref": "ReportBucket"}
    assert variables["VDP_TABLE"] == {"Ref": "ReportTable"}
    assert variables["VDP_TOPIC_ARN"] == {"Ref": "EventTopic"}
    assert variables["VDP_SECRET_ID"] == {"Ref": "SourceSecret"}
