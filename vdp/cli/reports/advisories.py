"""`vdp reports credit|advisory|export`, `vdp credits`, `vdp purge`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from vdp.cli.base import JSON_OPTION, REPORT_ID, CliState, main, reports, run_safely
from vdp.cli.output import echo_safe, iso_time, one_line


@reports.command("credit")
@REPORT_ID
@click.option("--publish", is_flag=True, help="Publish the credit (GET /acknowledgments).")
@click.option("--unpublish", is_flag=True, help="Take the credit off the public list.")
@JSON_OPTION
@click.pass_obj
def credit_command(
    state: CliState, report_id: str, publish: bool, unpublish: bool, as_json: bool
) -> None:
    """Show the reporter's credit choice (decrypted); publish or withdraw it."""
    from chalicelib.usecases.team import credits

    def action() -> None:
        ports = state.ports()
        if unpublish:
            credits.unpublish(ports, report_id, state.actor())
        choice = (credits.publish if publish else credits.credit_choice)(
            ports, report_id, state.actor()
        )
        document = {
            "report_id": choice.report_id,
            "name": choice.name,
            "creditable": choice.refusal is None,
            "reason": choice.refusal,
            "published_on": choice.published_on.isoformat() if choice.published_on else None,
        }
        if as_json:
            echo_safe(json.dumps(document, indent=2))  # escaped: nothing is dropped
            return
        for key, value in document.items():
            echo_safe(f"{key:<14}{'-' if value is None else one_line(str(value))}")

    if publish and unpublish:
        raise click.UsageError("--publish and --unpublish exclude each other")
    run_safely(action)


@main.command("credits")
@click.option("--format", "fmt", type=click.Choice(["md", "html", "json"]), default="md")
@click.option("--rebuild", is_flag=True, help="Also rewrite the public acknowledgments object.")
@click.pass_obj
def credits_command(state: CliState, fmt: str, rebuild: bool) -> None:
    """Published credits, as the acknowledgments page lists them."""
    from chalicelib.usecases.team import credits

    def action() -> None:
        ports = state.ports()
        found = credits.rebuild_public(ports) if rebuild else credits.published_credits(ports)
        page = credits.render(found, fmt, ports.policy.organisation.name)
        echo_safe(page, nl=not page.endswith("\n"))  # JSON has no final newline of its own

    run_safely(action)


@reports.command("advisory")
@REPORT_ID
@click.option("--cwe", help="CWE id, e.g. CWE-79.")
@click.option("--cwe-name", help="The CWE's name (built in for common CWEs).")
@click.option("--affected", help="Affected versions (PEP 440), e.g. '>=2.0,<2.4.2'.")
@click.option("--fixed-in", help="First fixed version, e.g. 2.4.2.")
@click.option(
    "--cve", "cves", multiple=True, metavar="CVE-ID", help="CVE id; repeat for more (replaces)."
)
@click.option("--no-cve", is_flag=True, help="Clear the recorded CVE ids.")
@click.option(
    "--alias",
    "aliases",
    multiple=True,
    metavar="ID",
    help="Another database's id, e.g. GHSA-xxxx-xxxx-xxxx; repeat for more (replaces).",
)
@click.option("--no-alias", is_flag=True, help="Clear the recorded aliases.")
@JSON_OPTION
@click.pass_obj
def advisory_command(
    state: CliState,
    report_id: str,
    cwe: str | None,
    cwe_name: str | None,
    affected: str | None,
    fixed_in: str | None,
    cves: tuple[str, ...],
    no_cve: bool,
    aliases: tuple[str, ...],
    no_alias: bool,
    as_json: bool,
) -> None:
    """Set the advisory's public facts: CWE, affected range, fixed version, CVE ids and
    other databases' ids (none: show them)."""
    from chalicelib.usecases.team.advisories import set_advisory

    cve_ids, alias_ids = _id_list(cves, no_cve, "cve"), _id_list(aliases, no_alias, "alias")

    def action() -> None:
        record = set_advisory(
            state.ports(),
            state.actor(),
            report_id,
            cwe=cwe,
            cwe_name=cwe_name,
            affected=affected,
            fixed_in=fixed_in,
            cve_ids=cve_ids,
            aliases=alias_ids,
        )
        _emit_record(record, as_json)

    run_safely(action)


def _id_list(given: tuple[str, ...], clear: bool, option: str) -> list[str] | None:
    """--X values replace the recorded ids, --no-X clears them, neither keeps them."""
    if given and clear:
        raise click.UsageError(f"--{option} and --no-{option} exclude each other")
    return [] if clear else (list(given) or None)


def _emit_record(record: Any, as_json: bool) -> None:
    """The advisory facts of a record, or the whole record (no receipt hash) as JSON."""
    if as_json:
        echo_safe(json.dumps(record.model_dump(mode="json", exclude={"receipt_hash"}), indent=2))
        return
    echo_safe(f"{'report_id':<14}{record.report_id} [{record.status}]")
    for name in ("cwe", "cwe_name", "affected", "fixed_in", "cvss_vector", "cve_ids", "aliases"):
        value = getattr(record, name)
        echo_safe(f"{name:<14}{(' '.join(value) if isinstance(value, list) else value) or '-'}")
    echo_safe(f"{'disclosed_at':<14}{iso_time(record.disclosed_at)}")


@reports.command("export")
@REPORT_ID
@click.option("--format", "fmt", type=click.Choice(["csaf", "osv"]), required=True)
@click.option("--title", help="Advisory title (default: CWE name and product).")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def export_command(
    state: CliState,
    report_id: str,
    fmt: str,
    title: str | None,
    output: Path | None,
) -> None:
    """The advisory as CSAF 2.0 or OSV JSON (a draft until disclosed); OSV takes the
    product's package and the id prefix from the policy."""
    from chalicelib.usecases.team.exports import export

    def action() -> None:
        document = export(state.ports(), report_id, fmt, title=title)
        # UTF-8 in a file; escaped on a terminal, where control characters would be dropped.
        text = json.dumps(document, indent=2, ensure_ascii=output is None) + "\n"
        if output:
            output.write_text(text, encoding="utf-8")
            echo_safe(f"wrote {output}")
        else:
            echo_safe(text, nl=False)

    run_safely(action)


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Only list what would be deleted.")
@JSON_OPTION
@click.pass_obj
def purge_command(state: CliState, dry_run: bool, as_json: bool) -> None:
    """Delete reports past the policy's retention (S3 versions and DynamoDB items)."""
    from chalicelib.usecases.retention import purge

    def action() -> None:
        done = purge(state.ports(), dry_run=dry_run)
        rows: list[dict[str, Any]] = [
            {
                "report_id": item.report_id,
                "status": item.status,
                "since": iso_time(item.since),
                "due": iso_time(item.due),
            }
            for item in done
        ]
        if as_json:
            echo_safe(json.dumps(rows, indent=2))
            return
        verb = "would purge" if dry_run else "purged"
        for row in rows:
            echo_safe(f"{verb} {row['report_id']}  [{row['status']} since {row['since']}]")
        echo_safe(f"{len(rows)} report(s) {'due' if dry_run else 'purged'}")

    run_safely(action)
