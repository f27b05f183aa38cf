"""Every process the batch starts ends when the batch ends, however it ends.

`rsd` starts one kernel zygote (its own session) and worker processes; the workers ask the
zygote for kernels in turn (each kernel in a session of its own, forked by the zygote) or
start them through jupyter_client.
A signal to `rsd`'s process group does not reach the sessions, and SIGKILL reaches nobody
else at all. So each process asks Linux to kill it when its parent ends (PR_SET_PDEATHSIG):
a worker or the zygote when `rsd` ends, a forked kernel when the zygote ends;
a kernel jupyter_client started stops within a second of its worker (ipykernel polls its
parent). Where prctl is not available (not Linux) the pipes to the parent still end them,
later.

`Interrupted` and `catch_stop` turn SIGINT and SIGTERM into an exception in the batch's main
thread, so that the batch can stop its workers, remove its staging folders and say what it
did and did not publish (exit 130 / 143).

Light on purpose (no pandas): the batch imports it before its workers fork.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
from collections.abc import Iterator

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> bool:
    """Have `sig` sent to this process when its parent (`parent`, the pid it had when it
    started this one) ends; if it has ended already, end now. False where prctl is missing."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        ok = libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        ok = False
    if os.getppid() != parent:          # it ended before prctl took effect
        os.kill(os.getpid(), sig)
    return ok


class Interrupted(BaseException):
    """SIGINT or SIGTERM reached the batch (a BaseException: no `except Exception` of a run
    or a library swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """130 for SIGINT, 143 for SIGTERM: 128 + the signal's number, as a shell reports."""
        return 128 + self.signum


def _raise(signum: int, frame) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def catch_stop() -> Iterator[None]:
    """Within this block, SIGINT and SIGTERM raise Interrupted in the main thread; the old
    handlers come back after it. Elsewhere than in the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _raise) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def ignore_stop() -> None:
    """From now on SIGINT and SIGTERM do nothing here (the batch is cleaning up)."""
    if threading.current_thread() is threading.main_thread():
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)


def alive(pid: int) -> bool:
    """Whether a process with this pid runs (used to tell stale staging folders); a zombie,
    ended but not yet reaped, does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in (b"Z", b"X")
