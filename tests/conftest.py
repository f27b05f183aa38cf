"""Shared fixtures: the configuration, a generated demo export and its validated frames."""

from pathlib import Path

import pytest

from rsdlib.config import load_config
from rsdlib.demo import write_export
from rsdlib.io import read_export
from rsdlib.paths import CONFIG_DIR


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory, config) -> Path:
    """The demo export of RSD de Liemers, generated once per test session."""
    folder = tmp_path_factory.mktemp("demo")
    write_export(config, folder)
    return folder


@pytest.fixture(scope="session")
def demo(demo_dir, config):
    return read_export(demo_dir, config)


@pytest.fixture(scope="session")
def achterhoek_config():
    return load_config(CONFIG_DIR / "achterhoek.toml")
