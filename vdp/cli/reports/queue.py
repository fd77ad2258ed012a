"""`vdp reports list` and `vdp reports show`: the team reads its queue and its reports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from vdp.cli.base import JSON_OPTION, REPORT_ID, CliState, reports, run_safely
from vdp.cli.output import (
    describe_report,
    echo_safe,
    emit,
    iso_time,
    one_line,
    write_attachments,
)

if TYPE_CHECKING:
    from chalicelib.domain.report.records import ReportRecord
    from vdp.cli.reports.openpgp import OpenedReport


@reports.command("list")
@click.option("--status", "statuses", multiple=True, help="Only these statuses (repeat, or a,b).")
@click.option("--product", help="Only this product.")
@click.option("--overdue", is_flag=True, help="Only reports with a breached SLA deadline.")
@JSON_OPTION
@click.pass_obj
def list_command(
    state: CliState, statuses: tuple[str, ...], product: str | None, overdue: bool, as_json: bool
) -> None:
    """Reports, newest first per status."""
    from chalicelib.usecases.team.inbox import list_reports, overdue_deadlines

    def action() -> None:
        ports = state.ports()
        today = ports.clock().date()
        rows = [
            {
                **r.model_dump(mode="json", exclude={"receipt_hash", "sla_announced"}),
                "overdue": sorted(overdue_deadlines(r, ports, today)),
            }
            for r in list_reports(ports, _split(statuses) or None, product, overdue)
        ]
        columns = ["report_id", "status", "created_at", "product", "severity", "acknowledge_by"]
        empty, known = "no reports", ports.policy.product_ids()
        if product and product not in known:  # a typo, or a product the policy has dropped
            empty += f" (the policy has no product {product}; it has {', '.join(known)})"
        emit(rows, as_json, [*columns, "assignee", "overdue"], empty)

    run_safely(action)


def _split(values: tuple[str, ...]) -> list[str]:
    """Repeated options, each of which may also be a comma-separated list."""
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


SHOW_HELP = """Decrypt a report (and write its attachments to a folder).

KMS opens the stored report. What the reporter encrypted to the team's OpenPGP key in
the browser (description, steps, impact, files) is then decrypted by your own GnuPG,
on this machine: the secret key, or the smartcard holding it, stays with GnuPG, which
asks for its passphrase or PIN itself. The GnuPG home is --gnupg-home, else with
`vdp --local` a temporary one holding the local stack's demo key (removed afterwards),
else GnuPG's own (GNUPGHOME or ~/.gnupg).
The policy's text flags, which the intake cannot set on encrypted text, are shown from
the decrypted text; --attachments-dir writes decrypted files under their own names.

If GnuPG cannot decrypt a part (no secret key, say), one line says so and the part is
shown as stored (the armored message, an encrypted file as .pgp). The exit status is
still 0, as the report was read; with --require-decryption it is 3. Replies encrypted
to the reporter's key are marked as such: only the reporter can read them.
"""


@reports.command("show", help=SHOW_HELP, short_help="Decrypt a report.")
@REPORT_ID
@click.option(
    "--attachments-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the attachments (decrypted) to this folder.",
)
@click.option(
    "--gnupg-home",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The GnuPG home with the team's secret key (default: GNUPGHOME or ~/.gnupg).",
)
@click.option(
    "--require-decryption",
    is_flag=True,
    help="Exit with status 3 if GnuPG could not decrypt every end-to-end encrypted part.",
)
@JSON_OPTION
@click.pass_obj
def show_command(
    state: CliState,
    report_id: str,
    attachments_dir: Path | None,
    gnupg_home: Path | None,
    require_decryption: bool,
    as_json: bool,
) -> None:
    from chalicelib.usecases.team.inbox import show_report
    from vdp.cli.reports import openpgp, own_gnupg

    undecrypted = False

    def action() -> None:
        nonlocal undecrypted
        ports = state.ports()
        report = show_report(ports, report_id, actor=state.actor())
        if openpgp.needs_gnupg(report):
            with own_gnupg.team_gnupg(state.local, gnupg_home) as gpg:
                opened = openpgp.open_report(report, gpg, ports.policy)
        else:
            opened = openpgp.open_report(report, None, ports.policy)
        if opened.problems:
            undecrypted = True
            echo_safe(_not_decrypted(opened.problems), err=True)
        written = write_attachments(opened.attachments, attachments_dir) if attachments_dir else []
        document = show_document(report.record, opened, written)
        if as_json:
            # Escaped (\uXXXX): lossless, and nothing in it can act on a terminal.
            echo_safe(json.dumps(document, indent=2))
        else:
            echo_safe(describe_report(document))

    run_safely(action)
    if undecrypted and require_decryption:
        raise SystemExit(3)


def _not_decrypted(problems: dict[str, str]) -> str:
    """One line: which parts GnuPG did not open, and why (gpg's words, each reason once)."""
    reasons = "; ".join(dict.fromkeys(problems.values()))
    parts = ", ".join(problems)
    return one_line(f"GnuPG could not decrypt {parts}: {reasons}; shown as stored")


def show_document(
    record: ReportRecord, opened: OpenedReport, written: list[Path]
) -> dict[str, Any]:
    """What `show` prints (as JSON with --json), from the report as GnuPG left it."""
    return {
        "record": record.model_dump(mode="json", exclude={"receipt_hash"}),
        "report": opened.content,
        "end_to_end": {
            "fields": opened.fields,
            "problems": opened.problems,
            "flags_from_decrypted_text": opened.text_flags,
        },
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "size": len(a.data),
                "end_to_end": a.end_to_end,
                "stored_as": a.stored_as,
            }
            for a in opened.attachments
        ],
        "written": [str(path) for path in written],
        "messages": [
            {
                "at": iso_time(m.message.at),
                "kind": m.message.kind,
                "actor": m.message.actor,
                "text": m.text,
                "end_to_end": m.end_to_end,
            }
            for m in opened.messages
        ],
    }
