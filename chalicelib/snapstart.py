"""SnapStart: the API function is initialised once, snapshotted, and restored for each new
instance. Lambda's Python runtime ships `snapshot_restore_py`; elsewhere (tests, `vdp
serve`) there are no snapshots and nothing is registered.

Before the snapshot, `prepare` does what each instance would otherwise do at its first
request, including one rehearsal of every call a submission makes, answered locally so
that nothing leaves the function. After a restore, `renew` drops what must differ
between restored copies.
"""

from __future__ import annotations

from typing import Any

from chalicelib import bootstrap

# What a submission calls, by client: rehearsed before the snapshot.
_REHEARSED: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "dynamodb": [
        ("update_item", {"TableName": "t", "Key": {"PK": {"S": "k"}},
                         "UpdateExpression": "SET a = :a",
                         "ExpressionAttributeValues": {":a": {"N": "1"}}}),
        ("put_item", {"TableName": "t", "Item": {"PK": {"S": "k"}}}),
        ("get_item", {"TableName": "t", "Key": {"PK": {"S": "k"}}}),
    ],
    "kms": [("generate_data_key", {"KeyId": "k", "KeySpec": "AES_256",
                                    "EncryptionContext": {"report_id": "r", "part": "p"}})],
    "s3": [("put_object", {"Bucket": "b", "Key": "k", "Body": b"", "IfNoneMatch": "*"})],
}  # fmt: skip


def register() -> bool:
    """Register `prepare` before a snapshot and `renew` after a restore."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(prepare)
    register_after_restore(renew)
    return True


def prepare() -> None:
    """Settings, policy and Ports; the intake's clients with each call rehearsed (models,
    serializers and parsers built); the validators run once on a sample; a Secrets Manager
    secret (the same for every instance). Nothing that must differ between instances."""
    from chalicelib.usecases.reporter.intake import warm_up

    config, built = bootstrap.settings(), bootstrap.ports()
    for service, made in bootstrap.made_clients(config):
        if service in _REHEARSED:
            rehearse(made.created(), _REHEARSED[service])
    if config.secret_id and built.secret is not None:
        built.secret()
    warm_up(built.policy)


def rehearse(client: Any, calls: list[tuple[str, dict[str, Any]]]) -> None:
    """Make each call once with the network replaced by an empty success."""
    from botocore.awsrequest import AWSResponse

    class _Empty:
        def stream(self, **_: Any) -> Any:
            yield b"{}" if client.meta.service_model.protocol == "json" else b""

    def answer(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {}, _Empty())

    client.meta.events.register_first("before-send", answer, unique_id="vdp-rehearsal")
    try:
        for operation, parameters in calls:
            getattr(client, operation)(**parameters)
    finally:
        client.meta.events.unregister("before-send", unique_id="vdp-rehearsal")


def renew() -> None:
    """Pooled connections are dropped; a per-instance random secret (no VDP_SECRET_ID) is
    drawn anew. Ids and receipts come from the `secrets` module, which reads the operating
    system's randomness at each call, so no two restored copies share them."""
    config = bootstrap.settings()
    for _, made in bootstrap.made_clients(config):
        made.close()
    bootstrap.forget_instance_secret(config)
