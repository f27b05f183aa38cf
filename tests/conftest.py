"""Shared fixtures: the configuration, a generated demo export and its validated frames.

The suite runs in parallel (pytest-xdist, `make test`). The generated exports and the few
batch runs (`rsd report` with notebooks: `intern_batch`, `public_batch`) are made once per
run and shared by the workers (under a file lock); the tests that read one batch, or share a
module-scoped fixture, are kept on one worker (an xdist group), and the groups and slow
tests are handed out first, so that no worker ends the run alone with a long one. Tests
that run the batch or generate an export are marked `slow`: `pytest -m "not slow"` while
working, `make test` (and CI) runs them all.
"""

import fcntl
import os
import subprocess
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from rsdlib.config import load_config
from rsdlib.demo import write_export
from rsdlib.io import read_export
from rsdlib.paths import CONFIG_DIR

# No deadline per example: speed is measured by `make bench`, not by timed tests, and on a
# shared machine a first example that imports pandas can take 300 ms (flaky failures).
settings.register_profile("rsdlib", deadline=None)
settings.load_profile("rsdlib")


@contextmanager
def _locked(path: Path):
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def shared_folder(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder made once per test run by `make(folder)`, shared by the xdist workers (each
    worker has its own base temp folder; their parent is the run's)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    root = tmp_path_factory.getbasetemp().parent
    folder, done = root / name, root / f"{name}.done"
    with _locked(root / f"{name}.lock"):
        if not done.exists():
            folder.mkdir(exist_ok=True)
            make(folder)
            done.touch()
    return folder


# Session fixtures that run a batch: every test that reads one runs on the same worker.
BATCHES = ("intern_batch", "public_batch")


def _group(item) -> str | None:
    """The xdist group of a test: the batch it reads, else its first module-scoped fixture."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for name in BATCHES:
        if name in item.fixturenames:
            return name
    for name in item.fixturenames:
        defs = info.name2fixturedefs.get(name)
        if defs and defs[-1].scope == "module":
            return f"{item.module.__name__}.{name}"
    return None


# tryfirst: xdist's own hook (registered after this conftest, so called before it) turns
# the xdist_group marks into node ids; marks added after it are ignored, and a module's
# batch was then run once on each worker.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Keep the tests that share a batch or a module-scoped fixture on one xdist worker
    (`--dist loadgroup`), so that it is made once; under xdist hand out the slow tests
    first (the scheduler already sends the largest groups first), keeping a group's tests
    together, so that the run does not end with one worker busy on a long test."""
    first: dict[str, tuple[int, int]] = {}
    keys = []
    for index, item in enumerate(items):
        group = item.get_closest_marker("xdist_group")
        name = group.args[0] if group and group.args else _group(item)
        if name and not group:
            item.add_marker(pytest.mark.xdist_group(name))
        key = name or item.nodeid
        slow = 0 if item.get_closest_marker("slow") else 1
        rank, at = first.get(key, (slow, index))
        first[key] = (min(rank, slow), at)
        keys.append(key)
    if "PYTEST_XDIST_WORKER" in os.environ:
        order = sorted(range(len(items)), key=lambda i: (*first[keys[i]], i))
        items[:] = [items[i] for i in order]


def pytest_collection_finish(session):
    """Under `--dist loadgroup` a grouped test's id ends in @GROUP (xdist's side channel to
    its scheduler). Where it does not (pytest 9.2 with xdist 3.8: pytest-xdist#1386) every
    worker would run each batch again: stop at once rather than run twice as long."""
    if "PYTEST_XDIST_WORKER" not in os.environ or not getattr(session.config.option,
                                                               "loadgroup", False):
        return
    lost = [i.nodeid for i in session.items if i.get_closest_marker("xdist_group")
            and not i.nodeid.rfind("@") > i.nodeid.rfind("]")]
    if lost:
        raise pytest.UsageError(
            f"--dist loadgroup groups nothing with pytest {pytest.__version__} (pytest-xdist"
            f"#1386): {lost[0]} has no @group; install from the lock (make install)")


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, config) -> Path:
    """The demo export of RSD de Liemers, generated once per test run. Read only: a test that
    changes an export copies it first."""
    return shared_folder(tmp_path_factory, "demo", lambda folder: write_export(config, folder))


@pytest.fixture(scope="session")
def demo(demo_dir, config):
    return read_export(demo_dir, config)


@pytest.fixture(scope="session")
def other_ids_dir(tmp_path_factory, demo_dir) -> Path:
    """The demo export with every identifier in another format (8-digit client numbers,
    dossiers "Z-780000", other bsn: privacy.other_format), made once per test run."""
    from privacy import write_with_other_identifiers

    return shared_folder(tmp_path_factory, "demo_other_ids",
                         lambda folder: write_with_other_identifiers(demo_dir, folder))


@pytest.fixture(scope="session")
def achterhoek_config():
    return load_config(CONFIG_DIR / "achterhoek.toml")


@pytest.fixture(scope="session")
def achterhoek_dir(tmp_path_factory) -> Path:
    """The demo export of another region, made by `rsd --config achterhoek.toml demo-data`
    once per test run (read only)."""
    from rsdlib.cli import main

    def make(folder: Path) -> None:
        code = main(["--config", str(CONFIG_DIR / "achterhoek.toml"), "demo-data", str(folder)])
        assert code == 0, "rsd demo-data failed for achterhoek.toml"

    return shared_folder(tmp_path_factory, "achterhoek", make)


@dataclass(frozen=True)
class Batch:
    """A finished `rsd report`: its exit code, its output folder, what it printed, and every
    process descended from it while it ran (pid, start time, command line)."""

    code: int
    out: Path
    stdout: str
    stderr: str
    descendants: list[tuple[int, float, str]]


def _run_report(folder: Path, args: list[str]) -> None:
    """`rsd report ARGS --out FOLDER/out` in a process of its own, as a user starts it; its
    exit code, what it printed and the processes it started are kept beside the output."""
    import json
    import time

    import psutil

    with (folder / "stdout.txt").open("w", encoding="utf-8") as out, \
            (folder / "stderr.txt").open("w", encoding="utf-8") as err:
        rsd = subprocess.Popen([sys.executable, "-m", "rsdlib.cli", "report", *args,
                                "--out", str(folder / "out")], stdout=out, stderr=err)
        me, seen = psutil.Process(rsd.pid), {}
        while rsd.poll() is None:
            try:
                for p in me.children(recursive=True):
                    try:
                        seen.setdefault((p.pid, p.create_time()), " ".join(p.cmdline()))
                    except psutil.Error:
                        pass
            except psutil.Error:
                pass
            time.sleep(0.1)
    (folder / "exit").write_text(str(rsd.returncode))
    (folder / "descendants.json").write_text(json.dumps([[*k, v] for k, v in seen.items()]))


def shared_batch(tmp_path_factory, name: str, args: list[str]) -> Batch:
    """A batch run made once per test run and shared (see shared_folder)."""
    import json

    folder = shared_folder(tmp_path_factory, name, lambda f: _run_report(f, args))
    return Batch(int((folder / "exit").read_text()), folder / "out",
                 (folder / "stdout.txt").read_text(encoding="utf-8"),
                 (folder / "stderr.txt").read_text(encoding="utf-8"),
                 [tuple(d) for d in json.loads((folder / "descendants.json").read_text())])


# The years, period and scopes of the two shared batches (tests read them from here)
INTERN_YEARS, INTERN_PERIOD = (2019,), "2024-2026"
PUBLIC_YEARS = (2019, 2025)


@pytest.fixture(scope="session")
def intern_batch(tmp_path_factory, demo_dir) -> Batch:
    """The demo export's appendices of 2019 and of the period 2024-2026, every scope, intern,
    with PDF: the one intern batch of the test run; its tests only read it."""
    return shared_batch(tmp_path_factory, "intern_batch", [
        "--export", str(demo_dir), "--year", *map(str, INTERN_YEARS),
        "--period", INTERN_PERIOD, "--scope", "all", "--jobs", "2"])


@pytest.fixture(scope="session")
def public_batch(tmp_path_factory, demo_dir) -> Batch:
    """The demo export's public appendices of 2019 and 2025, every scope, without PDF: the
    one public batch of the test run; its tests only read it."""
    return shared_batch(tmp_path_factory, "public_batch", [
        "--export", str(demo_dir), "--year", *map(str, PUBLIC_YEARS), "--scope", "all",
        "--mode", "publiek", "--jobs", "2", "--zonder-pdf"])
