"""What the CLI prints and writes: tables, a decrypted report, attachment files.

Reporter text reaches a terminal and a file system here, so everything it carries
that could act there (escape sequences, forged lines, path parts) is removed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from chalicelib.domain.report.strict import TEXT_DIRECTION_CONTROLS
from vdp.cli.reporter import reporter_facts


def write_attachments(attachments: Iterable[Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, item in enumerate(attachments):
        path = folder / f"{index}-{_safe_filename(item.filename)}"
        path.write_bytes(item.data)
        written.append(path)
    return written


def _safe_filename(name: str) -> str:
    """The reporter chose the name: its last component, printable, short enough for any
    file system (255 bytes), with no leading dot."""
    printable = "".join(c for c in name.replace("\\", "/") if c.isprintable())
    safe = Path(printable).name.lstrip(".") or "attachment"
    stem, suffix = os.path.splitext(safe)
    suffix = suffix if len(suffix.encode()) <= 16 else ""
    stem = stem.encode()[: 200 - len(suffix.encode())].decode(errors="ignore")
    return f"{stem}{suffix}" or "attachment"


def describe_report(document: dict[str, Any]) -> str:
    record, report = document["record"], document["report"]
    title = one_line(report.get("title", ""))
    lines = [f"{record['report_id']}  [{record['status']}]  {title}"]
    for name in (
        "product",
        "version",
        "severity",
        "cvss_vector",
        "cvss_score",
        "flags",
        "bounty_interest",
        "created_at",
        "acknowledge_by",
    ):
        lines.append(f"  {name:<16}{_cell(record.get(name))}")
    credit = report.get("credit") or {}
    wish = (
        f"yes, as {credit.get('name') or 'reporter name'}" if credit.get("wants_credit") else "no"
    )
    lines.append(f"  {'credit wanted':<16}{one_line(wish)}")
    end_to_end = document.get("end_to_end") or {}
    for name in ("description", "steps_to_reproduce", "impact"):
        if report.get(name):
            label = _labelled(end_to_end.get("fields", {}).get(name), " (", ")")
            lines += ["", f"{name}{label}:", _indented(report[name])]
    if end_to_end.get("flags_from_decrypted_text") is not None:
        found = ", ".join(end_to_end["flags_from_decrypted_text"]) or "none"
        lines += ["", f"flags from the decrypted text: {_cell(found)}"]
    lines += ["", *_reporter(report.get("reporter"), record)]
    lines += [
        f"attachment: {one_line(a['filename'])} "
        f"({a['size']} bytes{_labelled(a.get('end_to_end'), '; ', '')})"
        for a in document["attachments"]
    ]
    lines += [f"written: {one_line(path)}" for path in document["written"]]
    for message in document["messages"]:
        actor = one_line(message["actor"] or "reporter")
        state = message.get("end_to_end")
        head = f"[{message['at']}] {message['kind']} ({actor}{_labelled(state, '; ', '')}):"
        text = "(only the reporter can read it)" if state == "reporter_key" else message["text"]
        lines += ["", head, _indented(text)]
    return "\n".join(lines)


def _reporter(contact: dict[str, Any] | None, record: dict[str, Any]) -> list[str]:
    facts = reporter_facts(contact, record)
    if not facts:
        return ["reporter: anonymous"]
    return ["reporter:", *(f"  {label:<16}{one_line(value)}" for label, value in facts)]


# How a part that was end-to-end encrypted is labelled (vdp.cli.reports.openpgp's states).
_END_TO_END = {
    "decrypted": "end-to-end encrypted, decrypted here by GnuPG",
    "not_decrypted": "end-to-end encrypted, not decrypted: shown as stored",
    "reporter_key": "encrypted to the reporter's key",
}


def _labelled(state: str | None, before: str, after: str) -> str:
    label = _END_TO_END.get(state or "")
    return f"{before}{label}{after}" if label else ""


def _indented(text: str) -> str:
    """Free text, every line behind a bar: it can never pass for a line of ours."""
    return "\n".join(f"  | {line}" for line in text.splitlines())


def iso_time(value: datetime | None) -> str:
    """A time as every line and --json of the CLI gives it: ISO 8601, "Z" for UTC, as
    pydantic writes the records' times ("-" for none)."""
    if value is None:
        return "-"
    text = value.isoformat()
    return f"{text.removesuffix('+00:00')}Z" if text.endswith("+00:00") else text


def one_line(text: str) -> str:
    """A field meant to be one line may not start a line of its own (a forged output line)."""
    return " ".join(text.split())


def emit(
    rows: list[dict[str, Any]], as_json: bool, columns: list[str], empty: str = "no reports"
) -> None:
    if as_json:
        echo_safe(json.dumps(rows, indent=2))
        return
    if not rows:
        echo_safe(empty)
        return
    cells = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    widths = {c: max(len(c), *(len(cell[c]) for cell in cells)) for c in columns}
    echo_safe("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for cell in cells:
        echo_safe("  ".join(cell[c].ljust(widths[c]) for c in columns).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(one_line(str(v)) for v in value) or "-"
    return one_line(str(value)) if value not in (None, "") else "-"


# Reporter text may carry terminal escape sequences (colours, OSC 52 clipboard writes)
# and bidirectional overrides that make text display other than it reads: every control
# character but newline and tab is dropped before it reaches a terminal.
_TERMINAL_SAFE = {
    c: None
    for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *TEXT_DIRECTION_CONTROLS]
    if c not in (9, 10)
}


def echo_safe(text: str, nl: bool = True, err: bool = False) -> None:
    click.echo(text.translate(_TERMINAL_SAFE), nl=nl, err=err)
