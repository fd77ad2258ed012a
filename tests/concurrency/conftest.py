"""Figures of the concurrency run, printed in pytest's terminal summary."""

from __future__ import annotations

from typing import Any

SUMMARY: list[str] = []


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if SUMMARY:
        terminalreporter.section("concurrent submissions")
        for line in SUMMARY:
            terminalreporter.write_line(line)
