"""Stored reports to fuzz a reporter's routes against, a new one every few examples: each
history stays short, and so does the table, which moto scans whole for every query."""

from __future__ import annotations

import json
from dataclasses import dataclass

from tests.fuzz.api import FuzzApi
from tests.fuzz.strategies import VALID

EXAMPLES_PER_REPORT = 20


@dataclass
class StoredReports:
    """The current report's id and receipt, filed through the API like any report."""

    api: FuzzApi
    used: int = 0
    current: tuple[str, str] = ("", "")

    def next(self) -> tuple[str, str]:
        if self.used % EXAMPLES_PER_REPORT == 0:
            created = self.api.setup_post(
                "/reports", json.dumps(VALID).encode(), {"Content-Type": "application/json"}
            )
            accepted = json.loads(created.body)
            self.current = accepted["report_id"], accepted["receipt"]
        self.used += 1
        return self.current


def same_report(sent: str, report_id: str) -> bool:
    """Whether a sent id names the report: ids are not case-sensitive (read aloud and
    retyped), in ASCII only, and spaces around them do not count."""
    wanted = sent.strip()
    return (wanted.upper() if wanted.isascii() else wanted) == report_id
