"""vdp's HTTP API: routes only (parse -> use case -> response)."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib import http, wiring
from chalicelib.errors import NotFound

app = Chalice(app_name="vdp")


@app.middleware("http")
def security_headers(event: Any, get_response: Any) -> Response:
    return http.finish(get_response(event), event.path)


@app.route("/reports", methods=["POST"], content_types=["application/json"])
@http.guarded
def submit_report() -> Response:
    from chalicelib.service import submit_report

    request = app.current_request
    policy = wiring.policy()
    fields = http.json_fields(request, policy.limits.max_body_bytes)
    base = http.base_url(request, wiring.settings().public_url)
    accepted = submit_report(fields, wiring.ports(), base_url=base)
    return http.created(accepted.model_dump(mode="json"))


@app.route("/reports/{report_id}", methods=["GET"])
@http.guarded
def report_status(report_id: str) -> Response:
    from chalicelib.service import reporter_status

    receipt = http.bearer_token(app.current_request)
    if not receipt:
        raise NotFound()
    view = reporter_status(report_id, receipt, wiring.ports())
    return http.json_response(view.model_dump(mode="json"))


@app.route("/health", methods=["GET"])
@http.guarded
def health() -> Response:
    from chalicelib.health import check

    ready, detail = check()
    return http.readiness(ready, detail)


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    from chalicelib.openapi import document

    return http.json_response(document())
