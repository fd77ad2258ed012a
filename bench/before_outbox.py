"""Warm submission before and after the outbox (informational): the same measurement on
the commit before the table became the outbox, and on this checkout, in one run.

Before it, a submission published to SNS and then set the row's `notified` flag on the
request path (six AWS calls); now the table's stream carries the row to the publisher
(four calls). The older code is checked out into a temporary `git worktree` (removed
afterwards). Two worker processes, one per version, each with its own in-process moto,
import their own app.py and chalicelib (the worktree first on sys.path for the older
one) and submit the anonymous sample through the Chalice app as bench.warm's
warm_submission does (the contact part a named reporter has gained since would blur the
comparison; each worker lists the calls one submission makes). They are warmed
up, then run in turns of a few submissions, the order swapped every turn, so that both
meet the same machine load; while one runs the other waits. Without git, or without the
older commit (a shallow clone), the figure is printed as skipped, with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from bench import common

# The change that made the table the outbox; the figure measures its parent.
OUTBOX_COMMIT = "f32a12e"
FIGURE = "warm_submission_before_outbox"
TURN = 10  # submissions per worker per turn


def worker(project: Path) -> None:
    """Serve `<count>` lines on stdin: run that many submissions, answer their seconds."""
    with common.in_process_aws():
        os.environ["VDP_POLICY_PATH"] = str(common.bench_policy(project))
        sys.path.insert(0, str(project))
        from app import app

        loaded = Path(sys.modules["chalicelib"].__file__ or "").resolve().parent.parent
        if loaded != project.resolve():
            raise RuntimeError(f"chalicelib came from {loaded}, not {project}")
        event = common.api_event(common.report_body(anonymous=True))
        common.submit_through_app(app, event)  # the clients are made on the first one
        _answer({"calls": common.operations(lambda: common.submit_through_app(app, event))})
        for line in sys.stdin:
            count = int(line)
            _answer(
                [common.timed(lambda: common.submit_through_app(app, event)) for _ in range(count)]
            )


def _answer(value: Any) -> None:
    sys.stdout.write(json.dumps(value) + "\n")
    sys.stdout.flush()


class Worker:
    def __init__(self, project: Path) -> None:
        self.log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.before_outbox", "--worker", str(project)],
            cwd=common.PROJECT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,  # the app's request log lines, and any failure
            text=True,
        )
        self.calls: list[str] = self._read()["calls"]
        self.seconds: list[float] = []

    def run(self, count: int, *, keep: bool = True) -> None:
        stdin: IO[str] = self.process.stdin  # type: ignore[assignment]
        stdin.write(f"{count}\n")
        stdin.flush()
        answer = self._read()
        if keep:
            self.seconds.extend(answer)

    def _read(self) -> Any:
        line = self.process.stdout.readline() if self.process.stdout else ""
        if not line:
            self.log.seek(0)
            failure = self.log.read()[-2000:]
            raise RuntimeError(f"worker exited ({self.process.wait(timeout=30)}):\n{failure}")
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)
        self.log.close()


def git(*args: str) -> str:
    program = shutil.which("git")
    if program is None:
        raise LookupError("git is not installed")
    answer = subprocess.run(  # noqa: S603 - fixed arguments
        [program, *args], cwd=common.PROJECT_DIR, capture_output=True, text=True, check=False
    )
    if answer.returncode != 0:
        raise LookupError(answer.stderr.strip().splitlines()[-1] if answer.stderr else "")
    return answer.stdout.strip()


def compare(before: Path, submissions: int, warmup: int) -> tuple[Worker, Worker]:
    old = Worker(before)
    try:
        new = Worker(common.PROJECT_DIR)
    except BaseException:
        old.close()
        raise
    try:
        for each in (old, new):
            each.run(warmup, keep=False)
        turn = min(TURN, submissions)
        for number in range(-(-submissions // turn)):
            for each in (old, new) if number % 2 == 0 else (new, old):
                each.run(turn)
    finally:
        old.close()
        new.close()
    return old, new


def main() -> None:
    args = common.arguments(
        __doc__.splitlines()[0], worker={"type": Path}, before={"default": f"{OUTBOX_COMMIT}^"}
    )
    if args.worker:
        worker(args.worker)
        return
    submissions = 3 if args.smoke else 200
    try:
        commit = git("rev-parse", "--verify", "--quiet", f"{args.before}^{{commit}}")
    except (LookupError, OSError) as exc:
        reason = str(exc) or "not in this clone; a shallow one?"
        print(f"[bench] {FIGURE}: skipped | no commit {args.before} ({reason})", flush=True)
        return
    with tempfile.TemporaryDirectory(prefix="vdp-bench-before-") as tmp:
        tree = Path(tmp) / "tree"
        try:
            git("worktree", "add", "--detach", str(tree), commit)
        except (LookupError, OSError) as exc:
            print(f"[bench] {FIGURE}: skipped | git worktree add failed ({exc})", flush=True)
            return
        try:
            old, new = compare(tree, submissions, 2 if args.smoke else 20)
        finally:
            try:
                git("worktree", "remove", "--force", str(tree))
            except LookupError as exc:  # the folder goes anyway; `git worktree prune` forgets it
                print(f"git worktree remove failed: {exc}", file=sys.stderr)
    old_ms, new_ms = (statistics.median(w.seconds) * 1000 for w in (old, new))
    common.figure(
        FIGURE,
        old_ms / new_ms,
        "x",
        "none (informational)",
        f"no verdict: before {old_ms:.2f} ms -> now {new_ms:.2f} ms, {abs(old_ms - new_ms):.2f} "
        f"ms ({abs(1 - new_ms / old_ms):.0%}) {'less' if new_ms < old_ms else 'more'} per "
        "submission",
        f"{commit[:10]} ({len(old.calls)} AWS calls: {', '.join(old.calls)}) vs this checkout "
        f"({len(new.calls)}: {', '.join(new.calls)}); the anonymous sample; median of "
        f"{submissions} each, in turns, one process each, in-process moto",
    )


if __name__ == "__main__":
    main()
