"""Rate counters and idempotency records against moto's DynamoDB."""

from datetime import UTC, datetime, timedelta

from chalicelib.adapters.secrets import SecretsManagerSecret
from chalicelib.adapters.store.housekeeping import DynamoIdempotency, DynamoRateCounters
from chalicelib.domain.report.quotas import COUNTED, LIMITED, PROOF_NEEDED, Quota
from tests.conftest import boto

EXPIRES = datetime(2026, 11, 20, 14, tzinfo=UTC)


def test_one_window_counts_each_source_and_the_total(aws) -> None:
    counters = DynamoRateCounters(boto("dynamodb"), "vdp-local")
    window = "RATE#reports#20261120T12"

    mine = [counters.hit(Quota(window, "src-a", 2, overall=3), EXPIRES) for _ in range(3)]
    other = [counters.hit(Quota(window, "src-b", 2, overall=3), EXPIRES) for _ in range(2)]

    assert mine == [COUNTED, COUNTED, LIMITED]
    assert other == [COUNTED, LIMITED]  # the overall limit of 3 is reached
    assert counters.count(window) == 3
    item = boto("dynamodb").get_item(
        TableName="vdp-local", Key={"PK": {"S": window}, "SK": {"S": "RATE"}}
    )["Item"]
    assert item["s_src-a"] == {"N": "2"} and item["s_src-b"] == {"N": "1"}
    assert item["expires_at"] == {"N": str(int(EXPIRES.timestamp()))}


def test_a_window_without_overall_limit_counts_per_source_only(aws) -> None:
    counters = DynamoRateCounters(boto("dynamodb"), "vdp-local")

    results = [counters.hit(Quota("RATE#messages#x", f"s{n % 3}", 1), EXPIRES) for n in range(6)]

    assert results == [COUNTED] * 3 + [LIMITED] * 3
    assert counters.count("RATE#messages#unused") == 0


def test_unproven_requests_are_counted_only_below_the_threshold(aws) -> None:
    counters = DynamoRateCounters(boto("dynamodb"), "vdp-local")
    window = "RATE#reports#20261120T13"
    busy = Quota(window, "src-a", 5, overall=4, unproven_below=2)

    unproven = [counters.hit(busy, EXPIRES) for _ in range(3)]
    proven = [counters.hit(Quota(window, "src-a", 5, overall=4), EXPIRES) for _ in range(3)]
    unproven_late = counters.hit(busy, EXPIRES)

    assert unproven == [COUNTED, COUNTED, PROOF_NEEDED]  # nothing added for the third
    assert proven == [COUNTED, COUNTED, LIMITED]  # the overall limit of 4 still holds
    assert unproven_late == LIMITED  # a limit wins over a missing proof
    assert counters.count(window) == 4


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def claim(store: DynamoIdempotency, key: str, at: datetime = NOW, digest: str = "f1"):
    return store.begin(key, digest, at, at + timedelta(seconds=30), EXPIRES)


def test_idempotency_claim_complete_and_replay(aws) -> None:
    store = DynamoIdempotency(boto("dynamodb"), "vdp-local")

    assert claim(store, "k1") is None
    assert claim(store, "k1")["state"] == "pending"
    store.complete("k1", "VDP-7K3M-9QX2", b"sealed")

    assert claim(store, "k1") == {
        "state": "done", "fingerprint": "f1", "report_id": "VDP-7K3M-9QX2", "response": b"sealed",
    }  # fmt: skip


def test_a_stale_claim_is_taken_over_but_only_for_the_same_content(aws) -> None:
    store = DynamoIdempotency(boto("dynamodb"), "vdp-local")
    claim(store, "k")
    later = NOW + timedelta(minutes=1)  # the first holder's lease ran out

    assert claim(store, "k", at=later, digest="other")["fingerprint"] == "f1"
    assert claim(store, "k", at=NOW + timedelta(seconds=10)) is not None  # lease still held
    assert claim(store, "k", at=later) is None


def test_abandon_releases_only_a_pending_claim(aws) -> None:
    store = DynamoIdempotency(boto("dynamodb"), "vdp-local")
    claim(store, "pending")
    claim(store, "done")
    store.complete("done", "VDP-7K3M-9QX2", b"sealed")

    store.abandon("pending")
    store.abandon("done")

    assert claim(store, "pending", digest="another report") is None  # taken at once
    assert store.get("done")["state"] == "done"
    assert claim(store, "done", digest="another report")["fingerprint"] == "f1"


def test_secret_comes_from_secrets_manager(aws) -> None:
    secret = SecretsManagerSecret(boto("secretsmanager"), "vdp-local-secret").value()

    assert len(secret) >= 32
