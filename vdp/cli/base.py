"""What every `vdp` command shares: the groups, the state, the options, one-line errors."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chalicelib.domain.errors import PolicyError, VdpError
from vdp.cli.output import echo_safe, one_line

if TYPE_CHECKING:  # imported when first used: `vdp --help` stays quick
    from chalicelib.config import Settings
    from chalicelib.usecases.ports import Ports


class CliState:
    """The team's Ports, built on first use by the service's own bootstrap.

    `--local` targets `vdp serve`: the local stage's names and test keys (never the
    caller's real credentials), at AWS_ENDPOINT_URL or the default local port.
    """

    def __init__(self, local: bool) -> None:
        self.local = local
        self._ports: Ports | None = None
        self._settings: Settings | None = None
        self._actor: str | None = None

    def settings(self) -> Settings:
        from chalicelib.config import Settings, local_settings

        if self._settings is None:
            if self.local:
                endpoint = os.environ.get("AWS_ENDPOINT_URL") or "http://127.0.0.1:4566"
                self._settings = local_settings(endpoint)
            else:
                try:
                    self._settings = Settings.from_env(os.environ)
                except PolicyError as exc:
                    raise PolicyError(f"{exc.message} (or pass --local for `vdp serve`)") from None
        return self._settings

    def ports(self) -> Ports:
        from chalicelib import bootstrap
        from chalicelib.domain.policy.document import load_policy

        if self._ports is None:
            settings = self.settings()
            built = bootstrap.build_ports(settings, load_policy(settings.policy_path))
            self._ports = dataclasses.replace(built, warn=_warn)
        return self._ports

    def actor(self) -> str:
        """Who is acting, as AWS knows them (STS): recorded on every event they cause."""
        from chalicelib import bootstrap

        if self._actor is None:
            self._actor = str(bootstrap.identity(self.settings()).caller())
        return self._actor


def _warn(text: str) -> None:
    """A use case's warning: one line on stderr (the command's output stays on stdout)."""
    echo_safe(one_line(f"warning: {text}"), err=True)


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
@click.option(
    "--smtp-port", default=2525, show_default=True, help="Inbound mail (SMTP) for reports."
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".vdp-local",
    envvar="VDP_LOCAL_DATA_DIR",
    show_default=True,
    help="Where the stack keeps its data between runs.",
)
@click.option(
    "--fresh",
    is_flag=True,
    envvar="VDP_LOCAL_FRESH",
    help="Start empty (the last run's data is set aside).",
)
def serve(
    port: int, site_port: int, aws_port: int, smtp_port: int, host: str, data_dir: Path, fresh: bool
) -> None:
    """Run the local stack: moto, the API, the policy site and an SMTP listener."""
    from vdp.local.aws.keeper import LocalData
    from vdp.local.serve import Listeners
    from vdp.local.serve import serve as run

    listeners = Listeners(api=port, site=site_port, aws=aws_port, smtp=smtp_port)
    run_safely(lambda: run(listeners, host, echo_safe, LocalData(data_dir, fresh)))


@main.group()
def reports() -> None:
    """Read reports (the team's side)."""
