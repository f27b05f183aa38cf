"""Shared fixtures: the configuration, a generated demo export and its validated frames.

The suite runs in parallel (pytest-xdist, `make test`). The generated exports are made once
per run and shared by the workers (under a file lock); tests that share a module-scoped
fixture (a batch run) are kept on one worker, so that the batch runs once. Tests that run
the batch or generate an export are marked `slow`: `pytest -m "not slow"` while working,
`make test` (and CI) runs them all.
"""

import fcntl
import os
from collections.abc import Callable
from contextlib import contextmanager
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


def pytest_collection_modifyitems(config, items):
    """Keep the tests that share a module-scoped fixture on one xdist worker (`--dist
    loadgroup`), so that a batch a module runs once is not run again on the other worker."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None or item.get_closest_marker("xdist_group"):
            continue
        for name in item.fixturenames:
            defs = info.name2fixturedefs.get(name)
            if defs and defs[-1].scope == "module":
                item.add_marker(pytest.mark.xdist_group(f"{item.module.__name__}.{name}"))
                break


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
