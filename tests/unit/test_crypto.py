import os

import pytest

from chalicelib.domain.crypto import DataKey, SealedBlobError, open_sealed, read_header, seal

CONTEXT = {"report_id": "VDP-7K3M-9QX2", "part": "report"}


def make_key() -> tuple[DataKey, dict[bytes, bytes]]:
    key = DataKey(plaintext=os.urandom(32), wrapped=b"wrapped-key", key_id="arn:key/1")
    return key, {key.wrapped: key.plaintext}


def unwrapper(keys: dict[bytes, bytes]):
    return lambda wrapped, context: keys[wrapped]


def test_sealed_part_opens_with_its_context_and_hides_the_plaintext() -> None:
    key, keys = make_key()
    blob = seal(b"secret report text", key, CONTEXT)

    assert b"secret report text" not in blob
    assert open_sealed(blob, CONTEXT, unwrapper(keys)) == b"secret report text"


def test_blob_describes_itself() -> None:
    key, _ = make_key()
    header, _ = read_header(seal(b"x", key, CONTEXT))

    assert header["alg"] == "AES-256-GCM"
    assert header["key_id"] == "arn:key/1"
    assert header["context"] == CONTEXT
    assert {"nonce", "wrapped_key"} <= set(header)


def test_blob_moved_to_another_report_does_not_open() -> None:
    key, keys = make_key()
    blob = seal(b"x", key, CONTEXT)

    with pytest.raises(SealedBlobError):
        open_sealed(blob, {**CONTEXT, "report_id": "VDP-0000-0000"}, unwrapper(keys))


@pytest.mark.parametrize("offset", [5, 12, 40, -1])
def test_any_flipped_byte_is_detected(offset: int) -> None:
    key, keys = make_key()
    blob = bytearray(seal(b"report body", key, CONTEXT))
    blob[offset] ^= 0x01

    with pytest.raises((SealedBlobError, KeyError)):
        open_sealed(bytes(blob), CONTEXT, unwrapper(keys))


def test_foreign_bytes_are_refused() -> None:
    with pytest.raises(SealedBlobError):
        read_header(b"plain text, not a vdp blob at all")


def test_each_seal_uses_a_new_nonce() -> None:
    key, _ = make_key()
    first, _ = read_header(seal(b"same", key, CONTEXT))
    second, _ = read_header(seal(b"same", key, CONTEXT))

    assert first["nonce"] != second["nonce"]
