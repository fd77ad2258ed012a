"""Rate counters and idempotency records against moto's DynamoDB."""

from datetime import UTC, datetime

from chalicelib.abuse import Counter
from chalicelib.adapters.housekeeping import DynamoIdempotency, DynamoRateCounters
from chalicelib.adapters.secrets import SecretsManagerSecret
from tests.conftest import boto

EXPIRES = datetime(2026, 11, 20, 14, tzinfo=UTC)


def test_counters_move_together_and_stop_at_the_lowest_limit(aws) -> None:
    counters = DynamoRateCounters(boto("dynamodb"), "vdp-local")
    pair = [
        Counter("RATE#reports#20261120T12", "src", 2),
        Counter("RATE#reports#20261120T12", "ALL", 3),
    ]

    results = [counters.hit(pair, EXPIRES) for _ in range(3)]

    assert results == [True, True, False]
    item = boto("dynamodb").get_item(
        TableName="vdp-local", Key={"PK": {"S": "RATE#reports#20261120T12"}, "SK": {"S": "ALL"}}
    )["Item"]
    assert item["hits"] == {"N": "2"}  # the refused hit counted nowhere
    assert item["expires_at"] == {"N": str(int(EXPIRES.timestamp()))}


def test_idempotency_claim_complete_and_replay(aws) -> None:
    store = DynamoIdempotency(boto("dynamodb"), "vdp-local")

    assert store.begin("k1", EXPIRES) is None
    assert store.begin("k1", EXPIRES)["state"] == "pending"
    store.complete("k1", "VDP-7K3M-9QX2", b"sealed")

    assert store.begin("k1", EXPIRES) == {
        "state": "done", "report_id": "VDP-7K3M-9QX2", "response": b"sealed",
    }  # fmt: skip


def test_abandon_releases_only_a_pending_claim(aws) -> None:
    store = DynamoIdempotency(boto("dynamodb"), "vdp-local")
    store.begin("pending", EXPIRES)
    store.begin("done", EXPIRES)
    store.complete("done", "VDP-7K3M-9QX2", b"sealed")

    store.abandon("pending")
    store.abandon("done")

    assert store.get("pending") is None
    assert store.get("done")["state"] == "done"


def test_secret_comes_from_secrets_manager(aws) -> None:
    secret = SecretsManagerSecret(boto("secretsmanager"), "vdp-local-secret").value()

    assert len(secret) >= 32
