"""Kernels for the batch's runs: forked from a zygote, a spare per worker, one per notebook.

A kernel started as a new process spends about 1,5-2 s of CPU importing ipykernel, pandas
and matplotlib before it runs a cell. Each batch worker starts one zygote (rsdlib.zygote) that
imports all that once and forks every kernel of the worker from itself, in milliseconds. Each
worker also keeps one spare kernel, launched while the worker (or the batch's own process)
does something else. Each kernel still serves exactly one notebook, with an empty namespace,
and is stopped when that notebook is done. Where no zygote can be had (not Linux, or it
failed), kernels start as new processes, as jupyter_client starts them.
"""

from __future__ import annotations

import functools
import json
import multiprocessing.util
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import IO

KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]   # no TCP notice per kernel
# What the notebook's first cell imports: a zygote imports it before it forks kernels, and a
# kernel started the ordinary way imports it while it waits for its notebook. `del` leaves the
# user namespace as a fresh kernel's; the execution count still starts at 1.
PRELOADED = "rsdlib.report"
PRELOAD = f"--IPKernelApp.exec_lines=import {PRELOADED}; del {PRELOADED.split('.')[0]}"

# The switch: RSD_FORK_KERNELS=0 (or [batch] fork_kernels = false in the configuration)
# starts every kernel the ordinary way, without a zygote.
FORK_ENV = "RSD_FORK_KERNELS"
ZYGOTE_TIMEOUT = 60.0     # seconds a worker waits for its zygote's answer (it imports first)

_spare: list = []         # this process's spare kernel manager, at most one
_pooled = False
_zygotes: list = []       # this process's zygote, at most one (a batch's workers share one)
_settings = {"fork": True, "timeout": ZYGOTE_TIMEOUT}
_given_up: list[str] = []  # why this process no longer forks kernels (said once)


def configure(fork: bool = True, timeout: float = ZYGOTE_TIMEOUT) -> None:
    """The configuration's [batch] settings, given before the batch's workers start."""
    _settings.update(fork=fork, timeout=timeout)


def fork_enabled() -> bool:
    """Whether kernels are forked from a zygote: not when RSD_FORK_KERNELS is 0/false/no/off
    or the configuration turns it off, nor after a zygote failed in this process."""
    if os.environ.get(FORK_ENV, "").strip().lower() in ("0", "false", "no", "off", "nee"):
        return False
    return bool(_settings["fork"]) and not _given_up


def give_up(reason: str) -> None:
    """Stop forking in this process: its kernels start the ordinary way from now on. Said
    once, on stderr."""
    if not _given_up:
        _given_up.append(reason)
        print(f"rsd: {reason}; kernels starten voortaan op de gewone manier", file=sys.stderr,
              flush=True)
    while _zygotes:
        _zygotes.pop().kill()


class Zygote:
    """A `python -m rsdlib.zygote` of this process, asked to fork kernels. A `shared` one is
    started by the batch's process before its workers fork: they inherit its pipes and take
    turns (a lock) to ask it, so the batch imports the kernels' libraries once, not once per
    worker."""

    proc: subprocess.Popen[bytes]
    stdin: IO[bytes]
    stdout: IO[bytes]

    def __init__(self, shared: bool = False) -> None:
        import multiprocessing

        # its pid as the zygote's argument: the zygote ends when this process does
        self.proc = subprocess.Popen([sys.executable, "-m", "rsdlib.zygote", str(os.getpid())],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     start_new_session=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None   # PIPEs
        self.stdin, self.stdout = self.proc.stdin, self.proc.stdout
        self.owner = os.getpid()
        self.lock = multiprocessing.get_context("fork").Lock() if shared else None

    def _ask(self, request: bytes, timeout: float) -> int | None:
        """Write one request, read its answer (the kernel's pid); None on a timeout."""
        self.stdin.write(request)
        self.stdin.flush()
        if not select.select([self.stdout], [], [], timeout)[0]:
            give_up(f"de kernel-zygote antwoordde niet binnen {timeout:g} s")
            return None
        return int(self.stdout.readline() or 0)

    def fork(self, argv: list[str], env: dict[str, str], cwd: str,
             timeout: float | None = None) -> int | None:
        """A new kernel's pid (ipykernel with `argv`), or None when the zygote cannot. Waits
        at most `timeout` seconds (the configured ZYGOTE_TIMEOUT) for the answer; a zygote
        that does not answer by then is given up (`give_up`)."""
        if not self.alive():
            return None
        timeout = _settings["timeout"] if timeout is None else timeout
        request = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n"
        try:
            if self.lock is None:
                pid = self._ask(request, timeout)
            elif not self.lock.acquire(timeout=timeout):   # the other worker's turn hangs
                give_up(f"de kernel-zygote antwoordde niet binnen {timeout:g} s")
                return None
            else:
                try:
                    pid = self._ask(request, timeout)
                finally:
                    self.lock.release()
        except (OSError, ValueError):
            return None
        return pid or None

    def alive(self) -> bool:
        """Whether the zygote runs (a worker sharing it is not its parent: asked by pid)."""
        if self.owner == os.getpid():
            return self.proc.poll() is None
        try:
            os.kill(self.proc.pid, 0)
        except OSError:
            return False
        return True

    def kill(self) -> None:
        """End a zygote that does not answer (its kernels stop on their own)."""
        try:
            if self.owner == os.getpid():
                self.proc.kill()
                self.proc.wait(timeout=10)
            else:                # not our child: Popen would take it for gone already
                os.kill(self.proc.pid, signal.SIGKILL)
        except (OSError, subprocess.TimeoutExpired):
            pass

    def close(self) -> None:
        """End the zygote (its kernels then stop on their own, having lost their parent). A
        worker that shares the batch's zygote leaves it to the batch."""
        if self.owner != os.getpid():
            return
        try:
            self.stdin.close()
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


@functools.cache
def forkable() -> bool:
    """Whether this system can follow a forked kernel through a pidfd (Linux 5.3 and later,
    and no sandbox that forbids it)."""
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):
        return False
    return True


def zygote() -> Zygote | None:
    """This process's zygote, started on first use; None where kernels cannot be forked or
    forking is turned off (`fork_enabled`)."""
    if not fork_enabled() or not forkable():
        return None
    if not _zygotes:
        _zygotes.append(Zygote())
        multiprocessing.util.Finalize(None, stop_zygote, exitpriority=5)
    return _zygotes[0]


def share_zygote() -> Zygote | None:
    """Start the zygote the batch's workers will share (call before they fork); None where
    kernels are not forked. The workers' `zygote()` then returns it."""
    if not fork_enabled() or not forkable():
        return None
    if not _zygotes:
        _zygotes.append(Zygote(shared=True))
        multiprocessing.util.Finalize(None, stop_zygote, exitpriority=5)
    return _zygotes[0]


def stop_zygote() -> None:
    """End this process's zygote (after its spare kernel is stopped)."""
    while _zygotes:
        _zygotes.pop().close()


def kill_zygote() -> None:
    """End this process's zygote at once, and with it the kernels it forked (a stopped batch)."""
    while _zygotes:
        _zygotes.pop().kill()


class Forked:
    """What jupyter_client's LocalProvisioner asks of a Popen, for a kernel a zygote forked.
    The kernel is not this process's child: it is followed through a pidfd, which becomes
    readable when it exits and through which a signal reaches no other process that got the
    same pid later (the system reaps it at once)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._fd], [], [], 0)[0]:
            self.returncode = 0           # its exit status went to the zygote
            self._close()
        return self.returncode

    def _close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __del__(self) -> None:            # a kernel nobody waited for: no pidfd left open
        self._close()

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0.0)
            select.select([self._fd], [], [], 0.1)
        return self.returncode or 0

    def send_signal(self, signum: int) -> None:
        if self.poll() is None and self._fd >= 0:
            try:
                signal.pidfd_send_signal(self._fd, signum)
            except ProcessLookupError:
                pass

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


@functools.cache
def _provisioner() -> type:
    """jupyter_client's LocalProvisioner that has the zygote fork ipykernel instead of
    starting `python -m ipykernel_launcher`; it falls back to that when it cannot."""
    from jupyter_client.provisioning.local_provisioner import LocalProvisioner

    class ZygoteProvisioner(LocalProvisioner):
        async def launch_kernel(self, cmd: list[str], **kwargs):
            ipykernel = cmd[:3] == [sys.executable, "-m", "ipykernel_launcher"]
            z = zygote() if ipykernel else None
            env = kwargs.get("env") or dict(os.environ)
            pid = z.fork(cmd[3:], env, str(kwargs.get("cwd") or os.getcwd())) if z else None
            if pid is None:
                return await super().launch_kernel(cmd, **kwargs)
            try:
                self.process = Forked(pid)  # type: ignore[assignment]  # a Popen to it
            except ProcessLookupError:      # it died at once: start it the ordinary way
                return await super().launch_kernel(cmd, **kwargs)
            # its signals go through the pidfd, not to its process group by number
            self.pid, self.pgid = pid, None
            self.cwd = kwargs.get("cwd", Path.cwd())
            return self.connection_info

    return ZygoteProvisioner


@functools.cache
def _ready_client() -> type:
    """jupyter_client's AsyncKernelClient whose wait_for_ready does not end by waiting for
    0,2 s of IOPub silence: every run would idle that long. nbclient skips IOPub messages
    that do not answer its own requests, so there is nothing to flush."""
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient

    class ReadyClient(AsyncKernelClient):
        async def wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:    # a message on IOPub: it is connected (else ask again)
                            await self.iopub_channel.get_msg(timeout=0.2)
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    return ReadyClient


def start(cwd: Path):
    """Launch a kernel (without waiting for it) that preloads rsdlib.report."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    # Over IPC (Unix sockets named after this kernel), not TCP: a TCP kernel gets free ports
    # picked before it starts, and spares starting at once in two workers were seen to get
    # the same one ("Address already in use"), leaving a run to wait 60 s and fail.
    km = AsyncKernelManager(kernel_name="python3", client_factory=_ready_client(),
                            transport="ipc",
                            ip=os.path.join(tempfile.gettempdir(), f"rsd-{uuid.uuid4().hex}"))
    km.kernel_id = str(uuid.uuid4())
    km.provisioner = _provisioner()(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec,
                                    parent=km)
    run_sync(km.start_kernel)(
        extra_arguments=[*KERNEL_ARGS, "--HistoryManager.hist_file=:memory:", PRELOAD],
        cwd=str(cwd))
    return km


def shutdown(km) -> None:
    """Stop a kernel at once; one that is gone already is fine."""
    from jupyter_core.utils import run_sync

    try:
        run_sync(km.shutdown_kernel)(now=True)
    except Exception:
        pass


def stop_spare() -> None:
    """Stop this worker's unused spare kernel (when the worker exits)."""
    while _spare:
        shutdown(_spare.pop())


def take(cwd: Path, another: bool):
    """This worker's spare kernel if it is alive, else a new one; start the next spare when
    another run will follow."""
    from jupyter_core.utils import run_sync

    km = _spare.pop() if _spare else None
    if km is not None and not run_sync(km.is_alive)():
        shutdown(km)                  # died while waiting: the run gets a new kernel
        km = None
    if km is None:
        km = start(cwd)
    if another:
        _spare.append(start(cwd))
    return km


@functools.cache
def engine() -> str:
    """A papermill engine whose client owns the kernel it is handed: it stops it after the
    notebook, as it stops a kernel it starts itself (papermill only leaves such a kernel be)."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class Client(PapermillNotebookClient):
        def __init__(self, nb_man, km=None, **kw):
            super().__init__(nb_man, km=km, **kw)
            self.owns_km = True

    class Engine(NBClientEngine):
        """NBClientEngine.execute_managed_notebook (papermill 2) with the owning client."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False,
                                     stdout_file=None, stderr_file=None, start_timeout=60,
                                     execution_timeout=None, **kwargs):
            kwargs = remove_args(["input_path"], **kwargs)
            safe = remove_args(["timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(safe, timeout=execution_timeout or kwargs.get("timeout"),
                                 startup_timeout=start_timeout, kernel_name=kernel_name,
                                 log=logger, log_output=log_output, stdout_file=stdout_file,
                                 stderr_file=stderr_file)
            return Client(nb_man, **final).execute()

    papermill_engines.register("rsd-pool", Engine)
    return "rsd-pool"


def pool() -> None:
    """Make this (worker) process a pool of one spare kernel, and start its zygote importing
    (without waiting for it: `prime` launches the first spare)."""
    global _pooled
    _pooled = True
    multiprocessing.util.Finalize(None, stop_spare, exitpriority=10)
    zygote()


def prime(cwd: Path) -> None:
    """Launch this worker's first spare kernel."""
    if not _spare:
        _spare.append(start(cwd))


def pooled() -> bool:
    """Whether this process keeps a spare kernel (a batch worker)."""
    return _pooled
