"""One run at a time: ``reports/.cadre-monitor.lock``.

The lock is an ``flock`` on that file, which the kernel releases when the holder dies, however it
dies; the file's content (pid, host, start time, job) is for people and for stale-lock detection.

- A second run while the first is alive: :class:`~cadre_lib.errors.LockError` "another run (pid N,
  started …) is in progress".
- A lock file left by a run that was killed (its pid is gone, or was reused by a younger process):
  taken over, with a warning naming the dead run.
- A lock file naming a live process of this host that does not hold the flock (e.g. written by hand
  or by a tool not using flock) is respected: the error says to delete the file if no run is going on.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import socket
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from cadre_lib.core.files import now_iso
from cadre_lib.errors import LockError

__all__ = ["LOCK_NAME", "LockInfo", "RunLock", "lock_held", "read_lock"]

log = logging.getLogger(__name__)

LOCK_NAME = ".cadre-monitor.lock"
_HELD: set[str] = set()  # lock paths held by this process


@dataclass(frozen=True)
class LockInfo:
    pid: int
    host: str
    started_at: str  # ISO 8601 with offset
    job: str | None = None

    def describe(self) -> str:
        when = self.started_at
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(self.started_at).strftime("%Y-%m-%d %H:%M:%S")
        parts = [f"pid {self.pid}"]
        if self.host and self.host != socket.gethostname():
            parts[0] += f" on {self.host}"
        if self.job:
            parts.append(f"job {self.job}")
        parts.append(f"started {when}")
        return ", ".join(parts)


def _parse(text: str) -> LockInfo | None:
    try:
        data = json.loads(text)
        return LockInfo(
            pid=int(data["pid"]),
            host=str(data.get("host", "")),
            started_at=str(data.get("started_at", "")),
            job=data.get("job"),
        )
    except (ValueError, KeyError, TypeError):
        return None


def read_lock(path: Path) -> LockInfo | None:
    """The content of a lock file, or None if absent, empty or unreadable."""
    try:
        return _parse(Path(path).read_text(encoding="utf-8"))
    except OSError:
        return None


def _read_fd(fd: int) -> LockInfo | None:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return _parse(b"".join(chunks).decode("utf-8", "replace"))


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_start(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds), from /proc; None if unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        ticks = int(fields[19])  # field 22 of stat: start time in clock ticks after boot
        btime = next(
            int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines() if line.startswith("btime")
        )
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _is_stale(info: LockInfo) -> bool:
    """True if the run that wrote ``info`` is certainly gone (we hold the flock, so it does not)."""
    if info.host and info.host != socket.gethostname():
        return True  # cannot check its pid; the flock is free, so no live holder on a shared fs either
    if info.pid == os.getpid() or not _pid_alive(info.pid):
        return True
    started = _process_start(info.pid)
    try:
        locked = datetime.fromisoformat(info.started_at).timestamp()
    except ValueError:
        return False
    # a process younger than the lock is a reused pid
    return started is not None and started > locked + 2


class RunLock:
    """``with RunLock(Path("reports"), job="monthly-overview"):`` ... one run at a time."""

    def __init__(self, root: Path, job: str | None = None, name: str = LOCK_NAME) -> None:
        self.path = Path(root) / name
        self.job = job
        self._fd: int | None = None
        self.taken_over: LockInfo | None = None  # the stale lock replaced, if any

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> RunLock:
        if self._fd is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                info = _read_fd(fd)
                os.close(fd)
                who = info.describe() if info else "pid unknown"
                raise LockError(f"another run ({who}) is in progress (lock file {self.path})") from None
            # The holder we waited for may have unlinked the file before releasing: lock the new one.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path))
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
            previous = _read_fd(fd)
            if previous is not None:
                if not _is_stale(previous):
                    os.close(fd)
                    raise LockError(
                        f"another run ({previous.describe()}) is in progress (lock file {self.path}; "
                        "if no run is going on, delete that file)"
                    )
                self.taken_over = previous
                log.warning(
                    "taking over a stale lock left by a run that is no longer alive (%s): %s",
                    previous.describe(),
                    self.path,
                )
            info = LockInfo(
                pid=os.getpid(),
                host=socket.gethostname(),
                started_at=now_iso(),
                job=self.job,
            )
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, (json.dumps(asdict(info), ensure_ascii=False) + "\n").encode("utf-8"))
            os.fsync(fd)
            self._fd = fd
            _HELD.add(str(self.path.resolve()))
            return self
        raise LockError(f"could not take the lock {self.path} (it keeps changing)")

    def release(self) -> None:
        if self._fd is None:
            return
        _HELD.discard(str(self.path.resolve()))
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # before unlocking: a waiter then sees a new file, not ours
        os.close(self._fd)  # releases the flock
        self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def lock_held(root: Path, name: str = LOCK_NAME) -> bool:
    """Whether this process already holds the lock of ``root`` (so a nested call must not take it)."""
    return str((Path(root) / name).resolve()) in _HELD
