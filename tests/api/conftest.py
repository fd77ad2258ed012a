from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client

from tests.conftest import PROJECT_DIR, clear_of_the_hour_boundary


@pytest.fixture
def api(aws: Any) -> Iterator[Any]:
    """chalice's test client on the local stage, over in-process moto."""
    from app import app

    clear_of_the_hour_boundary()
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
        yield client.http
