"""Proof-of-work instead of a third-party CAPTCHA: a signed puzzle the form solves in the browser.

Without JavaScript a browser cannot solve one; time stands in for the work. The form page
carries a form token, `<payload>.<signature>` with an id, a not-before time and an expiry:
posted after its wait (and only once), it passes the check that a solved puzzle would.

A challenge is `<payload>.<signature>`: the payload (base64url JSON) holds an id,
an expiry and a difficulty; the signature is an HMAC with a key derived from the
intake's secret. A solution is a nonce such that SHA-256(challenge ":" nonce)
starts with `difficulty` zero bits. The server checks signature, expiry,
difficulty and work, then spends the id once (a conditional put with a TTL).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.errors import RequestError
from chalicelib.domain.language import N_, _

LIFETIME = timedelta(minutes=10)


FORM_LIFETIME = timedelta(hours=2)


class ProofRequired(RequestError):
    code = "proof_required"
    message = N_(
        "Right now this form needs a proof-of-work check: fetch GET /challenge, solve it "
        "(the form's script does this) and send it in the VDP-Proof header. Without "
        "JavaScript, the form asks you to wait a few seconds and send it again."
    )
    retry_after = 0


class WaitRequired(ProofRequired):
    """A form token posted before its wait was over: the same form may be sent again."""

    message = N_(
        "To keep automated reports out, this form needs a moment before it is sent. Please "
        "check your report and send it again in {seconds} seconds."
    )

    def __init__(self, seconds: int) -> None:
        super().__init__(_(type(self).message, seconds=seconds))
        self.retry_after = seconds


@dataclass(frozen=True)
class Challenge:
    token: str
    challenge_id: str
    difficulty: int
    expires_at: datetime


def issue(key: bytes, difficulty: int, now: datetime) -> Challenge:
    expires = (now + LIFETIME).replace(microsecond=0)
    challenge_id = secrets.token_hex(12)
    payload = {"id": challenge_id, "d": difficulty, "exp": int(expires.timestamp())}
    encoded = _b64(json.dumps(payload, separators=(",", ":")).encode())
    token = f"{encoded}.{_sign(key, encoded)}"
    return Challenge(token, challenge_id, difficulty, expires)


def verify(key: bytes, proof: str, min_difficulty: int, now: datetime) -> Challenge:
    """The challenge a valid proof solves; ProofRequired for anything else."""
    if not proof.isascii() or len(proof) > 512:  # ours are short ASCII; anything else is not
        raise ProofRequired()
    token, _sep, nonce = proof.rpartition(":")
    encoded, _sep, signature = token.partition(".")
    if not (nonce and signature) or len(nonce) > 64:
        raise ProofRequired()
    if not hmac.compare_digest(signature, _sign(key, encoded)):
        raise ProofRequired()
    try:
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        challenge = Challenge(
            token,
            str(payload["id"]),
            int(payload["d"]),
            datetime.fromtimestamp(payload["exp"], now.tzinfo),
        )
    except (ValueError, KeyError, TypeError):
        raise ProofRequired() from None
    if challenge.expires_at < now or challenge.difficulty < min_difficulty:
        raise ProofRequired()
    if (
        leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest())
        < challenge.difficulty
    ):
        raise ProofRequired()
    return challenge


def issue_form_token(key: bytes, now: datetime, wait: timedelta) -> str:
    """A form page's token: usable once, from `wait` after `now` until FORM_LIFETIME."""
    payload = {
        "id": secrets.token_hex(12),
        "nb": int((now + wait).timestamp()),
        "exp": int((now + FORM_LIFETIME).timestamp()),
    }
    encoded = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{encoded}.{_sign(key, encoded)}"


def is_form_token(proof: str) -> bool:
    """A form token has no solution part (a solved challenge ends in `:nonce`)."""
    return ":" not in proof and proof.count(".") == 1


def verify_form_token(key: bytes, token: str, now: datetime) -> Challenge:
    """The id to spend for a form token whose wait is over; WaitRequired before that."""
    encoded, _sep, signature = token.partition(".")
    if not token.isascii() or len(token) > 512 or not signature:
        raise ProofRequired()
    if not hmac.compare_digest(signature, _sign(key, encoded)):
        raise ProofRequired()
    try:
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
        not_before, expires = int(payload["nb"]), int(payload["exp"])
        challenge_id = str(payload["id"])
    except (ValueError, KeyError, TypeError):
        raise ProofRequired() from None
    if expires < now.timestamp():
        raise ProofRequired()
    if not_before > now.timestamp():
        raise WaitRequired(int(not_before - now.timestamp()) + 1)
    return Challenge(token, challenge_id, 0, datetime.fromtimestamp(expires, now.tzinfo))


def solve(token: str, difficulty: int) -> str:
    """What the browser does (used by tests and scripted clients)."""
    nonce = 0
    while leading_zero_bits(hashlib.sha256(f"{token}:{nonce}".encode()).digest()) < difficulty:
        nonce += 1
    return f"{token}:{nonce}"


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte:
            return bits + 8 - byte.bit_length()
        bits += 8
    return bits


def proof_key(secret: bytes) -> bytes:
    """A key for challenges only, derived so it never equals the rate-limit salt's root."""
    return hmac.new(secret, b"vdp proof-of-work", hashlib.sha256).digest()


def _sign(key: bytes, encoded: str) -> str:
    return _b64(hmac.new(key, encoded.encode(), hashlib.sha256).digest())


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
