"""The address `vdp serve` puts in links, origins and its banner."""

import pytest

from tests.conftest import PROJECT_DIR
from vdp.local import smtp
from vdp.local.serve import reachable


@pytest.mark.parametrize(
    ("bound", "linked"),
    [("0.0.0.0", "127.0.0.1"), ("::", "127.0.0.1"), ("127.0.0.1", "127.0.0.1"),  # noqa: S104
     ("192.168.1.20", "192.168.1.20"), ("localhost", "localhost")],
)  # fmt: skip
def test_a_stack_bound_to_every_interface_is_linked_at_loopback(bound: str, linked: str) -> None:
    assert reachable(bound) == linked


def test_the_banners_mail_command_is_the_one_the_readme_gives() -> None:
    [_, tried, _] = smtp.banner("127.0.0.1", 2525, "security@example.com")

    command = tried.removeprefix("  try: ")
    readme = (PROJECT_DIR / "README.md").read_text()
    assert command.startswith("python3 -c ")
    assert command[: command.index("Subject: ")] in readme
