"""Envelope encryption format: seal and open one stored part. No AWS calls here.

A sealed blob is self-describing:

    b"VDPE" | version (1 byte) | header length (4 bytes, big endian) | header | ciphertext

The header is canonical JSON: algorithm, KMS key id, the wrapped data key, the
nonce and the encryption context. The whole prefix (magic, version and header)
is the AES-GCM associated data, so changing any of it makes the blob unreadable,
and the context in it is the same one KMS binds to the wrapped key.
"""

from __future__ import annotations

import base64
import json
import os
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"VDPE"
VERSION = 1
ALGORITHM = "AES-256-GCM"
_PREFIX = struct.Struct(">4sBI")
_TAG_BYTES = 16  # AES-GCM authentication tag

Context = Mapping[str, str]
Unwrap = Callable[[bytes, Context], bytes]


class SealedBlobError(ValueError):
    """The blob is not a vdp blob, is damaged, or belongs to another part."""


@dataclass(frozen=True)
class DataKey:
    """A data key from KMS: the plaintext for this process, the wrapped copy for storage."""

    plaintext: bytes
    wrapped: bytes
    key_id: str


def seal(plaintext: bytes, key: DataKey, context: Context) -> bytearray:
    """Encrypt one part under its own data key, binding the context as AAD."""
    nonce = os.urandom(12)
    header = _canonical(
        {
            "alg": ALGORITHM,
            "context": dict(context),
            "key_id": key.key_id,
            "nonce": _b64(nonce),
            "wrapped_key": _b64(key.wrapped),
        }
    )
    prefix = _PREFIX.pack(MAGIC, VERSION, len(header)) + header
    # One buffer, encrypted in place after the prefix: a 4 MB attachment is not
    # allocated and copied a second time (that copy halved the throughput).
    blob = bytearray(len(prefix) + len(plaintext) + _TAG_BYTES)
    blob[: len(prefix)] = prefix
    AESGCM(key.plaintext).encrypt_into(nonce, plaintext, prefix, memoryview(blob)[len(prefix) :])
    return blob


def open_sealed(blob: bytes, expected_context: Context, unwrap: Unwrap) -> bytes:
    """Decrypt a blob after checking it was sealed for exactly this context."""
    header, prefix = read_header(blob)
    if header["context"] != dict(expected_context):
        raise SealedBlobError("blob was sealed for another report, part or event")
    data_key = unwrap(base64.b64decode(header["wrapped_key"]), expected_context)
    try:
        return AESGCM(data_key).decrypt(
            base64.b64decode(header["nonce"]), blob[len(prefix) :], prefix
        )
    except Exception as exc:  # cryptography raises InvalidTag without detail
        raise SealedBlobError("blob failed authentication") from exc


def read_header(blob: bytes) -> tuple[dict[str, Any], bytes]:
    """The parsed header and the raw prefix that serves as AAD."""
    if len(blob) < _PREFIX.size:
        raise SealedBlobError("blob too short")
    magic, version, length = _PREFIX.unpack_from(blob)
    if magic != MAGIC or version != VERSION:
        raise SealedBlobError("not a vdp blob of a known version")
    end = _PREFIX.size + length
    try:
        header = json.loads(blob[_PREFIX.size : end])
    except ValueError as exc:
        raise SealedBlobError("damaged header") from exc
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise SealedBlobError("unknown algorithm")
    return header, blob[:end]


def _canonical(value: Mapping[str, object]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
