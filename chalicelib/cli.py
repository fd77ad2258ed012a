"""`vdp`: the local stack and the security team's read-back of reports."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click

from chalicelib.errors import VdpError


class CliState:
    """Builds the team's Ports on first use: `--local` targets `vdp serve`'s moto."""

    def __init__(self, local: bool) -> None:
        self.local = local
        self._ports: Any = None
        self._settings: Any = None
        self._actor: str | None = None

    def settings(self) -> Any:
        if self._settings is None:
            from chalicelib.config import Settings, local_settings

            if self.local:
                endpoint = os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566"
                for name, value in {
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                }.items():
                    os.environ[name] = value  # never real credentials against the local stack
                self._settings = local_settings(endpoint)
            else:
                self._settings = Settings.from_env(os.environ)
        return self._settings

    def ports(self) -> Any:
        if self._ports is None:
            from chalicelib import wiring
            from chalicelib.policy import load_policy

            settings = self.settings()
            self._ports = wiring.build_ports(settings, load_policy(settings.policy_path))
        return self._ports

    def actor(self) -> str:
        """Who is acting, as AWS knows them (STS): recorded on every event they cause."""
        if self._actor is None:
            from chalicelib import wiring
            from chalicelib.adapters.sts import StsIdentity

            self._actor = StsIdentity(wiring.client(self.settings(), "sts")).caller()
        return self._actor


def run_safely(action: Callable[[], None]) -> None:
    """One line on failure and a non-zero exit; never a traceback."""
    try:
        action()
    except VdpError as exc:
        detail = f" ({exc.service})" if hasattr(exc, "service") else ""
        raise click.ClickException(f"{exc.message}{detail}") from None


@click.group()
@click.option("--local", is_flag=True, help="Use the stack started by `vdp serve`.")
@click.pass_context
def main(ctx: click.Context, local: bool) -> None:
    """vdp: vulnerability disclosure intake."""
    ctx.obj = CliState(local)


@main.command()
@click.option("--port", default=8000, show_default=True, help="API and form.")
@click.option("--site-port", default=8001, show_default=True, help="Example policy site.")
@click.option("--aws-port", default=4566, show_default=True, help="Embedded moto server.")
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, site_port: int, aws_port: int, host: str) -> None:
    """Run the local stack: moto, the API and the policy site."""
    from chalicelib.local import Ports
    from chalicelib.local import serve as run

    run_safely(lambda: run(Ports(api=port, site=site_port, aws=aws_port), host, _echo))


@main.group()
def reports() -> None:
    """Read reports (the team's side)."""


@reports.command("list")
@click.option("--status", "statuses", multiple=True, help="Only these statuses.")
@click.option("--product", help="Only this product.")
@click.option("--overdue", is_flag=True, help="Only reports with a breached SLA deadline.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_command(
    state: CliState, statuses: tuple[str, ...], product: str | None, overdue: bool, as_json: bool
) -> None:
    """Reports, newest first per status."""
    from chalicelib.team import list_reports, overdue_deadlines

    def action() -> None:
        ports = state.ports()
        today = ports.clock().date()
        rows = [
            {
                **r.model_dump(mode="json", exclude={"receipt_hash", "sla_announced"}),
                "overdue": sorted(overdue_deadlines(r, ports, today)),
            }
            for r in list_reports(ports, list(statuses) or None, product, overdue)
        ]
        columns = ["report_id", "status", "created_at", "product", "severity", "acknowledge_by"]
        _emit(rows, as_json, [*columns, "assignee", "overdue"])

    run_safely(action)


@reports.command("show")
@click.argument("report_id")
@click.option("--attachments-dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show_command(
    state: CliState, report_id: str, attachments_dir: Path | None, as_json: bool
) -> None:
    """Decrypt a report (and write its attachments to a folder)."""
    from chalicelib.team import show_report

    def action() -> None:
        report = show_report(state.ports(), report_id, actor=state.actor())
        written = _write_attachments(report.attachments, attachments_dir) if attachments_dir else []
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
            _echo(json.dumps(document, indent=2, ensure_ascii=False))
        else:
            _echo(_describe(document))

    run_safely(action)


def _write_attachments(attachments: Iterable[Any], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index, item in enumerate(attachments):
        # The name came from the reporter: keep only its last component.
        safe_name = Path(item.filename).name.lstrip(".") or "attachment"
        path = folder / f"{index}-{safe_name}"
        path.write_bytes(item.data)
        written.append(path)
    return written


def _describe(document: dict[str, Any]) -> str:
    record, report = document["record"], document["report"]
    lines = [f"{record['report_id']}  [{record['status']}]  {report.get('title', '')}"]
    for name in ("product", "version", "severity", "created_at", "acknowledge_by"):
        lines.append(f"  {name:<16}{record.get(name) or '-'}")
    for name in ("description", "steps_to_reproduce", "impact"):
        if report.get(name):
            lines += ["", f"{name}:", report[name]]
    lines += ["", f"reporter: {json.dumps(report.get('reporter'))}"]
    lines += [f"attachment: {a['filename']} ({a['size']} bytes)" for a in document["attachments"]]
    lines += [f"written: {path}" for path in document["written"]]
    for message in document["messages"]:
        lines += ["", f"[{message['at']}] {message['kind']} ({message['actor'] or 'reporter'}):"]
        lines.append(message["text"])
    return "\n".join(lines)


def _emit(
    rows: list[dict[str, Any]], as_json: bool, columns: list[str], empty: str = "no reports"
) -> None:
    if as_json:
        _echo(json.dumps(rows, indent=2))
        return
    if not rows:
        _echo(empty)
        return
    cells = [{c: _cell(row.get(c)) for c in columns} for row in rows]
    widths = {c: max(len(c), *(len(cell[c]) for cell in cells)) for c in columns}
    _echo("  ".join(c.upper().ljust(widths[c]) for c in columns).rstrip())
    for cell in cells:
        _echo("  ".join(cell[c].ljust(widths[c]) for c in columns).rstrip())


def _cell(value: Any) -> str:
    if isinstance(value, list):
        return ",".join(str(v) for v in value) or "-"
    return str(value) if value not in (None, "") else "-"


# Reporter text may carry terminal escape sequences (colours, OSC 52 clipboard writes):
# every control character but newline and tab is dropped before it reaches a terminal.
_TERMINAL_SAFE = {
    c: None for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if c not in (9, 10)
}


def echo_safe(text: str, nl: bool = True) -> None:
    click.echo(text.translate(_TERMINAL_SAFE), nl=nl)


def _echo(line: str) -> None:
    echo_safe(line)


import chalicelib.cli_advisories  # noqa: E402,F401 - registers the issue 5 commands
import chalicelib.cli_team  # noqa: E402,F401 - registers the team's triage commands
from chalicelib import cli_policy  # noqa: E402,F401 - registers `vdp policy`, `vdp security-txt`
