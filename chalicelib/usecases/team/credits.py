"""Credits: the reporter's choice, the team's publishing of it, the public page.

The credit name lives in the encrypted report; DynamoDB holds just the date the team
published it (`credit_published_at`). Publishing seals the consented name as a part of
its own (`credit`, which only the team's role may write or open), so the public list and
the exports are built without opening a report, and rebuilds one deliberately public,
plaintext object, `public/acknowledgments.json`: the page (served by the intake function,
which may not decrypt reports) only reads that object. An anonymous reporter, or one who
did not ask for credit, can never be published. Planning an embargo seals a consented
name ahead (sealing is not publishing), so the hourly publisher can publish it on the
date with a role that opens the `credit` part and nothing else.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from chalicelib.domain.crypto import SealedBlobError
from chalicelib.domain.errors import (
    AlreadyExists,
    Conflict,
    FieldProblem,
    NotFound,
    ValidationFailed,
)
from chalicelib.domain.lifecycle import STATUSES
from chalicelib.domain.report.records import ReportEvent, ReportRecord
from chalicelib.domain.report.strict import name_problem
from chalicelib.usecases import parts
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.team.triage import get_report, record_reading

PUBLIC_KEY = "public/acknowledgments.json"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|])")


@dataclass(frozen=True)
class CreditChoice:
    """What the reporter chose, and whether the team has published it."""

    report_id: str
    name: str | None
    refusal: str | None  # why this report can never be credited, if it cannot
    published_on: date | None


class PublishedCredit(BaseModel):
    name: str
    date: date


def credit_choice(ports: Ports, report_id: str, actor: str) -> CreditChoice:
    """Decrypt the report (team only, recorded) and read the reporter's credit choice."""
    record = get_report(ports, report_id)
    record_reading(ports, report_id, actor)
    return _choice(record, _content(ports, report_id))


def publish(ports: Ports, report_id: str, actor: str) -> CreditChoice:
    """Mark the credit published and rebuild the public list; refuses anonymous/declined."""
    record = get_report(ports, report_id)
    record_reading(ports, report_id, actor)
    content = _content(ports, report_id)
    choice = _choice(record, content)
    if choice.refusal:
        raise ValidationFailed(
            [FieldProblem("credit", choice.refusal)], f"{report_id}: {choice.refusal}"
        )
    _seal_name(ports, report_id, choice.name or "")  # also for a credit published without one
    if record.credit_published_at is None:
        now = ports.clock()
        after = record.model_copy(
            update={"credit_published_at": now, "updated_at": now, "rev": record.rev + 1}
        )
        ports.reports.update(record, after, [_credit_event(now, actor, "published")])
        record = after
    rebuild_public(ports)
    return _choice(record, content)


def seal_for_disclosure(ports: Ports, report_id: str, actor: str) -> CreditChoice:
    """Read the reporter's choice (recorded) and, when it may be published, seal the name
    now: the embargo publisher then publishes it without opening the report."""
    choice = credit_choice(ports, report_id, actor)
    if choice.refusal is None:
        _seal_name(ports, report_id, choice.name or "")
    return choice


def publish_sealed(ports: Ports, record: ReportRecord, actor: str) -> ReportRecord:
    """Publish a credit sealed beforehand, at the record's rev, and rebuild the list;
    opens the `credit` part only, never the report."""
    if record.credit_published_at is not None:  # the team published it already
        return record
    _sealed_name(ports, record.report_id)  # no sealed name: refused before anything is written
    now = ports.clock()
    after = record.model_copy(
        update={"credit_published_at": now, "updated_at": now, "rev": record.rev + 1}
    )
    ports.reports.update(record, after, [_credit_event(now, actor, "published")])
    rebuild_public(ports)
    return after


def unpublish(ports: Ports, report_id: str, actor: str) -> None:
    """Take a credit off the public list (the reporter changed their mind)."""
    record = get_report(ports, report_id)
    if record.credit_published_at is not None:
        now = ports.clock()
        after = record.model_copy(
            update={"credit_published_at": None, "updated_at": now, "rev": record.rev + 1}
        )
        ports.reports.update(record, after, [_credit_event(now, actor, "withdrawn")])
    rebuild_public(ports)


def _credit_event(at: datetime, actor: str, change: str) -> ReportEvent:
    return ReportEvent(at=at, kind="credit", public=False, actor=actor, detail=change)


def published_name(ports: Ports, record: ReportRecord) -> str | None:
    """The credit name for exports and the public list: only when published (and so
    consented), read from its own part; the report itself stays closed."""
    if record.credit_published_at is None:
        return None
    name = _sealed_name(ports, record.report_id)
    # Published before names were checked at intake: such a name is never shown again.
    return None if name_problem(name) else name


def _seal_name(ports: Ports, report_id: str, name: str) -> None:
    try:
        parts.store(ports, report_id, parts.CREDIT, parts.credit_key(report_id), name.encode())
    except AlreadyExists:
        # Published before (and perhaps withdrawn): the part must hold this very name.
        if _sealed_name(ports, report_id) != name:
            raise Conflict(
                f"{report_id}: the sealed credit name differs from the report's"
            ) from None


def _sealed_name(ports: Ports, report_id: str) -> str:
    try:
        return parts.load(ports, report_id, parts.CREDIT, parts.credit_key(report_id)).decode()
    except NotFound:
        raise NotFound(
            f"{report_id}: no sealed credit name; publish it again (reports credit --publish)"
        ) from None
    except (SealedBlobError, UnicodeDecodeError):
        raise Conflict(f"{report_id}: the sealed credit name cannot be opened") from None


def published_credits(ports: Ports) -> list[PublishedCredit]:
    """Every published credit, newest first (decrypts: the team's side)."""
    found = []
    for record in _published_records(ports):
        name = published_name(ports, record)
        if name and record.credit_published_at:
            found.append(PublishedCredit(name=name, date=record.credit_published_at.date()))
    return sorted(found, key=lambda credit: (-credit.date.toordinal(), credit.name))


def rebuild_public(ports: Ports) -> list[PublishedCredit]:
    credits = published_credits(ports)
    document = {"acknowledgments": [credit.model_dump(mode="json") for credit in credits]}
    ports.blobs.put_public(PUBLIC_KEY, json.dumps(document, indent=2).encode(), "application/json")
    return credits


def public_credits(ports: Ports) -> list[PublishedCredit]:
    """The public list as last published (no decryption: the intake function's view)."""
    try:
        document = json.loads(ports.blobs.get(PUBLIC_KEY))
    except NotFound:
        return []
    return [PublishedCredit.model_validate(entry) for entry in document["acknowledgments"]]


def render(credits: list[PublishedCredit], fmt: str, organisation: str) -> str:
    """The list as Markdown, an HTML page or JSON."""
    if fmt == "json":
        return json.dumps([c.model_dump(mode="json") for c in credits], indent=2)
    title = f"{organisation}: security acknowledgments"
    intro = "We thank these researchers for reporting vulnerabilities responsibly."
    if fmt == "md":
        rows = [f"- {_markdown(c.name)} ({c.date.isoformat()})" for c in credits]
        return "\n".join([f"# {_markdown(title)}", "", intro, "", *rows]) + "\n"
    items = "".join(
        f"<li>{html.escape(c.name)} <time>{c.date.isoformat()}</time></li>" for c in credits
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        f"<p>{intro}</p><ul>{items}</ul></body></html>"
    )


def _choice(record: ReportRecord, content: dict[str, Any]) -> CreditChoice:
    reporter, credit = content.get("reporter"), content.get("credit") or {}
    name = (credit.get("name") or (reporter or {}).get("name") or "").strip() or None
    refusal = None
    if not reporter:
        refusal = "the reporter is anonymous; anonymous reports are never credited"
    elif credit.get("wants_credit") is not True:
        refusal = "the reporter did not ask for credit"
    elif name is None:
        refusal = "the reporter gave no name to credit"
    elif problem := name_problem(name):  # stored before names were checked at intake
        refusal = f"the name to credit {problem}; ask the reporter for another"
    published = record.credit_published_at
    return CreditChoice(record.report_id, name, refusal, published.date() if published else None)


def _content(ports: Ports, report_id: str) -> dict[str, Any]:
    return dict(parts.load_report_content(ports, report_id))


def _published_records(ports: Ports) -> Iterator[ReportRecord]:
    for status in STATUSES:
        yield from (r for r in ports.reports.by_status(status) if r.credit_published_at)


def _markdown(text: str) -> str:
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))
