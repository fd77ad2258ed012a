"""moto's state as bytes and back: what `vdp serve` keeps between runs.

moto holds each service's state in plain Python objects, its backends; a pickle of them
keeps everything, the KMS key material among it. Replaying the requests instead would not:
a replayed CreateKey draws new key material, and no stored report would open again.
"""

from __future__ import annotations

import io
import pickle  # nosec B403
import threading
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

# Only shard iterators, one more per poll of the stream; the outbox asks for new ones.
SKIPPED = frozenset({"dynamodbstreams"})
_LOCKS = (type(threading.Lock()), type(threading.RLock()))
_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey)  # moto's KMS signing keys
Backends = dict[tuple[str, str, str], Any]  # (service, account, region) -> backend


class _Pickler(pickle.Pickler):
    """Locks become new locks, private keys their DER bytes: neither pickles as it is."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCKS):
            return (threading.RLock if isinstance(obj, _LOCKS[1]) else threading.Lock), ()
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, _KEYS):
            der = obj.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            return _private_key, (der,)
        return NotImplemented


def _private_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, password=None)


def running_backends() -> Backends:
    """Every backend moto has created in this process, but the skipped ones."""
    from moto.core.base_backend import BackendDict

    instances: list[Any] = list(BackendDict._instances)  # type: ignore[misc]
    return {
        (services.service_name, account, region): backend
        for services in instances
        if services.service_name not in SKIPPED
        for account, region, backend in list(services.iter_backends())
    }


def capture(extra: Any = None) -> bytes:
    """The backends, and `extra` (state of our own that must match them), as bytes."""
    return dumps((running_backends(), extra))


def dumps(value: Any) -> bytes:
    """`value` pickled, its locks and private keys included."""
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def restore(blob: bytes) -> Any:
    """Put captured backends in place (before moto serves a request); the `extra`."""
    from moto.backends import get_backend

    # A pickle runs code its writer chose while it loads: `blob` is only ever the data
    # folder's own file, one its owner alone may write (DataFolder.load checks).
    backends, extra = pickle.loads(blob)  # noqa: S301  # nosec B301
    for (service, account, region), backend in backends.items():
        get_backend(service)[account][region] = backend
    return extra
