"""Readiness: configuration loaded and, under `vdp serve`, every local resource present."""

from __future__ import annotations

from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.errors import PolicyError


def check() -> tuple[bool, dict[str, Any]]:
    try:
        settings = bootstrap.settings()
        bootstrap.policy()
    except PolicyError:
        return False, {"status": "configuration not loaded"}
    if settings.stage != "local":
        return True, {"status": "ok"}
    from chalicelib.adapters.readiness import resource_status

    resources = resource_status(settings, lambda service: bootstrap.client(settings, service))
    ready = all(resources.values())
    return ready, {"status": "ok" if ready else "resources missing", "resources": resources}
