"""The committed notebooks are what scripts/make_notebooks.py writes (the same check runs in
pre-commit), with stable cell ids, and nbstripout leaves them as they are."""

import runpy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = runpy.run_path(str(ROOT / "scripts" / "make_notebooks.py"))


def test_committed_notebooks_are_what_the_generator_writes():
    for name, make in GENERATOR["NOTEBOOKS"].items():
        committed = (ROOT / "notebooks" / name).read_text(encoding="utf-8")
        assert committed == GENERATOR["text"](make), f"notebooks/{name}: run scripts/make_notebooks.py"
    assert GENERATOR["main"](["--check"]) == 0


def test_the_generator_writes_the_same_bytes_every_time():
    for make in GENERATOR["NOTEBOOKS"].values():
        assert GENERATOR["text"](make) == GENERATOR["text"](make)


def test_committed_notebooks_have_no_outputs_and_numbered_ids():
    from nbstripout import strip_output

    for name in GENERATOR["NOTEBOOKS"]:
        nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
        assert [c.id for c in nb.cells] == [str(i) for i in range(len(nb.cells))]
        assert all(not c.get("outputs") for c in nb.cells)
        stripped = strip_output(nbformat.read(ROOT / "notebooks" / name, as_version=4),
                                keep_output=False, keep_count=False, keep_id=False)
        assert nbformat.writes(stripped) == nbformat.writes(nb), name
