"""How `vdp reports show` describes the reporter."""

from vdp.cli.output import describe_report
from vdp.cli.reporter import reporter_facts

NOT_A_KEY = (
    "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbm90IGEga2V5\n-----END PGP PUBLIC KEY BLOCK-----"
)


def shown(contact: dict[str, object], **record: object) -> list[str]:
    document = {
        "record": {"report_id": "VDP-7K3M-9QX2", "status": "received", **record},
        "report": {"title": "XSS", "reporter": contact},
        "attachments": [],
        "written": [],
        "messages": [],
    }
    return describe_report(document).splitlines()


def test_a_reporter_who_unsubscribed_gets_no_mail_whatever_they_first_chose() -> None:
    contact = {"email": "rae@example.org", "email_updates": True}

    assert dict(reporter_facts(contact, {"mail_opt_out": True}))["mail updates"] == (
        "off (the reporter unsubscribed)"
    )
    assert dict(reporter_facts(contact, {}))["mail updates"] == "on"


def test_a_key_that_is_no_openpgp_key_is_named_so_not_a_traceback() -> None:
    facts = dict(reporter_facts({"name": "Rae", "pgp_key": NOT_A_KEY}, {}))

    assert facts["pgp key"].startswith("unreadable (not an OpenPGP public key")
    assert facts["mail updates"] == "off (no email address)"


def test_a_reporters_name_cannot_forge_a_line_of_its_own() -> None:
    lines = shown({"name": "Rae\nwritten: /etc/passwd", "email": "rae@example.org"})

    assert "  name            Rae written: /etc/passwd" in lines
    assert not any(line.startswith("written:") for line in lines)
