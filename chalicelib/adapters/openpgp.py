"""OpenPGP with Sequoia (pysequoia, from the library layer every function carries):
encrypt to a reporter's own public key.

Used where mail is encrypted, at intake to seal a receipt to the reporter's key, and for
the team's replies to a reporter who gave a key.
"""

from __future__ import annotations

from datetime import UTC, datetime


class SequoiaEncryptor:
    def encrypt(self, armored_key: str, data: bytes) -> str:
        """`data` as an armored OpenPGP message to the key; ValueError when the key cannot
        be read, is revoked or expired, or has no usable encryption key."""
        import pysequoia

        try:
            cert = pysequoia.Cert.from_bytes(armored_key.encode())
            # pysequoia's encrypt checks neither: it would encrypt to a revoked key.
            if cert.is_revoked or (cert.expiration and cert.expiration <= datetime.now(UTC)):
                raise ValueError("the key is revoked or expired")
            return bytes(pysequoia.encrypt(recipients=[cert], bytes=data)).decode()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # its own types, and Rust panics as PanicException
            raise ValueError("the key cannot be used to encrypt") from exc
