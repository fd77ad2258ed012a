"""`vdp`: the local stack and the security team's read-back of reports."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from chalicelib.domain.errors import PolicyError, VdpError
from vdp.cli.output import describe_report, echo_safe, emit, write_attachments


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
                # Never real credentials against the local stack: test keys, and no session
                # token, which botocore would otherwise send beside them.
                for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
                    os.environ[name] = "testing"
                for name in ("AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
                    os.environ.pop(name, None)
                self._settings = local_settings(endpoint)
            else:
                try:
                    self._settings = Settings.from_env(os.environ)
                except PolicyError as exc:
                    raise PolicyError(f"{exc.message} (or pass --local for `vdp serve`)") from None
        return self._settings

    def ports(self) -> Any:
        if self._ports is None:
            from chalicelib import bootstrap
            from chalicelib.domain.policy import load_policy

            settings = self.settings()
            self._ports = bootstrap.build_ports(settings, load_policy(settings.policy_path))
        return self._ports

    def actor(self) -> str:
        """Who is acting, as AWS knows them (STS): recorded on every event they cause."""
        if self._actor is None:
            from chalicelib import bootstrap
            from chalicelib.adapters.sts import StsIdentity

            self._actor = StsIdentity(bootstrap.client(self.settings(), "sts")).caller()
        return self._actor


def as_report_id(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A report id argument or option, normalized as the API normalizes it."""
    from chalicelib.domain.receipts import normalized_report_id

    return None if value is None else normalized_report_id(value)


JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
# An id as the team types it: `vdp reports show vdp-7k3m-9qx2` finds VDP-7K3M-9QX2.
REPORT_ID = click.argument("report_id", callback=as_report_id)


def run_safely(action: Callable[[], None]) -> None:
    """One line on failure and a non-zero exit; never a traceback."""
    from vdp.cli.errors import describe_failure

    try:
        action()
    except VdpError as exc:
        raise click.ClickException(describe_failure(exc)) from None
    except UnicodeError:  # a shell argument with bytes that are not UTF-8
        raise click.ClickException("text must be valid UTF-8; nothing was saved") from None
    except BrokenPipeError:  # the reader went away (`vdp ... | head`): nothing to say
        raise SystemExit(1) from None
    except OSError as exc:  # a file or folder the team named (--output, --attachments-dir)
        where = f": {exc.filename}" if exc.filename else ""
        raise click.ClickException(f"{exc.strerror or exc}{where}") from None


@click.group()
@click.option("--local", is_flag=True, help="Use the stack started by `vdp serve`.")
@click.pass_context
def main(ctx: click.Context, local: bool) -> None:
    """vdp: vulnerability disclosure intake."""
    from chalicelib.config import disable_pydantic_plugins

    disable_pydantic_plugins()
    ctx.obj = CliState(local)


@main.command()
@click.option("--port", default=8000, show_default=True, help="API and form.")
@click.option("--site-port", default=8001, show_default=True, help="Example policy site.")
@click.option("--aws-port", default=4566, show_default=True, help="Embedded moto server.")
@click.option("--host", default="127.0.0.1", show_default=True)
def serve(port: int, site_port: int, aws_port: int, host: str) -> None:
    """Run the local stack: moto, the API and the policy site."""
    from vdp.local.serve import Ports
    from vdp.local.serve import serve as run

    run_safely(lambda: run(Ports(api=port, site=site_port, aws=aws_port), host, echo_safe))


@main.group()
def reports() -> None:
    """Read reports (the team's side)."""


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


import vdp.cli.advisories  # noqa: E402,F401 - registers the issue 5 commands
import vdp.cli.subscriptions  # noqa: E402,F401 - registers the subscription commands
import vdp.cli.team  # noqa: E402,F401 - registers the team's triage commands
from vdp.cli import policy as cli_policy  # noqa: E402,F401 - registers `vdp policy`, `vdp security-txt`
