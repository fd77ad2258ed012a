"""`vdp policy …` and `vdp security-txt`: what the policy publishes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import click

from chalicelib.domain.policy.document import DEFAULT_POLICY, Policy, load_policy
from vdp.cli.base import main, run_safely
from vdp.cli.output import echo_safe


def _policy(path: str | None) -> Policy:
    return load_policy(Path(path) if path else DEFAULT_POLICY)


POLICY_OPTION = click.option(
    "--policy",
    "policy_path",
    type=click.Path(exists=True, dir_okay=False),
    envvar="VDP_POLICY_PATH",  # as the deployment and the rest of the CLI read it
    show_envvar=True,
    help="Another policy.toml.",
)


def _url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not re.fullmatch(r"https?://[^\s/]+(/\S*)?", value):
        raise click.BadParameter("must be an http(s) URL, e.g. https://vdp.example.com", ctx, param)
    return value


def _api_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from chalicelib.web.render import API_PLACEHOLDER

    # The placeholder makes the HTML page a template: `vdp serve` puts its API there.
    return value if value == API_PLACEHOLDER else _url(ctx, param, value)


BASE_OPTION = click.option(
    "--base-url", default="http://127.0.0.1:8000", show_default=True, callback=_url,
    help="Where this vdp deployment's API is reachable.",
)  # fmt: skip


@main.group()
def policy() -> None:
    """The disclosure policy (chalicelib/policy.toml)."""


@policy.command("render")
@click.option("--format", "fmt", type=click.Choice(["md", "html"]), default="md", show_default=True)
@click.option(
    "--api",
    callback=_api_url,
    help="The vdp API's URL: the HTML page embeds its report form. '{{VDP_API}}' makes the "
    "page a template that `vdp serve` fills in.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page to this file, only once it is rendered (default: print it).",
)
@POLICY_OPTION
@BASE_OPTION
def render_command(
    fmt: str, api: str | None, output: Path | None, policy_path: str | None, base_url: str
) -> None:
    """Print SECURITY.md (md) or the policy page (html)."""
    from chalicelib.web.render import API_PLACEHOLDER, render_html, render_markdown

    if fmt == "md" and api == API_PLACEHOLDER:
        raise click.BadParameter(
            "a template is an HTML page: add --format html", param_hint="--api"
        )

    def action() -> None:
        chosen = _policy(policy_path)
        form_url = chosen.contacts.form_url or f"{(api or base_url).rstrip('/')}/form"
        page = (
            render_markdown(chosen, form_url) if fmt == "md" else render_html(chosen, form_url, api)
        )
        if output is None:
            click.echo(page, nl=False)
            return
        _replace(output, page)
        echo_safe(f"wrote {output}")

    run_safely(action)


def _replace(path: Path, text: str) -> None:
    """Write `text` beside `path`, then rename it over `path`: a failure midway leaves the
    old file as it was, never a truncated one."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)


@policy.command("holidays")
@click.option(
    "--country", "countries", multiple=True, help="ISO 3166 codes (default: the policy's)."
)
@click.option(
    "--years",
    default=10,
    show_default=True,
    type=click.IntRange(1, 50),
    help="How many years from this one.",
)
@click.option(
    "--file",
    "cache",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Another holidays.json (default: the one the package ships).",
)
@POLICY_OPTION
def holidays_command(
    countries: tuple[str, ...], years: int, cache: Path | None, policy_path: str | None
) -> None:
    """Regenerate these countries' years in chalicelib/holidays.json (the rest stays)."""
    from chalicelib.domain.policy.calendar import CACHE_FILE, write_cache

    def action() -> None:
        chosen = [c.upper() for c in countries] or [_policy(policy_path).holidays_country]
        start, path = date.today().year, cache or CACHE_FILE
        write_cache(chosen, range(start, start + years), path)
        echo_safe(f"wrote {path.name}: {', '.join(chosen)} {start}-{start + years - 1}")

    run_safely(action)


@main.command("security-txt")
@click.option("--sign/--no-sign", default=None, help="Clearsign with encryption.signing_key_id.")
@POLICY_OPTION
@BASE_OPTION
def security_txt_command(sign: bool | None, policy_path: str | None, base_url: str) -> None:
    """Print security.txt (RFC 9116); signed when the policy names a signing key."""
    from chalicelib.web.securitytxt import clearsign, render_security_txt

    def action() -> None:
        chosen = _policy(policy_path)
        text = render_security_txt(chosen, datetime.now(UTC), base_url.rstrip("/"))
        key = chosen.encryption.signing_key_id
        if sign is True and not key:
            raise click.ClickException(
                "no signing key: set encryption.signing_key_id in policy.toml"
            )
        if key and sign is not False:
            text = clearsign(text, key)
        click.echo(text, nl=False)

    run_safely(action)
