"""What `vdp serve` says when it is up: where each server is, a first report to send, the
team's queue, and where the data lives."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from chalicelib.domain.policy.document import Policy
from vdp.local import smtp
from vdp.local.aws.datadir import DATA_DIR_OPTION, FRESH_OPTION


@dataclass(frozen=True)
class Endpoints:
    api: str
    site: str
    aws: str
    smtp_host: str
    smtp_port: int
    team_queue_arn: str


def first_report(api: str, policy: Policy) -> str:
    """A curl command that submits a report the API accepts (the policy's first product)."""
    report = {
        "title": "Test report",
        "description": "The login form accepts any password for admin.",
        "product": policy.products[0].id,
        "policy_accepted": True,
    }
    body = shlex.quote(json.dumps(report))
    return f"curl -s -w '\\n' {api}/reports -H 'Content-Type: application/json' -d {body}"


def banner(at: Endpoints, policy: Policy, data: str, restored: bool) -> list[str]:
    """The lines, in order; `data` says what happened to the local data."""
    resources = "restored" if restored else "created"
    return [
        f"vdp API        {at.api}  (POST /reports, GET /health)",
        f"  try: {first_report(at.api, policy)}",
        f"policy site    {at.site}",
        f"embedded AWS   {at.aws}  (moto; resources of stage 'local' {resources})",
        f"team queue     {at.team_queue_arn}  (subscribed to the topic)",
        f"local data     {data}",
        f"  {FRESH_OPTION} starts empty; {DATA_DIR_OPTION} PATH keeps the data elsewhere",
        *smtp.banner(at.smtp_host, at.smtp_port, policy.contacts.email),
        "notifications to the team appear below; Ctrl-C stops",
    ]
