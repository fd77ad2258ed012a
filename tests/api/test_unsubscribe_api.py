"""One-click unsubscribe over HTTP (RFC 8058): a mail client's POST, or the page's button."""

from __future__ import annotations

import json
from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.unsubscribe import unsubscribe_token
from tests.conftest import boto

ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def submitted(api: Any) -> str:
    body = {
        "title": "Open redirect on login",
        "description": "The next parameter of /login accepts any external URL.",
        "product": "example-app",
        "policy_accepted": True,
        "reporter": {"email": "reporter@example.org"},
    }
    answer = api.post(
        "/reports", body=json.dumps(body), headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 201
    return str(json.loads(answer.body)["report_id"])


def opted_out(report_id: str) -> bool:
    item = boto("dynamodb").get_item(
        TableName="vdp-local", Key={"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}}
    )["Item"]
    return item.get("mail_opt_out", {}).get("BOOL") is True


def test_the_link_opens_a_page_with_a_button_and_changes_nothing(api: Any) -> None:
    report_id = submitted(api)
    token = unsubscribe_token(bootstrap.ports().secret(), report_id)

    page = api.get(f"/unsubscribe?report={report_id}&token={token}")

    assert page.status_code == 200
    assert b'method="post"' in page.body and b"Unsubscribe" in page.body
    assert not opted_out(report_id)


def test_one_click_post_stops_mail_about_that_report_only(api: Any) -> None:
    first, second = submitted(api), submitted(api)
    token = unsubscribe_token(bootstrap.ports().secret(), first)

    answer = api.post(
        f"/unsubscribe?report={first}&token={token}",
        body="List-Unsubscribe=One-Click",
        headers=ONE_CLICK,
    )
    again = api.post(
        f"/unsubscribe?report={first}&token={token}",
        body="List-Unsubscribe=One-Click",
        headers=ONE_CLICK,
    )

    assert answer.status_code == 200 and again.status_code == 200
    assert b"no more mail" in answer.body
    assert opted_out(first) and not opted_out(second)


def test_a_wrong_token_or_unknown_report_is_the_same_404(api: Any) -> None:
    report_id = submitted(api)
    other = unsubscribe_token(bootstrap.ports().secret(), "VDP-AAAA-AAAA")
    cases = [
        f"/unsubscribe?report={report_id}&token={other}",
        f"/unsubscribe?report=VDP-AAAA-AAAA&token={other}",
        f"/unsubscribe?report={report_id}",
        "/unsubscribe",
    ]

    answers = [
        api.post(path, body="List-Unsubscribe=One-Click", headers=ONE_CLICK) for path in cases
    ]

    assert {a.status_code for a in answers} == {404}
    assert len({a.body for a in answers}) == 1
    assert not opted_out(report_id)
