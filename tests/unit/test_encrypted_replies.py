"""Replies to a reporter who gave an OpenPGP key are stored encrypted to that key; other
replies and every internal note stay as written (under KMS only). Against fakes, with
the real Sequoia encryptor."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pysequoia
import pytest

from chalicelib.adapters.openpgp import SequoiaEncryptor
from chalicelib.domain.openpgp import is_message
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import reporter_status
from chalicelib.usecases.team.inbox import show_report
from chalicelib.usecases.team.triage import (
    KEY_CANNOT_ENCRYPT,
    TO_REPORTERS_KEY,
    acknowledge,
    add_note,
    change_status,
    reply,
)
from tests.builders import ANN, BASE, MINIMAL_REPORT
from tests.unit.fakes import fake_ports

TEXT = "Thanks, we can reproduce it. A fix is planned for 2.4.2."
UNUSABLE_KEY = (
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----\n"
)


@pytest.fixture(scope="module")
def reporter_key() -> pysequoia.Tsk:
    return pysequoia.Tsk.generate("Rae <rae@example.org>")


def ports_with_encryptor() -> Ports:
    return dataclasses.replace(fake_ports(), encryptor=SequoiaEncryptor())


def submitted(ports: Ports, **reporter: Any) -> Any:
    fields = {**MINIMAL_REPORT, **({"reporter": reporter} if reporter else {})}
    return submit_report(fields, ports, base_url=BASE)


def stored(ports: Ports, report_id: str, event: Any, part: str = parts.REPLY) -> str:
    """The text as its part holds it (KMS opened, nothing else)."""
    return parts.load_text(ports, report_id, part, event.part, event.event_id)


def reads(key: pysequoia.Tsk, armored: str) -> str:
    return str(pysequoia.decrypt(decryptor=key.decryptor(), bytes=armored.encode()).bytes.decode())


def test_a_reply_to_a_reporter_with_a_key_is_stored_encrypted_to_that_key(
    reporter_key: pysequoia.Tsk,
) -> None:
    ports = ports_with_encryptor()
    public = str(reporter_key.extract_certificate())
    accepted = submitted(ports, name="Rae", pgp_key=public)

    event = reply(ports, ANN, accepted.report_id, TEXT)

    armored = stored(ports, accepted.report_id, event)
    assert is_message(armored) and TEXT not in armored
    assert reads(reporter_key, armored) == TEXT
    assert event.detail == TO_REPORTERS_KEY and event.public
    # The reporter's status page gets the armored message; the team cannot read it back.
    (entry,) = [h for h in reporter_status(accepted.report_id, accepted.receipt, ports).history
                if h.type == "reply"]  # fmt: skip
    assert entry.message == armored
    (message,) = show_report(ports, accepted.report_id).messages
    assert message.text == armored


def test_acknowledgment_and_status_replies_are_encrypted_too_and_notes_never(
    reporter_key: pysequoia.Tsk,
) -> None:
    ports = ports_with_encryptor()
    accepted = submitted(ports, pgp_key=str(reporter_key.extract_certificate()))
    report_id = accepted.report_id

    acknowledge(ports, ANN, report_id, message="We are on it.")
    change_status(ports, ANN, report_id, "triaged", note="Internal: likely valid", reply=TEXT)
    add_note(ports, ANN, report_id, "Internal: ask Bob")

    texts = {(m.kind, m.text) for m in show_report(ports, report_id).messages}
    replies = [text for kind, text in texts if kind == "reply"]
    assert len(replies) == 2 and all(is_message(text) for text in replies)
    assert sorted(reads(reporter_key, text) for text in replies) == sorted(["We are on it.", TEXT])
    assert {text for kind, text in texts if kind == "note"} == {
        "Internal: likely valid",
        "Internal: ask Bob",
    }


@pytest.mark.parametrize(
    "reporter",
    [{}, {"email": "rae@example.org"}, {"pgp_key": UNUSABLE_KEY}],
    ids=["anonymous", "no key", "a key that cannot encrypt"],
)
def test_a_reply_stays_as_written_without_a_usable_key(reporter: dict[str, str]) -> None:
    ports = ports_with_encryptor()
    accepted = submitted(ports, **reporter)

    event = reply(ports, ANN, accepted.report_id, TEXT)

    assert stored(ports, accepted.report_id, event) == TEXT
    assert event.detail is None


def test_a_key_that_cannot_encrypt_is_the_one_case_the_team_is_warned_of() -> None:
    warned: list[str] = []
    ports = dataclasses.replace(ports_with_encryptor(), warn=warned.append)
    unusable = submitted(ports, pgp_key=UNUSABLE_KEY)
    without = submitted(ports, email="rae@example.org")

    reply(ports, ANN, unusable.report_id, TEXT)
    change_status(ports, ANN, unusable.report_id, "triaged", reply=TEXT)
    reply(ports, ANN, without.report_id, TEXT)

    assert warned == [KEY_CANNOT_ENCRYPT.format(report_id=unusable.report_id)] * 2
    assert "cannot encrypt" in warned[0] and "stored as written" in warned[0]


def test_the_encryptor_refuses_a_revoked_or_expired_key_which_sequoia_would_use() -> None:
    revoked_key = pysequoia.Tsk.generate("Rae <rae@example.org>")
    public = revoked_key.extract_certificate()
    revoked = pysequoia.Cert.from_bytes(bytes(public) + bytes(public.revoke(revoked_key.signer())))
    expired = pysequoia.Tsk.generate("Rae <rae@example.org>", validity_seconds=1)
    time.sleep(1.5)

    for cert in (revoked, expired.extract_certificate()):
        assert pysequoia.encrypt(recipients=[cert], bytes=b"x")  # the library alone would
        with pytest.raises(ValueError, match="cannot be used to encrypt"):
            SequoiaEncryptor().encrypt(str(cert), TEXT.encode())


def test_without_an_encryptor_a_reply_stays_as_written(reporter_key: pysequoia.Tsk) -> None:
    ports = fake_ports()  # as where no mail is sent: no encryptor
    accepted = submitted(ports, pgp_key=str(reporter_key.extract_certificate()))

    event = reply(ports, ANN, accepted.report_id, TEXT)

    assert stored(ports, accepted.report_id, event) == TEXT


def test_the_length_limit_applies_to_the_reply_as_written(reporter_key: pysequoia.Tsk) -> None:
    from chalicelib.domain.errors import ValidationFailed
    from chalicelib.usecases.team.triage import MAX_TEXT

    ports = ports_with_encryptor()
    accepted = submitted(ports, pgp_key=str(reporter_key.extract_certificate()))

    event = reply(ports, ANN, accepted.report_id, "x" * MAX_TEXT)  # its message is longer
    with pytest.raises(ValidationFailed):
        reply(ports, ANN, accepted.report_id, "x" * (MAX_TEXT + 1))

    assert reads(reporter_key, stored(ports, accepted.report_id, event)) == "x" * MAX_TEXT
