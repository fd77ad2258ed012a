"""Reading a received mail and fitting it into a submission: headers as single lines, the
text (HTML turned into text), PGP kept intact, the sender's key, the policy's limits, and
bad input (huge, many-part, damaged, strangely encoded mail) read without raising."""

from __future__ import annotations

import base64

import pytest

from chalicelib.domain.policy.document import default_policy
from chalicelib.usecases.mail.autoreply import is_automatic
from chalicelib.usecases.mail.parse import MAX_PARTS, read_mail
from chalicelib.usecases.mail.submission import TEXT_ROOM, fit, report_fields, title
from tests.mail_samples import ARMORED, BODY, PUBLIC_KEY, mail, pgp_mime, raw


def fields_of(data: bytes, **limits: int) -> dict[str, object]:
    policy = default_policy()
    if limits:
        policy = policy.model_copy(update={"limits": policy.limits.model_copy(update=limits)})
    parsed = read_mail(data)
    return report_fields(parsed, fit(parsed, policy), policy, set(), True)[0]


# --- What a mail becomes ------------------------------------------------------------------


def test_subject_body_sender_and_files_become_the_submission() -> None:
    message = mail()
    request = b"GET /export?file=.."
    message.add_attachment(request, "application", "octet-stream", filename="request.txt")

    fields = fields_of(raw(message))

    assert fields["title"] == "Path traversal in export"
    assert str(fields["description"]).startswith(BODY)
    assert "[Received by mail.]" in str(fields["description"])
    assert fields["product"] == "other" and fields["policy_accepted"] is True
    assert fields["reporter"] == {
        "email": "ann@example.org",
        "name": "Ann Analyst",
        "email_updates": True,
    }
    assert fields["attachments"] == [
        {
            "filename": "request.txt",
            "content_type": "application/octet-stream",
            "data": base64.b64encode(request).decode(),
        }
    ]


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        (None, "(no subject)"),
        ("   ", "(no subject)"),
        ("Hi", "Hi (mail)"),
        ("x" * 500, "x" * 199 + "…"),
    ],
)
def test_titles_fit_the_submissions_limits(subject: str | None, expected: str) -> None:
    parsed = read_mail(raw(mail(subject=subject)))

    assert title(parsed.subject) == expected
    assert 5 <= len(title(parsed.subject)) <= 200


def test_an_empty_mail_still_has_a_description_long_enough() -> None:
    fields = fields_of(raw(mail(body="")))

    assert str(fields["description"]).startswith("(The mail had no text.)")
    assert len(str(fields["description"])) >= 20


def test_html_only_mail_is_turned_into_text() -> None:
    message = mail(body=None)
    message.set_content(
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Stored XSS &amp; more</p><p>See <a href='https://poc.example/x'>the PoC</a></p>"
        "</body></html>",
        subtype="html",
    )

    description = str(fields_of(raw(message))["description"])

    assert description.startswith("Stored XSS & more\n\nSee the PoC <https://poc.example/x>")
    assert "alert" not in description and "color" not in description and "<p>" not in description


def test_plain_text_is_preferred_to_its_html_alternative() -> None:
    message = mail()
    message.add_alternative("<p>HTML twin</p>", subtype="html")

    description = str(fields_of(raw(message))["description"])

    assert description.startswith(BODY) and "HTML twin" not in description


def test_pgp_mime_keeps_the_armored_message_intact() -> None:
    description = str(fields_of(pgp_mime())["description"])

    assert ARMORED.strip() in description
    assert "Version: 1" not in description


def test_inline_armor_is_kept_intact() -> None:
    body = f"Details are encrypted to your key:\n\n{ARMORED}"

    description = str(fields_of(raw(mail(body)))["description"])

    assert description.startswith(body.strip())


@pytest.mark.parametrize(
    ("content_type", "filename"),
    [(("application", "pgp-keys"), "key.gpg"), (("application", "octet-stream"), "0xANN.asc")],
)
def test_an_attached_public_key_becomes_the_reporters_key(
    content_type: tuple[str, str], filename: str
) -> None:
    message = mail()
    message.add_attachment(PUBLIC_KEY.encode(), *content_type, filename=filename)

    fields = fields_of(raw(message))

    assert fields["reporter"]["pgp_key"] == PUBLIC_KEY.strip()
    assert fields["attachments"] == []


def test_an_asc_file_that_is_no_public_key_stays_a_file() -> None:
    message = mail()
    signature = b"-----BEGIN PGP SIGNATURE-----\n"
    message.add_attachment(signature, "application", "pgp-signature", filename="sig.asc")

    fields = fields_of(raw(message))

    assert "pgp_key" not in fields["reporter"]
    assert [a["filename"] for a in fields["attachments"]] == ["sig.asc"]


def test_a_forwarded_mail_stays_one_file() -> None:
    message = mail()
    forwarded = mail("The customer's original complaint text.", subject="Fwd: original")
    message.add_attachment(forwarded)

    fields = fields_of(raw(message))

    [attached] = fields["attachments"]
    assert (attached["filename"], attached["content_type"]) == (
        "attached-message.eml",
        "message/rfc822",
    )
    assert b"Subject: Fwd: original" in base64.b64decode(attached["data"])
    assert "original complaint" not in str(fields["description"])


def test_files_over_the_policys_limits_are_listed_not_added() -> None:
    message = mail()
    for index, size in enumerate((10, 5000, 20)):
        message.add_attachment(b"x" * size, "application", "octet-stream", filename=f"f{index}")

    fields = fields_of(raw(message), max_attachments=5, max_attachment_bytes=100)

    assert [a["filename"] for a in fields["attachments"]] == ["f0", "f2"]
    assert "- f1 (5000 bytes): over the limits" in str(fields["description"])


def test_too_many_files_are_listed_not_added() -> None:
    message = mail()
    for index in range(4):
        message.add_attachment(b"x", "application", "octet-stream", filename=f"f{index}")

    fields = fields_of(raw(message), max_attachments=2)

    assert len(fields["attachments"]) == 2
    assert "- f2 (1 bytes)" in str(fields["description"])
    assert "- f3 (1 bytes)" in str(fields["description"])


# --- Bad input ------------------------------------------------------------------------------


def test_a_40_mb_body_is_cut_with_a_note_and_attached_whole_when_it_fits() -> None:
    huge = "A" * (40 * 1024 * 1024)
    data = raw(mail(huge))

    cut = fields_of(data)
    whole = fields_of(data, max_attachment_bytes=50 * 1024 * 1024)

    description = str(cut["description"])
    assert len(description) <= 50_000 and description.startswith("A" * TEXT_ROOM + "\n")
    assert "the whole text was over the limits for files" in description
    assert f"- mail.txt ({len(huge) + 1} bytes): over the limits" in description  # its newline
    [attached] = whole["attachments"]
    assert attached["filename"] == "mail.txt"
    assert base64.b64decode(attached["data"]).decode() == huge + "\n"
    assert "the whole text is attached" in str(whole["description"])


def test_a_thousand_parts_are_read_up_to_the_bound_and_the_rest_listed() -> None:
    message = mail()
    for index in range(1000):
        message.add_attachment(b"x", "application", "octet-stream", filename=f"f{index}")

    parsed = read_mail(raw(message))
    fields = fields_of(raw(message))

    # The root, its text and 98 files are the first MAX_PARTS parts.
    assert len(parsed.files) == MAX_PARTS - 2
    assert str(parsed.left_out[0]) == f"902 more MIME parts after the first {MAX_PARTS}"
    assert "parts skipped" in parsed.flags
    assert "- 902 more MIME parts after the first 100" in str(fields["description"])
    assert "- and " in str(fields["description"])  # more left out than are named


@pytest.mark.parametrize(
    ("charset", "text"),
    [
        ("cp1252", "Café – “quoted” €100"),
        ("koi8-r", "Уязвимость в форме входа"),
        ("iso-8859-15", "Sécurité: €"),
    ],
)
def test_declared_charsets_are_decoded(charset: str, text: str) -> None:
    data = (
        b"From: ann@example.org\r\nSubject: charset\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=" + charset.encode() + b"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" + text.encode(charset) + b"\r\n"
    )

    parsed = read_mail(data)

    assert parsed.text.strip() == text and "charset" not in parsed.flags


@pytest.mark.parametrize("charset", ["x-no-such-charset", "punycode", "base64", "utf-8\x00"])
def test_unknown_charsets_fall_back_to_utf8_with_replacement(charset: str) -> None:
    data = (
        b"From: ann@example.org\r\nSubject: charset\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="' + charset.encode() + b'"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\nCaf\xc3\xa9 \xff\xfe broken bytes\r\n"
    )

    fields = fields_of(data)

    description = str(fields["description"])
    assert description.startswith("Café \ufffd\ufffd broken bytes")
    assert "[Text in an unknown charset was read as UTF-8.]" in description


def test_invalid_bytes_in_a_known_charset_are_replaced() -> None:
    data = (
        b"From: ann@example.org\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe end\r\n"
    )

    assert read_mail(data).text.strip() == "ok \ufffd\ufffd end"


def test_cr_lf_in_subject_and_from_become_single_lines() -> None:
    data = (
        b"From: =?utf-8?q?Eve=0D=0ABcc=3A_victim=40example=2Eorg?= <eve@example.org>\r\n"
        b"Subject: =?utf-8?q?Hello=0D=0AX-Injected=3A_yes=E2=80=AE?=\r\n"
        b"Message-ID: <ok@example.org>\r\n\r\nA body that is long enough to be a description.\r\n"
    )

    parsed = read_mail(data)

    assert parsed.subject == "Hello X-Injected: yes"
    # A name that decodes to a line break: no sender to trust, the header kept as it came.
    assert (parsed.sender, parsed.sender_name) == ("", "")
    assert parsed.claimed_sender.endswith("=2Eorg?= <eve@example.org>")
    assert "\n" not in parsed.subject + parsed.claimed_sender and "\r" not in parsed.subject


def test_a_from_that_is_no_address_leaves_no_sender() -> None:
    parsed = read_mail(raw(mail(sender="not an address at all")))

    assert parsed.sender == ""
    assert "reporter" not in fields_of(raw(mail(sender="undisclosed-recipients:;")))


def headed(from_lines: bytes) -> bytes:
    return from_lines + b"Subject: A report\r\n\r\nA body that is long enough to be one.\r\n"


@pytest.mark.parametrize(
    "from_lines",
    [
        # Read by Python as you@example.org, by other mail software as mallory's address.
        b"From: you@example.org <mallory@evil.example>\r\n",
        b"From: <you@example.org> mallory@evil.example\r\n",
        b"From: =?utf-8?q?Eve=0D=0ABcc=3A_x=40example=2Eorg?= <eve@example.org>\r\n",
        b"From: =?utf-8?q?Eve=0Ax?= <eve@example.org>\r\n",
        b"From: Friends: you@example.org;\r\n",
        b"From: Friends: you@example.org, bob@example.org;\r\n",
        b"From: you@example.org, mallory@evil.example\r\n",
        b"From: you@example.org\r\nFrom: mallory@evil.example\r\n",
        b"From: =?utf-8?b?!!!?= <you@example.org>\r\n",
        # One mailbox, but no address to answer: still noted for the team.
        b'From: "John" <"john doe"@example.org>\r\n',
        b"From: john@[127.0.0.1]\r\n",
    ],
    ids=["name is an address", "text after the address", "CR LF in a name", "LF in a name",
         "a group", "a group of two", "two mailboxes", "two From headers", "a damaged name",
         "a quoted local part", "an address literal"],
)  # fmt: skip
def test_a_from_that_is_not_one_clear_mailbox_names_no_sender(from_lines: bytes) -> None:
    parsed = read_mail(headed(from_lines))
    fields = fields_of(headed(from_lines))

    assert (parsed.sender, parsed.sender_name) == ("", "")
    assert "reporter" not in fields
    description = str(fields["description"])
    assert "[From was not one clear address; sender unknown. It read: " in description
    assert from_lines.split(b"\r\n")[0][6:].decode()[:20] in description


@pytest.mark.parametrize(
    ("from_line", "sender", "name"),
    [
        (b"From: Ann Analyst <ann@example.org>", "ann@example.org", "Ann Analyst"),
        (b"From: ann@example.org", "ann@example.org", ""),
        (b'From: "Analyst, Ann" <ann@example.org>', "ann@example.org", "Analyst, Ann"),
        (b"From: Ann A. Analyst <ann@example.org>", "ann@example.org", "Ann A. Analyst"),
        (b"From: =?utf-8?q?J=C3=BCrgen?= <j@example.org>", "j@example.org", "Jürgen"),
        (b"From: ann@example.org (at work)", "ann@example.org", ""),
        # A name in raw UTF-8 (RFC 6532), as 8-bit mail software sends it.
        ("From: Müller <mueller@example.org>".encode(), "mueller@example.org", "Müller"),
        ('From: "Jürgen Müller" <j@example.org>'.encode(), "j@example.org", "Jürgen Müller"),
    ],
)
def test_one_clear_mailbox_is_the_sender(from_line: bytes, sender: str, name: str) -> None:
    parsed = read_mail(headed(from_line + b"\r\n"))

    assert (parsed.sender, parsed.sender_name, parsed.claimed_sender) == (sender, name, "")


@pytest.mark.parametrize(
    "from_line",
    [
        "From: Müller <you@example.org> mallory@evil.example".encode(),
        "From: Müller <you@example.org>, mallory@evil.example".encode(),
        "From: Müller <mü@example.org>".encode(),
        "From: Mü\u2028Bcc: x <you@example.org>".encode(),
        b"From: M\xfcller <you@example.org>",  # not UTF-8
    ],
    ids=["text after the address", "two mailboxes", "raw address", "line separator", "latin-1"],
)
def test_a_raw_utf8_name_does_not_excuse_a_from_that_is_not_one_clear_mailbox(
    from_line: bytes,
) -> None:
    parsed = read_mail(headed(from_line + b"\r\n"))

    assert (parsed.sender, parsed.sender_name) == ("", "")
    assert "@example.org" in parsed.claimed_sender  # kept for the team to read


def test_a_missing_closing_boundary_keeps_the_text_and_says_so() -> None:
    data = (
        b"From: ann@example.org\r\nSubject: damaged\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        b"--b1\r\nContent-Type: text/plain\r\n\r\n" + BODY.encode() + b"\r\n"
    )

    fields = fields_of(data)

    assert str(fields["description"]).startswith(BODY)
    assert "MIME structure was damaged" in str(fields["description"])


def test_a_boundary_never_found_keeps_the_whole_body_as_text() -> None:
    data = (
        b"From: ann@example.org\r\nSubject: damaged\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="never-used"\r\n\r\n'
        b"--other\r\nContent-Type: text/plain\r\n\r\n" + BODY.encode() + b"\r\n--other--\r\n"
    )

    parsed = read_mail(data)

    assert BODY in parsed.text and "malformed" in parsed.flags


def test_deep_nesting_is_read_without_recursion() -> None:
    depth = 2000
    opening = b"".join(
        b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i)
        for i in range(depth)
    )
    data = b"From: ann@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n" + opening

    parsed = read_mail(data + b"Content-Type: text/plain\r\n\r\n" + BODY.encode() + b"\r\n")

    assert parsed.flags  # malformed or parts skipped: said, never raised


def test_garbage_is_read_as_text() -> None:
    parsed = read_mail(b"\x00\xff\xfe not a mail \r\n\r\n\x80\x81")

    assert parsed.sender == "" and parsed.subject == ""


# --- Mail no one should answer (RFC 3834) ----------------------------------------------------


@pytest.mark.parametrize(
    ("envelope", "sender", "headers"),
    [
        ("", "ann@example.org", {}),
        ("<>", "ann@example.org", {}),
        ("MAILER-DAEMON@mx.example.org", "ann@example.org", {}),
        ("ann@example.org", "postmaster@example.org", {}),
        ("ann@example.org", "ann@example.org", {"Auto-Submitted": "auto-replied"}),
        ("ann@example.org", "ann@example.org", {"Auto-Submitted": "auto-generated; x=y"}),
        ("ann@example.org", "ann@example.org", {"Precedence": "bulk"}),
        ("ann@example.org", "ann@example.org", {"Precedence": "list"}),
        ("ann@example.org", "ann@example.org", {"Precedence": "junk"}),
        ("ann@example.org", "ann@example.org", {"List-Id": "<sec.lists.example.org>"}),
        ("ann@example.org", "no-reply@example.org", {}),
        ("noreply@example.org", "ann@example.org", {}),
        ("ann@example.org", "DoNotReply@example.org", {}),
        ("ann@example.org", "do-not-reply-x@example.org", {}),
    ],
)
def test_bounces_auto_replies_lists_and_no_reply_senders_are_automatic(
    envelope: str, sender: str, headers: dict[str, str]
) -> None:
    parsed = read_mail(raw(mail(sender=sender, headers=headers)))

    assert is_automatic(parsed, envelope)


def test_a_delivery_report_is_automatic() -> None:
    data = (
        b"From: ann@example.org\r\nSubject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        b"--r\r\nContent-Type: text/plain\r\n\r\nIt bounced.\r\n--r--\r\n"
    )

    assert is_automatic(read_mail(data), "ann@example.org")


@pytest.mark.parametrize("headers", [{}, {"Auto-Submitted": "no"}])
def test_a_person_writing_is_not_automatic(headers: dict[str, str]) -> None:
    parsed = read_mail(raw(mail(headers=headers)))

    assert not is_automatic(parsed, "ann@example.org")
