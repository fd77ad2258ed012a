"""`vdp --local` talks to `vdp serve` with test credentials only, never the caller's own."""

from typing import Any

import pytest
from botocore.exceptions import ConnectTimeoutError
from click.testing import CliRunner

from chalicelib import bootstrap
from vdp.cli.main import main

REAL = {
    "AWS_ACCESS_KEY_ID": "AKIAREALKEY000000000",
    "AWS_SECRET_ACCESS_KEY": "real-secret",
    "AWS_SESSION_TOKEN": "real-session-token",
    "AWS_SECURITY_TOKEN": "real-security-token",
}


@pytest.mark.parametrize("command", [("reports", "list"), ("subscriptions",)])
def test_local_requests_carry_no_real_key_or_session_token(
    monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setattr(bootstrap, "_sessions", {})
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    sent: list[dict[str, str]] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append(
            {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
        )
        raise ConnectTimeoutError(endpoint_url=request.url)  # nothing listens: no request leaves

    bootstrap._session().events.register("before-send", capture)

    result = CliRunner().invoke(main, ["--local", *command])

    assert result.exit_code == 1 and sent, result.output
    for headers in sent:
        assert "X-Amz-Security-Token" not in headers
        assert "Credential=testing/" in headers["Authorization"]
        assert not any(secret in str(headers) for secret in REAL.values())
