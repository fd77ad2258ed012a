"""The app as the in-process suites fuzz it: chalice's test client on moto, every answer
counted and held against the OpenAPI document, and what the team's queue received checked."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fuzz.conformance import blank_case, from_test_client, violations
from tests.fuzz.strategies import CANARY
from tests.fuzz.tally import TALLY


def fuzz_policy() -> str:
    """The e2e tests' relaxed policy (no proof of work, high hourly limits), with failed
    receipt checks as high too: else a fuzzed wrong receipt would meet 429 after twenty."""
    from tests.e2e.conftest import relaxed_policy

    path = Path(relaxed_policy())
    text = re.sub(r"^(failed_receipts_per_hour_\w+) = \d+$", r"\1 = 100000", path.read_text(),
                  flags=re.MULTILINE)  # fmt: skip
    path.write_text(text)
    return str(path)


@dataclass
class FuzzApi:
    """The app, the AWS writes it made (each successful one is recorded), and what the
    team's queue received (the table's stream pumped and the queue drained after every
    request, each notification checked for report content)."""

    http: Any
    sqs: Any
    team_queue_url: str
    outbox: Any
    suite: str
    writes: list[str] = field(default_factory=list)

    def post(
        self, path: str, body: bytes, headers: dict[str, str], route: str | None = None
    ) -> tuple[Any, bool]:
        """The answer, and whether anything was stored or sent while serving it."""
        return self.send("POST", path, headers, body, route)

    def get(self, path: str, headers: dict[str, str], route: str | None = None) -> tuple[Any, bool]:
        return self.send("GET", path, headers, b"", route)

    def send(
        self, method: str, path: str, headers: dict[str, str], body: bytes, route: str | None
    ) -> tuple[Any, bool]:
        """One fuzzed request to the operation `route` (the path without its query, unless
        given): counted, and its answer checked against the document."""
        self.writes.clear()
        answer = self.http.request(method, path, headers, body)
        wrote = bool(self.writes)  # the request's own writes, before the stream publishes
        operation = f"{method} {route or path.split('?', 1)[0]}"
        failures = violations(blank_case(operation), from_test_client(method, path, body, answer))
        TALLY.record(operation, self.suite, answer.status_code,
                     len(failures.exceptions) if failures else 0)  # fmt: skip
        # An AssertionError (not schemathesis's group) so hypothesis reports the example.
        assert failures is None, _described(method, path, answer, failures)
        self._check_notifications()
        return answer, wrote

    def setup_post(self, path: str, body: bytes, headers: dict[str, str]) -> Any:
        """A request that prepares fuzzing (a report to fuzz against): not counted."""
        answer = self.http.post(path, headers=headers, body=body)
        self._check_notifications()
        return answer

    def _check_notifications(self) -> None:
        assert self.outbox.pump() == []
        for notice in self._drained():
            assert CANARY not in notice, "a notification carried submitted content"

    def _drained(self) -> Iterator[str]:
        """Every message in the team's queue, removed (a long run keeps the queue empty)."""
        while batch := self.sqs.receive_message(
            QueueUrl=self.team_queue_url, MaxNumberOfMessages=10
        ).get("Messages"):
            for message in batch:
                yield message["Body"]
                self.sqs.delete_message(
                    QueueUrl=self.team_queue_url, ReceiptHandle=message["ReceiptHandle"]
                )


def _described(method: str, path: str, answer: Any, failures: Any) -> str:
    """The request as sent and what the document says of its answer (schemathesis's own
    report would show the blank case's URL, without the query sent)."""
    checks = "; ".join(f"{f.title}: {f.message}" for f in failures.exceptions)
    body = answer.body[:300].decode(errors="replace")
    return f"{method} {path} is answered outside the document: {checks}\n{body}"
