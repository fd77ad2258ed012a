"""What `vdp serve`'s servers write about their clients: one-line notes, never an address
or a traceback."""

from __future__ import annotations

import asyncio
import logging
import socketserver

import pytest

from vdp.local.api import quiet

ADDRESS = ("127.0.0.77", 43181)


@pytest.fixture
def notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    said: list[str] = []
    fresh = quiet.Notes()
    fresh.write = said.append
    monkeypatch.setattr(quiet, "NOTES", fresh)
    return said


class Server(quiet.QuietServer, socketserver.TCPServer):
    pass


@pytest.mark.parametrize(
    ("error", "note"),
    [
        (ConnectionResetError(104, "Connection reset by peer"), "closed its connection early"),
        (BrokenPipeError(32, "Broken pipe"), "closed its connection early"),
        (TimeoutError("timed out"), "went quiet"),
        (KeyError("a header a client chose"), "a request failed (KeyError)"),
    ],
)
def test_a_failed_request_is_one_note_without_the_address_or_a_traceback(
    notes: list[str], capsys: pytest.CaptureFixture[str], error: Exception, note: str
) -> None:
    server = Server(("127.0.0.1", 0), socketserver.BaseRequestHandler)
    try:
        try:
            raise error
        except Exception:  # noqa: BLE001 - as socketserver calls it: inside the except
            server.handle_error(None, ADDRESS)
    finally:
        server.server_close()

    assert len(notes) == 1 and note in notes[0]
    assert "127.0.0.77" not in notes[0] and "a header a client chose" not in notes[0]
    assert capsys.readouterr() == ("", "")  # socketserver's own prints both to stderr


def test_a_flood_of_the_same_failure_is_one_note(notes: list[str]) -> None:
    for _ in range(100):
        quiet.NOTES.say("a client closed its connection early")
    quiet.NOTES.say("a client went quiet; its connection was closed")

    assert len(notes) == 2


def test_aiosmtpds_log_becomes_notes_without_the_peer(
    notes: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    mail_log = logging.getLogger("mail.log")
    for name in ("handlers", "level", "propagate"):  # put back after the test
        monkeypatch.setattr(mail_log, name, getattr(mail_log, name))
    quiet.quiet_mail_log()

    mail_log.info("%r handling connection", ADDRESS)
    mail_log.warning("%r unrecognised: %s", ADDRESS, "GARBAGE")
    try:
        raise ValueError("a line the client sent")
    except ValueError:
        mail_log.exception("%r SMTP session exception", ADDRESS)

    assert notes == [
        "[serve] an SMTP client sent a command the listener refused",
        "[serve] an SMTP session failed; it was closed",
    ]
    assert capsys.readouterr() == ("", "")


def test_a_failure_the_mail_listeners_loop_reports_is_a_note(
    notes: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(quiet.loop_failure)
    try:  # as asyncio reports a connection's task that ended in an error nobody awaited
        error = ConnectionResetError(104, "Connection reset by peer")
        loop.call_exception_handler({"message": "Task exception was never retrieved",
                                     "exception": error, "peername": ADDRESS})  # fmt: skip
    finally:
        loop.close()

    assert notes == ["[serve] a mail connection failed; it was closed"]
    assert capsys.readouterr() == ("", "")
