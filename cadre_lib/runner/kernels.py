"""Fresh kernels over the ipc transport, started ahead of time.

Each kernel is used for exactly one notebook and then killed, so no state can leak from one report into
another. Starting a kernel costs about a second (interpreter, IPython, zmq, optional imports); a worker
starts the *next* kernel while the current notebook runs, so that cost is hidden.

The ipc transport (unix sockets in a private directory) is used instead of TCP: parallel kernels
picking random TCP ports can collide (papermill#511), unix socket paths cannot.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import shutil
import signal
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from cadre_lib.runner.zygote import ZygoteClient, ipykernel_args

__all__ = ["KernelFactory", "OneShotKernelManager", "kill_pid"]

log = logging.getLogger(__name__)


class _ForeignProcess:
    """The bits of :class:`subprocess.Popen` that jupyter_client's LocalProvisioner uses, for a kernel
    forked by the zygote (not our child: liveness is checked with signal 0; the zygote reaps it)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.returncode = 0
            except PermissionError:
                pass
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"kernel {self.pid} still running")
            time.sleep(0.02)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class OneShotKernelManager(AsyncKernelManager):
    """An :class:`AsyncKernelManager` for a kernel used once.

    It remembers the clients it hands out, so their zmq channels can be closed when the kernel is
    discarded (nbclient leaves them open when it does not own the kernel manager), and, given a
    ``zygote`` client, has its kernel forked by the zygote instead of starting a new interpreter.
    """

    zygote: ZygoteClient | None = None

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        zygote = self.zygote if self.zygote is not None and not self.zygote.failed else None
        args = ipykernel_args(kernel_cmd) if zygote is not None else None
        if args is None or zygote is None:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        env = {str(k): str(v) for k, v in (kw.get("env") or os.environ).items()}
        cwd = str(kw.get("cwd") or os.getcwd())
        try:
            pid = zygote.spawn(args, cwd, env)
        except (OSError, ValueError, RuntimeError) as exc:
            zygote.failed = True
            log.warning("kernel zygote failed (%s): starting kernels normally from now on", exc)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        provisioner = self.provisioner
        assert provisioner is not None
        provisioner.process = _ForeignProcess(pid)  # type: ignore[attr-defined]
        provisioner.pid = pid  # type: ignore[attr-defined]
        provisioner.pgid = pid  # type: ignore[attr-defined]  # the child called setsid()
        provisioner.cwd = cwd  # type: ignore[attr-defined]
        self._reconcile_connection_info(provisioner.connection_info)

    def client(self, **kwargs: Any) -> Any:
        kc = super().client(**kwargs)
        self._cadre_clients = [*getattr(self, "_cadre_clients", []), kc]
        return kc

    @property
    def pid(self) -> int | None:
        proc = getattr(self.provisioner, "process", None)
        return getattr(proc, "pid", None)

    def discard(self) -> Any:
        """Close the clients' channels, SIGKILL the kernel's process group without waiting, remove its
        files and zmq context. Returns the process handle (``poll()`` reaps it), or None. Never raises.
        """
        for kc in getattr(self, "_cadre_clients", []):
            with contextlib.suppress(Exception):
                kc.stop_channels()
        self._cadre_clients = []
        provisioner = self.provisioner
        proc = getattr(provisioner, "process", None)
        if proc is not None:
            pgid = getattr(provisioner, "pgid", None)
            try:
                if pgid:
                    os.killpg(pgid, signal.SIGKILL)
                else:
                    proc.kill()
            except OSError:
                with contextlib.suppress(OSError):
                    proc.kill()
            provisioner.process = None  # type: ignore[union-attr]
        with contextlib.suppress(Exception):
            run_sync(self._async_cleanup_resources)()
        return proc


def kill_pid(pid: int) -> None:
    """SIGKILL ``pid`` if it still exists (used for kernels of a worker that had to be killed)."""
    try:
        os.kill(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _preload_lines(modules: Sequence[str]) -> list[str]:
    """IPython ``exec_lines`` importing ``modules`` at kernel start without binding any name in the
    user namespace (``__import__`` inside a statement whose value is discarded)."""
    if not modules:
        return []
    names = ", ".join(repr(m) for m in modules)
    return [
        f"--IPKernelApp.exec_lines=for _cadre_m in ({names},): __import__(_cadre_m)",
        "--IPKernelApp.exec_lines=del _cadre_m",
    ]


class KernelFactory:
    """Starts one-shot kernels for one worker process.

    ``start()`` launches the kernel process and returns at once (the kernel boots in the background);
    the executing client waits for it to be ready. Sockets live in a private temporary directory with
    a unique name per kernel.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        cwd: Path | None = None,
        preload: Sequence[str] = (),
        tag: str = "w",
        zygote: str | None = None,
    ) -> None:
        self.kernel_name = kernel_name
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.preload = tuple(preload)
        self.zygote = ZygoteClient(zygote) if zygote else None
        self._zygote_checked = False
        # Short base path: unix socket paths are limited to ~107 bytes.
        base = "/tmp" if os.path.isdir("/tmp") else None
        self._dir = Path(tempfile.mkdtemp(prefix=f"cadre-{tag}-", dir=base))
        self._counter = itertools.count(1)
        self._extra_arguments = [
            # nbclient does this for kernels it starts: parallel kernels must not share the sqlite history
            "--HistoryManager.hist_file=:memory:",
            *_preload_lines(self.preload),
        ]

    def _zygote(self) -> ZygoteClient | None:
        """The zygote client once it answers; None (kernels start normally) if it never does."""
        if self.zygote is not None and not self._zygote_checked:
            self._zygote_checked = True
            if not self.zygote.wait_ready(timeout=60):
                log.warning("kernel zygote %s does not answer: starting kernels normally", self.zygote.path)
                self.zygote = None
        return self.zygote

    def start(self) -> OneShotKernelManager:
        n = next(self._counter)
        km = OneShotKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=str(self._dir / f"k{n}"),
            connection_file=str(self._dir / f"k{n}.json"),
        )
        km.zygote = self._zygote()
        run_sync(km.start_kernel)(cwd=str(self.cwd), extra_arguments=list(self._extra_arguments))
        return km

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)
