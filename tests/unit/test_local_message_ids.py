"""The local stack's SES-like message ids: a mail sent again after a 451 is the same mail."""

from vdp.local.smtp import local_message_id


def test_a_mail_sent_again_gets_the_same_id() -> None:
    raw = b"From: a@example.org\r\nSubject: hi\r\n\r\nbody\r\n"
    first = local_message_id(raw, "a@example.org", ["security@example.com"])
    assert first == local_message_id(raw, "a@example.org", ["security@example.com"])
    assert len(first) == 40 and first == first.lower() and int(first, 16) >= 0


def test_another_envelope_or_other_bytes_get_another_id() -> None:
    raw = b"From: a@example.org\r\n\r\nbody\r\n"
    one = local_message_id(raw, "a@example.org", ["security@example.com"])
    assert one != local_message_id(raw + b"x", "a@example.org", ["security@example.com"])
    assert one != local_message_id(raw, "b@example.org", ["security@example.com"])
    assert one != local_message_id(raw, "a@example.org", ["other@example.com"])
    # The envelope's parts cannot run into the bytes.
    assert local_message_id(b"x", "a", []) != local_message_id(b"", "a\nx", [])
