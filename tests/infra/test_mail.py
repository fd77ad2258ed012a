"""Mail in the template: SES's identity, configuration set, feedback and receipt rule;
the mail functions' roles (the mailer opens contacts and replies, never a report); the
library layer (OpenPGP, Babel) every function carries."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import ATTACHMENT_PART, KEY, MESSAGE_PART, REPORT_PART
from tests.infra.iam import Template, allows

CONTACT_PART = REPORT_PART.replace("report.enc", "contact.enc")
# A follow-up as its sender reads it back: sealed with a key from their receipt, not KMS.
OWN_COPY = MESSAGE_PART.replace(".enc", ".own")
FAILURE_QUEUE = "arn:aws:sqs:us-east-1:123456789012:receivemailfailurequeue"


def role_of(resources: dict[str, Any], function: str) -> str:
    return str(resources[function]["Properties"]["Role"]["Fn::GetAtt"][0])


def decryptable_parts(template: dict[str, Any], function: str) -> set[str]:
    """The parts whose KMS context a function's role may decrypt (outside S3's own use)."""
    cfn = Template(template)
    found: set[str] = set()
    for statement in cfn.statements(role_of(template["Resources"], function)):
        if not allows(cfn, statement, "kms:Decrypt", KEY):
            continue
        condition = statement.get("Condition", {})
        if "kms:ViaService" in str(condition):
            continue  # S3's and SNS's at-rest encryption, not an envelope part
        parts = condition.get("StringEquals", {}).get("kms:EncryptionContext:part")
        assert parts, f"{statement['Sid']}: kms:Decrypt of any part"
        found |= set(parts if isinstance(parts, list) else [parts])
    return found


def test_the_mailer_opens_contacts_and_replies_and_nothing_else(
    template: dict[str, Any],
) -> None:
    assert decryptable_parts(template, "PublishEvents") == {"contact", "reply"}


def test_the_inbound_function_opens_only_contacts_and_its_stored_answers(
    template: dict[str, Any],
) -> None:
    assert decryptable_parts(template, "ReceiveMail") == {"contact", "idempotency"}


@pytest.mark.parametrize("function", ["PublishEvents", "ReceiveMail", "MailFeedback"])
def test_no_mail_function_reads_report_or_attachment_objects(
    template: dict[str, Any], function: str
) -> None:
    cfn = Template(template)
    granted = cfn.statements(role_of(template["Resources"], function))

    for part in (REPORT_PART, ATTACHMENT_PART):
        assert not any(allows(cfn, s, "s3:GetObject", part) for s in granted), part
    readable = any(allows(cfn, s, "s3:GetObject", CONTACT_PART) for s in granted)
    assert readable == (function != "MailFeedback")


def test_only_the_mailer_reads_reply_and_message_objects(template: dict[str, Any]) -> None:
    cfn = Template(template)
    for function, expected in (("PublishEvents", True), ("ReceiveMail", False)):
        granted = cfn.statements(role_of(template["Resources"], function))
        assert any(allows(cfn, s, "s3:GetObject", MESSAGE_PART) for s in granted) == expected


def test_no_mail_function_reads_a_follow_ups_own_copy(template: dict[str, Any]) -> None:
    cfn = Template(template)
    for function in ("PublishEvents", "ReceiveMail", "MailFeedback"):
        granted = cfn.statements(role_of(template["Resources"], function))
        assert not any(allows(cfn, s, "s3:GetObject", OWN_COPY) for s in granted), function


def test_mail_that_could_not_be_filed_is_retried_then_parked_in_an_encrypted_queue(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    config = resources["ReceiveMailRetries"]

    assert config["Type"] == "AWS::Lambda::EventInvokeConfig"
    assert config["Properties"]["FunctionName"] == {"Ref": "ReceiveMail"}
    assert 0 < config["Properties"]["MaximumRetryAttempts"] <= 2
    on_failure = config["Properties"]["DestinationConfig"]["OnFailure"]
    assert on_failure == {"Destination": {"Fn::GetAtt": ["ReceiveMailFailureQueue", "Arn"]}}
    queue = resources["ReceiveMailFailureQueue"]
    # SES's event names the mail's sender and subject: sealed with the report key.
    assert queue["Properties"]["KmsMasterKeyId"] == {"Fn::GetAtt": ["ReportKey", "Arn"]}
    cfn = Template(template)
    granted = cfn.statements(role_of(resources, "ReceiveMail"))
    assert any(allows(cfn, s, "sqs:SendMessage", FAILURE_QUEUE) for s in granted)
    sealing = [s for s in granted if allows(cfn, s, "kms:GenerateDataKey", KEY)
               and "sqs" in str(s.get("Condition"))]  # fmt: skip
    assert sealing and all(
        cfn.resolve(s["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sqs:arn"])
        == FAILURE_QUEUE
        for s in sealing
    )


def test_mail_claims_and_suppressions_are_the_only_items_the_mailer_writes(
    template: dict[str, Any],
) -> None:
    cfn = Template(template)
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"
    writes = [
        s
        for s in cfn.statements(role_of(template["Resources"], "PublishEvents"))
        if allows(cfn, s, "dynamodb:PutItem", table) or allows(cfn, s, "dynamodb:DeleteItem", table)
    ]

    assert writes
    for statement in writes:
        keys = statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"]
        assert set(keys) == {"MAIL#*", "SUPPRESS#*"}


def test_ses_stores_mail_then_invokes_the_inbound_function(resources: dict[str, Any]) -> None:
    rule = resources["MailReceiptRule"]["Properties"]["Rule"]
    s3, invoke = rule["Actions"]

    assert rule["ScanEnabled"] is True  # spam and virus verdicts for the function
    assert s3["S3Action"]["ObjectKeyPrefix"] == "inbound/"
    assert invoke["LambdaAction"]["FunctionArn"] == {"Fn::GetAtt": ["ReceiveMail", "Arn"]}
    permission = resources["ReceiveMailSesPermission"]["Properties"]
    assert permission["Principal"] == "ses.amazonaws.com"


def test_ses_may_store_mail_under_inbound_only_and_encrypt_it_through_s3(
    resources: dict[str, Any],
) -> None:
    # With S3 Bucket Keys, S3 asks KMS for the bucket's key in the bucket's name, not the
    # object's: the key policy lets SES's puts through S3 in this account, for this stack's
    # receipt rule only, and the bucket policy keeps them under inbound/.
    key_policy = resources["ReportKey"]["Properties"]["KeyPolicy"]["Statement"]
    (ses_key,) = [s for s in key_policy if s.get("Principal") == {"Service": "ses.amazonaws.com"}]
    bucket_policy = resources["ReportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    ses_puts = [s for s in bucket_policy if s.get("Principal") == {"Service": "ses.amazonaws.com"}]

    assert resources["ReportBucket"]["Properties"]["BucketEncryption"][
        "ServerSideEncryptionConfiguration"
    ][0]["BucketKeyEnabled"]
    assert ses_key["Action"] == "kms:GenerateDataKey"
    assert ses_key["Condition"]["StringEquals"]["kms:ViaService"] == {
        "Fn::Sub": "s3.${AWS::Region}.amazonaws.com"
    }
    assert ses_key["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}
    rule_set = resources["MailReceiptRuleSet"]["Properties"]["RuleSetName"]
    rule = resources["MailReceiptRule"]["Properties"]["Rule"]["Name"]
    assert ses_key["Condition"]["StringEquals"]["aws:SourceArn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:"
        f"receipt-rule-set/{rule_set}:receipt-rule/{rule}"
    }
    # Any bucket's context: the bucket's own ARN would be a cycle (the bucket names the
    # key), so the rule's SourceArn above is what narrows SES's use of the key.
    assert ses_key["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:s3:arn": {"Fn::Sub": "arn:${AWS::Partition}:s3:::*"}
    }
    assert [s["Action"] for s in ses_puts] == ["s3:PutObject"]
    assert ses_puts[0]["Resource"] == {"Fn::Sub": "${ReportBucket.Arn}/inbound/*"}


def test_bounces_and_complaints_reach_the_feedback_function(resources: dict[str, Any]) -> None:
    destination = resources["MailFeedbackDestination"]["Properties"]["EventDestination"]
    (subscription,) = resources["MailFeedback"]["Properties"]["Events"].values()

    assert set(destination["MatchingEventTypes"]) == {"bounce", "complaint"}
    assert destination["SnsDestination"]["TopicARN"] == {"Ref": "MailFeedbackTopic"}
    assert resources["MailFeedbackTopic"]["Properties"]["TopicName"] in str(
        subscription["Properties"]["Topic"]
    )
    assert resources["MailIdentity"]["Properties"]["ConfigurationSetAttributes"]


def test_every_function_carries_the_openpgp_layer(resources: dict[str, Any]) -> None:
    # Each loads the policy, which checks the team's key; the layer keeps the zip small.
    functions = {
        name: value["Properties"].get("Layers", [])
        for name, value in resources.items()
        if value.get("Type") == "AWS::Serverless::Function"
    }

    assert functions and all(layers == [{"Ref": "LibraryLayer"}] for layers in functions.values())
    assert resources["LibraryLayer"]["Properties"]["ContentUri"] == "./library-layer.zip"
