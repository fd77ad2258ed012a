"""The folder where `vdp serve` keeps its data between runs: one state file, written
whole and then renamed over the last (a kill leaves the previous one intact), and a lock
that one running stack holds."""

from __future__ import annotations

import fcntl
import json
import os
import stat
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from chalicelib.domain.errors import VdpError

DEFAULT_DIR = Path(".vdp-local")
DATA_DIR_OPTION = "--data-dir"
FRESH_OPTION = "--fresh"
STATE = "state.bin"
SET_ASIDE = "previous-state.bin"  # where --fresh puts the last run's data, once


class DataFolderError(VdpError):
    code = "data_folder"


@dataclass(frozen=True)
class Saved:
    """A state file's contents: a header line (JSON) and the snapshot."""

    header: dict[str, str]
    snapshot: bytes


class DataFolder:
    """An open data folder, locked for this process until `close`."""

    def __init__(self, path: Path, lock: IO[bytes]):
        self.path = path
        self._lock = lock

    @classmethod
    def open(cls, path: Path) -> DataFolder:
        """Create (readable by its owner only: it holds the key that opens the reports) and lock."""
        path = path.expanduser().resolve()
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        lock = (path / "lock").open("ab")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            lock.close()
            raise DataFolderError(
                f"{path} is in use by another `vdp serve`; stop it, or pass {DATA_DIR_OPTION} "
                "with another folder"
            ) from exc
        return cls(path, lock)

    def load(self) -> Saved | None:
        """The saved state, or None. Only a file of this user that no one else may write is
        read: loading a snapshot runs code that a crafted file could choose."""
        state = self.path / STATE
        try:
            info = state.stat()
        except FileNotFoundError:
            return None
        if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise DataFolderError(f"{state} is not yours alone to write; it was not loaded")
        header, _, snapshot = state.read_bytes().partition(b"\n")
        try:
            return Saved(dict(json.loads(header)), snapshot)
        except ValueError as exc:
            raise DataFolderError(
                f"{state} is not a state `vdp serve` saved; start with {FRESH_OPTION} to begin "
                f"empty (the file is then kept as {SET_ASIDE})"
            ) from exc

    def save(self, header: dict[str, str], snapshot: bytes) -> None:
        """Write the whole state beside the last one, then rename it over the last."""
        stamped = {**header, "saved_at": datetime.now(UTC).isoformat(timespec="seconds")}
        partial = self.path / f"{STATE}.partial"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(json.dumps(stamped).encode() + b"\n" + snapshot)
            out.flush()
            os.fsync(out.fileno())  # the rename must never point at a half-written file
        os.replace(partial, self.path / STATE)

    def set_aside(self) -> Path | None:
        """Move the saved state out of the way (for a fresh start); where it went."""
        state = self.path / STATE
        if not state.exists():
            return None
        state.replace(self.path / SET_ASIDE)
        return self.path / SET_ASIDE

    def close(self) -> None:
        self._lock.close()  # closing the file releases the lock
