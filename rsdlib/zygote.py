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

# What the zygote's imports set in the environment (a library may set a variable when it is
# imported); a kernel started the ordinary way imports them after its environment is given.
_IMPORTS_SET: dict[str, str] = {}
# The matplotlibrc matplotlib read when the zygote imported it (it depends on the folder).
_RC_FILE: list[str] = []


def _become_kernel(request: dict, reply: int, zygote: int) -> None:
    """In the forked child: run ipykernel's entry point as `python -m ipykernel_launcher`
    would, then exit as that process would (atexit handlers run: the kernel removes its
    connection file). It is killed when the zygote ends, however that ends. What a notebook
    can see is made as in a kernel started that way: environment, working folder, sys.argv,
    and matplotlib's settings and backend (imported here before the kernel chose its inline
    backend)."""
    die_with_parent(zygote)
    os.close(reply)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)   # the kernel waits for its own children
    os.setsid()                                     # as jupyter_client starts kernels
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    for key, value in _IMPORTS_SET.items():
        os.environ.setdefault(key, value)
    # ipykernel stops when its parent does: the zygote here, not the batch worker. It reads
    # JPY_PARENT_PID when it is imported, which was in the zygote: say it as an argument.
    os.environ["JPY_PARENT_PID"] = str(os.getppid())
    argv = [*request["argv"], f"--IPKernelApp.parent_handle={os.getppid()}"]
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    # as `python -m ipykernel_launcher ARGS` has it (the parent handle is ours, not shown)
    sys.argv = [_launcher_path(), *request["argv"]]
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()     # kernelapp.launch_new_instance, in two steps
    app.initialize(argv)
    _matplotlib_as_imported_now()
    app.start()


def _launcher_path() -> str:
    """The file `python -m ipykernel_launcher` runs (its sys.argv[0])."""
    import importlib.util

    spec = importlib.util.find_spec("ipykernel_launcher")
    return spec.origin if spec and spec.origin else "ipykernel_launcher"


def _matplotlib_as_imported_now() -> None:
    """matplotlib's settings as an import in this kernel would make them: the matplotlibrc
    found from the kernel's folder and environment, and the backend of MPLBACKEND, which
    ipykernel sets (the inline backend) while it initializes. The zygote imported matplotlib
    before either was known; without this, a forked kernel's backend is agg and plt.show()
    shows nothing."""
    mpl = sys.modules.get("matplotlib")
    if mpl is None:
        return
    rc_file = mpl.matplotlib_fname()
    if [rc_file] != _RC_FILE:
        mpl.rcParams.update(mpl.rc_params_from_file(rc_file, use_default_template=True))
        mpl.rcParamsOrig = mpl.rcParams.copy()   # type: ignore[attr-defined]
    if os.environ.get("MPLBACKEND"):
        mpl.rcParams["backend"] = os.environ["MPLBACKEND"]


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
    before = dict(os.environ)
    import ipykernel.kernelapp  # noqa: F401

    from rsdlib.kernels import PRELOADED

    importlib.import_module(PRELOADED)          # the kernels' PRELOAD then finds it imported
    _IMPORTS_SET.update({k: v for k, v in os.environ.items() if before.get(k) != v})
    if "matplotlib" in sys.modules:
        _RC_FILE.append(sys.modules["matplotlib"].matplotlib_fname())

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
