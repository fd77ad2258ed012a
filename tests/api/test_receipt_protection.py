"""The no-JavaScript receipt says which protection applied: encrypted at rest only."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import form_post
from tests.builders import FORM_FIELDS


def test_a_form_post_without_javascript_is_encrypted_at_rest_and_says_so(api: Any) -> None:
    page = form_post(api, FORM_FIELDS)

    assert page.status_code == 201
    body = page.body.decode()
    assert '<dd id="r-protection">Encrypted at rest, on our servers</dd>' in body
    assert "in your browser" not in body
