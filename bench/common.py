"""Shared pieces of the benchmarks: fake AWS, the sample report, the floor, figure lines.

Only the standard library is imported at module level: the cold-start children
import this module before their clock starts and must not preload anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
LOCAL_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "VDP_STAGE": "local",
    "VDP_KMS_KEY_ID": "alias/vdp-local",
    "VDP_BUCKET": "vdp-local-reports",
    "VDP_TABLE": "vdp-local",
    "VDP_TOPIC_ARN": f"arn:aws:sns:{REGION}:123456789012:vdp-local-events",
    # As every deployed stage sets: the first submission loads the HMAC secret.
    "VDP_SECRET_ID": "vdp-local-secret",
}
SAMPLE_REPORT: dict[str, Any] = {
    "title": "SQL injection in login",
    "description": "The username field of /login is injectable with a single quote. " * 8,
    "steps_to_reproduce": "1. Open /login\n2. Enter ' OR 1=1 -- as the username\n3. Submit",
    "impact": "Any account can be taken over without its password.",
    "product": "other",
    "version": "2.4.1",
    "severity": "high",
    "reporter": {"name": "A. Researcher", "email": "researcher@example.org"},
    "credit": {"wants_credit": True, "name": "A. Researcher"},
    "bounty_interest": True,
    "policy_accepted": True,
}


def fake_aws_environment() -> None:
    """Fake credentials and the local stage's names: a benchmark never reaches real AWS."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "VDP_")):
            del os.environ[name]
    os.environ.update(LOCAL_ENV)
    os.environ["VDP_POLICY_PATH"] = str(bench_policy())


def bench_policy(project: Path = PROJECT_DIR) -> Path:
    """policy.toml with the hourly limits and the proof-of-work threshold out of reach.

    A benchmark sends hundreds of reports from one address; the counters are
    still written on every submission, they just never refuse one.
    """
    path = Path(tempfile.gettempdir()) / f"vdp-bench-policy-{os.getpid()}.toml"
    text = (project / "chalicelib" / "policy.toml").read_text()
    for name, value in BENCH_ABUSE.items():
        text = re.sub(rf"(?m)^{name} = .*$", f"{name} = {value}", text)
    path.write_text(text)  # always: a file left by an earlier process with this pid may differ
    return path


BENCH_ABUSE = {
    "reports_per_hour_per_source": "1000000000",
    "reports_per_hour_global": "1000000000",
    "messages_per_hour_per_source": "1000000000",
    "messages_per_hour_global": "1000000000",
    "failed_receipts_per_hour_per_source": "1000000000",
    "failed_receipts_per_hour_global": "1000000000",
    # The default mode, with a threshold out of reach: the same code path as a deployment.
    "proof_of_work_above_per_hour": "1000000000",
}


def arguments(description: str, **extra: Any) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="a few iterations; no timing value")
    for flag, options in extra.items():
        parser.add_argument(f"--{flag.replace('_', '-')}", **options)
    return parser.parse_args()


# ---- figure lines -------------------------------------------------------------------------


def figure(name: str, value: float, unit: str, target: str, verdict: str, detail: str) -> None:
    """One line per figure: `[bench] name: value unit | target ... | verdict | detail`."""
    print(
        f"[bench] {name}: {value:.4g} {unit} | target {target} | {verdict} | {detail}", flush=True
    )


def verdict(ratio: float, *, at_most: float | None = None, at_least: float | None = None) -> str:
    """`ratio 1.08x of target: met` style verdicts (ratio = measured / target)."""
    if at_most is not None:
        return f"ratio {ratio / at_most:.2f} of target: {'met' if ratio <= at_most else 'MISSED'}"
    assert at_least is not None
    return f"ratio {ratio / at_least:.2f} of target: {'met' if ratio >= at_least else 'MISSED'}"


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def operations(action: Callable[[], object]) -> list[str]:
    """The AWS operations `action` calls, in order (botocore's, so moto or not)."""
    from botocore.client import BaseClient

    original, seen = BaseClient._make_api_call, []

    def counted(client: Any, operation: str, params: Any) -> Any:
        seen.append(operation)
        return original(client, operation, params)

    BaseClient._make_api_call = counted  # type: ignore[method-assign]
    try:
        action()
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]
    return seen


# ---- in-process AWS ------------------------------------------------------------------------


@contextmanager
def in_process_aws() -> Iterator[None]:
    """moto in this process with the local stage's key, bucket, table, topic, secret and
    the mail sender's SES identity.

    Resources are created with a throwaway boto3 session and plain calls (not
    vdp.local.aws.resources), so neither our modules nor pydantic are loaded here:
    whatever is measured after this block pays for its own imports and clients.
    moto's objects are then frozen out of the garbage collector: a full collection
    would otherwise walk moto's large heap, a cost that no deployed function has.
    """
    fake_aws_environment()
    import gc

    import boto3
    from moto import mock_aws

    with mock_aws():
        setup = boto3.session.Session(region_name=REGION)
        key = setup.client("kms").create_key(Description="bench")["KeyMetadata"]["KeyId"]
        setup.client("kms").create_alias(AliasName=LOCAL_ENV["VDP_KMS_KEY_ID"], TargetKeyId=key)
        setup.client("s3").create_bucket(Bucket=LOCAL_ENV["VDP_BUCKET"])
        setup.client("s3").put_bucket_versioning(
            Bucket=LOCAL_ENV["VDP_BUCKET"], VersioningConfiguration={"Status": "Enabled"}
        )
        _table(setup.client("dynamodb"))
        setup.client("sns").create_topic(Name=LOCAL_ENV["VDP_TOPIC_ARN"].rsplit(":", 1)[1])
        setup.client("secretsmanager").create_secret(
            Name=LOCAL_ENV["VDP_SECRET_ID"], SecretString="bench-" + "0" * 40
        )
        # The mail sender's domain, verified as vdp.local.aws.resources does: SES (moto too)
        # sends only from verified identities.
        domain = sender_domain(Path(os.environ["VDP_POLICY_PATH"]).read_text())
        setup.client("sesv2").create_email_identity(EmailIdentity=domain)
        del setup
        gc.collect()
        gc.freeze()
        yield


def sender_domain(policy_text: str) -> str:
    """The domain mail to reporters is sent from: [mail] from_address, else [contacts]
    email (as Policy.sender). Read from the text: tomllib is the app's import to time."""
    values: dict[tuple[str, str], str] = {}
    section = ""
    for line in policy_text.splitlines():
        if found := re.match(r"\s*\[([a-z_.]+)\]\s*$", line):
            section = found[1]
        elif found := re.match(r'\s*(from_address|email)\s*=\s*"([^"]*)"', line):
            values[(section, found[1])] = found[2]
    sender = values.get(("mail", "from_address")) or values.get(("contacts", "email"), "")
    return sender.rpartition("@")[2] or "example.com"


def _table(dynamodb: Any) -> None:
    keys = [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
    index_keys = [
        {"AttributeName": "status", "KeyType": "HASH"},
        {"AttributeName": "created_at", "KeyType": "RANGE"},
    ]
    dynamodb.create_table(
        TableName=LOCAL_ENV["VDP_TABLE"],
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"}
            for name in ("PK", "SK", "status", "created_at")
        ],
        KeySchema=keys,
        GlobalSecondaryIndexes=[
            {
                "IndexName": "status-index",
                "KeySchema": index_keys,
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


# ---- the app's side: an API Gateway event into the Chalice app ------------------------------


class LambdaContext:
    """What the Lambda runtime hands the handler (the parts Chalice reads)."""

    function_name = "vdp-local-api_handler"
    memory_limit_in_mb = 512
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 20_000


def api_event(body: str) -> dict[str, Any]:
    """A REST API (proxy) event for POST /reports, as API Gateway sends it."""
    headers = {
        "Content-Type": "application/json",
        "Host": "abc123.execute-api.us-east-1.amazonaws.com",
    }
    return {
        "resource": "/reports",
        "path": "/reports",
        "httpMethod": "POST",
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/reports",
            "httpMethod": "POST",
            "path": "/api/reports",
            "stage": "api",
            "domainName": headers["Host"],
            "identity": {"sourceIp": "203.0.113.7"},
            "requestId": "bench",
        },
        "body": body,
        "isBase64Encoded": False,
    }


def submit_through_app(app: Any, event: dict[str, Any]) -> dict[str, Any]:
    """The 201's body (report_id, receipt, ...); anything else raises."""
    answer = app(event, LambdaContext())
    if answer["statusCode"] != 201:
        raise RuntimeError(f"submission failed: {answer['statusCode']} {answer['body'][:200]}")
    body: dict[str, Any] = json.loads(answer["body"])
    return body


# ---- the floor: the AWS calls a submission must make, made directly ---------------------------

FLOOR_SERVICES = ("kms", "s3", "dynamodb", "secretsmanager")


def floor_clients(
    session: Any = None, services: tuple[str, ...] = FLOOR_SERVICES
) -> dict[str, Any]:
    """The clients a submission uses, configured as bootstrap.py configures ours, from a
    fresh session (boto3's default, as a bare script has, unless another is handed in)."""
    import boto3
    from botocore.config import Config

    config = Config(
        connect_timeout=2, read_timeout=5, retries={"total_max_attempts": 3, "mode": "standard"}
    )
    session = session or boto3.session.Session()
    return {name: session.client(name, region_name=REGION, config=config) for name in services}


def floor_secret(clients: dict[str, Any]) -> bytes:
    """A cold start's one extra call: the HMAC secret, read once per container."""
    answer = clients["secretsmanager"].get_secret_value(SecretId=LOCAL_ENV["VDP_SECRET_ID"])
    return str(answer["SecretString"]).encode()


def floor_submission(
    clients: dict[str, Any], number: int, payload: bytes, contact: bytes | None = None
) -> None:
    """The AWS calls of one submission's request path, made directly.

    The hourly rate-limit window's conditional UpdateItem, GenerateDataKey and PutObject
    (IfNoneMatch) for the report part, the same two for the contact part when the
    reporter left one (`contact`: its plaintext), and the report row's conditional
    PutItem: the same calls, order, expressions and sizes as the intake, with no
    validation, no envelope format and no models. Without a contact these are the four
    calls of an anonymous report. Nothing is published: the table's stream carries the
    row to the publisher.
    """
    report_id = f"FLOOR-{os.getpid()}-{number}"
    _floor_rate_hit(clients["dynamodb"])
    _floor_part(clients, report_id, "report", payload)
    if contact is not None:
        _floor_part(clients, report_id, "contact", contact)
    item = {name: {"S": "x" * 24} for name in FLOOR_ITEM_ATTRIBUTES}
    item.update(
        {"PK": {"S": f"REPORT#{report_id}"}, "SK": {"S": "META"}, "status": {"S": "received"}}
    )
    clients["dynamodb"].put_item(
        TableName=LOCAL_ENV["VDP_TABLE"], Item=item, ConditionExpression="attribute_not_exists(PK)"
    )


def _floor_part(clients: dict[str, Any], report_id: str, part: str, plaintext: bytes) -> None:
    """A fresh data key for the part, AES-GCM, one conditional PutObject."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    context = {"report_id": report_id, "part": part}
    key = clients["kms"].generate_data_key(
        KeyId=LOCAL_ENV["VDP_KMS_KEY_ID"], KeySpec="AES_256", EncryptionContext=context
    )
    nonce = os.urandom(12)
    sealed = AESGCM(key["Plaintext"]).encrypt(nonce, plaintext, None)
    clients["s3"].put_object(
        Bucket=LOCAL_ENV["VDP_BUCKET"],
        Key=f"reports/{report_id}/{part}.enc",
        Body=key["CiphertextBlob"] + nonce + sealed,
        IfNoneMatch="*",
    )


def _floor_rate_hit(dynamodb: Any) -> None:
    """The rate-limit write as adapters.housekeeping.DynamoRateCounters.hit makes it."""
    hour = time.strftime("%Y%m%dT%H", time.gmtime())
    dynamodb.update_item(
        TableName=LOCAL_ENV["VDP_TABLE"],
        Key={"PK": {"S": f"RATE#floor#{hour}"}, "SK": {"S": "RATE"}},
        UpdateExpression="ADD #source :one, #total :one SET expires_at = :expires",
        ConditionExpression=(
            "(attribute_not_exists(#source) OR #source < :per_source)"
            " AND (attribute_not_exists(#total) OR #total < :ceiling)"
        ),
        ExpressionAttributeNames={"#source": f"s_{'0' * 32}", "#total": "total"},
        ExpressionAttributeValues={
            ":one": {"N": "1"},
            ":per_source": {"N": BENCH_ABUSE["reports_per_hour_per_source"]},
            ":ceiling": {"N": BENCH_ABUSE["reports_per_hour_global"]},
            ":expires": {"N": str(int(time.time()) + 7200)},
        },
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )


# The report row's attributes besides its keys and status, so PutItem moves a similar
# amount of data (about 0.7 KB, as the sample's row).
FLOOR_ITEM_ATTRIBUTES = (
    "report_id", "created_at", "updated_at", "product", "version", "severity",
    "acknowledge_by", "triage_by", "disclose_by", "receipt_hash", "attachment_count",
    "bounty_interest", "flags", "purging", "sla_announced", "mail_opt_out", "rev",
)  # fmt: skip


def report_body(extra: dict[str, Any] | None = None, *, anonymous: bool = False) -> str:
    """The sample as a request body; `anonymous`: without the reporter (no contact part)."""
    fields = {**SAMPLE_REPORT, **(extra or {})}
    if anonymous:  # and so asking for no credit, which an anonymous report never gets
        del fields["reporter"]
        fields["credit"] = {"wants_credit": False}
    return json.dumps(fields)


def floor_payload() -> bytes:
    """About the plaintext the app seals as the report part: the sample without the
    reporter, who has a part of their own (bench.common.floor_contact)."""
    fields = {name: value for name, value in SAMPLE_REPORT.items() if name != "reporter"}
    fields["credit"] = {"wants_credit": False}  # as the anonymous sample (report_body)
    return json.dumps(fields, separators=(",", ":")).encode()


def floor_contact() -> bytes:
    """The contact part's plaintext for the sample's reporter (mail updates on, the default)."""
    contact = {**SAMPLE_REPORT["reporter"], "email_updates": True}
    return json.dumps(contact, separators=(",", ":")).encode()
