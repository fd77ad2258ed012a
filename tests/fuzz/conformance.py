"""Every fuzzed answer held against /openapi.json, whichever suite sent the request, with
schemathesis's own response checks: a documented status code, a documented content type,
the documented headers, and a body that fits the documented schema. One failed check on
one answer is one schema violation."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import requests
import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.core.transport import Response
from schemathesis.specs.openapi import checks

from chalicelib.web.openapi.document import document

# A copy: schemathesis writes what it infers into the schema it is given.
SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(document())))
OPERATIONS = tuple(
    f"{method.upper()} {path}" for path, item in document()["paths"].items() for method in item
)
CONFORMANCE = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def violations(case: Any, response: Any) -> FailureGroup | None:
    """The conformance checks' failures on this answer to this case, if any."""
    try:
        case.validate_response(response, checks=CONFORMANCE)
    except FailureGroup as failures:
        return failures
    return None


@cache
def blank_case(operation: str) -> Any:
    """A case of the operation with nothing generated: the checks read only its operation."""
    method, path = operation.split(" ", 1)
    template = {name: "x" for name in re.findall(r"{(\w+)}", path)}
    return SCHEMA[path][method].Case(path_parameters=template)


def from_test_client(method: str, path: str, body: bytes, answer: Any) -> Response:
    """chalice's test client answer as schemathesis reads answers. The request beside it
    serves only a failure's report, so it goes without headers (requests refuses some of
    the fuzzed ones)."""
    sent = requests.Request(method, f"http://vdp.test{path}", data=body).prepare()
    received = {
        name: value if isinstance(value, list) else [value]
        for name, value in answer.headers.items()
    }
    return Response(answer.status_code, received, answer.body, sent, 0.0, verify=True)
