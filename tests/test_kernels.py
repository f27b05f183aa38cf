"""The batch's kernel pool: spare kernels started ahead, preloaded, one per notebook."""

import pytest
from jupyter_core.utils import run_sync

from rsdlib import kernels


@pytest.fixture
def pool_state():
    """The module's spare list, emptied (and its kernels stopped) after the test."""
    yield kernels._spare
    kernels.stop_spare()


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
        kc = km.client()
        kc.start_channels()
        run_sync(kc.wait_for_ready)(timeout=60)     # it has bound its sockets
        kc.stop_channels()
        sockets = glob.glob(f"{km.ip}-*")
        assert len(sockets) == 5            # shell, iopub, stdin, control, heartbeat
    finally:
        kernels.shutdown(km)
    assert glob.glob(f"{km.ip}-*") == []
