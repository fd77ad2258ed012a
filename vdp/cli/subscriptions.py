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
    """Subscribe an email address, SQS queue ARN or HTTPS URL to the team's notifications.

    Email and https endpoints (and a queue in another account) receive a confirmation
    from SNS first: notifications start once it is confirmed."""
    from chalicelib.usecases.team.inbox import filter_policy
    from vdp.cli.endpoints import check_endpoint, confirmation

    def action() -> None:
        chosen = filter_policy(state.ports().policy, [*events], [*severities], [*products])
        topic_arn = state.settings().topic_arn
        check_endpoint(protocol, endpoint, state.settings())
        subscriptions = _subscriptions(state)
        confirmed = _confirmed(subscriptions.list(), protocol, endpoint)
        arn = subscriptions.subscribe(protocol, endpoint, chosen)
        to_confirm = None if confirmed else confirmation(protocol, endpoint, topic_arn)
        if as_json:
            document = {"arn": arn, "filter_policy": chosen, "needs_confirmation": bool(to_confirm)}
            echo_safe(json.dumps(document, indent=2))
            return
        echo_safe(f"subscribed {protocol} {endpoint}: {arn}")
        echo_safe(_next_step(confirmed, to_confirm))

    run_safely(action)


def _confirmed(rows: list[dict[str, Any]], protocol: str, endpoint: str) -> bool:
    """Whether the endpoint already has a confirmed subscription (a pending one has no ARN)."""
    return any(
        (row["protocol"], row["endpoint"]) == (protocol, endpoint) and row["arn"].startswith("arn:")
        for row in rows
    )


def _next_step(confirmed: bool, to_confirm: str | None) -> str:
    if confirmed:
        return "already confirmed; it now has the filter given here (none: every event)"
    if to_confirm:
        return f"{to_confirm}; notifications start only once it is confirmed"
    # SNS to SQS needs no confirmation in one account, but the queue must let SNS in.
    return (
        "no confirmation needed; SNS delivers once the queue's access policy "
        "allows sqs:SendMessage from the topic"
    )


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
    from chalicelib.adapters.messages.sns import SnsSubscriptions

    settings = state.settings()
    return SnsSubscriptions(bootstrap.client(settings, "sns"), settings.topic_arn)
