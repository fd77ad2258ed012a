"""The public API contract's error shape (docs/api.md), checked from outside."""

from __future__ import annotations

import json
import re
from typing import Any

# The contract's error codes and their statuses (docs/api.md), not the implementation's table.
CONTRACT_CODES = {
    "bad_json": 400,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "validation_failed": 422,
    "proof_required": 428,  # proof-of-work, when the policy asks for it
    "rate_limited": 429,
    "unavailable": 503,
}
# How an error may name a field: a path of our names (list indexes included), an
# unknown name's placeholder, the body itself, or the idempotency header.
_SEGMENT = r"(?:[A-Za-z0-9_]{1,64}|\(unknown field\))"
FIELD = re.compile(rf"\(body\)|Idempotency-Key|{_SEGMENT}(?:\.{_SEGMENT})*")


def assert_error_shape(answer: Any) -> None:
    """An error answer as docs/api.md gives it, naming fields without echoing input."""
    assert answer.headers["Content-Type"].startswith("application/json")
    body = json.loads(answer.body)
    assert set(body) == {"error"}
    error = body["error"]
    assert {"code", "message"} <= set(error) <= {"code", "message", "fields"}
    assert CONTRACT_CODES.get(error["code"]) == answer.status_code, error
    assert isinstance(error["message"], str) and error["message"]
    if error["code"] == "validation_failed":
        assert error["fields"]
    for problem in error.get("fields", []):
        assert set(problem) == {"field", "message"}
        assert FIELD.fullmatch(problem["field"]), problem["field"]
