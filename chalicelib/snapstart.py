"""SnapStart: the API function is initialised once, snapshotted, and restored for each new
instance. Lambda's Python runtime ships `snapshot_restore_py`; elsewhere (tests, `vdp
serve`) there are no snapshots and nothing is registered.

Before the snapshot, `prepare` does what each instance would otherwise do at its first
request: it even files one sample report through the intake, with every AWS call answered
locally (an empty success, a throwaway data key), so that nothing leaves the function and
nothing is stored. After a restore, `renew` drops what must differ between copies.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from chalicelib import bootstrap

# A data key for the rehearsal only: the sample is sealed with it and thrown away.
_THROWAWAY_KEY = {
    "Plaintext": base64.b64encode(bytes(32)).decode(),
    "CiphertextBlob": base64.b64encode(b"rehearsal").decode(),
    "KeyId": "rehearsal",
}
_SUBMISSION_SERVICES = ("dynamodb", "kms", "s3")


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
    """Settings, policy and Ports; the intake's clients; a Secrets Manager secret (the same
    for every instance); then one rehearsed submission. Nothing that must differ between
    instances is kept: a per-instance secret drawn here is redrawn by `renew`."""
    config, built = bootstrap.settings(), bootstrap.ports()
    if config.secret_id and built.secret is not None:
        built.secret()
    clients = [
        made.created()
        for service, made in bootstrap.made_clients(config)
        if service in _SUBMISSION_SERVICES
    ]
    with _answered_locally(clients):
        _file_a_sample(built)


def _file_a_sample(ports: Any) -> None:
    from chalicelib.usecases.reporter.intake import submit_report

    # Every check a submission can run: the product, a version, a CVSS vector, an email.
    sample = {
        "title": "Rehearsal before the snapshot",
        "description": "A sample filed with every AWS call answered locally.",
        "product": ports.policy.product_ids()[0],
        "version": "1.0",
        "severity": "low",
        "cvss_vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
        "policy_accepted": True,
        "reporter": {"email": "rehearsal@example.org"},
    }
    submit_report(sample, ports, base_url="https://rehearsal.invalid", address="192.0.2.1")


class _answered_locally:  # noqa: N801 - used as a context manager
    """Every call of these clients gets an empty success (a throwaway data key for KMS)."""

    def __init__(self, clients: list[Any]) -> None:
        self._clients = clients

    def __enter__(self) -> None:
        for client in self._clients:
            client.meta.events.register_first("before-send", _answer, unique_id="vdp-rehearsal")

    def __exit__(self, *_: object) -> None:
        for client in self._clients:
            client.meta.events.unregister("before-send", unique_id="vdp-rehearsal")


def _answer(request: Any, event_name: str = "", **_: Any) -> Any:
    from botocore.awsrequest import AWSResponse

    operation = event_name.rsplit(".", 1)[-1]
    body = json.dumps(_THROWAWAY_KEY if operation == "GenerateDataKey" else {}).encode()
    json_protocol = request.headers.get("Content-Type", b"").startswith(b"application/x-amz")

    class _Raw:
        def stream(self, **__: Any) -> Any:
            yield body if json_protocol else b""

    return AWSResponse(request.url, 200, {}, _Raw())


def renew() -> None:
    """Pooled connections are dropped; a per-instance random secret (no VDP_SECRET_ID) is
    drawn anew. Ids and receipts come from the `secrets` module, which reads the operating
    system's randomness at each call, so no two restored copies share them."""
    config = bootstrap.settings()
    for _, made in bootstrap.made_clients(config):
        made.close()
    bootstrap.forget_instance_secret(config)
