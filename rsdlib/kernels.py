"""Kernels for the batch's runs: a spare per worker process, started ahead, one per notebook.

A run would otherwise wait for its kernel to start and import pandas and matplotlib (about
1,5 s). Each batch worker keeps one spare kernel, launched while the worker (or the batch's
own process) does something else; it imports rsdlib.report at start. Each kernel still
serves exactly one notebook and is stopped when that notebook is done.
"""

from __future__ import annotations

import functools
import multiprocessing.util
import os
import tempfile
import time
import uuid
from pathlib import Path

KERNEL_ARGS = ["--IPKernelApp.log_level=ERROR"]   # no TCP notice per kernel
# A pooled kernel imports what the notebook's first cell imports while it waits for its notebook.
# `del` leaves the user namespace as a fresh kernel's; the execution count still starts at 1.
PRELOAD = "--IPKernelApp.exec_lines=import rsdlib.report; del rsdlib"

_spare: list = []         # this process's spare kernel manager, at most one
_pooled = False


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


def pool(cwd: Path) -> None:
    """Make this (worker) process a pool of one spare kernel, and launch the first spare."""
    global _pooled
    _pooled = True
    multiprocessing.util.Finalize(None, stop_spare, exitpriority=10)
    _spare.append(start(cwd))


def pooled() -> bool:
    """Whether this process keeps a spare kernel (a batch worker)."""
    return _pooled
