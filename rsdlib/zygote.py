"""A kernel zygote: one process that imports what the batch's kernels need, then forks each
kernel from itself (`python -m rsdlib.zygote`, started by rsdlib.kernels).

A kernel started as a new Python process spends about 1,5 s of CPU before it can run a cell,
nearly all of it importing ipykernel, pandas, matplotlib and rsdlib.report; a batch starts one
kernel per notebook. A fork of a process that has imported them costs milliseconds. The kernel
is still a process of its own that serves one notebook with an empty namespace, as one that
jupyter_client starts: ipykernel's own entry point, with the same arguments, environment and
working folder, in a session of its own.

Protocol, one line each: a JSON request on stdin ({"argv": [...], "env": {...}, "cwd": "..."},
the arguments after `python -m ipykernel_launcher`), the kernel's pid on stdout (0: the fork
failed). End of stdin ends the zygote; its kernels then see their parent go and stop.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys

from rsdlib.lifetime import die_with_parent


def _become_kernel(request: dict, reply: int, zygote: int) -> None:
    """In the forked child: run ipykernel's entry point as `python -m ipykernel_launcher`
    would, then exit as that process would (atexit handlers run: the kernel removes its
    connection file). It is killed when the zygote ends, however that ends."""
    die_with_parent(zygote)
    os.close(reply)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)   # the kernel waits for its own children
    os.setsid()                                     # as jupyter_client starts kernels
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # ipykernel stops when its parent does: the zygote here, not the batch worker. It reads
    # JPY_PARENT_PID when it is imported, which was in the zygote: say it as an argument.
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.argv = ["ipykernel_launcher", *argv]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=argv)


def main() -> None:
    """Import, then fork a kernel per request until stdin ends (or the worker that started
    it, whose pid is its argument, ends)."""
    if len(sys.argv) > 1:
        die_with_parent(int(sys.argv[1]))
    reply = os.dup(1)
    os.dup2(2, 1)                 # stray prints go to stderr, not into the replies
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]           # as ipykernel_launcher: the kernel adds its own folder
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C stops the batch, which ends us
    import ipykernel.kernelapp  # noqa: F401

    from rsdlib.kernels import PRELOADED

    importlib.import_module(PRELOADED)          # the kernels' PRELOAD then finds it imported

    # kernels are reaped by the system; the worker follows each through a pidfd
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    me = os.getpid()
    for line in sys.stdin.buffer:
        request = json.loads(line)
        try:
            pid = os.fork()
        except OSError:
            os.write(reply, b"0\n")
            continue
        if pid == 0:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            _become_kernel(request, reply, me)
            return              # and exit as a Python process does
        os.write(reply, f"{pid}\n".encode())
    os._exit(0)                 # at once: its kernels are stopped or stop on their own

if __name__ == "__main__":
    main()
