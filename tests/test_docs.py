"""The documentation in the repository: self-contained, its links resolve, and it names every
file, column, code and table id the code reads or writes (docs and code tell one story)."""

import re
import subprocess
from pathlib import Path

import pytest

from rsdlib import finance, kpi, schema, tables, trends
from rsdlib.config import load_config

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def tracked_text_files() -> list[Path]:
    names = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    out = []
    for name in names:
        path = ROOT / name
        if path.is_file() and path.suffix in {".md", ".py", ".toml", ".ipynb", ".txt", ".cfg",
                                               ".yaml", ".yml", ""}:
            out.append(path)
    return out


def test_nothing_points_outside_the_repository():
    outside = [".." + "/shared", "/work" + "/shared", "shared" + "/spec", "shared" + "/reference"]
    found = [f"{p.relative_to(ROOT)}: {s}" for p in tracked_text_files()
             for s in outside if s in p.read_text(encoding="utf-8", errors="replace")]
    assert found == []


@pytest.mark.parametrize("page", ["README.md", *(f"docs/{p.name}" for p in DOCS.glob("*.md"))])
def test_links_resolve(page):
    path = ROOT / page
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        assert (path.parent / target).exists(), f"{page}: link to {target} goes nowhere"


def test_export_format_names_every_file_column_and_code():
    text = (DOCS / "export-format.md").read_text(encoding="utf-8")
    dom = load_config().domain     # the default configuration's ladder and outflow reasons
    names = {*schema.FILES, *schema.DROPPED_COLUMNS, *dom.order, *schema.REGELINGEN,
             *schema.INSTROOM_REDENEN, *dom.reason_codes, *schema.UITKOMSTEN,
             *(r.label for r in dom.outflow_reasons), "M", "V", "X"}
    names |= {c.name for cols in schema.FILES.values() for c in cols}
    missing = sorted(n for n in names if f"`{n}`" not in text and f"| {n} |" not in text)
    assert missing == []


def test_outputs_name_every_table_id():
    text = (DOCS / "outputs.md").read_text(encoding="utf-8")
    ids = {*tables.TABLES, *trends.TITLES, *finance.TITLES}
    assert sorted(t for t in ids if f"`{t}`" not in text) == []


def test_definitions_list_every_kpi_the_configuration_accepts():
    """docs/definitions.md#kpis has one row per KPI of the registry, with its unit, and no
    row of a KPI the configuration would refuse."""
    from typing import get_args

    from rsdlib.config import Kpi

    text = (DOCS / "definitions.md").read_text(encoding="utf-8")
    section = text[text.index("## KPIs"):text.index("## Finance")]
    rows = dict(re.findall(r"^\| `([a-z_]+)` \| (aantal|%)", section, flags=re.M))
    ids = get_args(Kpi.model_fields["id"].annotation)
    assert sorted(rows) == sorted(ids)
    assert rows == {kid: kpi.KPIS[kid].spec.unit for kid in ids}
