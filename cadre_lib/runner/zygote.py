"""A kernel "zygote": one process that has imported ipykernel (and optional heavy modules such as
pandas and matplotlib) once, and forks a brand-new kernel process for each notebook.

Why: starting an ipykernel costs ~0.8 s of CPU and importing pandas + matplotlib in it another
~1.5 s, for every notebook. A forked child starts from the zygote's memory (copy-on-write), so a
ready kernel costs ~0.2 s. Each notebook still gets its *own fresh process* that has never run any
notebook code: the zygote only imports modules and never executes a notebook, so nothing can leak
from one report into another.

Rules that keep forking safe: the zygote has a single thread and no zmq context when it forks (it
checks, and refuses to fork otherwise), and each child resets signal handlers, starts its own
session, re-seeds the random generators, and then runs ``IPKernelApp`` exactly as
``python -m ipykernel_launcher`` would.

Protocol (unix stream socket, one JSON line per request/reply)::

    {"argv": [...ipykernel args...], "cwd": "...", "env": {...}}  ->  {"pid": 1234}
    {"ping": true}                                              ->  {"pong": true, "modules": [...]}

Run as ``python -m cadre_lib.runner.zygote SOCKET_PATH [MODULE ...]``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["Zygote", "ZygoteClient", "ipykernel_args"]

_LAUNCHER = "ipykernel_launcher"
# What every kernel imports while it initializes (the debugger alone is ~0.13 s).
_BASE_MODULES = (
    "IPython",
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
)


def ipykernel_args(cmd: Sequence[str]) -> list[str] | None:
    """The arguments after ``python -m ipykernel_launcher`` in a kernel command, or None if ``cmd``
    is not a Python ipykernel command of this interpreter (then the kernel is launched normally)."""
    if len(cmd) < 3 or list(cmd[1:3]) != ["-m", _LAUNCHER]:
        return None
    # The same interpreter *and* environment: a venv's python is a symlink to the base one, so the
    # files must match and sit in the same bin directory.
    exe = os.path.abspath(cmd[0])
    try:
        same = os.path.dirname(exe) == os.path.dirname(sys.executable) and os.path.samefile(exe, sys.executable)
    except OSError:
        same = False
    return list(cmd[3:]) if same else None


# ---------------------------------------------------------------------------------------------
# client side (used by the kernel manager in a worker)


class ZygoteClient:
    """Asks the zygote listening on ``path`` for a kernel process."""

    def __init__(self, path: str, timeout: float = 30.0) -> None:
        self.path = path
        self.timeout = timeout
        self.failed = False  # set after a failure: kernels are then started normally

    def _request(self, payload: dict[str, Any]) -> dict[str, Any]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(self.timeout)
            s.connect(self.path)
            s.sendall(json.dumps(payload).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        reply = json.loads(data.decode() or "{}")
        if "error" in reply:
            raise RuntimeError(f"kernel zygote: {reply['error']}")
        return reply

    def spawn(self, argv: Sequence[str], cwd: str, env: dict[str, str]) -> int:
        return int(self._request({"argv": list(argv), "cwd": cwd, "env": env})["pid"])

    def ping(self) -> dict[str, Any]:
        return self._request({"ping": True})

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until the zygote answers (it imports for a second or two after it starts)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ping()
                return True
            except (OSError, ValueError):
                if time.monotonic() > deadline:
                    return False
                time.sleep(0.05)


# ---------------------------------------------------------------------------------------------
# parent side (started by the execution pool)


class Zygote:
    """Starts and stops the zygote process. ``path`` is its socket."""

    def __init__(self, socket_path: Path, preload: Sequence[str] = (), cwd: Path | None = None) -> None:
        self.path = str(socket_path)
        self.preload = tuple(preload)
        self.cwd = cwd
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cadre_lib.runner.zygote", self.path, *self.preload],
            stdin=subprocess.DEVNULL,
            cwd=str(self.cwd) if self.cwd else None,
        )

    def wait_ready(self, timeout: float = 60.0) -> bool:
        """Wait until the zygote answers (it has finished importing). False if it died or is slow."""
        deadline = time.monotonic() + timeout
        client = ZygoteClient(self.path, timeout=5)
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                return False
            with contextlib.suppress(OSError, ValueError):
                client.ping()
                return True
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        """Stop the zygote; its kernels notice their parent is gone and exit."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        with contextlib.suppress(OSError):
            os.unlink(self.path)


# ---------------------------------------------------------------------------------------------
# the zygote process itself


def _child(argv: list[str], cwd: str, env: dict[str, str], fds_to_close: list[int]) -> None:
    """In the forked child: become a pristine ipykernel process. Never returns."""
    code = 1
    try:
        for fd in fds_to_close:
            with contextlib.suppress(OSError):
                os.close(fd)
        for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGPIPE, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        os.setsid()  # own process group, like jupyter_client's launcher (start_new_session)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.close(devnull)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        # The kernel exits if the zygote dies. IPKernelApp read JPY_PARENT_PID when the zygote
        # imported it, so it is also given on the command line.
        os.environ["JPY_PARENT_PID"] = str(os.getppid())
        argv = [*argv, f"--IPKernelApp.parent_handle={os.getppid()}"]
        if "numpy" in sys.modules:  # numpy's legacy global generator is not re-seeded on fork
            sys.modules["numpy"].random.seed()
        spec = importlib.util.find_spec(_LAUNCHER)
        sys.argv = [spec.origin if spec and spec.origin else _LAUNCHER, *argv]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _serve(path: str, modules: list[str]) -> None:
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules warning
    loaded: list[str] = []
    for name in (*_BASE_MODULES, *modules):
        try:
            __import__(name)
            loaded.append(name)
        except Exception as exc:  # a kernel will report the import error itself
            print(f"cadre zygote: cannot preload {name}: {exc}", file=sys.stderr)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    parent = os.getppid()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    server.bind(path)
    server.listen(16)
    server.settimeout(1.0)
    while True:
        if os.getppid() != parent:  # the run is gone: stop
            break
        try:
            conn, _ = server.accept()
        except TimeoutError:
            continue
        with conn:
            conn.settimeout(10)
            data = b""
            with contextlib.suppress(OSError):
                while not data.endswith(b"\n"):
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            try:
                req = json.loads(data.decode())
                if req.get("ping"):
                    reply: dict[str, Any] = {"pong": True, "modules": loaded}
                elif threading.active_count() != 1:
                    reply = {"error": "the zygote has threads (a preloaded module started one)"}
                else:
                    pid = os.fork()
                    if pid == 0:
                        _child(list(req["argv"]), str(req["cwd"]), dict(req["env"]), [server.fileno(), conn.fileno()])
                    reply = {"pid": pid}
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            with contextlib.suppress(OSError):
                conn.sendall(json.dumps(reply).encode() + b"\n")
    server.close()
    with contextlib.suppress(OSError):
        os.unlink(path)
    with contextlib.suppress(OSError):
        os.rmdir(os.path.dirname(path))  # the private directory the run made for the socket


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled by the run, which stops us
    # As ipykernel_launcher does: the cwd is not on sys.path while modules load (IPKernelApp puts it
    # back, as '', in each kernel).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    _serve(sys.argv[1], sys.argv[2:])
