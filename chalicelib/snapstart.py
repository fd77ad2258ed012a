"""SnapStart hooks: Lambda's Python runtime ships `snapshot_restore_py`; elsewhere (tests,
`vdp serve`) there are no snapshots and nothing is registered."""

from __future__ import annotations

from chalicelib import bootstrap


def register() -> bool:
    """Register bootstrap.prepare before a snapshot and bootstrap.renew after a restore."""
    try:
        from snapshot_restore_py import register_after_restore, register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(bootstrap.prepare)
    register_after_restore(bootstrap.renew)
    return True
