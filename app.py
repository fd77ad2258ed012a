"""vdp's HTTP API: routes only (parse -> use case -> response)."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, Request, Response

from chalicelib import http, wiring
from chalicelib.errors import NotFound

app = Chalice(app_name="vdp")


def current_request() -> Request:
    request = app.current_request
    if request is None:  # pragma: no cover - Chalice sets it before every route
        raise RuntimeError("no request in progress")
    return request


@app.middleware("http")
def security_headers(event: Any, get_response: Any) -> Response:
    return http.finish(get_response(event), event.path)


@app.route("/reports", methods=["POST"], content_types=["application/json"])
@http.guarded
def submit_report() -> Response:
    from chalicelib.service import submit_report

    request = current_request()
    policy = wiring.policy()
    fields = http.json_fields(request, policy.limits.max_body_bytes)
    base = http.base_url(request, wiring.settings().public_url)
    accepted = submit_report(fields, wiring.ports(), base_url=base)
    return http.created(accepted.model_dump(mode="json"))


@app.route("/reports/{report_id}", methods=["GET"])
@http.guarded
def report_status(report_id: str) -> Response:
    from chalicelib.service import reporter_status

    receipt = http.bearer_token(current_request())
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


@app.route("/.well-known/security.txt", methods=["GET"])
@http.guarded
def security_txt() -> Response:
    from chalicelib.securitytxt import render_security_txt

    base = http.base_url(current_request(), wiring.settings().public_url)
    return http.text_response(render_security_txt(wiring.policy(), wiring.clock(), base))
