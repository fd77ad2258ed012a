"""`vdp reports list` and `vdp reports show`: the team reads its queue and its reports."""

from __future__ import annotations

import json
from pathlib import Path

import click

from vdp.cli.base import JSON_OPTION, REPORT_ID, CliState, reports, run_safely
from vdp.cli.output import describe_report, echo_safe, emit, write_attachments


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


@reports.command("show")
@REPORT_ID
@click.option("--attachments-dir", type=click.Path(file_okay=False, path_type=Path))
@JSON_OPTION
@click.pass_obj
def show_command(
    state: CliState, report_id: str, attachments_dir: Path | None, as_json: bool
) -> None:
    """Decrypt a report (and write its attachments to a folder)."""
    from chalicelib.usecases.team.inbox import show_report

    def action() -> None:
        report = show_report(state.ports(), report_id, actor=state.actor())
        written = write_attachments(report.attachments, attachments_dir) if attachments_dir else []
        document = {
            "record": report.record.model_dump(mode="json", exclude={"receipt_hash"}),
            "report": report.content,
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "size": len(a.data)}
                for a in report.attachments
            ],
            "written": [str(path) for path in written],
            "messages": [
                {"at": m.at.isoformat(), "kind": m.kind, "actor": m.actor, "text": m.text}
                for m in report.messages
            ],
        }
        if as_json:
            # Escaped (\uXXXX): lossless, and nothing in it can act on a terminal.
            echo_safe(json.dumps(document, indent=2))
        else:
            echo_safe(describe_report(document))

    run_safely(action)
