"""`vdp`: the team's command line and the local stack (the console script's entry point)."""

from __future__ import annotations

from vdp.cli import advisories, embargo, policy, reports, subscriptions, team
from vdp.cli.base import main

# Each module registers its commands on the groups in base.py when it is imported.
COMMANDS = (advisories, embargo, policy, reports, subscriptions, team)

__all__ = ["COMMANDS", "main"]
