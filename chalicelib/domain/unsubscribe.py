"""One-click unsubscribe tokens: bound to one report, signed with the service's secret."""

from __future__ import annotations

import base64
import hashlib
import hmac


def unsubscribe_token(secret: bytes, report_id: str) -> str:
    """The token a report's mails carry in their List-Unsubscribe link."""
    digest = hmac.new(secret, f"unsubscribe:{report_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def valid_unsubscribe(secret: bytes, report_id: str, token: str) -> bool:
    # As bytes: compare_digest refuses str with non-ASCII characters (a TypeError), and a
    # token from a link may hold any.
    given = token.encode("utf-8", "replace")
    return hmac.compare_digest(unsubscribe_token(secret, report_id).encode(), given)
