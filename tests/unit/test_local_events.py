"""The local stack's Lambda events: each request carries its own id, as API Gateway's do."""

from __future__ import annotations

from chalice.local import RouteMatcher

from vdp.local.api.gateway import _Events


def test_each_local_request_gets_its_own_request_id() -> None:
    events = _Events(RouteMatcher(["/reports/{report_id}"]), [])

    ids = {
        events.create_lambda_event("GET", "/reports/VDP-0000-0000", {})["requestContext"][
            "requestId"
        ]
        for _ in range(50)
    }

    assert len(ids) == 50
