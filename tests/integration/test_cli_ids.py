"""Report ids as the team types them: lower case or with stray spaces, as the API takes them."""

from typing import Any

from click.testing import CliRunner

from chalicelib import bootstrap
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.team.inbox import timeline
from tests.builders import REPORT
from vdp.cli.main import main


def test_a_lower_case_id_with_spaces_finds_the_report(aws: Any) -> None:
    first = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id
    second = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id
    runner = CliRunner()

    shown = runner.invoke(main, ["reports", "show", f" {first.lower()} "])
    acked = runner.invoke(main, ["reports", "ack", second.lower()])
    duplicate = runner.invoke(
        main, ["reports", "status", second.lower(), "duplicate", "--duplicate-of", first.lower()]
    )

    assert shown.exit_code == 0 and shown.output.startswith(first), shown.output
    assert acked.exit_code == 0 and duplicate.exit_code == 0, acked.output + duplicate.output
    moves = [(e.kind, e.status) for e in timeline(bootstrap.ports(), second) if e.kind == "status"]
    assert moves == [("status", "acknowledged"), ("status", "duplicate")]


def test_a_status_in_any_case_is_taken_and_a_wrong_one_lists_the_statuses(aws: Any) -> None:
    report_id = submit_report(REPORT, bootstrap.ports(), base_url="https://x").report_id
    runner = CliRunner()

    moved = runner.invoke(main, ["reports", "status", report_id, "Acknowledged"])
    wrong = runner.invoke(main, ["reports", "status", report_id, "triagd"])

    assert moved.exit_code == 0 and "now acknowledged" in moved.output, moved.output
    assert wrong.exit_code == 2 and "'triaged', 'accepted'" in wrong.output


def test_listing_a_product_the_policy_lacks_says_so(aws: Any) -> None:
    submit_report(REPORT, bootstrap.ports(), base_url="https://x")

    typo = CliRunner().invoke(main, ["reports", "list", "--product", "exmaple-app"])

    assert typo.exit_code == 0
    assert typo.output.strip() == (
        "no reports (the policy has no product exmaple-app; it has example-app, example-api, other)"
    )
