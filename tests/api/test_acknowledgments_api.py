"""GET /acknowledgments: only published, consented credits, from the public object."""

import json
from typing import Any

import pytest

from chalicelib import bootstrap
from chalicelib.domain.errors import ValidationFailed
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.triage import change_status
from tests.api.helpers import post_report
from tests.builders import API_REPORT
from tests.conftest import boto

CREDITED = {**API_REPORT, "credit": {"wants_credit": True, "name": "linus_t"}}
DECLINED = {**API_REPORT, "reporter": {"name": "Margaret"}, "credit": {"wants_credit": False}}
ANONYMOUS = {key: value for key, value in API_REPORT.items() if key != "reporter"}


def submitted(api: Any, body: dict[str, Any]) -> str:
    report_id: str = json.loads(post_report(api, body).body)["report_id"]
    change_status(bootstrap.ports(), "alice", report_id, "acknowledged")
    return report_id


def test_page_lists_published_credits_only(api: Any) -> None:
    # Given: three reports; the credited one published, the others refused
    credited = submitted(api, CREDITED)
    for report_id in (submitted(api, DECLINED), submitted(api, ANONYMOUS)):
        with pytest.raises(ValidationFailed):
            credits.publish(bootstrap.ports(), report_id, "alice")
    assert (
        json.loads(api.get("/acknowledgments", headers={"Accept": "application/json"}).body) == []
    )
    credits.publish(bootstrap.ports(), credited, "alice")

    # When
    page = api.get("/acknowledgments")
    listed = api.get("/acknowledgments", headers={"Accept": "application/json"})

    # Then
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "linus_t" in page.body.decode() and "Margaret" not in page.body.decode()
    assert "Linus" not in page.body.decode()  # the credit name, not the contact name
    assert [entry["name"] for entry in json.loads(listed.body)] == ["linus_t"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_public_object_is_plaintext_under_sse_s3(api: Any) -> None:
    credits.publish(bootstrap.ports(), submitted(api, CREDITED), "alice")

    head = boto("s3").head_object(Bucket="vdp-local-reports", Key=credits.PUBLIC_KEY)

    assert head["ServerSideEncryption"] == "AES256" and head["ContentType"] == "application/json"
