"""A receipt holder's side, against in-memory fakes: status and history, follow-ups."""

import json

import pytest

from chalicelib.domain.crypto import SealedBlobError
from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.usecases.parts import load_own_copy
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import (
    add_message,
    add_reporter_message,
    reporter_status,
)
from tests.builders import BASE, REPORT, address, guarded_ports
from tests.unit.fakes import fake_ports


def test_reporter_sees_status_with_the_receipt_only() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)

    view = reporter_status(accepted.report_id, accepted.receipt, ports)

    assert view.status == "received"
    assert [h.status for h in view.history] == ["received"]
    assert "IDOR" not in json.dumps(view.model_dump(mode="json"))


@pytest.mark.parametrize("report_id", ["real-id-wrong-receipt", "VDP-0000-0000", "not an id"])
def test_wrong_receipt_and_unknown_id_are_the_same_not_found(report_id: str) -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    target = accepted.report_id if report_id == "real-id-wrong-receipt" else report_id

    with pytest.raises(NotFound) as caught:
        reporter_status(target, "wrong-receipt", ports)

    assert caught.value.message == NotFound().message


def test_reporters_read_their_own_follow_ups_which_only_their_receipt_opens() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    add_message(accepted.report_id, accepted.receipt, {"message": "Any news on this one?"}, ports)

    view = reporter_status(accepted.report_id, accepted.receipt, ports)

    assert [(h.type, h.message) for h in view.history][-1] == ("message", "Any news on this one?")
    [own] = [key for key in ports.blobs.objects if key.endswith(".own")]
    assert b"Any news" not in ports.blobs.objects[own]
    with pytest.raises(SealedBlobError):  # another receipt derives another key
        load_own_copy(ports, accepted.report_id, own.rsplit("/", 1)[1][:-4], "another-receipt")


def test_a_follow_up_sent_by_mail_shows_without_its_text() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    add_reporter_message(accepted.report_id, "Sent from my mail client", ports)

    view = reporter_status(accepted.report_id, accepted.receipt, ports)

    assert [(h.type, h.message) for h in view.history][-1] == ("message", None)


def test_the_next_promise_follows_the_status() -> None:
    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    received = reporter_status(accepted.report_id, accepted.receipt, ports).next_promise
    record = ports.reports.get(accepted.report_id)
    assert record is not None

    ports.reports.records[record.report_id] = record.model_copy(update={"status": "acknowledged"})
    acknowledged = reporter_status(accepted.report_id, accepted.receipt, ports).next_promise
    ports.reports.records[record.report_id] = record.model_copy(update={"status": "fixed"})
    fixed = reporter_status(accepted.report_id, accepted.receipt, ports).next_promise
    ports.reports.records[record.report_id] = record.model_copy(update={"status": "disclosed"})
    disclosed = reporter_status(accepted.report_id, accepted.receipt, ports).next_promise

    assert received is not None and received.promise == "acknowledge"
    assert received.by == accepted.acknowledge_by
    assert acknowledged is not None and acknowledged.promise == "triage"
    assert acknowledged.by == record.triage_by
    assert fixed is not None and (fixed.promise, fixed.by) == ("disclose", record.disclose_by)
    assert disclosed is None


def test_follow_ups_are_counted_per_address_under_its_pseudonym() -> None:
    ports = guarded_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    per_source = ports.policy.abuse.messages_per_hour_per_source
    for _ in range(per_source):
        add_message(accepted.report_id, accepted.receipt, {"message": "ping"}, ports, address(0))

    with pytest.raises(RateLimited):
        add_message(accepted.report_id, accepted.receipt, {"message": "ping"}, ports, address(0))
    add_message(accepted.report_id, accepted.receipt, {"message": "ping"}, ports, address(1))

    assert address(0) not in repr(ports.limiter.hits)
    window = next(iter({window for window, _ in ports.limiter.hits}))
    assert ports.limiter.count(window) == per_source + 1


def test_a_follow_up_without_an_address_is_not_counted() -> None:
    ports = guarded_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)

    add_message(accepted.report_id, accepted.receipt, {"message": "Any news?"}, ports)

    assert ports.limiter.hits == {}


def test_cve_ids_and_aliases_show_once_the_report_is_disclosed() -> None:
    from chalicelib.usecases.team.advisories import disclose, set_advisory
    from chalicelib.usecases.team.triage import change_status

    ports = fake_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE)
    rid = accepted.report_id
    set_advisory(ports, "team", rid, cve_ids=["CVE-2026-1234"], aliases=["GHSA-abcd-efgh-ijkl"])
    for status in ("triaged", "accepted", "fixed"):
        change_status(ports, "team", rid, status)
    before = reporter_status(rid, accepted.receipt, ports)
    disclose(ports, "team", rid)
    after = reporter_status(rid, accepted.receipt, ports)

    assert (before.cve_ids, before.aliases) == ([], [])
    assert (after.cve_ids, after.aliases) == (["CVE-2026-1234"], ["GHSA-abcd-efgh-ijkl"])
