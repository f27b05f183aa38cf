"""The batch's kernel pool: spare kernels started ahead, preloaded, one per notebook."""

import pytest
from jupyter_core.utils import run_sync

from rsdlib import kernels

pytestmark = pytest.mark.slow          # each starts kernels


@pytest.fixture
def pool_state():
    """The module's spare list, emptied (and its kernels stopped, and the zygote) after the
    test."""
    yield kernels._spare
    kernels.stop_spare()
    kernels.stop_zygote()


def _wait_ready(km) -> None:
    """Connect to a kernel, wait until it answers, disconnect."""
    kc = km.client()
    kc.start_channels()
    run_sync(kc.wait_for_ready)(timeout=60)
    kc.stop_channels()


def test_a_spare_is_preloaded_and_its_namespace_is_empty(tmp_path, pool_state):
    km = kernels.take(tmp_path, another=True)
    try:
        assert len(pool_state) == 1 and pool_state[0] is not km
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)
        seen = []
        reply = run_sync(kc.execute_interactive)(
            "import sys; print('rsdlib.report' in sys.modules, 'rsdlib' in dir())",
            timeout=60, output_hook=lambda m: seen.append(m["content"].get("text", "")))
        kc.stop_channels()
        assert reply["content"]["status"] == "ok"
        assert reply["content"]["execution_count"] == 1
        assert "".join(seen).strip() == "True False"
    finally:
        kernels.shutdown(km)


def test_a_dead_spare_is_replaced(tmp_path, pool_state):
    spare = kernels.start(tmp_path)
    pool_state.append(spare)
    run_sync(spare.shutdown_kernel)(now=True)
    km = kernels.take(tmp_path, another=False)
    try:
        assert km is not spare and run_sync(km.is_alive)() and pool_state == []
    finally:
        kernels.shutdown(km)


def test_kernels_talk_over_their_own_unix_sockets_and_leave_none(tmp_path, pool_state):
    """No TCP ports to race for between workers starting kernels at the same moment."""
    import glob

    km = kernels.start(tmp_path)
    try:
        assert km.transport == "ipc"
        _wait_ready(km)                     # it has bound its sockets
        sockets = glob.glob(f"{km.ip}-*")
        assert len(sockets) == 5            # shell, iopub, stdin, control, heartbeat
    finally:
        kernels.shutdown(km)
    assert glob.glob(f"{km.ip}-*") == []


needs_zygote = pytest.mark.skipif(not kernels.forkable(),
                                  reason="no pidfd here: kernels start the ordinary way")


def _parent_cmdline(km) -> str:
    import psutil

    return " ".join(psutil.Process(km.provisioner.pid).parent().cmdline())


@needs_zygote
def test_kernels_are_forked_by_the_zygote_in_their_own_session_and_folder(tmp_path, pool_state):
    """A forked kernel is a process of its own, as jupyter_client would start it: the
    notebook's folder, a session of its own, and its own pid per kernel."""
    import os

    import psutil

    kms = [kernels.start(tmp_path) for _ in range(2)]
    try:
        for km in kms:
            _wait_ready(km)
        pids = [km.provisioner.pid for km in kms]
        assert len(set(pids)) == 2
        for km, pid in zip(kms, pids, strict=True):
            assert "rsdlib.zygote" in _parent_cmdline(km)
            assert psutil.Process(pid).cwd() == str(tmp_path)
            assert os.getsid(pid) == pid
    finally:
        for km in kms:
            kernels.shutdown(km)
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"


@needs_zygote
def test_a_kernel_stops_when_its_zygote_is_gone(tmp_path, pool_state):
    import psutil

    km = kernels.start(tmp_path)
    kernel = psutil.Process(km.provisioner.pid)
    kernel.parent().kill()
    kernel.wait(timeout=15)                  # ipykernel polls its parent every second
    assert not run_sync(km.is_alive)()
    kernels.shutdown(km)


@pytest.mark.parametrize("why", ["zygote died", "no pidfd here"])
def test_without_a_zygote_kernels_start_the_ordinary_way(tmp_path, pool_state, monkeypatch,
                                                         why):
    import psutil

    if why == "no pidfd here":
        monkeypatch.setattr(kernels, "forkable", lambda: False)
    elif not kernels.forkable():
        pytest.skip("no pidfd here: no zygote to lose")
    else:
        z = kernels.zygote()
        z.proc.kill()
        z.proc.wait()
    km = kernels.start(tmp_path)
    try:
        _wait_ready(km)
        assert "ipykernel_launcher" in " ".join(psutil.Process(km.provisioner.pid).cmdline())
    finally:
        kernels.shutdown(km)


PROBE = [
    "import json, os, sys\n"
    "import matplotlib\n"
    "print(json.dumps({'backend': matplotlib.get_backend(), 'cwd': os.getcwd(),\n"
    "                  'argv': sys.argv, 'env': dict(os.environ), 'path': sys.path,\n"
    "                  'rc': {k: str(v) for k, v in matplotlib.rcParams.items()}}))",
    "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.show()",
]


def _probe(folder, monkeypatch, fork: bool):
    """Run the probe notebook in a kernel started as the batch starts them, forked or not;
    what it saw (printed JSON) and the output types of its plot cell."""
    import json

    import nbformat
    import papermill as pm

    monkeypatch.setenv(kernels.FORK_ENV, "1" if fork else "0")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PROBE])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, folder / "probe.ipynb")
    km = kernels.start(folder)
    assert isinstance(km.provisioner.process, kernels.Forked) == fork
    connection = km.connection_file
    done = pm.execute_notebook(str(folder / "probe.ipynb"), str(folder / "ran.ipynb"),
                               kernel_name="python3", progress_bar=False,
                               engine_name=kernels.engine(), km=km, cwd=str(folder))
    seen = json.loads(done.cells[0].outputs[0]["text"])
    seen["argv"] = [connection == a and "CONNECTION_FILE" or a for a in seen["argv"]]
    seen["env"].pop("JPY_PARENT_PID")     # the kernel's parent: the zygote, or the worker
    seen["env"].pop(kernels.FORK_ENV)     # the switch itself
    plot = [(o["output_type"], sorted(o.get("data", {}))) for o in done.cells[1].outputs]
    return seen, plot


@needs_zygote
def test_a_forked_kernel_is_an_ordinary_kernel_to_a_notebook(tmp_path, pool_state, monkeypatch):
    """The same probe notebook in a forked and in an ordinary kernel sees the same
    matplotlib backend and settings, environment, working folder, sys.argv and sys.path, and
    plt.show() displays its figure inline in both."""
    forked, forked_plot = _probe(tmp_path, monkeypatch, fork=True)
    plain, plain_plot = _probe(tmp_path, monkeypatch, fork=False)
    assert plain["backend"] == "module://matplotlib_inline.backend_inline"
    assert plain_plot == [("display_data", ["image/png", "text/plain"])]
    assert forked_plot == plain_plot
    for key in ("backend", "cwd", "argv", "path", "rc"):
        assert forked[key] == plain[key], key
    assert sorted(forked["env"]) == sorted(plain["env"])
    assert forked["env"] == plain["env"]


@needs_zygote
def test_a_zygote_that_does_not_answer_is_given_up_once(tmp_path, pool_state, monkeypatch,
                                                       capfd):
    """Every wait on the zygote has a timeout: a zygote that does not answer (here: stopped)
    is given up, said once, and kernels start the ordinary way."""
    import os
    import signal

    import psutil

    monkeypatch.setattr(kernels, "_given_up", [])
    kernels.configure(timeout=1.0)
    try:
        z = kernels.zygote()
        os.kill(z.proc.pid, signal.SIGSTOP)          # alive, but answers nothing
        first = kernels.start(tmp_path)
        second = kernels.start(tmp_path)
        for km in (first, second):
            _wait_ready(km)
            assert "ipykernel_launcher" in " ".join(psutil.Process(km.provisioner.pid).cmdline())
            kernels.shutdown(km)
        assert not kernels.fork_enabled() and kernels._zygotes == []
        assert z.proc.poll() is not None                 # the stuck zygote was ended
        err = capfd.readouterr().err
        assert err.count("kernel-zygote antwoordde niet binnen 1 s") == 1
    finally:
        kernels.configure()


def test_the_switch_turns_the_fork_off(monkeypatch):
    monkeypatch.setenv(kernels.FORK_ENV, "0")
    assert kernels.zygote() is None and not kernels.fork_enabled()
    monkeypatch.setenv(kernels.FORK_ENV, "1")
    kernels.configure(fork=False)
    try:
        assert not kernels.fork_enabled()
    finally:
        kernels.configure()


def test_the_configuration_turns_the_fork_off(tmp_path):
    from rsdlib.config import ConfigError, load_config
    from rsdlib.paths import CONFIG_DIR

    base = (CONFIG_DIR / "liemers.toml").read_text(encoding="utf-8")
    path = tmp_path / "c.toml"
    path.write_text(base + "\n[batch]\nfork_kernels = false\nzygote_timeout = 5\n", encoding="utf-8")
    assert load_config(path).batch.fork_kernels is False
    assert load_config(path).batch.zygote_timeout == 5
    path.write_text(base + '\n[batch]\nfork_kernels = "nee"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="fork_kernels"):
        load_config(path)
