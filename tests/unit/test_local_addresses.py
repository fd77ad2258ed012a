"""The address `vdp serve` puts in links, origins and its banner."""

import pytest

from vdp.local.serve import reachable


@pytest.mark.parametrize(
    ("bound", "linked"),
    [("0.0.0.0", "127.0.0.1"), ("::", "127.0.0.1"), ("127.0.0.1", "127.0.0.1"),  # noqa: S104
     ("192.168.1.20", "192.168.1.20"), ("localhost", "localhost")],
)  # fmt: skip
def test_a_stack_bound_to_every_interface_is_linked_at_loopback(bound: str, linked: str) -> None:
    assert reachable(bound) == linked
