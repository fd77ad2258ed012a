"""What `vdp serve` says when it is up: where each server is, and where the data lives."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.policy import Policy
from vdp.local import smtp
from vdp.local.datadir import DATA_DIR_OPTION, FRESH_OPTION


@dataclass(frozen=True)
class Endpoints:
    api: str
    site: str
    aws: str
    smtp_host: str
    smtp_port: int


def banner(at: Endpoints, policy: Policy, data: str, restored: bool) -> list[str]:
    """The lines, in order; `data` says what happened to the local data."""
    resources = "restored" if restored else "created"
    return [
        f"vdp API        {at.api}  (POST /reports, GET /health)",
        f"policy site    {at.site}",
        f"embedded AWS   {at.aws}  (moto; resources of stage 'local' {resources})",
        f"local data     {data}",
        f"  {FRESH_OPTION} starts empty; {DATA_DIR_OPTION} PATH keeps the data elsewhere",
        *smtp.banner(at.smtp_host, at.smtp_port, policy.contacts.email),
        "notifications to the team appear below; Ctrl-C stops",
    ]
