"""OpenPGP with Sequoia (pysequoia): encrypt to a reporter's own public key.

Used where mail is encrypted, and at intake to seal a receipt to the reporter's key.
"""

from __future__ import annotations


class SequoiaEncryptor:
    def encrypt(self, armored_key: str, data: bytes) -> str:
        """`data` as an armored OpenPGP message to the key; ValueError when the key cannot
        be read or has no usable encryption key (expired, revoked)."""
        import pysequoia

        try:
            cert = pysequoia.Cert.from_bytes(armored_key.encode())
            return bytes(pysequoia.encrypt(recipients=[cert], bytes=data)).decode()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # its own types, and Rust panics as PanicException
            raise ValueError("the key cannot be used to encrypt") from exc
