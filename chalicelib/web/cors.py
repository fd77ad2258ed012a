"""CORS allow-list from the policy: an allowed origin is echoed, any other gets nothing.

Chalice's CORSConfig takes a single origin, so preflights are answered by our own
OPTIONS routes and the actual responses get their headers in the middleware.
"""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib import bootstrap
from chalicelib.domain.errors import VdpError

ALLOWED_HEADERS = "Content-Type, Authorization, Idempotency-Key, VDP-Proof"
EXPOSED_HEADERS = "Retry-After"
MAX_AGE_SECONDS = 600
# The routes a browser on another origin may call, with their methods.
METHODS = {
    "/reports": "POST, OPTIONS",
    "/reports/{report_id}": "GET, OPTIONS",
    "/reports/{report_id}/messages": "POST, OPTIONS",
}


def allowed(origin: str | None, allowed_origins: Iterable[str]) -> str | None:
    """The origin itself when the policy lists it (exact match; a policy entry may end
    in a slash, an Origin header never does), else None."""
    if not origin:
        return None
    return origin if origin in {o.rstrip("/") for o in allowed_origins} else None


def response_headers(origin: str | None, allowed_origins: Iterable[str]) -> dict[str, str]:
    """Headers for an actual response; Vary always, since the answer depends on Origin."""
    headers = {"Vary": "Origin"}
    echoed = allowed(origin, allowed_origins)
    if echoed:
        headers["Access-Control-Allow-Origin"] = echoed
        headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    return headers


def preflight_headers(
    origin: str | None, allowed_origins: Iterable[str], route: str
) -> dict[str, str]:
    """Headers answering an OPTIONS preflight for one of the routes in METHODS."""
    headers = {"Vary": "Origin", "Allow": METHODS[route]}
    echoed = allowed(origin, allowed_origins)
    if echoed:
        headers.update(
            {
                "Access-Control-Allow-Origin": echoed,
                "Access-Control-Allow-Methods": METHODS[route],
                "Access-Control-Allow-Headers": ALLOWED_HEADERS,
                "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
            }
        )
    return headers


def configured_origins() -> list[str]:
    """The policy's allowed origins (none while the configuration does not load)."""
    try:
        return list(bootstrap.policy().web.allowed_origins)
    except VdpError:
        return []
