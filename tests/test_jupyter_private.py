"""Every private part of a Jupyter library that rsdlib uses (rsdlib.jupyter_private) is there
in the installed release, as rsdlib uses it; a copied method body is unchanged."""

import hashlib
import importlib
import inspect

import pytest

from rsdlib.jupyter_private import PRIVATE


def _resolve(entry):
    obj = importlib.import_module(entry.module)
    for part in entry.name.split("."):
        if isinstance(obj, type) and part not in dir(obj):
            # a traitlets attribute or one set in __init__: look in the class's source
            assert any(part in inspect.getsource(k) for k in obj.__mro__
                       if k.__module__.split(".")[0] == entry.module.split(".")[0]), entry
            return None
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("entry", PRIVATE, ids=lambda e: f"{e.module}:{e.name}")
def test_private_part_is_there(entry):
    obj = _resolve(entry)
    if entry.use in ("override", "call") and obj is not None:
        assert callable(obj)
    if entry.use == "copy":
        source = inspect.getsource(obj)
        assert hashlib.sha256(source.encode()).hexdigest()[:16] == entry.source_sha256, (
            f"{entry.module}.{entry.name} changed: compare it with {entry.used_by}")


def test_every_pinned_library_is_pinned_below_a_minor_release():
    """The libraries named in PRIVATE have an upper pin in pyproject.toml (< X.Y)."""
    import re
    import tomllib
    from pathlib import Path

    deps = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())[
        "project"]["dependencies"]
    pins = {re.split(r"[<>=!~ ]", d)[0].replace("-", "_"): d for d in deps}
    for lib in {e.module.split(".")[0] for e in PRIVATE}:
        assert lib in pins, f"{lib} is not a direct dependency"
        assert re.search(r"<\d+\.\d+", pins[lib]), f"{lib}: no upper pin below a minor release"
