"""No existence oracle: an unknown id, a wrong receipt and a malformed id run the same store
calls and get the same answer, and failed checks are limited per source."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.errors import NotFound, RateLimited
from chalicelib.usecases.ports import Ports
from chalicelib.usecases.reporter.holder import NEVER_AN_ID
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.status import add_message, reporter_status
from tests.builders import BASE, REPORT, address, guarded_ports


def failed_check(ports: Ports, report_id: str, receipt: str, route: str) -> tuple[Any, list[str]]:
    ports.reports.calls.clear()  # type: ignore[attr-defined]
    hits_before = dict(ports.limiter.hits)  # type: ignore[union-attr]
    with pytest.raises(NotFound) as refused:
        if route == "status":
            reporter_status(report_id, receipt, ports, address(7))
        else:
            add_message(report_id, receipt, {"message": "hello"}, ports, address(7))
    calls = [method for method, _id in ports.reports.calls]  # type: ignore[attr-defined]
    counted = {
        window.split(":")[0] if ":" in window else window
        for (window, source), n in ports.limiter.hits.items()  # type: ignore[union-attr]
        if source != "total" and n != hits_before.get((window, source))
    }
    return (refused.value.code, refused.value.message, calls, sorted(counted)), calls


@pytest.mark.parametrize("route", ["status", "follow-up"])
def test_unknown_wrong_and_malformed_take_the_same_path(route: str) -> None:
    ports = guarded_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE, address=address(1))

    wrong, calls = failed_check(ports, accepted.report_id, "a-wrong-receipt", route)
    unknown, _ = failed_check(ports, "VDP-0000-0000", accepted.receipt, route)
    malformed, _ = failed_check(ports, "<script>", accepted.receipt, route)

    assert wrong == unknown == malformed
    assert calls == ["receipt_check"]  # one read; nothing more for a report that exists


def test_a_malformed_id_is_looked_up_where_no_report_can_be() -> None:
    ports = guarded_ports()

    with pytest.raises(NotFound):
        reporter_status("../../etc", "receipt", ports, address(7))

    assert ports.reports.calls == [("receipt_check", NEVER_AN_ID)]  # type: ignore[attr-defined]


def test_failed_checks_are_limited_per_source_and_a_valid_receipt_still_opens() -> None:
    ports = guarded_ports()
    accepted = submit_report(REPORT, ports, base_url=BASE, address=address(1))
    limit = ports.policy.abuse.failed_receipts_per_hour_per_source

    answers = []
    for _ in range(limit + 2):
        try:
            reporter_status(accepted.report_id, "a-wrong-receipt", ports, address(7))
        except (NotFound, RateLimited) as refused:
            answers.append(refused.code)
    with pytest.raises(NotFound):  # another source has its own count
        reporter_status(accepted.report_id, "a-wrong-receipt", ports, address(8))
    view = reporter_status(accepted.report_id, accepted.receipt, ports, address(7))

    assert answers == ["not_found"] * limit + ["rate_limited"] * 2
    assert view.report_id == accepted.report_id
