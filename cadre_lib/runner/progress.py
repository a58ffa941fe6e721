"""The batch progress bar (tqdm on stderr): reports done out of total, with ok/failed counts."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

__all__ = ["Progress"]


class Progress:
    """Shown when stderr is a terminal and ``enabled``, or always when ``force`` (e.g. in CI logs)."""

    def __init__(self, total: int, enabled: bool = True, force: bool = False, desc: str = "reports") -> None:
        self.ok = 0
        self.failed = 0
        show = force or (enabled and sys.stderr.isatty())
        self._bar: Any = None
        self._redirect: Any = None
        if show and total:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=desc, unit="nb", file=sys.stderr, dynamic_ncols=True)
            self._postfix()

    def _postfix(self) -> None:
        if self._bar is not None:
            self._bar.set_postfix_str(f"ok={self.ok} failed={self.failed}", refresh=False)

    def update(self, ok: bool) -> None:
        if ok:
            self.ok += 1
        else:
            self.failed += 1
        if self._bar is not None:
            self._postfix()
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        if self._bar is not None:
            # log records (e.g. "report X failed") are printed above the bar, not through it
            from tqdm.contrib.logging import logging_redirect_tqdm

            self._redirect = logging_redirect_tqdm()
            self._redirect.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._redirect is not None:
            self._redirect.__exit__(exc_type, exc, tb)
            self._redirect = None
        self.close()
