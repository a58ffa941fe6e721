"""Run directories: ``reports/<YYYYmmdd-HHMMSS>[-N]/``, built in ``reports/.<name>.tmp`` and renamed
when complete, so a reader never sees a half-written run; ``reports/latest`` moved atomically.

Earlier runs are never touched: a new run always gets a new name, and nothing here deletes or
rewrites a finished run directory.

A run holds personal data (analyst runs list names, birth dates, ratings): its folders are created
``dir_mode`` (0700 by default, whatever the umask) and, before it gets its final name, every folder and file
in it is given ``dir_mode`` / ``file_mode`` (0600), whatever wrote them. ``reports/`` itself gets
``dir_mode`` only when this module creates it; an existing one is left as its owner set it. ``latest`` is a
symbolic link (Linux links have no mode of their own; what it points to has the run's).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cadre_lib.core.files import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, make_dirs, protect_tree, set_mode

__all__ = [
    "LATEST",
    "remove_unfinished",
    "RunDir",
    "create_run_dir",
    "latest_run",
    "move_latest",
    "run_dirs",
]

LATEST = "latest"
_NAME_RE = re.compile(r"^\d{8}-\d{6}(?:-\d+)?$")
_TMP_RE = re.compile(r"^\.\d{8}-\d{6}(?:-\d+)?\.tmp$")
SUBDIRS = ("notebooks", "html", "pdf")


@dataclass
class RunDir:
    """A run being built. ``path`` is the temporary directory until :meth:`finalize`."""

    root: Path  # e.g. reports/
    name: str  # e.g. 20261126-060000 or 20261126-060000-2
    path: Path  # reports/.20261126-060000.tmp, then reports/20261126-060000
    finalized: bool = False
    dir_mode: int = PRIVATE_DIR_MODE  # every folder of the run
    file_mode: int = PRIVATE_FILE_MODE  # every file of the run

    def seal(self) -> None:
        """Give every folder and file of the run its mode (the executed notebooks and the PDFs are written
        by workers and renderers with the umask's mode; the run folder was never readable by others)."""
        protect_tree(self.path, self.dir_mode, self.file_mode)

    @property
    def final_path(self) -> Path:
        return self.root / self.name

    def finalize(self) -> Path:
        """Rename the temporary directory to its final name (taking the next free ``-N`` if that name
        appeared meanwhile) and return the final path; :meth:`seal` first."""
        if self.finalized:
            return self.path
        self.seal()
        base = self.name.split("-")
        stem = "-".join(base[:2])
        n = int(base[2]) if len(base) > 2 else 1
        while True:
            target = self.root / self.name
            if not target.exists():
                try:
                    os.rename(self.path, target)  # atomic; fails if target appeared (non-empty dir)
                    break
                except OSError:
                    if not target.exists():
                        raise
            n += 1
            self.name = f"{stem}-{n}"
        self.path = target
        self.finalized = True
        return target

    def discard(self) -> None:
        """Remove an unfinished run (after an interruption). Never touches a finalized run."""
        if not self.finalized:
            shutil.rmtree(self.path, ignore_errors=True)


def _free_name(root: Path, stem: str) -> str:
    n = 1
    while True:
        name = stem if n == 1 else f"{stem}-{n}"
        if not (root / name).exists() and not (root / f".{name}.tmp").exists():
            return name
        n += 1


def create_run_dir(
    root: Path,
    now: datetime | None = None,
    subdirs: tuple[str, ...] = SUBDIRS,
    *,
    dir_mode: int = PRIVATE_DIR_MODE,
    file_mode: int = PRIVATE_FILE_MODE,
) -> RunDir:
    """Create ``root/.<stamp>[-N].tmp`` with ``subdirs``, all ``dir_mode``; the final name is free at this
    moment. ``root`` is created (``dir_mode``) if missing."""
    root = make_dirs(Path(root), dir_mode)
    stem = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    while True:
        name = _free_name(root, stem)
        tmp = root / f".{name}.tmp"
        try:
            tmp.mkdir(mode=dir_mode & 0o777)  # atomic claim of the name against a concurrent run
            break
        except FileExistsError:
            continue
    set_mode(tmp, dir_mode)  # the umask may have narrowed it
    for sub in subdirs:
        (tmp / sub).mkdir(mode=dir_mode & 0o777)
        set_mode(tmp / sub, dir_mode)
    return RunDir(root=root, name=name, path=tmp, dir_mode=dir_mode, file_mode=file_mode)


def move_latest(root: Path, run_name: str) -> Path:
    """Point ``root/latest`` at ``run_name`` (relative link) atomically: a new symlink is created
    under a temporary name and renamed over the old one, so readers always see a complete run."""
    root = Path(root)
    link = root / LATEST
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a symlink; not replacing it")
    tmp = root / f".{LATEST}.{os.getpid()}.tmp"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(run_name, tmp)
    os.replace(tmp, link)
    return link


def latest_run(root: Path) -> Path | None:
    """The run ``root/latest`` points to (the last fully successful run), or None."""
    link = Path(root) / LATEST
    if not link.is_symlink():
        return None
    target = (link.parent / os.readlink(link)).resolve()
    return target if target.is_dir() else None


def run_dirs(root: Path) -> list[Path]:
    """Finished run directories under ``root``, oldest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.is_symlink() and _NAME_RE.match(p.name))


def remove_unfinished(root: Path) -> list[str]:
    """Remove ``root/.<stamp>.tmp`` directories: runs that were killed while building (a run builds
    only while holding the lock, so call this with the lock held). Returns the names removed."""
    root = Path(root)
    if not root.is_dir():
        return []
    removed = []
    for p in sorted(root.iterdir()):
        if p.is_dir() and not p.is_symlink() and _TMP_RE.match(p.name):
            shutil.rmtree(p, ignore_errors=True)
            removed.append(p.name)
    return removed
