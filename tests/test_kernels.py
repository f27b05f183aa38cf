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
