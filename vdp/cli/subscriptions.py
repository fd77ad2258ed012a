"""`vdp subscribe`, `vdp unsubscribe`, `vdp subscriptions`: who hears of new reports."""

from __future__ import annotations

import json
from typing import Any

import click

from vdp.cli.base import JSON_OPTION, CliState, main, run_safely
from vdp.cli.output import echo_safe, emit

PROTOCOLS = ("email", "sqs", "https")


@main.command("subscribe")
@click.argument("protocol", type=click.Choice(PROTOCOLS))
@click.argument("endpoint")
@click.option("--event", "events", multiple=True, help="Only these events (repeatable).")
@click.option("--severity", "severities", multiple=True, help="Only these severities.")
@click.option("--product", "products", multiple=True, help="Only these products.")
@JSON_OPTION
@click.pass_obj
def subscribe_command(
    state: CliState,
    protocol: str,
    endpoint: str,
    events: tuple[str, ...],
    severities: tuple[str, ...],
    products: tuple[str, ...],
    as_json: bool,
) -> None:
    """Subscribe an email address, SQS queue ARN or HTTPS URL to the team's notifications."""
    from chalicelib.usecases.team.inbox import filter_policy

    def action() -> None:
        ports = state.ports()
        chosen = filter_policy(ports.policy, list(events), list(severities), list(products))
        arn = _subscriptions(state).subscribe(protocol, endpoint, chosen)
        if as_json:
            echo_safe(json.dumps({"arn": arn, "filter_policy": chosen}, indent=2))
        else:
            echo_safe(f"subscribed {protocol} {endpoint}: {arn}")

    run_safely(action)


@main.command("unsubscribe")
@click.argument("endpoint")
@click.pass_obj
def unsubscribe_command(state: CliState, endpoint: str) -> None:
    """End the subscriptions of an endpoint (email, queue ARN, URL) or one by its ARN."""
    from chalicelib.domain.errors import NotFound

    def action() -> None:
        ended = _subscriptions(state).unsubscribe(endpoint)
        if not ended:
            raise NotFound(f"no confirmed subscription for {endpoint}")
        for arn in ended:
            echo_safe(f"unsubscribed {arn}")

    run_safely(action)


@main.command("subscriptions")
@JSON_OPTION
@click.pass_obj
def subscriptions_command(state: CliState, as_json: bool) -> None:
    """The topic's subscriptions and their filter policies."""

    def action() -> None:
        rows = _subscriptions(state).list()
        if not as_json:
            for row in rows:
                row["filter_policy"] = (
                    json.dumps(row["filter_policy"]) if row["filter_policy"] else "all"
                )
        emit(rows, as_json, ["protocol", "endpoint", "filter_policy", "arn"], "no subscriptions")

    run_safely(action)


def _subscriptions(state: CliState) -> Any:
    from chalicelib import bootstrap
    from chalicelib.adapters.sns import SnsSubscriptions

    settings = state.settings()
    return SnsSubscriptions(bootstrap.client(settings, "sns"), settings.topic_arn)
