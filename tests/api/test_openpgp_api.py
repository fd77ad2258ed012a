"""Encrypted content the team could not open is refused over HTTP: a message to another
key, damaged armor, and a signed but unencrypted message each get a 422 that names the
field, whether posted as JSON or as a browser's multipart form, and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

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
