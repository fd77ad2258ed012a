"""A fuzzing run's figures: the requests sent per operation (and by which suite), their
statuses, the 5xx among them and the schema violations; and why a run fails on them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.conformance import OPERATIONS

MAKEFILE = Path(__file__).resolve().parents[2] / "Makefile"
MINIMUM_REQUESTS = 10_000  # what one full-depth run sends at least, all suites together
SCHEMATHESIS = "schemathesis"
OTHER_METHODS = "methods the document does not list (any path)"


def full_depth() -> int:
    """VDP_FUZZ_EXAMPLES as `make fuzz` sets it (the Makefile's default): a run at this
    depth or deeper must reach the minimum."""
    found = re.search(r"^VDP_FUZZ_EXAMPLES \?= (\d+)$", MAKEFILE.read_text(), re.MULTILINE)
    if found is None:
        raise LookupError("the Makefile's fuzz target sets no VDP_FUZZ_EXAMPLES default")
    return int(found.group(1))


def _counters() -> defaultdict[str, Counter[int]]:
    return defaultdict(Counter)


@dataclass
class Tally:
    """Every fuzzed request, counted once when its answer arrives, under its operation
    ("METHOD /path" as the document names it)."""

    documented: tuple[str, ...]
    statuses: defaultdict[str, Counter[int]] = field(default_factory=_counters)
    suites: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    violations: Counter[str] = field(default_factory=Counter)

    def record(self, operation: str, suite: str, status: int, violations: int = 0) -> None:
        if operation not in self.documented:  # schemathesis tries every method on each path
            operation = OTHER_METHODS
        self.statuses[operation][status] += 1
        self.suites[operation][suite] += 1
        if violations:
            self.violations[operation] += violations

    @property
    def total(self) -> int:
        return sum(sum(statuses.values()) for statuses in self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for by in self.statuses.values() for status, n in by.items() if status >= 500)

    def lines(self) -> list[str]:
        """One line per operation, in the document's order, then the run's totals."""
        operations = [op for op in (*self.documented, OTHER_METHODS) if op in self.statuses]
        return [
            *(self._line(operation) for operation in operations),
            f"total: {self.total} fuzzed requests",
            f"responses with status >= 500: {self.server_errors}",
            f"schema violations: {sum(self.violations.values())}",
        ]

    def _line(self, operation: str) -> str:
        suites = ", ".join(f"{suite} {n}" for suite, n in sorted(self.suites[operation].items()))
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(self.statuses[operation].items()))
        count = sum(self.statuses[operation].values())
        return f"{operation}: {count} requests [{suites}] ({statuses})"

    def shortfalls(self, whole: bool, deep: bool) -> list[str]:
        """Why the run fails besides its tests: any 5xx or violation; for the whole suite,
        an operation schemathesis never reached; at full depth, too few requests."""
        problems = []
        if self.server_errors:
            problems.append(f"{self.server_errors} responses with status >= 500")
        if self.violations:
            problems.append(f"{sum(self.violations.values())} schema violations")
        if whole:
            missed = [op for op in self.documented if not self.suites.get(op, {}).get(SCHEMATHESIS)]
            problems += [f"schemathesis sent nothing to {operation}" for operation in missed]
        if whole and deep and self.total < MINIMUM_REQUESTS:
            problems.append(f"{self.total} requests, fewer than {MINIMUM_REQUESTS:,}")
        return problems


TALLY = Tally(OPERATIONS)
