"""Errors API Gateway answers itself look like ours: same headers, same body shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.web.responses import SECURITY_HEADERS
from vdp.local.api.gateway import GATEWAY_REFUSAL

EXPECTED = {
    "DEFAULT_4XX": (None, "bad_request"),
    "DEFAULT_5XX": ("503", "unavailable"),
    "REQUEST_TOO_LARGE": ("413", "payload_too_large"),
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"),  # what an unknown route gets
    "RESOURCE_NOT_FOUND": ("404", "not_found"),
    "THROTTLED": ("429", "rate_limited"),
}


@pytest.fixture(scope="module")
def responses(resources: dict[str, Any]) -> dict[str, Any]:
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    found: dict[str, Any] = body["x-amazon-apigateway-gateway-responses"]
    return found


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_gateway_response_has_our_status_and_error_shape(
    responses: dict[str, Any], kind: str
) -> None:
    status, code = EXPECTED[kind]
    body = json.loads(responses[kind]["responseTemplates"]["application/json"])

    assert responses[kind].get("statusCode") == status
    assert body == {"error": {"code": code, "message": body["error"]["message"]}}
    assert "$" not in responses[kind]["responseTemplates"]["application/json"]  # no echo


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_gateway_response_carries_our_security_headers(
    responses: dict[str, Any], kind: str
) -> None:
    headers = responses[kind]["responseParameters"]

    for name, value in SECURITY_HEADERS.items():
        assert headers[f"gatewayresponse.header.{name}"] == f"'{value}'"
    assert headers["gatewayresponse.header.Cache-Control"] == "'no-store'"


def test_stage_throttles_and_intake_concurrency_is_capped(resources: dict[str, Any]) -> None:
    [settings] = resources["RestAPI"]["Properties"]["MethodSettings"]
    reserved = resources["APIHandler"]["Properties"]["ReservedConcurrentExecutions"]

    assert (settings["ResourcePath"], settings["HttpMethod"]) == ("/*", "*")
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottleRateLimit"}
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottleBurstLimit"}
    assert reserved["Fn::If"][1] == {"Ref": "IntakeReservedConcurrency"}


def test_vdp_serve_refuses_unparseable_requests_with_the_gateways_own_answer(
    responses: dict[str, Any],
) -> None:
    template = responses["DEFAULT_4XX"]["responseTemplates"]["application/json"]

    assert json.loads(template) == GATEWAY_REFUSAL
