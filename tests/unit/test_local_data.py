"""`vdp serve`'s data folder, the gate a save closes, and what a snapshot keeps."""

from __future__ import annotations

import os
import pickle
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from vdp.local.aws import snapshot
from vdp.local.aws.datadir import DataFolder, DataFolderError
from vdp.local.aws.embedded import EmbeddedAws, Gate, may_change
from vdp.local.aws.keeper import Keeper


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[DataFolder]:
    opened = DataFolder.open(tmp_path / "data")
    yield opened
    opened.close()


def test_a_saved_state_loads_back_readable_by_its_owner_only(folder: DataFolder) -> None:
    folder.save({"format": "1"}, b"\x00snapshot\nwith a newline")

    saved = folder.load()

    assert saved is not None and saved.snapshot == b"\x00snapshot\nwith a newline"
    assert saved.header["format"] == "1" and saved.header["saved_at"]
    assert stat.S_IMODE((folder.path / "state.bin").stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.path.stat().st_mode) == 0o700
    assert not list(folder.path.glob("*.partial"))


def test_an_empty_folder_has_nothing_saved(folder: DataFolder) -> None:
    assert folder.load() is None


def test_a_folder_in_use_is_refused_by_name(folder: DataFolder) -> None:
    with pytest.raises(DataFolderError, match="in use by another `vdp serve`") as refused:
        DataFolder.open(folder.path)

    assert str(folder.path) in refused.value.message


def test_a_state_others_may_write_is_not_loaded(folder: DataFolder) -> None:
    folder.save({"format": "1"}, b"snapshot")
    os.chmod(folder.path / "state.bin", 0o620)

    with pytest.raises(DataFolderError, match="not yours alone"):
        folder.load()


def test_a_file_that_is_no_state_is_refused_with_the_way_out(folder: DataFolder) -> None:
    (folder.path / "state.bin").write_bytes(b"garbage\x00\x01")
    os.chmod(folder.path / "state.bin", 0o600)

    with pytest.raises(DataFolderError, match="--fresh"):
        folder.load()


def test_setting_aside_keeps_the_last_state_out_of_the_next_start(folder: DataFolder) -> None:
    folder.save({"format": "1"}, b"last run")

    moved = folder.set_aside()

    assert folder.load() is None
    assert moved is not None and moved.read_bytes().endswith(b"\nlast run")


def test_a_state_of_another_moto_is_refused_not_overwritten(folder: DataFolder) -> None:
    folder.save({"format": "1", "moto": "0.0.1"}, b"snapshot")

    with pytest.raises(DataFolderError, match="moto 0.0.1.*--fresh"):
        Keeper(folder, EmbeddedAws("127.0.0.1", 0)).restore(fresh=False)

    assert (folder.path / "state.bin").read_bytes().endswith(b"\nsnapshot")


def test_locks_and_private_keys_survive_a_snapshot() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    state = {"lock": threading.Lock(), "rlock": threading.RLock(), "turn": threading.Condition()}

    restored = pickle.loads(snapshot.dumps({**state, "key": key}))  # noqa: S301

    signature = restored["key"].sign(b"report", padding.PKCS1v15(), hashes.SHA256())
    key.public_key().verify(signature, b"report", padding.PKCS1v15(), hashes.SHA256())
    assert restored["lock"].acquire(blocking=False)
    with restored["rlock"], restored["rlock"], restored["turn"]:
        pass


@pytest.mark.parametrize(
    ("method", "target", "changes"),
    [
        ("GET", "", False),  # an S3 read
        ("POST", "DynamoDBStreams_20120810.GetRecords", False),  # the outbox's poll
        ("POST", "AmazonSQS.ReceiveMessage", False),  # the team queue's poll
        ("POST", "TrentService.Decrypt", False),
        ("POST", "DynamoDB_20120810.PutItem", True),
        ("PUT", "", True),  # an S3 write
        ("POST", "", True),  # a form-encoded action (SNS, SES): not told apart
    ],
)
def test_only_requests_that_may_change_state_are_noted(method, target, changes) -> None:
    assert may_change({"REQUEST_METHOD": method, "HTTP_X_AMZ_TARGET": target}) is changes


def test_a_closed_gate_waits_for_writes_inside_and_holds_new_ones() -> None:
    gate, order = Gate(), []
    inside, release = threading.Event(), threading.Event()

    def write(name: str, hold: threading.Event | None) -> None:
        with gate.passing():
            inside.set()
            if hold is not None:
                hold.wait(5)
            order.append(name)

    first = threading.Thread(target=write, args=("first write", release))
    first.start()
    inside.wait(5)
    threading.Timer(0.2, release.set).start()
    with gate.closed():
        late = threading.Thread(target=write, args=("later write", None))
        late.start()
        late.join(0.2)
        order.append("save")
    late.join(5)
    first.join(5)

    assert order == ["first write", "save", "later write"]
