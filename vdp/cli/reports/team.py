"""`vdp reports ack|status|severity|note|reply|assign|timeline` and `vdp sla`.

Thin: each command calls one use case (triage.py, team.py, sweeps.py) with the team's
Ports and the caller's AWS identity, then prints a line, a table, or `--json`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import click

from chalicelib.domain.lifecycle import STATUSES
from chalicelib.domain.report.records import ReportRecord
from vdp.cli.base import (
    JSON_OPTION,
    REPORT_ID,
    CliState,
    as_report_id,
    main,
    reports,
    run_safely,
)
from vdp.cli.output import echo_safe, emit, iso_time

FROM_STDIN = ' ("-": read it from standard input)'


def _text_or_stdin(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A text as given, or standard input for "-" (long or multi-line texts, no quoting)."""
    if value != "-":
        return value
    if sys.stdin is None or sys.stdin.closed:  # `vdp ... - <&-`
        raise click.BadParameter("standard input is closed; give the text itself", ctx, param)
    return sys.stdin.read().rstrip("\n")


def _changed(
    state: CliState,
    as_json: bool,
    change: Callable[[Any, str], ReportRecord],
    describe: Callable[[ReportRecord], str],
) -> None:
    """Run a change as the caller and print the record it produced."""

    def action() -> None:
        record = change(state.ports(), state.actor())
        if as_json:
            dumped = record.model_dump(mode="json", exclude={"receipt_hash", "sla_announced"})
            echo_safe(json.dumps(dumped, indent=2))
        else:
            line = f"{record.report_id}  {describe(record)}  [{record.status}, rev {record.rev}]"
            echo_safe(line)

    run_safely(action)


@reports.command("ack")
@REPORT_ID
@click.option(
    "--message",
    callback=_text_or_stdin,
    help="A reply the reporter will read on their status page" + FROM_STDIN + ".",
)
@JSON_OPTION
@click.pass_obj
def ack_command(state: CliState, report_id: str, message: str | None, as_json: bool) -> None:
    """Acknowledge a report (optionally with a reply)."""
    from chalicelib.usecases.team.triage import acknowledge

    def change(ports: Any, actor: str) -> ReportRecord:
        return acknowledge(ports, actor, report_id, message)

    _changed(state, as_json, change, lambda r: f"acknowledged, triage by {r.triage_by}")


@reports.command("status")
@REPORT_ID
@click.argument("new_status", metavar="NEW", type=click.Choice(STATUSES, case_sensitive=False))
@click.option(
    "--note",
    callback=_text_or_stdin,
    help="An internal note recorded with the change (encrypted)" + FROM_STDIN + ".",
)
@click.option(
    "--reply",
    callback=_text_or_stdin,
    help="A reply the reporter will read on their status page" + FROM_STDIN + ".",
)
@click.option(
    "--duplicate-of", callback=as_report_id, help="The original report, for NEW=duplicate."
)
@JSON_OPTION
@click.pass_obj
def status_command(
    state: CliState,
    report_id: str,
    new_status: str,
    note: str | None,
    reply: str | None,
    duplicate_of: str | None,
    as_json: bool,
) -> None:
    """Move a report to another status (the lifecycle decides what is allowed).

    NEW=disclosed discloses as `reports disclose` does without --date: now."""
    from chalicelib.usecases.team.advisories import disclose
    from chalicelib.usecases.team.triage import change_status

    def change(ports: Any, actor: str) -> ReportRecord:
        # The lifecycle refuses disclosed with --duplicate-of: change_status says so.
        if new_status == "disclosed" and duplicate_of is None:
            return disclose(ports, actor, report_id, note=note, reply=reply)
        return change_status(
            ports, actor, report_id, new_status, note=note, reply=reply, duplicate_of=duplicate_of
        )

    _changed(state, as_json, change, _moved)


def _moved(record: ReportRecord) -> str:
    if record.status == "disclosed":
        return f"now disclosed, on {iso_time(record.disclosed_at)}"
    return f"now {record.status}"


@reports.command("severity")
@REPORT_ID
@click.argument("vector")
@JSON_OPTION
@click.pass_obj
def severity_command(state: CliState, report_id: str, vector: str, as_json: bool) -> None:
    """Score a CVSS 3.1 or 4.0 vector; its rating sets the severity and the fix deadline."""
    from chalicelib.usecases.team.triage import set_severity

    def change(ports: Any, actor: str) -> ReportRecord:
        return set_severity(ports, actor, report_id, vector)

    def summary(record: ReportRecord) -> str:
        return f"scored {record.cvss_score} {record.cvss_rating}, fix by {record.fix_by or '-'}"

    _changed(state, as_json, change, summary)


@reports.command("assign")
@REPORT_ID
@click.argument("who")
@JSON_OPTION
@click.pass_obj
def assign_command(state: CliState, report_id: str, who: str, as_json: bool) -> None:
    """Give a report to someone on the team (internal)."""
    from chalicelib.usecases.team.triage import assign

    def change(ports: Any, actor: str) -> ReportRecord:
        return assign(ports, actor, report_id, who)

    _changed(state, as_json, change, lambda r: f"assigned to {r.assignee}")


def _texted(state: CliState, as_json: bool, write: Callable[[Any, str], Any], what: str) -> None:
    def action() -> None:
        event = write(state.ports(), state.actor())
        if as_json:
            echo_safe(json.dumps(event.model_dump(mode="json"), indent=2))
        else:
            # A reply to a reporter's key says so: nobody else can read it back.
            how = f", {event.detail}" if event.kind == "reply" and event.detail else ""
            echo_safe(f"{what} {event.event_id} recorded{how}")

    run_safely(action)


@reports.command("note")
@REPORT_ID
@click.argument("text", callback=_text_or_stdin)
@JSON_OPTION
@click.pass_obj
def note_command(state: CliState, report_id: str, text: str, as_json: bool) -> None:
    """Add an internal note (encrypted; never shown to the reporter). TEXT "-": stdin."""
    from chalicelib.usecases.team.triage import add_note

    _texted(state, as_json, lambda p, a: add_note(p, a, report_id, text), "note")


@reports.command("reply")
@REPORT_ID
@click.argument("text", callback=_text_or_stdin)
@JSON_OPTION
@click.pass_obj
def reply_command(state: CliState, report_id: str, text: str, as_json: bool) -> None:
    """Reply to the reporter (encrypted; shown on their status page). TEXT "-": stdin."""
    from chalicelib.usecases.team.triage import reply

    _texted(state, as_json, lambda p, a: reply(p, a, report_id, text), "reply")


@reports.command("timeline")
@REPORT_ID
@click.option(
    "--cloudtrail",
    is_flag=True,
    help="Add CloudTrail's record of every KMS Decrypt that named the report (docs/audit.md).",
)
@JSON_OPTION
@click.pass_obj
def timeline_command(state: CliState, report_id: str, cloudtrail: bool, as_json: bool) -> None:
    """Every event of a report, with who caused it, from its submission on."""
    from chalicelib.domain.report.records import ReportEvent
    from chalicelib.usecases.team.inbox import timeline
    from chalicelib.usecases.team.triage import get_report
    from vdp.cli.reports.cloudtrail import with_cloudtrail

    def action() -> None:
        ports = state.ports()
        created = get_report(ports, report_id).created_at  # the metadata records the receipt
        received = ReportEvent(
            event_id="received", at=created, kind="status", public=True, status="received"
        )
        rows = [
            # The submission and follow-ups come from the receipt holder: no AWS identity.
            {**e.model_dump(mode="json"), "actor": e.actor or "reporter"}
            for e in [received, *timeline(ports, report_id)]
        ]
        columns = ["at", "kind", "status", "actor", "detail"]
        if cloudtrail:  # CloudTrail's Decrypt records merged in, each row says whose
            rows = with_cloudtrail(state, report_id, created, rows)
            columns.insert(1, "record")
        emit(rows, as_json, columns)

    run_safely(action)


@main.command("sla")
@JSON_OPTION
@click.pass_obj
def sla_command(state: CliState, as_json: bool) -> None:
    """Run the SLA sweep now: record breaches not recorded before (each notifies the team)."""
    from chalicelib.usecases.sweeps import sla_sweep

    def action() -> None:
        breaches = sla_sweep(state.ports())
        if breaches or as_json:
            emit([vars(b) for b in breaches], as_json, ["report_id", "deadline", "due"])
        else:
            echo_safe("no new SLA breaches")

    run_safely(action)
