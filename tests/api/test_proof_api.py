"""GET /challenge and the VDP-Proof header through the Chalice app."""

import json
from pathlib import Path

import pytest

from chalicelib.usecases.reporter.proof import solve
from tests.api.helpers import JSON, error_of, post_report, stored_items, use_policy


@pytest.fixture
def always(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_policy(tmp_path, monkeypatch, proof_of_work='"always"')


def test_challenge_is_offered_but_not_required_on_a_quiet_hour(api) -> None:
    response = api.get("/challenge")

    body = json.loads(response.body)
    assert response.status_code == 200
    assert body["required"] is False and body["difficulty"] == 16
    assert body["challenge"].count(".") == 1
    assert response.headers["Cache-Control"] == "no-store"  # single use: never from a cache


def test_without_a_proof_the_answer_says_what_to_do(api, always) -> None:
    response = post_report(api)

    assert response.status_code == 428
    error = error_of(response)
    assert error["code"] == "proof_required" and "GET /challenge" in error["message"]
    assert stored_items() == []


def test_a_solved_challenge_is_accepted_once(api, always) -> None:
    puzzle = json.loads(api.get("/challenge").body)
    proof = solve(puzzle["challenge"], puzzle["difficulty"])

    first = post_report(api, headers={**JSON, "VDP-Proof": proof})
    replayed = post_report(api, headers={**JSON, "VDP-Proof": proof})

    assert puzzle["required"] is True
    assert first.status_code == 201
    assert replayed.status_code == 428


def test_a_zero_threshold_asks_from_the_first_report_of_the_hour(
    api, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_policy(tmp_path, monkeypatch, proof_of_work_above_per_hour="0")
    puzzle = json.loads(api.get("/challenge").body)

    unproven = post_report(api)
    proven = post_report(
        api, headers={**JSON, "VDP-Proof": solve(puzzle["challenge"], puzzle["difficulty"])}
    )

    assert puzzle["required"] is True
    assert unproven.status_code == 428
    assert proven.status_code == 201
