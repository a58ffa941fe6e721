"""``manifest.json``: what a run did, with what, and how it went (for audit and for the next run)."""

from __future__ import annotations

import json
import platform
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from cadre_lib.core.files import atomic_write

__all__ = ["MANIFEST_VERSION", "RESERVED_KEYS", "package_versions", "write_json"]

MANIFEST_VERSION = 1
RESERVED_KEYS = frozenset(
    {
        "manifest_version",
        "run_id",
        "status",
        "started_at",
        "finished_at",
        "duration_s",
        "versions",
        "host",
        "settings",
        "reports",
        "summary",
        "sample_data",
        "latest_moved",
    }
)

_PACKAGES = (
    "pandas",
    "numpy",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "jupyter_client",
    "playwright",
)


def package_versions() -> dict[str, str | None]:
    """Versions of Python, cadre_lib and the packages that shape a report."""
    import cadre_lib

    versions: dict[str, str | None] = {
        "python": platform.python_version(),
        "cadre_lib": getattr(cadre_lib, "__version__", None),
    }
    for name in _PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _default(obj: Any) -> Any:
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    if isinstance(obj, set | frozenset):
        return sorted(obj)
    raise TypeError(f"not JSON serializable: {type(obj).__name__}")


def write_json(path: Path, data: Mapping[str, Any], mode: int | None = None) -> None:
    """UTF-8, Vietnamese kept readable (no \\u escapes), stable key order, trailing newline; ``mode`` as in
    :func:`cadre_lib.core.files.atomic_write`."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"
    atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"), mode=mode)
