"""The no-JavaScript receipt says which protection applied: encrypted at rest, and to the
team's key what the reporter encrypted themselves (no script encrypted anything)."""

from __future__ import annotations

import re
from typing import Any

import pysequoia

from chalicelib.domain.policy.document import DEFAULT_POLICY
from tests.api.helpers import form_post
from tests.builders import FORM_FIELDS


def test_a_form_post_without_javascript_is_encrypted_at_rest_and_says_so(api: Any) -> None:
    page = form_post(api, FORM_FIELDS)

    assert page.status_code == 201
    body = page.body.decode()
    assert '<dd id="r-protection">Encrypted at rest, on our servers</dd>' in body
    assert "in your browser" not in body


def test_a_form_post_with_a_hand_encrypted_field_says_who_encrypted_it(api: Any) -> None:
    # No script ran: the reporter encrypted the description to the team's key themselves.
    team_key = pysequoia.Cert.from_bytes((DEFAULT_POLICY.parent / "demo-team-key.asc").read_bytes())
    sealed = bytes(pysequoia.encrypt(recipients=[team_key], bytes=b"x" * 40)).decode()

    page = form_post(api, {**FORM_FIELDS, "description": sealed})

    assert page.status_code == 201
    body = page.body.decode()
    protection = re.search(r'<dd id="r-protection">([^<]*)</dd>', body)
    assert protection is not None and protection[1] == (
        "The parts you encrypted are encrypted to Example Corp’s key "
        "C373 42B5 B663 4D71 0C2E F133 5C22 797A ADCC 6CAA; all of it is encrypted at rest"
    )
    assert "in your browser" not in body
