"""The one place that builds the service: settings -> clients -> adapters -> Ports.

It only builds. The Lambda functions take the container's Ports from `ports()` (settings
from the environment, read on first use); the team's CLI builds its own with
`build_ports(settings, policy)`. Clients are created on first use and then reused.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from chalicelib.config import Settings
from chalicelib.domain.policy.document import Policy, load_policy
from chalicelib.usecases.ports import Ports

T = TypeVar("T")
_lock = threading.RLock()
_cache: dict[str, Any] = {}
_sessions: dict[str, Any] = {}  # kept across reset(): model loading is the slow part
_clients: dict[Settings, list[tuple[str, LazyClient]]] = {}
_secrets: dict[Settings, Once] = {}
# What a submission calls: made before a snapshot so that a restored copy does not load models.
INTAKE_SERVICES = ("dynamodb", "kms", "s3")


class LazyClient:
    """A boto3 client that is only created (and its service model loaded) when first used."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.created(), name)

    def created(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._factory()
        return self._client

    def close(self) -> None:
        """Drop pooled connections (a restored snapshot's are dead); the client stays usable."""
        if self._client is not None:
            self._client.close()


class Once:
    """A value built on first call and kept (the secret: one Secrets Manager read)."""

    def __init__(self, build: Callable[[], bytes]) -> None:
        self._build = build
        self._value: bytes | None = None
        self._lock = threading.Lock()

    def __call__(self) -> bytes:
        with self._lock:
            if self._value is None:
                self._value = self._build()
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._value = None


def settings() -> Settings:
    return _cached("settings", lambda: Settings.from_env(os.environ))


def policy() -> Policy:
    return _cached("policy", _load_policy)


def _load_policy() -> Policy:
    loaded = load_policy(settings().policy_path)
    site = os.environ.get("VDP_LOCAL_SITE_ORIGIN")
    if settings().stage != "local" or not site or site in loaded.web.allowed_origins:
        return loaded
    # `vdp serve --site-port N`: the example site's origin may call and frame the API, and
    # the pages' link back to the policy leads there.
    origins = [*loaded.web.allowed_origins, site]
    web = loaded.web.model_copy(update={"allowed_origins": origins, "policy_link": f"{site}/"})
    return loaded.model_copy(update={"web": web})


def ports() -> Ports:
    return _cached("ports", lambda: build_ports(settings(), policy()))


def clock() -> datetime:
    return datetime.now(UTC)


def build_ports(config: Settings, policy: Policy) -> Ports:
    from chalicelib.adapters.messages.ses import SesMailer
    from chalicelib.adapters.messages.sns import SnsNotifier
    from chalicelib.adapters.openpgp import SequoiaEncryptor
    from chalicelib.adapters.store.dynamodb import DynamoReports
    from chalicelib.adapters.store.housekeeping import (
        DynamoIdempotency,
        DynamoProofs,
        DynamoRateCounters,
    )
    from chalicelib.adapters.store.kms import KmsKeys
    from chalicelib.adapters.store.mail_records import DynamoMailLog
    from chalicelib.adapters.store.s3 import S3Blobs

    dynamodb = _lazy(config, "dynamodb")
    return Ports(
        keys=KmsKeys(_lazy(config, "kms"), config.kms_key_id),
        blobs=S3Blobs(_lazy(config, "s3"), config.bucket),
        reports=DynamoReports(dynamodb, config.table),
        notifier=SnsNotifier(_lazy(config, "sns"), config.topic_arn),
        policy=policy,
        clock=clock,
        limiter=DynamoRateCounters(dynamodb, config.table),
        idempotency=DynamoIdempotency(dynamodb, config.table),
        proofs=DynamoProofs(dynamodb, config.table),
        secret=_secrets.setdefault(config, Once(lambda: _load_secret(config))),
        mailer=SesMailer(_lazy(config, "sesv2"), config.mail_configuration_set),
        mail_log=DynamoMailLog(dynamodb, config.table),
        encryptor=SequoiaEncryptor(),
        public_url=config.public_url,
    )


def _lazy(config: Settings, service: str) -> LazyClient:
    made = LazyClient(lambda: client(config, service))
    _clients.setdefault(config, []).append((service, made))
    return made


def made_clients(config: Settings) -> list[tuple[str, LazyClient]]:
    """The clients built for these settings so far, with their services."""
    return list(_clients.get(config, []))


def forget_instance_secret(config: Settings) -> None:
    """Draw a new per-instance secret at next use (none is configured: VDP_SECRET_ID)."""
    if not config.secret_id and config in _secrets:
        _secrets[config].forget()


def identity(config: Settings) -> Any:
    """Who the caller is, as AWS knows them (STS): the team's CLI records it on events."""
    from chalicelib.adapters.sts import StsIdentity

    return StsIdentity(client(config, "sts"))


def _load_secret(config: Settings) -> bytes:
    if config.secret_id:
        from chalicelib.adapters.secrets import SecretsManagerSecret

        return SecretsManagerSecret(client(config, "secretsmanager"), config.secret_id).value()
    # Without a configured secret each container salts with its own random value:
    # per-source limits then hold per container only, so say so.
    import logging
    import secrets

    logging.getLogger(__name__).warning("VDP_SECRET_ID not set; using a per-container secret")
    return secrets.token_bytes(32)


def client(config: Settings, service: str) -> Any:
    """A boto3 client with short timeouts: a slow dependency becomes a quick 503."""
    from botocore.config import Config

    from chalicelib.adapters.failures import translated

    # The local stack's fixed test keys replace the credential chain entirely, so neither
    # real keys nor a session token from the environment reach it.
    keys = (
        {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}  # noqa: S106
        if config.local_credentials
        else {}
    )
    # boto3 sessions are not thread-safe (one session caches service models); creating a
    # client fails like a call does (no region, an unknown service), so it is translated too.
    with _lock, translated(service):
        return _session().client(
            service,
            region_name=config.region,
            endpoint_url=config.endpoint_url,
            config=Config(
                connect_timeout=2,
                read_timeout=5,
                retries={"total_max_attempts": _attempts(service), "mode": "standard"},
            ),
            **keys,
        )


def _attempts(service: str) -> int:
    # A mail is not idempotent: SES may have taken a send whose answer timed out, and a
    # retry would mail the reporter twice. The outbox decides what happens instead.
    return 1 if service == "sesv2" else 3


def _session() -> Any:
    if "session" not in _sessions:
        from chalicelib.adapters.session import session

        _sessions["session"] = session()
    return _sessions["session"]


def reset() -> None:
    """Forget settings and clients (tests, and `vdp serve` after bootstrapping)."""
    with _lock:
        _cache.clear()
        _clients.clear()
        _secrets.clear()


def _cached(name: str, build: Callable[[], T]) -> T:
    with _lock:
        if name not in _cache:
            _cache[name] = build()
        value: T = _cache[name]
        return value
