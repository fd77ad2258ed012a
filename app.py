"""vdp's HTTP API: routes only (parse -> use case -> response)."""

from __future__ import annotations

import time
from typing import Any

from chalice.app import Chalice, DynamoDBEvent, Rate, Request, Response

from chalicelib import bootstrap, config, snapstart
from chalicelib.domain import language
from chalicelib.domain.errors import NotFound, VdpError
from chalicelib.web import cors, logs, requests, responses
from chalicelib.web.mail import mail
from chalicelib.web.pages.routes import form_token, pages

config.disable_pydantic_plugins()
app = Chalice(app_name="vdp", configure_logs=False)  # logs.configure owns its logger
snapstart.register()
app.register_blueprint(mail)
app.register_blueprint(pages)


def current_request() -> Request:
    return requests.in_progress(app)


logs.configure()


@app.middleware("http")
def security_headers(event: Any, get_response: Any) -> Response:
    started = time.perf_counter()
    with language.speaking(_language(event)):
        response = responses.canonical_page(event) or get_response(event)
    response = responses.finish(response, event.path)
    lambda_id = getattr(getattr(app, "lambda_context", None), "aws_request_id", None)
    logs.request_logged(
        event, response.status_code, started, responses.report_id_of(response), lambda_id
    )
    return response


def _language(request: Request) -> str:
    """The language texts are written in for this request (the policy's languages)."""
    try:
        offered = bootstrap.policy().languages
    except VdpError:  # a broken configuration: its error is the answer, in English
        return language.SOURCE
    return requests.language_of(request, offered)


@app.route("/reports", methods=["POST"], content_types=list(requests.SUBMISSION_TYPES))
@responses.guarded
def submit_report() -> Response:
    from chalicelib.usecases.reporter.intake import submit_report

    request, policy = current_request(), bootstrap.policy()

    def submit(sent: requests.Submitted) -> Any:
        return submit_report(sent.fields, bootstrap.ports(), **_intake_options(request, sent))

    if requests.wants_page(request):  # no JavaScript: pages, not JSON
        from chalicelib.web.pages.formpost import answer_form_post

        return answer_form_post(request, policy, submit, cors.configured_origins(), form_token)
    accepted = submit(requests.submission_fields(request, policy.limits.max_body_bytes))
    return responses.created(accepted.model_dump(mode="json"))


def _intake_options(request: Request, sent: requests.Submitted) -> dict[str, Any]:
    """What the intake needs from the request besides the fields. Without JavaScript, the
    form page's token stands in for a proof of work (usecases/reporter/proof.py)."""
    return {
        "base_url": requests.base_url(request, bootstrap.settings().public_url),
        "address": requests.source_ip(request),
        "idempotency_key": sent.idempotency_key,
        "proof": request.headers.get("vdp-proof") or sent.form_token,
    }


@app.route("/challenge", methods=["GET"])
@responses.guarded
def challenge() -> Response:
    from chalicelib.usecases.reporter.abuse import new_challenge

    puzzle, required = new_challenge(bootstrap.ports(), bootstrap.clock())
    return responses.json_response(
        {
            "challenge": puzzle.token,
            "difficulty": puzzle.difficulty,
            "expires_at": puzzle.expires_at.isoformat(),
            "required": required,
        }
    )


@app.route("/reports/{report_id}", methods=["GET"])
@responses.guarded
def report_status(report_id: str) -> Response:
    from chalicelib.usecases.reporter.status import reporter_status

    receipt = requests.bearer_token(current_request())
    if not receipt:
        raise NotFound()
    address = requests.source_ip(current_request())
    view = reporter_status(report_id, receipt, bootstrap.ports(), address)
    return responses.json_response(view.model_dump(mode="json"))


@app.route("/health", methods=["GET"])
@responses.guarded
def health() -> Response:
    from chalicelib.web.health import check

    ready, detail = check()
    return responses.readiness(ready, detail)


@app.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    from chalicelib.web.openapi.document import document

    return responses.json_response(document())


@app.route("/.well-known/pgp-key.txt", methods=["GET"])
@responses.guarded
def team_key() -> Response:
    """The team's public key, which the form encrypts to (security.txt's Encryption)."""
    armored = bootstrap.policy().encryption.pgp_key
    if not armored:
        raise NotFound()
    return responses.text_response(armored)


@app.route("/.well-known/security.txt", methods=["GET"])
@responses.guarded
def security_txt() -> Response:
    from chalicelib.web.securitytxt import render_security_txt

    base = requests.base_url(current_request(), bootstrap.settings().public_url)
    return responses.text_response(render_security_txt(bootstrap.policy(), bootstrap.clock(), base))


# API Gateway hands multipart bodies (files) to the function base64-encoded; Request.raw_body
# decodes them. JSON and urlencoded bodies stay text.
app.api.binary_types.append("multipart/form-data")


@app.middleware("http")
def cors_headers(event: Any, get_response: Any) -> Response:
    return responses.with_cors(
        get_response(event), event.path, event.headers.get("origin"), cors.configured_origins()
    )


@app.route("/reports/{report_id}/messages", methods=["POST"], content_types=["application/json"])
@responses.guarded
def post_message(report_id: str) -> Response:
    from chalicelib.usecases.reporter.status import add_message

    request = current_request()
    receipt = requests.bearer_token(request)
    if not receipt:
        raise NotFound()
    fields = requests.json_fields(request, bootstrap.policy().limits.max_body_bytes)
    address = requests.source_ip(request)
    accepted = add_message(report_id, receipt, fields, bootstrap.ports(), address)
    return responses.created(accepted.model_dump(mode="json"))


@app.route("/reports", methods=["OPTIONS"])
def reports_preflight() -> Response:
    return responses.preflight(
        current_request().headers.get("origin"), cors.configured_origins(), "/reports"
    )


@app.route("/reports/{report_id}", methods=["OPTIONS"])
def report_preflight(report_id: str) -> Response:
    origin = current_request().headers.get("origin")
    return responses.preflight(origin, cors.configured_origins(), "/reports/{report_id}")


@app.route("/reports/{report_id}/messages", methods=["OPTIONS"])
def messages_preflight(report_id: str) -> Response:
    origin = current_request().headers.get("origin")
    return responses.preflight(origin, cors.configured_origins(), "/reports/{report_id}/messages")


@app.schedule(Rate(1, unit=Rate.DAYS))
def purge_expired(event: Any) -> None:
    """Daily: delete reports past the policy's retention (usecases/retention.py)."""
    from chalicelib.usecases.retention import purge

    purge(bootstrap.ports())


@app.schedule(Rate(1, unit=Rate.HOURS))
def sla_sweep(event: Any) -> None:
    """Hourly: record each breached SLA deadline once (it becomes report.sla_breached)."""
    from chalicelib.usecases.sweeps import sla_sweep as sweep

    sweep(bootstrap.ports())


# The deployed template points this function at the table's own stream (infra/resources.json);
# the ARN here only names the local stage's table.
LOCAL_STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/vdp-local/stream/local"


@app.on_dynamodb_record(stream_arn=LOCAL_STREAM, starting_position="TRIM_HORIZON", batch_size=100)
def publish_events(event: DynamoDBEvent) -> dict[str, Any]:
    """The outbox: each inserted report or event item becomes the team's notification."""
    from chalicelib.adapters.messages.streams import table_changes
    from chalicelib.usecases.events import publish_changes

    failed = publish_changes(table_changes(event.to_dict()["Records"]), bootstrap.ports())
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}


@app.schedule(Rate(1, unit=Rate.DAYS))
def orphan_sweep(event: Any) -> None:
    """Daily: delete every version of blobs left without a report (a failed submission)."""
    from chalicelib.usecases.sweeps import orphan_sweep as sweep

    sweep(bootstrap.ports())


@app.schedule(Rate(1, unit=Rate.HOURS))
def publish_embargoes(event: Any) -> None:
    """Hourly: disclose each fixed report whose planned disclosure date has passed, and
    publish the credit sealed for it (the reporter consented)."""
    from chalicelib.usecases.team.embargo import publish_due

    publish_due(bootstrap.ports())
