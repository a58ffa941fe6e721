"""Files: the project root, path resolution, sha256 of a file, atomic writes, timestamps."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

#: The folder that holds ``cadre_lib/``, ``notebooks/`` and ``parameters/``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def resolve_path(path: str | os.PathLike[str]) -> Path:
    """Absolute paths as they are; a relative one from the current folder if it exists there, else from the
    project root (a notebook runs in ``notebooks/``, a kernel wherever it was started)."""
    p = Path(os.path.expanduser(str(path).strip()))
    if p.is_absolute() or p.exists():
        return p
    return PROJECT_ROOT / p


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(chunk), b""):
            h.update(block)
    return h.hexdigest()


def atomic_write(path: Path, write: Callable[[Path], Any]) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it over ``path``: readers see the
    old file or the new one, never half of one. The temporary file is removed when ``write`` fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; the file gets the mode a plain open() gives
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # not Linux: read it by setting it (briefly process-wide)
    os.umask(mask)
    return mask


def now_iso() -> str:
    """The local time now, ISO 8601 to the second, with its UTC offset."""
    return datetime.now().astimezone().isoformat(timespec="seconds")
