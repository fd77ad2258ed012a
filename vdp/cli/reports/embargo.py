"""`vdp reports disclose`, `vdp reports embargo` and `vdp embargoes`: disclose now, or plan
the disclosure; list what is planned, and publish what is due."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import click

from vdp.cli.base import JSON_OPTION, REPORT_ID, CliState, main, reports, run_safely
from vdp.cli.output import echo_safe, emit, iso_time

if TYPE_CHECKING:
    from chalicelib.domain.report.records import ReportRecord
    from chalicelib.usecases.team.embargo import Planned

DATE_HELP = "ISO 8601 with offset or Z, ahead of now and within a year."


def _when(text: str | None) -> datetime | None:
    """ISO 8601 with an offset or Z (None: now); a naive time is refused by the use case,
    in the same one-line style as a text that is no date at all."""
    from chalicelib.domain.errors import FieldProblem, ValidationFailed

    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        problem = "date must be ISO 8601 with a time zone, e.g. 2026-12-01T10:00:00+01:00 or ...Z"
        raise ValidationFailed([FieldProblem("date", problem)], problem) from None


@reports.command("disclose")
@REPORT_ID
@click.option("--date", "date_text", help=f"Plan it instead (an embargo): {DATE_HELP}")
@JSON_OPTION
@click.pass_obj
def disclose_command(state: CliState, report_id: str, date_text: str | None, as_json: bool) -> None:
    """fixed -> disclosed now; with --date, the disclosure planned for then (and the
    reporter's credit with it, if they consented)."""
    from chalicelib.usecases.team import embargo
    from chalicelib.usecases.team.advisories import disclose

    def action() -> None:
        when = _when(date_text)
        if when is None:
            _emit(disclose(state.ports(), state.actor(), report_id), as_json)
            return
        planned = embargo.plan_disclosure(state.ports(), state.actor(), report_id, when)
        _emit_planned(planned, as_json)

    run_safely(action)


@reports.command("embargo")
@REPORT_ID
@click.option("--date", "date_text", help=f"Plan or move the disclosure: {DATE_HELP}")
@click.option("--cancel", is_flag=True, help="Cancel the planned disclosure.")
@JSON_OPTION
@click.pass_obj
def embargo_command(
    state: CliState, report_id: str, date_text: str | None, cancel: bool, as_json: bool
) -> None:
    """Show a fixed report's planned disclosure; plan, move (--date) or cancel it."""
    from chalicelib.usecases.team import embargo
    from chalicelib.usecases.team.triage import get_report

    def action() -> None:
        ports, when = state.ports(), _when(date_text)
        if cancel:
            record = embargo.cancel(ports, state.actor(), report_id)
        elif when is not None:
            _emit_planned(embargo.plan_disclosure(ports, state.actor(), report_id, when), as_json)
            return
        else:
            record = get_report(ports, report_id)
        _emit(record, as_json)

    if cancel and date_text is not None:
        raise click.UsageError("--date and --cancel exclude each other")
    run_safely(action)


@main.command("embargoes")
@click.option("--publish", is_flag=True, help="Publish the due ones now, as the hourly run does.")
@JSON_OPTION
@click.pass_obj
def embargoes_command(state: CliState, publish: bool, as_json: bool) -> None:
    """Planned disclosures, soonest first; --publish discloses those whose date has passed
    (the ids it disclosed)."""
    from chalicelib.usecases.team import embargo

    def action() -> None:
        ports = state.ports()
        if publish:
            published = [{"report_id": report_id} for report_id in embargo.publish_due(ports)]
            emit(published, as_json, ["report_id"], "nothing was due")
            return
        rows = [
            {"report_id": record.report_id, "planned": iso_time(record.disclosure_planned)}
            for record in embargo.planned(ports)
        ]
        emit(rows, as_json, ["report_id", "planned"], "no planned disclosures")

    run_safely(action)


def _emit_planned(planned: Planned, as_json: bool) -> None:
    _emit(planned.record, as_json, planned.credit_refusal)


def _emit(record: ReportRecord, as_json: bool, refusal: str | None = None) -> None:
    """The report's disclosure, planned and made, or the whole record (no receipt hash)."""
    if as_json:
        echo_safe(json.dumps(record.model_dump(mode="json", exclude={"receipt_hash"}), indent=2))
        return
    planned = iso_time(record.disclosure_planned if record.status != "disclosed" else None)
    if record.disclosure_planned and record.status not in ("fixed", "disclosed"):
        planned += f" (held while {record.status}: published once fixed again)"
    echo_safe(f"{'report_id':<14}{record.report_id} [{record.status}]")
    echo_safe(f"{'planned':<14}{planned}")
    echo_safe(f"{'disclosed_at':<14}{iso_time(record.disclosed_at)}")
    if record.disclosure_planned and record.status != "disclosed":
        echo_safe(f"{'credit':<14}{_credit(record, refusal)}")


def _credit(record: ReportRecord, refusal: str | None) -> str:
    """Whether the credit goes public with the planned disclosure, and if not, why."""
    if record.credit_at_disclosure:
        return "published with the disclosure"
    why = refusal or f"vdp reports credit {record.report_id} shows why"
    return f"not published with the disclosure: {why}"
