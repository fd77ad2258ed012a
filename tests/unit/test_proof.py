"""Proof-of-work challenges: signed, expiring, hard enough, single use, and policy-driven."""

import dataclasses
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import RateLimited
from chalicelib.domain.policy.document import DEFAULT_POLICY, Policy
from chalicelib.domain.report.quotas import window_of
from chalicelib.usecases.reporter.abuse import REPORTS, check_proof, new_challenge, proof_required
from chalicelib.usecases.reporter.intake import submit_report
from chalicelib.usecases.reporter.proof import (
    ProofRequired,
    issue,
    leading_zero_bits,
    proof_key,
    solve,
    verify,
)
from tests.builders import SECRET, address, guarded_ports, solved_challenge

KEY = b"k" * 32
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
REPORT = {
    "title": "SSRF in the webhook tester",
    "description": "The webhook test button fetches http://169.254.169.254/ for any user.",
    "product": "example-api",
    "policy_accepted": True,
}
CLIENTS = {name: address(n) for n, name in enumerate("abcd")}


def submit(ports, client: str, proof: str | None = None):
    return submit_report(REPORT, ports, base_url="https://x", address=CLIENTS[client], proof=proof)


def with_mode(mode: str, difficulty: int = 8, above: int = 2):
    data = tomllib.loads(DEFAULT_POLICY.read_text())
    data["abuse"].update(
        proof_of_work=mode, proof_of_work_difficulty=difficulty, proof_of_work_above_per_hour=above
    )
    return dataclasses.replace(guarded_ports(NOW), policy=Policy.model_validate(data))


def test_a_solved_challenge_verifies() -> None:
    puzzle = issue(KEY, 10, NOW)

    proof = solve(puzzle.token, 10)

    assert verify(KEY, proof, 10, NOW).challenge_id == puzzle.challenge_id
    assert leading_zero_bits(bytes([0, 0, 0b00010000])) == 19


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token, proof: proof.replace(token.split(".")[1][:4], "AAAA", 1),  # signature
        lambda token, proof: token + ":999999999",  # unsolved nonce
        lambda token, proof: "",  # nothing
        lambda token, proof: "garbage:1",
        lambda token, proof: "abc.é:1",  # non-ASCII: compare_digest would raise TypeError
        lambda token, proof: proof.replace(".", ".\u00e9", 1),
        lambda token, proof: proof + "0" * 600,
    ],
)
def test_forged_or_unsolved_proofs_are_refused(tamper) -> None:
    puzzle = issue(KEY, 10, NOW)
    proof = solve(puzzle.token, 10)

    with pytest.raises(ProofRequired):
        verify(KEY, tamper(puzzle.token, proof), 10, NOW)


def test_expired_other_key_and_too_easy_are_refused() -> None:
    easy = issue(KEY, 4, NOW)
    proof = solve(easy.token, 4)

    for key, difficulty, when in (
        (KEY, 4, NOW + timedelta(minutes=11)),
        (b"x" * 32, 4, NOW),
        (KEY, 8, NOW),
    ):
        with pytest.raises(ProofRequired):
            verify(key, proof, difficulty, when)


def test_mode_always_needs_a_proof_and_spends_it_once() -> None:
    ports = with_mode("always")
    with pytest.raises(ProofRequired):
        submit(ports, "a")
    proof = solved_challenge(ports, 8)

    submit(ports, "a", proof=proof)

    with pytest.raises(ProofRequired):
        submit(ports, "b", proof=proof)
    assert len(ports.reports.records) == 1


def test_a_replayed_proof_is_refused_before_it_is_counted() -> None:
    ports = with_mode("always")
    proof = solved_challenge(ports, 8)
    submit(ports, "a", proof=proof)

    for source in ("b", "c", "d"):
        with pytest.raises(ProofRequired):
            submit(ports, source, proof=proof)

    assert ports.limiter.count(window_of(REPORTS, NOW)) == 1
    assert len(ports.reports.records) == 1


def test_mode_above_rate_asks_only_once_the_hour_is_busy() -> None:
    ports = with_mode("above_rate", above=2)
    for source in ("a", "b"):
        submit(ports, source)

    assert proof_required(ports, NOW)
    with pytest.raises(ProofRequired):
        check_proof(ports, None, NOW)


def test_above_rate_decides_with_the_window_write_alone() -> None:
    ports = with_mode("above_rate", above=2)
    reads: list[str] = []
    counted = ports.limiter.count
    ports.limiter.count = lambda window: reads.append(window) or counted(window)
    for source in ("a", "b"):
        submit(ports, source)

    with pytest.raises(ProofRequired):
        submit(ports, "c")
    proof = solved_challenge(ports, 8)
    submit(ports, "c", proof=proof)

    assert reads == []  # no separate read of the hour's window per submission
    assert len(ports.reports.records) == 3
    assert counted(next(iter({window for window, _ in ports.limiter.hits}))) == 3


def test_a_reached_limit_is_a_429_even_without_a_proof() -> None:
    ports = with_mode("above_rate", above=1)
    per_source = ports.policy.abuse.reports_per_hour_per_source
    submit(ports, "a")
    for _ in range(per_source - 1):
        proof = solved_challenge(ports, 8)
        submit(ports, "a", proof=proof)

    with pytest.raises(RateLimited):  # not asked to solve a puzzle only to be refused
        submit(ports, "a")
    assert len(ports.reports.records) == per_source


def test_mode_off_never_asks() -> None:
    ports = with_mode("off")

    assert not proof_required(ports, NOW)
    submit(ports, "a")


def test_a_challenge_is_signed_with_a_key_derived_from_the_secret() -> None:
    ports = with_mode("always")

    challenge, required = new_challenge(ports, NOW)
    proof = solve(challenge.token, challenge.difficulty)

    assert required is True and challenge.difficulty == 8
    assert verify(proof_key(SECRET), proof, 8, NOW).challenge_id == challenge.challenge_id
    with pytest.raises(ProofRequired):  # the secret itself never signs
        verify(SECRET, proof, 8, NOW)
    submit(ports, "a", proof=proof)
    assert len(ports.reports.records) == 1


def test_without_a_secret_no_challenge_is_issued_and_none_accepted() -> None:
    ports = with_mode("always")
    proof = solved_challenge(ports, 8)
    keyless = dataclasses.replace(ports, secret=None)

    with pytest.raises(ProofRequired):
        new_challenge(keyless, NOW)
    with pytest.raises(ProofRequired):  # refused, never skipped
        submit(keyless, "a", proof=proof)
    assert ports.reports.records == {}


SHAPED = st.builds(lambda a, b, c: f"{a}.{b}:{c}", st.text(), st.text(), st.text())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), SHAPED))
def test_any_header_value_is_a_proof_or_a_refusal(header: str) -> None:
    try:
        verify(KEY, header, 1, NOW)
    except ProofRequired:
        pass  # the only way a bad proof may fail
