"""`vdp serve`'s data kept between runs: restored before the embedded AWS serves, saved
shortly after each change (so a kill loses at most the last moment) and at stop."""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from vdp.local.aws import snapshot
from vdp.local.aws.datadir import DEFAULT_DIR, FRESH_OPTION, SET_ASIDE, DataFolder, DataFolderError
from vdp.local.aws.embedded import EmbeddedAws

FORMAT = "1"  # of the state file; a file of another format, or of another moto, is not read
SETTLE = 0.2  # seconds: a submission's writes come in a burst, saved once after it
# A save holds writes while it captures; under steady load, saves are spaced so that
# they hold writes at most a tenth of the time (a large state is saved less often).
HELD_SHARE = 0.1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LocalData:
    """Where the local stack keeps its data, and whether to start empty."""

    path: Path = DEFAULT_DIR
    fresh: bool = False

    @classmethod
    def from_environment(cls) -> LocalData:
        """VDP_LOCAL_DATA_DIR (else .vdp-local) and VDP_LOCAL_FRESH."""
        fresh = os.environ.get("VDP_LOCAL_FRESH", "").lower() not in ("", "0", "false", "no")
        return cls(Path(os.environ.get("VDP_LOCAL_DATA_DIR") or DEFAULT_DIR), fresh)


class Keeper:
    """Saves the embedded AWS's state, with the outbox's position in the table's stream
    (saved together, so a restored outbox goes on after the last record it handled)."""

    def __init__(self, folder: DataFolder, aws: EmbeddedAws):
        self.folder, self.aws = folder, aws
        self.position: dict[str, Any] = {}  # shard id -> where the outbox reads next
        self._saving = threading.Lock()

    def restore(self, fresh: bool) -> tuple[bool, str]:
        """Whether a saved state was put in place, and a line that says what happened."""
        where = self.folder.path
        if fresh:
            moved = self.folder.set_aside()
            aside = f"; the last run's data is now {SET_ASIDE} there" if moved else ""
            return False, f"{where}  (started empty, as {FRESH_OPTION} asks{aside})"
        saved = self.folder.load()
        if saved is None:
            return False, f"{where}  (started empty: nothing was saved there yet)"
        self._check(saved.header)
        try:
            self.position.update(snapshot.restore(saved.snapshot) or {})
        except Exception as exc:  # noqa: BLE001 - a damaged file: said, and never overwritten
            raise DataFolderError(
                f"the data in {where} could not be read ({type(exc).__name__}); start with "
                f"{FRESH_OPTION} to begin empty (the old data is then kept as {SET_ASIDE})"
            ) from exc
        return True, f"{where}  (restored: the data saved at {saved.header.get('saved_at')})"

    def _check(self, header: dict[str, str]) -> None:
        expected = {"format": FORMAT, "moto": version("moto")}
        found = {key: header.get(key) for key in expected}
        if found != expected:
            raise DataFolderError(
                f"{self.folder.path} holds data saved by moto {found['moto']} (format "
                f"{found['format']}); this is moto {expected['moto']}: start with "
                f"{FRESH_OPTION} to begin empty (the old data is then kept as {SET_ASIDE})"
            )

    def save(self) -> float:
        """Write the state as it stands between two writes; the seconds writes were held."""
        with self._saving:
            with self.aws.gate.closed():
                held = time.perf_counter()
                self.aws.changed.clear()
                captured = snapshot.capture(dict(self.position))
                held = time.perf_counter() - held
            self.folder.save({"format": FORMAT, "moto": version("moto")}, captured)
        return held

    def keep(self, stop: threading.Event) -> None:
        """Save shortly after each change until the stack stops (the last save is `save`)."""
        failing, pause = False, SETTLE
        while not stop.is_set():
            if not self.aws.changed.wait(0.5) or stop.wait(pause):
                continue
            try:
                pause = max(SETTLE, self.save() / HELD_SHARE)
            except Exception:  # noqa: BLE001 - said once, tried again after a pause
                if not failing:
                    log.warning("local data not saved; trying again", exc_info=True)
                failing, pause = True, 1.0
                self.aws.changed.set()
            else:
                if failing:
                    log.warning("local data saved again")
                failing = False
