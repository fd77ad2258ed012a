"""Requests the fuzzers found answered with a 5xx, each kept exactly as sent, with the
answer the contract gives it. They fail until the app answers so."""

from __future__ import annotations

from tests.fuzz.api import FuzzApi
from tests.fuzz.contract import assert_error_shape

ONE_CLICK = {"Content-Type": "application/x-www-form-urlencoded"}


def test_a_non_ascii_unsubscribe_token_is_a_wrong_token(fuzz_api: FuzzApi) -> None:
    """A token is compared with the report's own; one outside ASCII is simply not it."""
    answer, changed = fuzz_api.send(
        "POST", "/unsubscribe?report=VDP-0000-0000&token=%C3%A9", ONE_CLICK,
        b"List-Unsubscribe=One-Click", "/unsubscribe",
    )  # fmt: skip

    assert answer.status_code == 404, answer.body[:300]
    assert_error_shape(answer)
    assert not changed
