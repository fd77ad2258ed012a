"""GET /health and GET /openapi.json."""

import json

from chalicelib import bootstrap
from tests.conftest import boto


def test_health_is_ok_when_configuration_and_resources_are_there(api) -> None:
    response = api.get("/health")

    assert response.status_code == 200
    assert json.loads(response.body)["status"] == "ok"


def test_health_fails_when_a_local_resource_is_missing(api) -> None:
    boto("sqs").delete_queue(
        QueueUrl=boto("sqs").get_queue_url(QueueName="vdp-local-team")["QueueUrl"]
    )

    response = api.get("/health")

    body = json.loads(response.body)
    assert response.status_code == 503 and response.headers["Retry-After"] == "10"
    assert body["error"] == {"code": "unavailable", "message": "Not ready: resources missing."}
    assert body["resources"]["team_queue"] is False and body["resources"]["bucket"] is True


def test_openapi_covers_every_route_and_error(api) -> None:
    from app import app

    document = json.loads(api.get("/openapi.json").body)

    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == set(app.routes)
    post = document["paths"]["/reports"]["post"]
    assert {"201", "400", "413", "415", "422", "503"} <= set(post["responses"])
    submission = document["components"]["schemas"]["ReportSubmission"]
    assert {"title", "description", "product", "policy_accepted"} <= set(submission["required"])
    assert submission["additionalProperties"] is False


def test_security_txt_is_plain_text_and_valid(api, monkeypatch) -> None:
    import sectxt

    # RFC 9116 wants https URIs: as deployed, the public URL is https.
    monkeypatch.setenv("VDP_PUBLIC_URL", "https://intake.example.com")
    bootstrap.reset()

    response = api.get("/.well-known/security.txt")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert sectxt.Parser(response.body).errors == []
