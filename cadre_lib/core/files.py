"""Files: the project root, path resolution, sha256 of a file, atomic writes, private folders and files,
timestamps.

What may hold personal data (run folders, the explorer's saves) is written with explicit modes, whatever the
umask: :data:`PRIVATE_DIR_MODE` / :data:`PRIVATE_FILE_MODE` (owner only) or, when a run is shared with a group,
:data:`GROUP_DIR_MODE` / :data:`GROUP_FILE_MODE`. Folders are created with their mode (never wider for a
moment) and files through :func:`atomic_write` with ``mode``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

#: The folder that holds ``cadre_lib/``, ``notebooks/`` and ``parameters/``.
PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent

#: Folders and files readable by their owner only (run folders, the explorer's saves).
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: Folders and files readable by their group too (``run --group-readable``); nobody else.
GROUP_DIR_MODE = 0o750
GROUP_FILE_MODE = 0o640


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


def dir_mode_for(file_mode: int) -> int:
    """The folder mode that goes with a file mode: search (x) wherever read (r) is given (0o600 -> 0o700)."""
    return file_mode | ((file_mode & 0o444) >> 2)


def set_mode(path: Path, mode: int) -> None:
    """``chmod`` to exactly ``mode``; a folder keeps its set-group-id bit (inherited from a shared parent, it
    makes what is created below belong to that group)."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        return  # a link has no mode of its own (Linux); its target is not ours to change
    keep = st.st_mode & stat.S_ISGID if stat.S_ISDIR(st.st_mode) else 0
    os.chmod(path, mode | keep)


def make_dirs(path: Path, mode: int = PRIVATE_DIR_MODE) -> Path:
    """Create ``path`` and its missing parents, each with exactly ``mode`` whatever the umask; folders that
    already exist are left as they are (their owner chose their mode)."""
    path = Path(path)
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=mode & 0o777)  # the umask can only narrow this; never wider for a moment
        except FileExistsError:
            if not d.is_dir():
                raise
            continue  # created meanwhile by someone else: theirs
        set_mode(d, mode)
    if not path.is_dir():
        raise NotADirectoryError(f"{path} is not a folder")
    return path


def protect_tree(root: Path, dir_mode: int = PRIVATE_DIR_MODE, file_mode: int = PRIVATE_FILE_MODE) -> None:
    """Give ``root`` and every folder below it ``dir_mode``, every file ``file_mode`` (links are not
    followed): what a worker or a renderer wrote with the umask's mode ends up with the run's."""
    root = Path(root)
    set_mode(root, dir_mode)
    for dirpath, dirnames, filenames in os.walk(root):
        for names, mode in ((dirnames, dir_mode), (filenames, file_mode)):
            for name in names:
                with contextlib.suppress(FileNotFoundError):  # removed meanwhile: nothing to protect
                    set_mode(Path(dirpath, name), mode)


def atomic_write(path: Path, write: Callable[[Path], Any], mode: int | None = None) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it over ``path``: readers see the
    old file or the new one, never half of one. The temporary file is removed when ``write`` fails.

    ``mode``: the file's mode, exactly, whatever the umask (e.g. :data:`PRIVATE_FILE_MODE`; missing parent
    folders are then created with the matching folder mode); ``None``: the mode a plain ``open()`` gives
    under the umask (files the user asked for with ``--out``)."""
    path = Path(path)
    if mode is None:
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        make_dirs(path.parent, dir_mode_for(mode))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        # mkstemp makes 0600; chmod after writing, as ``write`` may have replaced the file
        os.chmod(tmp, 0o666 & ~_umask() if mode is None else mode)
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
