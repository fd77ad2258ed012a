"""Encrypted content the team could not open is refused over HTTP: a message to another
key, damaged armor, and a signed but unencrypted message each get a 422 that names the
field, whether posted as JSON or as a browser's multipart form, and nothing is stored.
A team reply to a reporter who gave a key reaches their status page only as armor."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlencode

import pysequoia
import pytest

from tests.api.helpers import HTML_ACCEPT, error_of, multipart, post_report, reports_stored
from tests.builders import API_REPORT, FORM_FIELDS

TEXT = b"GET /export?file=../../etc/passwd returns the server's passwd file."
OTHER = pysequoia.Tsk.generate("Mallory <mallory@example.org>")


def to_another_key() -> str:
    return bytes(pysequoia.encrypt(recipients=[OTHER.extract_certificate()], bytes=TEXT)).decode()


def malformed() -> str:
    return "-----BEGIN PGP MESSAGE-----\n\nbm90IGEgbWVzc2FnZQ==!\n-----END PGP MESSAGE-----\n"


def signed_only() -> str:
    return bytes(pysequoia.sign(OTHER.signer(), TEXT)).decode()


MESSAGES = {
    "to another key": (to_another_key, "not encrypted to our published key"),
    "malformed armor": (malformed, "not a well-formed OpenPGP message"),
    "signed, not encrypted": (signed_only, "is not encrypted (signed or plain"),
}
CASES = [(field, kind) for field in ("description", "impact") for kind in MESSAGES]


def named(error: dict[str, Any], field: str, words: str) -> bool:
    return any(p["field"] == field and words in p["message"] for p in error["fields"])


@pytest.mark.parametrize(("field", "kind"), CASES)
def test_as_json_the_field_is_named_in_a_422(api: Any, field: str, kind: str) -> None:
    make, words = MESSAGES[kind]

    answer = post_report(api, {**API_REPORT, field: make()})

    assert answer.status_code == 422
    error = error_of(answer)
    assert error["code"] == "validation_failed"
    assert [p["field"] for p in error["fields"]] == [field] and named(error, field, words)
    assert reports_stored() == []


@pytest.mark.parametrize(("field", "kind"), CASES)
def test_as_a_multipart_form_the_field_is_named_in_a_422(api: Any, field: str, kind: str) -> None:
    make, words = MESSAGES[kind]
    headers, body = multipart({**FORM_FIELDS, field: make()}, [])

    as_json = api.post("/reports", headers={**headers, "Accept": "application/json"}, body=body)
    page = api.post("/reports", headers={**headers, "Accept": HTML_ACCEPT}, body=body)

    assert as_json.status_code == 422 and named(error_of(as_json), field, words)
    html = page.body.decode()
    assert page.status_code == 422
    control = f"f-{field.replace('_', '-')}"
    assert f'<p class="vdp-error" id="{control}-error">' in html and words in html
    assert reports_stored() == []


@pytest.mark.parametrize("kind", sorted(MESSAGES))
def test_an_encrypted_file_the_team_cannot_open_is_refused_as_attachments(
    api: Any, kind: str
) -> None:
    make, words = MESSAGES[kind]
    headers, body = multipart(FORM_FIELDS, [("attachment-1.pgp", make().encode())])

    answer = api.post("/reports", headers={**headers, "Accept": "application/json"}, body=body)

    assert answer.status_code == 422, answer.body
    error = error_of(answer)
    assert [p["field"] for p in error["fields"]] == ["attachments"]
    assert named(error, "attachments", words)
    assert json.dumps(error).count("BEGIN PGP") == 0  # nothing submitted comes back


REPLY = "We reproduced the traversal; a fix ships on Monday. Reply canary 3e9d."


def test_the_status_page_shows_a_reply_to_the_reporters_key_as_armor_with_a_copy_button(
    api: Any,
) -> None:
    from chalicelib import bootstrap
    from chalicelib.usecases.team.triage import TO_REPORTERS_KEY, reply

    reporter = pysequoia.Tsk.generate("Rae <rae@example.org>")
    public_key = str(reporter.extract_certificate())
    accepted = json.loads(
        post_report(api, {**API_REPORT, "reporter": {"pgp_key": public_key}}).body
    )
    event = reply(bootstrap.ports(), "arn:aws:iam::123456789012:user/ann", accepted["report_id"],
                  REPLY)  # fmt: skip

    page = api.post(
        "/status",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html"},
        body=urlencode({"report_id": accepted["report_id"], "receipt": accepted["receipt"]}),
    )
    body = page.body.decode()
    block = re.search(r'<pre id="(r-reply-\d+)" class="vdp-armored" tabindex="0" '
                      r'aria-label="Encrypted reply">([^<]*)</pre>', body)  # fmt: skip

    assert page.status_code == 200 and event.detail == TO_REPORTERS_KEY
    assert block is not None and REPLY not in body and "canary" not in body
    armored = html.unescape(block[2])
    assert armored.startswith("-----BEGIN PGP MESSAGE-----")
    opened = pysequoia.decrypt(decryptor=reporter.decryptor(), bytes=armored.encode())
    assert bytes(opened.bytes).decode() == REPLY  # the reporter's own key opens it
    copy = f'<button type="button" class="vdp-copy" data-copy="{block[1]}" hidden>Copy</button>'
    assert copy in body  # hidden until status.js can copy it
    assert "encrypted to your OpenPGP key" in body
