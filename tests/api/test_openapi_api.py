"""GET /openapi.json against the app itself: every route, body, header and status the
document describes is checked against what the app answers, so the two cannot drift."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from chalicelib.domain.policy.sections import Abuse, Limits
from chalicelib.usecases.reporter.proof import solve
from chalicelib.web import cors
from chalicelib.web.form_fields import FILE_FIELD, KEY_FIELD, MULTIPART, URLENCODED
from chalicelib.web.openapi.document import document
from tests.api.helpers import JSON, error_of, form_post, multipart, post_report, use_policy
from tests.builders import API_REPORT, FORM_FIELDS
from tests.conftest import boto

DOC = document()
SCHEMAS = DOC["components"]["schemas"]
CONTROL = re.compile(r'<(?:input|textarea|select)\b[^>]*\bname="([^"]+)"')


def problems(instance: Any, schema: dict[str, Any]) -> list[str]:
    """What the document's schema finds wrong with a value (its $refs resolved)."""
    root = {**schema, "components": DOC["components"]}
    validator = Draft202012Validator(root, format_checker=FormatChecker())
    return [error.message for error in validator.iter_errors(instance)]


def conforms(response: Any, method: str, route: str) -> Any:
    """Assert the answer is one the document describes: status, media type, headers, body."""
    described = DOC["paths"][route][method]["responses"].get(str(response.status_code))
    assert described, f"{method.upper()} {route} answered an undocumented {response.status_code}"
    headers = {name.lower(): value for name, value in response.headers.items()}
    declared = {name.lower() for name in described.get("headers", {})}
    assert {"retry-after", "allow"} & set(headers) <= declared, "an undocumented header"
    for name, header in described.get("headers", {}).items():
        value = headers.get(name.lower())
        assert value is not None or not header.get("required"), f"{name} missing"
        if value is not None and header["schema"].get("type") == "integer":
            assert problems(int(value), header["schema"]) == []
    content = described.get("content", {})
    if not content:
        assert not response.body
        return None
    media = headers["content-type"].split(";")[0].strip()
    assert media in content, f"{media} is not documented for {response.status_code}"
    if media != "application/json":
        return response.body
    body = json.loads(response.body)
    assert problems(body, content[media]["schema"]) == []
    return body


def request_problems(route: str, media: str, body: Any) -> list[str]:
    return problems(body, DOC["paths"][route]["post"]["requestBody"]["content"][media]["schema"])


def with_attachment(data: str) -> dict[str, Any]:
    return {**API_REPORT, "attachments": [{"filename": "proof.txt", "data": data}]}


def receipt_of(api: Any) -> tuple[str, dict[str, str]]:
    accepted = conforms(post_report(api), "post", "/reports")
    return accepted["report_id"], {**JSON, "Authorization": f"Bearer {accepted['receipt']}"}


# --- The document itself ----------------------------------------------------------------


def test_document_is_valid_openapi_3_1() -> None:
    from openapi_spec_validator import validate

    validate(DOC)
    assert DOC["openapi"] == "3.1.0"
    for schema in SCHEMAS.values():
        Draft202012Validator.check_schema(schema)


def test_every_route_and_method_is_documented_and_nothing_else(api) -> None:
    from app import app

    served = {(path, method.lower()) for path, entry in app.routes.items() for method in entry}
    documented = {(path, method) for path, item in DOC["paths"].items() for method in item}

    assert documented == served
    assert json.loads(api.get("/openapi.json").body) == json.loads(json.dumps(DOC))


# --- 1. Attachment data is base64 text ----------------------------------------------------


def test_attachment_data_is_documented_as_base64_text() -> None:
    data = SCHEMAS["Attachment"]["properties"]["data"]

    assert data["type"] == "string" and data["contentEncoding"] == "base64"
    assert "format" not in data and "base64" in data["description"]


@pytest.mark.parametrize(
    ("data", "status"),
    [("aGVsbG8=", 201), ("aGVsbG8", 422), ("hello world", 422), ("aGV-bG8_", 422),
     ("aGVs\nbG8=", 422)],
    ids=["padded", "unpadded", "raw text", "url-safe alphabet", "line break"],
)  # fmt: skip
def test_only_padded_standard_base64_is_accepted(api, data: str, status: int) -> None:
    body = with_attachment(data)

    response = post_report(api, body)

    assert response.status_code == status
    conforms(response, "post", "/reports")
    if status == 422:
        assert error_of(response)["fields"][0] == {
            "field": "attachments.0.data",
            "message": "Each attachment’s data must be base64-encoded.",
        }
    if request_problems("/reports", "application/json", body):  # refused by the document
        assert status == 422


# --- 2. 413 is the body limit; attachment limits are 422 ----------------------------------


def test_413_is_for_the_body_and_attachment_limits_are_422_in_the_document() -> None:
    responses = DOC["paths"]["/reports"]["post"]["responses"]
    limits = Limits()

    assert f"{limits.max_body_bytes // 2**20} MB" in responses["413"]["description"]
    assert "are 422, not 413" in responses["413"]["description"]
    assert f"at most {limits.max_attachments} files" in responses["422"]["description"]
    assert f"{limits.max_attachment_bytes // 2**20} MB in total" in responses["422"]["description"]


@pytest.mark.parametrize(
    "attachments",
    [[{"filename": f"f{n}.txt", "data": "eA=="} for n in range(6)],
     [{"filename": "big.bin", "data": base64.b64encode(b"x" * (4 * 2**20 + 1)).decode()}]],
    ids=["six files", "over 4 MB decoded"],
)  # fmt: skip
def test_too_many_or_too_large_attachments_answer_422(api, attachments) -> None:
    response = post_report(api, {**API_REPORT, "attachments": attachments})

    assert response.status_code == 422
    assert [f["field"] for f in conforms(response, "post", "/reports")["error"]["fields"]] == [
        "attachments"
    ]


def test_a_body_over_the_limit_answers_413(api) -> None:
    response = post_report(api, {**API_REPORT, "description": "x" * Limits().max_body_bytes})

    assert response.status_code == 413
    assert conforms(response, "post", "/reports")["error"]["code"] == "payload_too_large"


# --- 3. The form encodings and the HTML receipt page --------------------------------------


def test_form_encodings_use_the_form_pages_control_names(api) -> None:
    page = api.get("/form").body.decode()
    report_form = page[page.index('<form id="vdp-report"') : page.index("</form>")]
    controls = set(CONTROL.findall(report_form))
    content = DOC["paths"]["/reports"]["post"]["requestBody"]["content"]

    assert set(content) == {"application/json", URLENCODED, MULTIPART}
    assert set(SCHEMAS["ReportFormWithFiles"]["properties"]) == controls
    assert set(SCHEMAS["ReportForm"]["properties"]) == controls - {FILE_FIELD}
    assert request_problems("/reports", URLENCODED, FORM_FIELDS) == []
    assert request_problems("/reports", URLENCODED, {**FORM_FIELDS, KEY_FIELD: "x" * 129})


@pytest.mark.parametrize(("accept", "media"), [("text/html", "text/html"), (JSON["Content-Type"],
                         "application/json")])  # fmt: skip
def test_urlencoded_form_post_answers_as_documented(api, accept: str, media: str) -> None:
    response = form_post(api, FORM_FIELDS, accept=accept)

    assert response.status_code == 201
    assert response.headers["Content-Type"].startswith(media)
    conforms(response, "post", "/reports")


def test_multipart_post_with_files_answers_as_documented(api) -> None:
    headers, body = multipart(FORM_FIELDS, [("proof.txt", b"GET /export?file=../../etc/passwd")])

    response = api.post("/reports", headers=headers, body=body)

    assert response.status_code == 201
    conforms(response, "post", "/reports")
    files = SCHEMAS["ReportFormWithFiles"]["properties"][FILE_FIELD]
    assert files["items"]["contentMediaType"] == "application/octet-stream"


def test_an_invalid_form_post_gets_the_form_page_with_its_status(api) -> None:
    fields = {**FORM_FIELDS, "title": "abc"}

    response = form_post(api, fields)

    assert request_problems("/reports", URLENCODED, fields)
    assert response.status_code == 422
    assert "<form" in conforms(response, "post", "/reports").decode()


# --- 4. Idempotency-Key and VDP-Proof ------------------------------------------------------


def header_parameters() -> dict[str, dict[str, Any]]:
    parameters = DOC["paths"]["/reports"]["post"]["parameters"]
    return {p["name"]: p for p in parameters if p["in"] == "header"}


def test_request_headers_are_declared_and_allowed_across_origins() -> None:
    allowed = {name.strip().lower() for name in cors.ALLOWED_HEADERS.split(",")}

    assert set(header_parameters()) == {"Idempotency-Key", "VDP-Proof"}
    assert {name.lower() for name in header_parameters()} <= allowed
    assert "428" in DOC["paths"]["/reports"]["post"]["responses"]


def test_idempotency_key_returns_the_original_answer_and_is_checked(api) -> None:
    schema = header_parameters()["Idempotency-Key"]["schema"]
    key, too_long = "retry-7f3a", "k" * 129

    first = conforms(post_report(api, headers={**JSON, "Idempotency-Key": key}), "post", "/reports")
    again = conforms(post_report(api, headers={**JSON, "Idempotency-Key": key}), "post", "/reports")
    refused = post_report(api, headers={**JSON, "Idempotency-Key": too_long})
    from_form = form_post(api, {**FORM_FIELDS, KEY_FIELD: too_long}, accept="application/json")
    empty = post_report(api, headers={**JSON, "Idempotency-Key": ""})

    assert (again["report_id"], again["receipt"]) == (first["report_id"], first["receipt"])
    assert problems(key, schema) == [] and problems(too_long, schema) and not problems("", schema)
    assert refused.status_code == from_form.status_code == 422
    for response in (refused, from_form):
        assert conforms(response, "post", "/reports")["error"]["fields"][0]["field"] == (
            "Idempotency-Key"
        )
    assert empty.status_code == 201


def test_vdp_proof_is_asked_for_with_428_and_accepted_when_solved(
    api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_policy(tmp_path, monkeypatch, proof_of_work='"always"')
    puzzle = conforms(api.get("/challenge"), "get", "/challenge")

    refused = post_report(api)
    proof = solve(puzzle["challenge"], puzzle["difficulty"])
    proven = post_report(api, headers={**JSON, "VDP-Proof": proof})

    assert puzzle["required"] is True
    assert refused.status_code == 428
    assert conforms(refused, "post", "/reports")["error"]["code"] == "proof_required"
    assert proven.status_code == 201
    conforms(proven, "post", "/reports")


def test_a_proof_is_ignored_when_none_is_needed(api) -> None:
    puzzle = conforms(api.get("/challenge"), "get", "/challenge")

    response = post_report(api, headers={**JSON, "VDP-Proof": "not a proof"})

    assert puzzle["required"] is False
    assert response.status_code == 201


# --- 5. /health ---------------------------------------------------------------------------


def test_health_answers_as_documented(api) -> None:
    ready = api.get("/health")
    sqs = boto("sqs")
    sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName="vdp-local-team")["QueueUrl"])
    unready = api.get("/health")

    assert conforms(ready, "get", "/health")["status"] == "ok"
    assert unready.status_code == 503
    body = conforms(unready, "get", "/health")
    assert body["error"]["code"] == "unavailable" and body["resources"]["team_queue"] is False


# --- Every other route and status ---------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "route", "accept", "status"),
    [("/form", "/form", "", 200), ("/status", "/status", "", 200),
     ("/embed.js", "/embed.js", "", 200), ("/assets/form.js", "/assets/{name}", "", 200),
     ("/assets/form.css", "/assets/{name}", "", 200),
     ("/assets/page.html", "/assets/{name}", "", 404),
     ("/.well-known/security.txt", "/.well-known/security.txt", "", 200),
     ("/acknowledgments", "/acknowledgments", "text/html", 200),
     ("/acknowledgments", "/acknowledgments", "application/json", 200),
     ("/challenge", "/challenge", "", 200), ("/openapi.json", "/openapi.json", "", 200)],
)  # fmt: skip
def test_pages_and_assets_answer_as_documented(api, path, route, accept, status) -> None:
    response = api.get(path, headers={"Accept": accept} if accept else {})

    assert response.status_code == status
    conforms(response, "get", route)


def test_documented_asset_names_are_the_served_ones(api) -> None:
    names = DOC["paths"]["/assets/{name}"]["get"]["parameters"][0]["schema"]["enum"]

    assert all(api.get(f"/assets/{name}").status_code == 200 for name in names)


def test_report_view_and_follow_ups_answer_as_documented(api) -> None:
    report_id, auth = receipt_of(api)
    messages = f"/reports/{report_id}/messages"
    answers = {
        ("get", "/reports/{report_id}", 200): api.get(f"/reports/{report_id}", headers=auth),
        ("get", "/reports/{report_id}", 404): api.get(f"/reports/{report_id}"),
        ("post", "/reports/{report_id}/messages", 201): api.post(
            messages, headers=auth, body=json.dumps({"message": "Any news?"})
        ),
        ("post", "/reports/{report_id}/messages", 400): api.post(messages, headers=auth, body="{"),
        ("post", "/reports/{report_id}/messages", 404): api.post(
            messages, headers=JSON, body=json.dumps({"message": "Any news?"})
        ),
        ("post", "/reports/{report_id}/messages", 415): api.post(
            messages, headers={**auth, "Content-Type": "text/plain"}, body="Any news?"
        ),
        ("post", "/reports/{report_id}/messages", 422): api.post(
            messages, headers=auth, body=json.dumps({"message": ""})
        ),
    }

    for (method, route, status), response in answers.items():
        assert response.status_code == status, (method, route)
        conforms(response, method, route)


@pytest.mark.parametrize("route", sorted(cors.METHODS))
def test_preflights_answer_as_documented(api, route: str) -> None:
    path = route.replace("{report_id}", "VDP-7K3M-9QX2")

    response = api.options(path, headers={"Origin": "http://127.0.0.1:8001"})

    assert response.status_code == 204
    conforms(response, "options", route)
    assert response.headers["Allow"] == cors.METHODS[route]


def test_submission_errors_answer_as_documented(api) -> None:
    answers = {
        400: post_report(api, "{"),
        415: post_report(api, "x", headers={"Content-Type": "text/plain"}),
        422: post_report(api, {**API_REPORT, "severity": "urgent"}),
    }

    for status, response in answers.items():
        assert response.status_code == status
        conforms(response, "post", "/reports")
    assert request_problems("/reports", "application/json", {**API_REPORT, "severity": "urgent"})


@pytest.mark.parametrize("blank", [{"bounty_interest": None}, {"severity": " "},
                                   {"reporter": ""}, {"attachments": None}])  # fmt: skip
def test_null_or_blank_optional_fields_are_documented_as_accepted(api, blank) -> None:
    body = {**API_REPORT, **blank}

    response = post_report(api, body)

    assert response.status_code == 201
    assert request_problems("/reports", "application/json", body) == []


def test_rate_limit_answers_429_with_retry_after_in_json_and_as_a_page(api) -> None:
    answers = [post_report(api) for _ in range(Abuse().reports_per_hour_per_source + 1)]
    page = form_post(api, FORM_FIELDS)

    assert answers[-1].status_code == page.status_code == 429
    conforms(answers[-1], "post", "/reports")
    conforms(page, "post", "/reports")


def test_storage_failures_answer_503_with_retry_after(api) -> None:
    report_id, auth = receipt_of(api)
    s3 = boto("s3")
    for version in s3.list_object_versions(Bucket="vdp-local-reports")["Versions"]:
        s3.delete_object(
            Bucket="vdp-local-reports", Key=version["Key"], VersionId=version["VersionId"]
        )
    s3.delete_bucket(Bucket="vdp-local-reports")
    boto("dynamodb").delete_table(TableName="vdp-local")

    answers = {
        ("post", "/reports"): post_report(api),
        ("get", "/reports/{report_id}"): api.get(f"/reports/{report_id}", headers=auth),
        ("post", "/reports/{report_id}/messages"): api.post(
            f"/reports/{report_id}/messages", headers=auth, body=json.dumps({"message": "Hi"})
        ),
        ("get", "/challenge"): api.get("/challenge"),
        ("get", "/acknowledgments"): api.get("/acknowledgments"),
    }

    for (method, route), response in answers.items():
        assert response.status_code == 503, route
        conforms(response, method, route)
