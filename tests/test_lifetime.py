"""A batch stops cleanly and leaves no process behind, however it ends (issue 14, case 3)."""

import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from rsdlib import atomic, lifetime

SCOPES = ("Duiven", "Westervoort", "Zevenaar", "RSD")


def _tree(proc: psutil.Process) -> set[tuple[int, float]]:
    """The processes descended from `proc` now, as (pid, start time): a pid alone may be
    given to another process later."""
    out = set()
    for p in proc.children(recursive=True):
        try:
            out.add((p.pid, p.create_time()))
        except psutil.NoSuchProcess:
            pass
    return out


def _running(seen: set[tuple[int, float]]) -> list[str]:
    """Those of `seen` that still run (a zombie has ended)."""
    left = []
    for pid, started in seen:
        try:
            p = psutil.Process(pid)
            if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{pid} {' '.join(p.cmdline())[:100]}")
        except psutil.NoSuchProcess:
            pass
    return left


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_batch_leaves_no_process_and_no_staging(tmp_path, demo_dir, signum):
    out = tmp_path / "out"
    rsd = subprocess.Popen(
        [sys.executable, "-m", "rsdlib.cli", "report", "--export", str(demo_dir), "--year",
         "2019", "--out", str(out), "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    me = psutil.Process(rsd.pid)
    seen: set[tuple[int, float]] = set()
    deadline = time.monotonic() + 180
    # until a run is in flight (its staging folder is there) and its kernel runs
    while not list((out / "2019").glob(".*.tmp-*")) or len(seen) < 5:
        assert rsd.poll() is None, rsd.communicate()
        assert time.monotonic() < deadline, "no run started"
        seen |= _tree(me)
        time.sleep(0.05)
    seen |= _tree(me)
    kinds = {" ".join(psutil.Process(p).cmdline()) for p, _ in seen if psutil.pid_exists(p)}
    assert any("rsdlib.zygote" in k or "ipykernel" in k for k in kinds), kinds
    # one zygote for the batch, started by the batch's process and shared by its workers (a
    # forked kernel keeps the zygote's command line, which names the process that started it)
    assert all(k.endswith(f"-m rsdlib.zygote {rsd.pid}") for k in kinds if "rsdlib.zygote" in k)
    sent = time.monotonic()
    rsd.send_signal(signum)
    stdout, stderr = rsd.communicate(timeout=60)
    assert time.monotonic() - sent < 15, "the batch took too long to stop"
    assert rsd.returncode == (143 if signum == signal.SIGTERM else -signal.SIGKILL), stderr
    deadline = time.monotonic() + 10             # PR_SET_PDEATHSIG acts at once; ipykernel
    while _running(seen) and time.monotonic() < deadline:   # polls its parent each second
        time.sleep(0.1)
    assert _running(seen) == []
    published = {p.name for p in (out / "2019").iterdir() if p.is_dir()}
    time.sleep(1)                                # nothing goes on publishing after the end
    assert {p.name for p in (out / "2019").iterdir() if p.is_dir()} == published
    if signum == signal.SIGTERM:
        assert "Traceback" not in stderr and "Traceback" not in stdout
        assert not [p for p in (out / "2019").iterdir() if p.name.startswith(".")]
        lines = stdout[stdout.index("Onderbroken (SIGTERM)"):].splitlines()
        said = {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        assert said["gepubliceerd"].split(", ") == [f"2019 {s}" for s in SCOPES
                                                     if s in published] or not published
        assert {f"2019 {s}" for s in SCOPES} - set(said["gepubliceerd"].split(", ")) == set(
            said["niet gepubliceerd"].split(", "))
        assert len(published) < len(SCOPES)     # the queued runs did not start
    else:
        # what the killed batch left in staging, the next batch removes before it starts
        atomic.clean_stale(out / "2019")
        assert not list((out / "2019").glob(".*.tmp-*"))


def test_stale_staging_is_only_that_of_ended_processes(tmp_path):
    final = tmp_path / "Duiven"
    mine = atomic.staging_dir(final)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    pid = int(dead.stdout)
    assert not lifetime.alive(pid)
    (tmp_path / f".Duiven.tmp-{pid}-abc").mkdir()
    (tmp_path / f".Zevenaar.old-{pid}").symlink_to(tmp_path / "nergens")
    (tmp_path / f".x.csv.tmp-{pid}-q1").write_text("half")
    (tmp_path / ".niet.van.ons").mkdir()
    atomic.clean_stale(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([mine.name, ".niet.van.ons"])
    assert f".Duiven.tmp-{os.getpid()}-" in mine.name
