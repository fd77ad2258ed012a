"""SnapStart: the hooks the app registers run as Lambda runs them (before a snapshot, after
a restore), and a restored copy still takes reports. Each case runs in a fresh interpreter:
the hooks are registered once, when `app` is first imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.builders import MINIMAL_REPORT
from tests.conftest import LOCAL_ENV, PROJECT_DIR

# Lambda's runtime: import the function, run the before-snapshot hooks, (snapshot,
# restore), run the after-restore hooks, then invoke. In-process moto stands in for AWS.
CHILD = """
import json, os, sys

from moto import mock_aws

with mock_aws():
    from chalice.test import Client
    from chalicelib import bootstrap
    from chalicelib.config import Settings
    from vdp.local.aws.resources import create_resources

    settings = Settings.from_env(os.environ)
    create_resources(settings, lambda service: bootstrap.client(settings, service))
    bootstrap.reset()

    import app
    import snapshot_restore_py as snapshots

    def run(hooks):
        for func, args, kwargs in hooks:
            func(*args, **kwargs)
        return [f"{func.__module__}.{func.__qualname__}" for func, _, _ in hooks]

    before = run(snapshots.get_before_snapshot())
    in_snapshot = bootstrap.ports().secret()  # what the snapshot's memory holds
    after = run(snapshots.get_after_restore())
    restored = bootstrap.ports().secret()
    with Client(app.app, project_dir=os.getcwd()) as client:  # no stage: the env as set
        headers = {"Content-Type": "application/json"}
        answer = client.http.post("/reports", headers=headers, body=sys.argv[1])
    print(json.dumps({
        "before": before,
        "after": after,
        "status": answer.status_code,
        "report_id": json.loads(answer.body).get("report_id"),
        "same_secret": in_snapshot == restored,
        "secret_length": len(restored),
    }))
"""


def restored_copy(secret_id: str | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "VDP_"))}
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
        **{k: v for k, v in LOCAL_ENV.items() if k != "VDP_SECRET_ID"},
        **({"VDP_SECRET_ID": secret_id} if secret_id else {}),
    )
    done = subprocess.run(  # noqa: S603 - this interpreter, our own script
        [sys.executable, "-c", CHILD, json.dumps(MINIMAL_REPORT)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


@pytest.mark.parametrize(
    ("secret_id", "kept"),
    [("vdp-local-secret", True), (None, False)],
    ids=["secrets-manager", "per-instance"],
)
def test_a_restored_copy_takes_reports_and_draws_its_own_secret(
    secret_id: str | None, kept: bool
) -> None:
    result = restored_copy(secret_id)

    assert result["before"] and result["after"]  # importing the app registered both kinds
    assert result["status"] == 201 and result["report_id"].startswith("VDP-")
    assert result["secret_length"] >= 32
    # Shared by every copy when it comes from Secrets Manager; otherwise each restored
    # copy draws its own, so copies of one snapshot never share a random secret.
    assert result["same_secret"] is kept


def test_the_rehearsal_before_the_snapshot_sends_nothing() -> None:
    # Every AWS endpoint is a closed port: a call that left the function would fail, and
    # so would prepare(). The direct submission afterwards shows that the port refuses.
    env = {
        **os.environ,
        **LOCAL_ENV,
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    env.pop("VDP_SECRET_ID", None)  # a per-instance secret: no Secrets Manager call
    probe = (
        "from chalicelib import bootstrap, snapstart\n"
        "from chalicelib.domain.errors import Unavailable\n"
        "from chalicelib.usecases.reporter.intake import submit_report\n"
        "snapstart.prepare()\n"
        "print('prepared')\n"
        "fields = {'title': 'A real one', 'description': 'x' * 30, 'product': 'other',\n"
        "          'policy_accepted': True}\n"
        "try:\n"
        "    submit_report(fields, bootstrap.ports(), base_url='https://x', address='192.0.2.9')\n"
        "except Unavailable:\n"
        "    print('refused')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip

    assert done.stdout.split() == ["prepared", "refused"], done.stderr[-2000:]
