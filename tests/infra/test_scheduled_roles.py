"""Scheduled functions run with their own small roles: none can open a report."""

from __future__ import annotations

from typing import Any

import pytest

from tests.builders import ATTACHMENT_PART, KEY, REPORT_PART
from tests.infra.iam import Template, allows

SCHEDULED = ["SlaSweep", "OrphanSweep", "PurgeExpired", "PublishEmbargoes"]
DELETES_VERSIONS = {"OrphanSweep", "PurgeExpired"}


def statements(template: dict[str, Any], function: str) -> tuple[Template, list[Any]]:
    cfn = Template(template)
    role = cfn.resources[function]["Properties"]["Role"]["Fn::GetAtt"][0]
    return cfn, cfn.statements(role)


@pytest.mark.parametrize("function", SCHEDULED)
def test_scheduled_function_cannot_open_reports(template: dict[str, Any], function: str) -> None:
    cfn, granted = statements(template, function)

    for statement in granted:
        if allows(cfn, statement, "kms:Decrypt", KEY):
            assert "sns." in str(statement["Condition"]["StringEquals"]["kms:ViaService"])
        for part in (REPORT_PART, ATTACHMENT_PART):
            assert not allows(cfn, statement, "s3:GetObject", part), statement["Sid"]


@pytest.mark.parametrize("function", SCHEDULED)
def test_only_the_sweeps_that_remove_blobs_may_delete_versions(
    template: dict[str, Any], function: str
) -> None:
    cfn, granted = statements(template, function)

    deletes = any(allows(cfn, s, "s3:DeleteObjectVersion", REPORT_PART) for s in granted)

    assert deletes == (function in DELETES_VERSIONS)
