"""Submitting a report, against in-memory fakes: encryption, write order, the team's
notification (from the table's stream), failure handling, id collisions and the honeypot."""

import dataclasses
import json
from datetime import date

import pysequoia
import pytest

from chalicelib.adapters.openpgp import SequoiaEncryptor
from chalicelib.domain.errors import Unavailable, ValidationFailed
from chalicelib.usecases import parts
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.inbox import show_report
from tests.builders import BASE, REPORT
from tests.unit.fakes import deliver, fake_ports


def test_submission_is_encrypted_indexed_and_notified() -> None:
    ports = fake_ports()

    accepted = submit_report(REPORT, ports, base_url=BASE)
    delivered = deliver(ports)

    record = ports.reports.records[accepted.report_id]
    assert record.status == "received" and record.attachment_count == 1
    assert delivered == [] and [m["event"] for m, _ in ports.notifier.sent] == ["report.received"]
    assert set(ports.blobs.objects) == {
        parts.report_key(accepted.report_id),
        parts.contact_key(accepted.report_id),
        parts.attachment_key(accepted.report_id, 0),
    }
    for blob in ports.blobs.objects.values():
        assert b"invoice" not in blob and b"grace" not in blob
    assert accepted.status_url == f"{BASE}/status#{accepted.report_id}.{accepted.receipt}"


def test_acknowledge_by_counts_business_days_from_a_friday() -> None:
    accepted = submit_report(REPORT, fake_ports(), base_url=BASE)

    assert accepted.acknowledge_by == date(2026, 11, 25)


def test_metadata_holds_no_content_and_no_receipt() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)

    stored = ports.reports.records[accepted.report_id].model_dump_json()
    for secret in ("IDOR", "invoice", "Grace", "grace@example.org", accepted.receipt):
        assert secret not in stored


def test_the_contact_part_holds_the_receipt_only_sealed_to_the_reporters_key() -> None:
    reporter_key = pysequoia.Tsk.generate("Rae <rae@example.org>")
    ports = dataclasses.replace(fake_ports(), encryptor=SequoiaEncryptor())
    public = str(reporter_key.extract_certificate())
    fields = {**REPORT, "reporter": {"email": "rae@example.org", "pgp_key": public}}

    accepted = submit_report(fields, ports, base_url=BASE)

    # What the mailer opens: the contact part, KMS only.
    contact = parts.load_contact(ports, accepted.report_id)
    assert contact is not None and accepted.receipt not in json.dumps(contact)
    assert set(contact) == {"email", "pgp_key", "email_updates", "receipt_block"}
    block = str(contact["receipt_block"])
    sealed = pysequoia.decrypt(decryptor=reporter_key.decryptor(), bytes=block.encode())
    assert accepted.status_url in sealed.bytes.decode()  # the full link, to the reporter only


def test_notification_is_content_free_with_filter_attributes() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    deliver(ports)

    [(message, attributes)] = ports.notifier.sent
    assert message == {
        "event": "report.received",
        "event_id": f"{accepted.report_id}/received",
        "report_id": accepted.report_id,
        "product": "example-api",
        "severity": "high",
        "status": "received",
        "acknowledge_by": "2026-11-25",
    }
    assert attributes == {"event": "report.received", "severity": "high", "product": "example-api"}


@pytest.mark.parametrize(
    ("estimate", "expected"), [(None, "critical"), ("unknown", "critical"), ("low", "low")]
)
def test_without_an_estimate_the_reporters_vector_rates_the_notification(
    estimate: str | None, expected: str
) -> None:
    ports = fake_ports()
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    fields = {k: v for k, v in REPORT.items() if k != "severity"}

    submit_report({**fields, "cvss_vector": vector, "severity": estimate}, ports, base_url=BASE)
    deliver(ports)

    [(_, attributes)] = ports.notifier.sent
    assert attributes["severity"] == expected


def test_team_can_decrypt_what_was_stored() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)

    report = show_report(ports, accepted.report_id)

    assert report.content["title"] == "IDOR on invoices"
    assert report.content["reporter"]["email"] == "grace@example.org"
    assert [(a.filename, a.content_type, a.data) for a in report.attachments] == [
        ("poc.txt", "text/plain", b"poc")
    ]


@pytest.mark.parametrize("failing", ["keys", "blobs", "reports"])
def test_storage_failure_is_unavailable_and_leaves_no_visible_report(failing: str) -> None:
    ports = fake_ports()
    getattr(ports, failing).fail = True

    with pytest.raises(Unavailable):
        submit_report(REPORT, ports, base_url=BASE)
    deliver(ports)

    assert ports.reports.records == {}
    assert ports.notifier.sent == []


def test_a_submission_publishes_nothing_itself_so_sns_down_does_not_touch_it() -> None:
    ports = fake_ports()
    ports.notifier.fail = True

    accepted = submit_report(REPORT, ports, base_url=BASE)
    while_down = deliver(ports)
    ports.notifier.fail = False
    healed = deliver(ports)

    assert accepted.report_id in ports.reports.records
    assert while_down != [] and healed == []
    assert [(m["event"], m["report_id"]) for m, _ in ports.notifier.sent] == [
        ("report.received", accepted.report_id)
    ]


def test_an_id_collision_draws_another_id_and_overwrites_nothing() -> None:
    ports = fake_ports()
    first = submit_report(REPORT, ports, base_url=BASE)
    original = dict(ports.blobs.objects)
    ids = iter([first.report_id, "VDP-2222-2222"])

    second = submit_report(
        REPORT, dataclasses.replace(ports, new_report_id=lambda: next(ids)), base_url=BASE
    )

    assert second.report_id == "VDP-2222-2222"
    assert all(ports.blobs.objects[key] == blob for key, blob in original.items())
    assert len(ports.reports.records) == 2


def test_honeypot_looks_accepted_but_stores_and_sends_nothing() -> None:
    ports = fake_ports()

    accepted = submit_report({**REPORT, "website": "http://spam.example"}, ports, base_url=BASE)
    deliver(ports)

    assert accepted.report_id.startswith("VDP-") and accepted.receipt
    assert ports.blobs.objects == {} and ports.reports.records == {} and ports.notifier.sent == []


def test_invalid_submission_stores_nothing() -> None:
    ports = fake_ports()

    with pytest.raises(ValidationFailed):
        submit_report({**REPORT, "policy_accepted": False}, ports, base_url=BASE)

    assert ports.blobs.objects == {} and ports.reports.records == {}
