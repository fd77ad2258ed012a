"""`vdp`: the team's command line and the local stack (the console script's entry point)."""

from __future__ import annotations

from vdp.cli import policy, subscriptions
from vdp.cli.base import main
from vdp.cli.reports import advisories, embargo, queue, team

# Each module registers its commands on the groups in base.py when it is imported.
COMMANDS = (advisories, embargo, policy, queue, subscriptions, team)

__all__ = ["COMMANDS", "main"]
