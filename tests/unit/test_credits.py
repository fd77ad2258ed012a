"""Credits: the reporter's choice, publishing, the public list and its renderings,
against in-memory fakes."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, NotFound, ValidationFailed
from chalicelib.usecases import parts
from chalicelib.usecases.team import credits
from chalicelib.usecases.team.exports import export
from tests.builders import (
    ADVISORY_REPORT,
    ANONYMOUS_ADVISORY_REPORT,
    DECLINED_ADVISORY_REPORT,
    fixed_report,
)
from tests.unit.fakes import fake_ports

CEST = timezone(timedelta(hours=2))


def test_credit_choice_is_decrypted_and_publishing_lists_the_chosen_name() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)

    before = credits.credit_choice(ports, report_id, "alice")
    published = credits.publish(ports, report_id, "alice")

    assert before.name == "grace_h" and before.refusal is None and before.published_on is None
    assert published.published_on == ports.clock().date()
    assert [c.name for c in credits.public_credits(ports)] == ["grace_h"]
    assert b"grace_h" in ports.blobs.objects[credits.PUBLIC_KEY]
    assert "grace" not in ports.reports.records[report_id].model_dump_json().lower()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (ANONYMOUS_ADVISORY_REPORT, "anonymous"),
        (DECLINED_ADVISORY_REPORT, "did not ask for credit"),
    ],
)
def test_anonymous_or_declined_reporters_can_never_be_published(
    fields: dict[str, Any], reason: str
) -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, fields)

    with pytest.raises(ValidationFailed, match=reason):
        credits.publish(ports, report_id, "alice")

    assert ports.reports.records[report_id].credit_published_at is None
    assert credits.published_credits(ports) == []


def test_a_name_stored_before_names_were_checked_is_never_published() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    forged = {**ADVISORY_REPORT, "credit": {"wants_credit": True, "name": "x\u202etxt.exe\nVDP-1"}}
    key = parts.report_key(report_id)
    ports.blobs.objects.pop(key)  # the report as an older intake would have stored it
    parts.store(ports, report_id, parts.REPORT, key, json.dumps(forged).encode())

    with pytest.raises(ValidationFailed, match="text-direction characters; ask the reporter"):
        credits.publish(ports, report_id, "alice")

    assert ports.reports.records[report_id].credit_published_at is None
    assert credits.public_credits(ports) == []


def test_a_name_published_before_names_were_checked_is_never_shown_again() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    credits.publish(ports, report_id, "alice")
    key = parts.credit_key(report_id)
    ports.blobs.objects.pop(key)  # the sealed name as an older version would have kept it
    parts.store(ports, report_id, parts.CREDIT, key, "x\u202etxt.exe".encode())

    rebuilt = credits.rebuild_public(ports)
    advisory = export(ports, report_id, "osv")

    assert rebuilt == [] and credits.public_credits(ports) == []
    assert "credits" not in advisory and "\u202e" not in json.dumps(advisory)


def test_unpublish_takes_the_name_off_the_public_list() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    credits.publish(ports, report_id, "alice")

    credits.unpublish(ports, report_id, "alice")

    assert credits.public_credits(ports) == []


def test_credit_renderings_escape_the_name() -> None:
    found = [credits.PublishedCredit(name="<b>*x*</b>", date=datetime(2026, 1, 2).date())]

    page = credits.render(found, "html", "Example Corp")
    markdown = credits.render(found, "md", "Example Corp")

    assert "&lt;b&gt;*x*&lt;/b&gt;" in page and "<b>" not in page
    assert r"\<b\>\*x\*\</b\>" in markdown
    assert json.loads(credits.render(found, "json", "x")) == [
        {"name": "<b>*x*</b>", "date": "2026-01-02"}
    ]


def test_the_public_list_and_exports_never_open_a_report() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    credits.publish(ports, report_id, "bob")
    del ports.blobs.objects[parts.report_key(report_id)]  # were it read, this would fail

    rebuilt = credits.rebuild_public(ports)
    advisory = export(ports, report_id, "osv")

    assert [credit.name for credit in rebuilt] == ["grace_h"]
    assert "grace_h" in json.dumps(advisory)


def test_a_credit_published_without_its_sealed_name_is_sealed_when_published_again() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    credits.publish(ports, report_id, "bob")
    del ports.blobs.objects[parts.credit_key(report_id)]  # as published by an older release

    with pytest.raises(NotFound, match="publish it again"):
        credits.published_credits(ports)
    credits.publish(ports, report_id, "bob")

    assert [credit.name for credit in credits.published_credits(ports)] == ["grace_h"]


def test_a_planted_credit_part_is_refused_not_published() -> None:
    ports = fake_ports()
    report_id = fixed_report(ports, ADVISORY_REPORT)
    ports.blobs.objects[parts.credit_key(report_id)] = b"junk"

    with pytest.raises(Conflict, match="cannot be opened"):
        credits.publish(ports, report_id, "bob")

    assert ports.reports.get(report_id).credit_published_at is None
