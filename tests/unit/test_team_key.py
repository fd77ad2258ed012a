"""The team's OpenPGP key: checked when the policy loads, published, and the one every
encrypted field and file must be addressed to (Sequoia parses; nothing decrypts)."""

from __future__ import annotations

import base64
import os
import subprocess
import time
from pathlib import Path

import pysequoia
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import PolicyError, ValidationFailed
from chalicelib.domain.openpgp import message_problem
from chalicelib.domain.policy.document import DEFAULT_POLICY, default_policy, load_policy
from chalicelib.domain.report.flags import flags_for
from chalicelib.domain.report.models import ARMORED_LIMITS, PGP_OVERHEAD, TEXT_LIMITS
from chalicelib.usecases.reporter.intake import parse_submission
from tests.builders import REPORT

TEAM_KEY = (DEFAULT_POLICY.parent / "demo-team-key.asc").read_text()
ARMOR = b"-----BEGIN PGP MESSAGE-----"
TEAM_FINGERPRINT = "C373 42B5 B663 4D71 0C2E  F133 5C22 797A ADCC 6CAA"
CERT = pysequoia.Cert.from_bytes(TEAM_KEY.encode())


def to(cert_text: str, data: bytes) -> str:
    cert = pysequoia.Cert.from_bytes(cert_text.encode())
    return bytes(pysequoia.encrypt(recipients=[cert], bytes=data)).decode()


def other_key() -> tuple[str, pysequoia.Tsk]:
    secret = pysequoia.Tsk.generate("Someone else <else@example.org>")
    return str(secret.extract_certificate()), secret


def policy_file(tmp_path: Path, key_text: str, fingerprint: str) -> Path:
    (tmp_path / "team.asc").write_text(key_text)
    text = DEFAULT_POLICY.read_text()
    text = text.replace('pgp_key_file = "demo-team-key.asc"', 'pgp_key_file = "team.asc"')
    text = text.replace(TEAM_FINGERPRINT, fingerprint)
    (tmp_path / "policy.toml").write_text(text)
    return tmp_path / "policy.toml"


def test_the_shipped_policy_loads_its_demo_key() -> None:
    assert default_policy().encryption.pgp_key == TEAM_KEY


def test_a_key_that_is_not_the_one_the_fingerprint_names_stops_the_policy(
    tmp_path: Path,
) -> None:
    public, _ = other_key()

    with pytest.raises(PolicyError) as refused:
        load_policy(policy_file(tmp_path, public, TEAM_FINGERPRINT))

    assert "team.asc" in refused.value.message and "not the policy's" in refused.value.message


def test_an_expired_key_stops_the_policy(tmp_path: Path) -> None:
    short_lived = pysequoia.Tsk.generate("Team <team@example.org>", validity_seconds=1)
    public = short_lived.extract_certificate()
    fingerprint = public.fingerprint.upper()
    time.sleep(1.5)

    with pytest.raises(PolicyError, match="expired"):
        load_policy(policy_file(tmp_path, str(public), fingerprint))


def test_a_signing_only_key_stops_the_policy(tmp_path: Path) -> None:
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = {**os.environ, "GNUPGHOME": str(home)}
    uid = "Signer <signer@example.org>"
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key", uid, "ed25519",
                    "sign", "never"], env=env, check=True, capture_output=True)  # fmt: skip
    public = subprocess.run(["gpg", "--armor", "--export", "signer@example.org"], env=env,
                            check=True, capture_output=True, text=True).stdout  # fmt: skip
    fingerprint = pysequoia.Cert.from_bytes(public.encode()).fingerprint.upper()

    with pytest.raises(PolicyError, match="signing-only"):
        load_policy(policy_file(tmp_path, public, fingerprint))


def test_the_key_cannot_be_set_inline_only_read_from_its_file(tmp_path: Path) -> None:
    text = DEFAULT_POLICY.read_text().replace(
        'pgp_key_url = ""', 'pgp_key_url = ""\npgp_key = "-----BEGIN PGP PUBLIC KEY BLOCK-----"'
    )
    (tmp_path / "policy.toml").write_text(text)

    with pytest.raises(PolicyError, match="pgp_key_file"):
        load_policy(tmp_path / "policy.toml")


def test_fields_encrypted_to_the_team_are_kept_and_flagged_encrypted() -> None:
    secret = "The admin token is leaked by /debug; it reads like denial of service."
    report = {**REPORT, "description": to(TEAM_KEY, secret.encode())}

    submission = parse_submission(report, default_policy())

    assert submission.description.startswith("-----BEGIN PGP MESSAGE-----")
    # The text cannot be read here: flagged encrypted, never possibly_out_of_scope.
    assert flags_for(submission, default_policy()) == ["encrypted"]


@pytest.mark.parametrize("field", ["description", "steps_to_reproduce", "impact"])
def test_a_message_to_another_key_is_refused_naming_the_field(field: str) -> None:
    public, _ = other_key()
    report = {**REPORT, field: to(public, b"x" * 40)}

    with pytest.raises(ValidationFailed) as refused:
        parse_submission(report, default_policy())

    [problem] = refused.value.fields
    assert problem.field == field and "our published key" in problem.message


@pytest.mark.parametrize(
    "text",
    [
        "-----BEGIN PGP MESSAGE-----\n\nnot base64 at all!\n-----END PGP MESSAGE-----\n",
        "signed",
    ],
    ids=["malformed armor", "signed, not encrypted"],
)
def test_malformed_or_unencrypted_messages_are_refused(text: str) -> None:
    if text == "signed":
        _, signer = other_key()
        text = bytes(pysequoia.sign(signer.signer(), b"x" * 40)).decode()
    report = {**REPORT, "description": text}

    with pytest.raises(ValidationFailed) as refused:
        parse_submission(report, default_policy())

    assert [p.field for p in refused.value.fields] == ["description"]


def test_a_version_6_team_key_takes_messages_to_it_and_refuses_others() -> None:
    # RFC 9580 keys: their session key packets name the recipient by a 32-byte fingerprint.
    v6 = pysequoia.Profile.RFC9580
    team = str(pysequoia.Tsk.generate("Team <team@example.org>", profile=v6).extract_certificate())
    other = str(pysequoia.Tsk.generate("Else <else@example.org>", profile=v6).extract_certificate())

    assert message_problem(to(team, b"a report").encode(), team) is None
    assert message_problem(to(other, b"a report").encode(), team) == "pgp_wrong_key"
    assert message_problem(to(TEAM_KEY, b"a report").encode(), team) == "pgp_wrong_key"
    assert message_problem(to(team, b"a report").encode(), TEAM_KEY) == "pgp_wrong_key"


def with_hidden_recipient_v6(message: bytes) -> bytes:
    """A version 6 message whose session key packet names no recipient (fingerprint
    length 0, RFC 9580 5.1.1), as a sender hiding the recipient writes it."""
    [session_key, *_] = pysequoia.packet.PacketPile.from_bytes(message)
    body = bytes(session_key.body)
    assert body[0] == 6 and message[:2] == bytes([0xC1, len(body)])  # one-octet length
    hidden = body[:1] + b"\x00" + body[2 + body[1] :]
    return bytes([0xC1, len(hidden)]) + hidden + message[2 + len(body) :]


def hidden_recipient_v3(tmp_path: Path) -> str:
    """A message to the team's key from gpg with --throw-keyids (key id all zero)."""
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    gpg = ["gpg", "--homedir", str(home), "--batch", "--quiet"]
    subprocess.run([*gpg, "--import"], input=TEAM_KEY.encode(), check=True, capture_output=True)
    sealed = subprocess.run(
        [*gpg, "--trust-model", "always", "--throw-keyids", "--armor", "--encrypt",
         "--recipient", TEAM_FINGERPRINT.replace(" ", "")],
        input=b"a report", check=True, capture_output=True,
    ).stdout  # fmt: skip
    subprocess.run(["gpgconf", "--homedir", str(home), "--kill", "gpg-agent"], check=False)
    return sealed.decode()


def test_a_message_that_hides_its_recipient_is_refused_naming_the_field(tmp_path: Path) -> None:
    # Nothing without the secret key can show it is for the team: it could be for anyone.
    v6 = pysequoia.Profile.RFC9580
    team = str(pysequoia.Tsk.generate("Team <team@example.org>", profile=v6).extract_certificate())
    sealed = bytes(pysequoia.encrypt(recipients=[pysequoia.Cert.from_bytes(team.encode())],
                                     bytes=b"a report", armor=False))  # fmt: skip
    v3 = hidden_recipient_v3(tmp_path)

    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**REPORT, "impact": v3}, default_policy())

    assert message_problem(sealed, team) is None  # the same message, recipient shown
    assert message_problem(with_hidden_recipient_v6(sealed), team) == "pgp_hidden_recipient"
    assert message_problem(v3.encode(), TEAM_KEY) == "pgp_hidden_recipient"
    [problem] = refused.value.fields
    assert problem.field == "impact" and "hides its recipient" in problem.message


def test_encrypted_files_must_be_addressed_to_the_team_too() -> None:
    public, _ = other_key()
    ours = base64.b64encode(to(TEAM_KEY, b"\x00\x01binary").encode()).decode()
    theirs = base64.b64encode(to(public, b"\x00\x01binary").encode()).decode()

    def files(data: str) -> dict[str, object]:
        item = {
            "filename": "poc.bin.pgp",
            "content_type": "application/pgp-encrypted",
            "data": data,
        }
        return {**REPORT, "attachments": [item]}

    kept = parse_submission(files(ours), default_policy())
    with pytest.raises(ValidationFailed) as refused:
        parse_submission(files(theirs), default_policy())

    assert kept.encrypted()
    assert [p.field for p in refused.value.fields] == ["attachments"]


@pytest.mark.parametrize("field", ["description", "steps_to_reproduce", "impact"])
def test_each_field_takes_a_message_as_long_as_its_own_limit_allows(field: str) -> None:
    # The plain limit's worst case: 4 bytes a character (UTF-8's most), incompressible.
    at_limit = to(TEAM_KEY, os.urandom(4 * TEXT_LIMITS[field]))
    over = to(TEAM_KEY, os.urandom(ARMORED_LIMITS[field] * 3 // 4))  # its base64 alone

    kept = parse_submission({**REPORT, field: at_limit}, default_policy())
    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**REPORT, field: over}, default_policy())

    assert getattr(kept, field) == at_limit.strip()
    assert len(over) > ARMORED_LIMITS[field]
    [problem] = refused.value.fields
    limit = f"{ARMORED_LIMITS[field]:,}"
    assert (problem.field, problem.message) == (
        field,
        f"Keep the encrypted text to at most {limit} characters of OpenPGP armor.",
    )


def test_the_armored_limits_follow_the_plain_ones() -> None:
    # impact's plain limit is 20,000 characters: its armor may not be description's size.
    assert ARMORED_LIMITS == {
        "description": 281_144, "steps_to_reproduce": 281_144, "impact": 116_144,
    }  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**REPORT, "impact": "x" * 40_000}, default_policy())
    with pytest.raises(ValidationFailed) as longer:
        parse_submission({**REPORT, "description": "x" * 300_000}, default_policy())

    # Plain text is told its own limit, in characters, below or above the armored one.
    assert [p.message for p in refused.value.fields] == [
        "Keep the impact to at most 20,000 characters."
    ]
    assert [p.message for p in longer.value.fields] == [
        "Keep the description to at most 50,000 characters."
    ]


def test_the_form_checks_the_plain_limits_before_encrypting() -> None:
    from chalicelib.web.pages.form.texts import ENCRYPTED_FIELDS

    assert ENCRYPTED_FIELDS == TEXT_LIMITS  # in characters, told as the server would


def test_an_encrypted_file_may_exceed_the_attachment_limit_by_the_overhead_only() -> None:
    limit = default_policy().limits.max_attachment_bytes

    def sealed(size: int) -> dict[str, object]:
        data = bytes(pysequoia.encrypt(recipients=[CERT], bytes=os.urandom(size), armor=False))
        item = {"filename": "attachment-1.pgp", "content_type": "application/pgp-encrypted",
                "data": base64.b64encode(data).decode()}  # fmt: skip
        return {**REPORT, "attachments": [item]}

    kept = parse_submission(sealed(limit), default_policy())  # a file at the limit, encrypted
    with pytest.raises(ValidationFailed) as refused:
        parse_submission(sealed(limit + PGP_OVERHEAD), default_policy())

    assert len(kept.attachments[0].data) <= limit + PGP_OVERHEAD
    assert [(p.field, p.message) for p in refused.value.fields] == [
        ("attachments", "Attach at most 4 MB in total.")
    ]


@pytest.mark.parametrize(
    "extra",
    ["\nSECRET PLAINTEXT after the message", "message twice"],
    ids=["plain text after the message", "a second message"],
)
def test_a_field_is_one_message_and_nothing_else(extra: str) -> None:
    message = to(TEAM_KEY, b"the real report, encrypted")
    text = message + ("\n" + message if extra == "message twice" else extra)

    with pytest.raises(ValidationFailed) as refused:
        parse_submission({**REPORT, "description": text}, default_policy())

    [problem] = refused.value.fields
    assert problem.field == "description" and "nothing else" in problem.message


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.booleans())
@example(b"\xbf", True)  # a packet with a tag pysequoia cannot name
def test_whatever_a_client_sends_as_a_message_gets_an_answer_never_an_error(
    data: bytes, armored: bool
) -> None:
    sent = (
        b"%s\n\n%s\n-----END PGP MESSAGE-----" % (ARMOR, base64.b64encode(data))
        if armored
        else data
    )

    problem = message_problem(sent, TEAM_KEY)

    assert isinstance(problem, str)  # random bytes are never a message to the team's key
