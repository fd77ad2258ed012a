"""schemathesis against /openapi.json on a running `vdp serve`: every operation the document
describes, with generated valid and invalid input, answers without a 5xx and as described.

The stack keeps the e2e tests' policy, where twenty failed receipt checks an hour are
enough: random receipts meet the 429 answers too (the in-process suites go deeper)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi import checks

from chalicelib.web.openapi.document import document
from tests.e2e.conftest import Stack, start_stack, stop_stack
from tests.e2e.httpclient import request
from tests.fuzz.conformance import SCHEMA, violations
from tests.fuzz.conftest import EXAMPLES
from tests.fuzz.tally import SCHEMATHESIS, TALLY

pytestmark = pytest.mark.e2e

# Besides conformance (conformance.py): no 5xx, and input that violates the document must
# be refused. positive_data_acceptance is left out on purpose: the document cannot say
# everything the server checks (the policy's products, CVSS vector grammar).
CHECKS = [schemathesis.checks.not_a_server_error, checks.negative_data_rejection]
DECOY_CHECKS = [schemathesis.checks.not_a_server_error]


@pytest.fixture(scope="module")
def running_stack() -> Iterator[Stack]:
    stack = start_stack()
    yield stack
    stop_stack(stack)


def test_the_stack_serves_this_document(running_stack: Stack) -> None:
    answer = request("GET", f"{running_stack.api}/openapi.json")
    assert answer.status == 200
    assert answer.json() == json.loads(json.dumps(document()))


# (schemathesis 4.32's lazy `from_fixture` loader breaks on pytest 9: it sets node._nodeid.)
@SCHEMA.parametrize()
@settings(
    max_examples=max(EXAMPLES // 10, 10),  # per operation
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_openapi_document(case: Any, running_stack: Stack) -> None:
    response = case.call(base_url=running_stack.api, timeout=30)
    failures = violations(case, response)
    operation = f"{case.method.upper()} {case.operation.path}"
    count = len(failures.exceptions) if failures else 0
    TALLY.record(operation, SCHEMATHESIS, response.status_code, count)
    if failures:
        raise failures
    case.validate_response(response, checks=CHECKS if not _honeypot(case) else DECOY_CHECKS)


def _honeypot(case: Any) -> bool:
    """A filled honeypot gets a normal-looking 201 whatever else is wrong (docs/api.md)."""
    website = case.body.get("website") if isinstance(case.body, dict) else None
    return isinstance(website, str) and bool(website.strip())


# schemathesis found these answered by http.server itself (501, HTML) before vdp serve
# routed every method to the app.
@pytest.mark.parametrize("method", ["TRACE", "QUERY", "CONNECT"])
def test_other_methods_are_refused_in_our_shape(running_stack: Stack, method: str) -> None:
    answer = request(method, f"{running_stack.api}/reports")
    assert answer.status in (404, 405)
    assert set(answer.json()) == {"error"}
