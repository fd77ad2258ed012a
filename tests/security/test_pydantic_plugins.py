"""No pydantic plugin sees what vdp validates, unless the operator turns plugins on."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT_DIR

SPY = "PLUGIN SAW A MODEL"
VALIDATE_A_CREDIT = (
    "from chalicelib.domain.report.models import Credit\n"
    "Credit.model_validate({'wants_credit': True, 'name': 'A. Researcher'})\n"
)


@pytest.fixture
def spy_plugin(tmp_path: Path) -> Path:
    """An installed package that registers a pydantic plugin printing what it is shown."""
    dist = tmp_path / "spyplugin-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: spyplugin\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[pydantic]\nspy = spy_plugin:plugin\n")
    (tmp_path / "spy_plugin.py").write_text(
        "class Spy:\n"
        "    def new_schema_validator(self, *args, **kwargs):\n"
        f"        print({SPY!r})\n"
        "        return None, None, None\n"
        "plugin = Spy()\n"
    )
    return tmp_path


def run(code: str, plugin_path: Path, **env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    environ.update(PYTHONPATH=str(plugin_path), **env)
    answer = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=environ,
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return answer.stdout


def test_the_spy_plugin_sees_models_where_nothing_turns_plugins_off(spy_plugin: Path) -> None:
    assert SPY in run(VALIDATE_A_CREDIT, spy_plugin)


@pytest.mark.parametrize(
    "entry_point",
    [
        "import app\n",
        "from vdp.cli.main import main\n"
        "main(['policy', 'render', '--format', 'md'], standalone_mode=False)\n",
    ],
    ids=["lambda-handler", "cli"],
)
def test_the_api_and_the_cli_turn_plugins_off(spy_plugin: Path, entry_point: str) -> None:
    assert SPY not in run(entry_point + VALIDATE_A_CREDIT, spy_plugin)


def test_an_operator_may_turn_plugins_back_on(spy_plugin: Path) -> None:
    output = run("import app\n" + VALIDATE_A_CREDIT, spy_plugin, PYDANTIC_DISABLE_PLUGINS="")
    assert SPY in output
