"""Scheduled functions run with their own small roles: none can open a report. The embargo
publisher opens one part, a sealed credit, and its role grants every call its run makes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.client import BaseClient
from chalice.test import Client

from chalicelib import bootstrap
from chalicelib.usecases.team import credits, embargo
from tests.builders import (
    ADVISORY_REPORT,
    ATTACHMENT_PART,
    BUCKET,
    MESSAGE_PART,
    REPORT_PART,
    fixed_report,
)
from tests.conftest import PROJECT_DIR
from tests.infra.iam import Call, Template, allows, decrypt, permits

SCHEDULED = ["SlaSweep", "OrphanSweep", "PurgeExpired", "PublishEmbargoes"]
DELETES_VERSIONS = {"OrphanSweep", "PurgeExpired"}
PARTS = ["report", "attachment-0", "message", "reply", "note", "contact", "own-copy", "credit"]
CONTACT_PART = REPORT_PART.replace("report.enc", "contact.enc")
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/reporttable"


def statements(template: dict[str, Any], function: str) -> tuple[Template, list[Any]]:
    cfn = Template(template)
    role = cfn.resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    return cfn, cfn.statements(role)


@pytest.mark.parametrize("function", SCHEDULED)
def test_scheduled_function_cannot_open_reports(template: dict[str, Any], function: str) -> None:
    cfn, granted = statements(template, function)

    opens = {
        part
        for part in PARTS
        if any(
            permits(cfn, s, decrypt({"report_id": "VDP-7K3M-9QX2", "part": part})) for s in granted
        )
    }

    assert opens == ({"credit"} if function == "PublishEmbargoes" else set())
    for statement in granted:
        for blob in (REPORT_PART, ATTACHMENT_PART, MESSAGE_PART, CONTACT_PART):
            assert not allows(cfn, statement, "s3:GetObject", blob), statement["Sid"]


@pytest.mark.parametrize("function", SCHEDULED)
def test_only_the_sweeps_that_remove_blobs_may_delete_versions(
    template: dict[str, Any], function: str
) -> None:
    cfn, granted = statements(template, function)

    deletes = any(allows(cfn, s, "s3:DeleteObjectVersion", REPORT_PART) for s in granted)

    assert deletes == (function in DELETES_VERSIONS)


def as_calls(service: str, operation: str, params: dict[str, Any]) -> list[Call]:
    """The IAM authorizations an API call needs (a transaction: those of its items)."""
    if service == "kms" and operation == "Decrypt":
        return [decrypt(params["EncryptionContext"])]
    if service == "s3":
        return [(f"s3:{operation}", f"{BUCKET}/{params['Key']}", {})]
    if operation == "TransactWriteItems":
        kinds = {"Put": "PutItem", "Update": "UpdateItem"}
        return [
            (f"dynamodb:{kinds[k]}", TABLE, {}) for item in params["TransactItems"] for k in item
        ]
    if service == "dynamodb":
        index = f"/index/{params['IndexName']}" if "IndexName" in params else ""
        return [(f"dynamodb:{operation}", TABLE + index, {})]
    return [(f"{service}:{operation}", "*", {})]  # unexpected: granted nowhere


def test_the_publisher_may_make_every_call_of_a_run_that_publishes_a_credit(
    aws: Any, template: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a consented credit whose embargo date passed an hour ago
    from app import app

    now = datetime.now(UTC).replace(microsecond=0)
    report_id = fixed_report(bootstrap.ports(), ADVISORY_REPORT)
    yesterday = replace(bootstrap.ports(), clock=lambda: now - timedelta(days=1))
    embargo.plan(yesterday, "alice", report_id, now - timedelta(hours=1))
    made: list[Call] = []
    call = BaseClient._make_api_call

    def recorded(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        made.extend(as_calls(self.meta.service_model.signing_name, operation, params))
        return call(self, operation, params)

    # When the hourly function runs, each AWS call recorded
    monkeypatch.setattr(BaseClient, "_make_api_call", recorded)
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as lambdas:
        event = lambdas.events.generate_cw_event("aws.events", "Scheduled Event", {}, [])
        lambdas.lambda_.invoke("publish_embargoes", event)
    monkeypatch.undo()

    # Then the credit is public, and the role grants every call that took
    cfn, granted = statements(template, "PublishEmbargoes")
    assert [c.name for c in credits.public_credits(bootstrap.ports())] == ["grace_h"]
    assert decrypt({"report_id": report_id, "part": "credit"}) in made
    assert [c for c in made if not any(permits(cfn, s, c) for s in granted)] == []
