"""The run lock: one run at a time, stale locks taken over, a clear message otherwise."""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from cadre_lib.errors import CadreError, LockError
from cadre_lib.runner import NotebookJob, run_batch
from cadre_lib.runner.lock import LOCK_NAME, RunLock, lock_held, read_lock

HOLDER = """
import sys, time
from pathlib import Path
from cadre_lib.runner.lock import RunLock
lock = RunLock(Path(sys.argv[1]), job="holder").acquire()
print("held", flush=True)
time.sleep(60)
"""


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def write_lock(root: Path, pid: int, started: datetime, host: str | None = None) -> Path:
    path = root / LOCK_NAME
    info = {"pid": pid, "host": host or socket.gethostname(), "started_at": started.isoformat(), "job": "old"}
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def holder(tmp_path: Path):
    """Another process holding the lock of tmp_path."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    yield proc
    proc.kill()
    proc.wait()


def test_acquire_writes_who_holds_it_and_release_removes_it(tmp_path: Path) -> None:
    with RunLock(tmp_path, job="monthly-overview") as lock:
        info = read_lock(lock.path)
        assert info is not None and info.pid == os.getpid() and info.job == "monthly-overview"
        assert info.host == socket.gethostname()
        assert lock_held(tmp_path)
    assert not lock.path.exists() and not lock_held(tmp_path)


def test_second_run_fails_with_a_clear_message(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(LockError) as excinfo:
        RunLock(tmp_path).acquire()
    message = str(excinfo.value)
    assert f"another run (pid {holder.pid}, job holder, started " in message
    assert "is in progress" in message and LOCK_NAME in message
    assert isinstance(excinfo.value, CadreError) and excinfo.value.exit_code == 2


def test_run_batch_refuses_to_start_while_another_run_holds_the_lock(
    tmp_path: Path, holder: subprocess.Popen[str]
) -> None:
    job = NotebookJob("x", Path(__file__).parent / "fixtures" / "notebooks" / "ok.ipynb", {}, "x")
    with pytest.raises(LockError, match="another run"):
        run_batch([job], tmp_path, formats={"html"}, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == [LOCK_NAME]  # nothing else was created


def test_lock_of_a_killed_run_is_released_by_the_kernel(tmp_path: Path, holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait()
    with RunLock(tmp_path) as lock:  # flock died with the holder; the file it left is stale
        assert lock.taken_over is not None and lock.taken_over.pid == holder.pid


def test_stale_lock_from_a_dead_pid_is_taken_over_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pid = dead_pid()
    write_lock(tmp_path, pid, datetime.now().astimezone() - timedelta(hours=3))
    with caplog.at_level(logging.WARNING, logger="cadre_lib.runner.lock"):
        with RunLock(tmp_path, job="new") as lock:
            assert lock.taken_over is not None and lock.taken_over.pid == pid
            info = read_lock(lock.path)
            assert info is not None and info.pid == os.getpid() and info.job == "new"
    assert any("stale lock" in r.message and str(pid) in r.message for r in caplog.records)


def test_lock_file_naming_a_live_process_is_respected(tmp_path: Path) -> None:
    """A live pid that started before the lock, but no flock (written by hand or another tool)."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        time.sleep(0.1)
        write_lock(tmp_path, sleeper.pid, datetime.now().astimezone() + timedelta(seconds=5))
        with pytest.raises(LockError, match="delete that file"):
            RunLock(tmp_path).acquire()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_reused_pid_younger_than_the_lock_means_stale(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        write_lock(tmp_path, sleeper.pid, datetime.now().astimezone() - timedelta(days=1))
        with RunLock(tmp_path) as lock:
            assert lock.taken_over is not None and lock.taken_over.pid == sleeper.pid
    finally:
        sleeper.kill()
        sleeper.wait()


def test_garbage_lock_file_is_taken_over(tmp_path: Path) -> None:
    (tmp_path / LOCK_NAME).write_text("not json")
    with RunLock(tmp_path) as lock:
        assert lock.held
