"""Regenerate the committed notebooks (without outputs) from this one definition."""

import sys
from pathlib import Path

import nbformat as nbf

from rsdlib.report import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
# The project's kernel (make install / make lab register it in .venv); the batch and the
# tests name their kernel themselves.
KERNELSPEC = {"name": "rsdlib", "display_name": "Python (rsdlib)", "language": "python"}

PARAMS = '''# Parameters: papermill overrides these; the defaults work on the demo export in JupyterLab.
export = None    # export folder, or the batch's validated cache; None: data/demo
year = 2019
scope = None     # a municipality, the service (its short name), or None: the service
out = None       # None: outputs/lab/YEAR/SCOPE
mode = "intern"  # "intern" or "publiek"
config = None    # None: config/liemers.toml
period = None    # an assignment period ("2024-2026" or its name): its appendix instead of a year'''

def bijlagen() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    p = nbf.v4.new_code_cell(PARAMS)
    p.metadata["tags"] = ["parameters"]
    cells = [p, nbf.v4.new_code_cell(
        "from rsdlib import report\n\n"
        "r = report.build(export, year, scope, out, mode, config, period)\nreport.show_title(r)")]
    for section in SECTIONS:      # one cell per section: each cell costs a kernel round trip
        cells.append(nbf.v4.new_code_cell(f'report.show_section(r, "{section}")'))
    cells.append(nbf.v4.new_code_cell("report.show_finance(r)"))
    cells.append(nbf.v4.new_code_cell("report.show_method(r)"))
    nb.cells = cells
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    return nb


EXPLORE = [
    ("md", "# Verkennen\n\nDezelfde gegevens en definities als de bijlagen, om de volgende vraag "
           "van een raadslid te beantwoorden. Pas de parameters aan en voer de cellen uit. "
           "Alle uitkomsten zijn aantallen of aandelen, nooit klantregels."),
    ("params", '''export = None              # None: data/demo
config = None              # None: config/liemers.toml
gemeenten = None           # één gemeente ("Duiven") of een lijst (["Duiven", "Zevenaar"]); None: alle
peildatum = "31-12-2019"
van, tot = "01-01-2019", "31-12-2019"
rijen, kolommen = "trede", "leeftijd"   # gemeente, trede, leeftijd, uitkeringsduur, achtergrond, geslacht
'''),
    ("code", "import pandas as pd\n\nfrom rsdlib import explore\nfrom rsdlib.config import load_config\n"
             "from rsdlib.io import load\nfrom rsdlib.paths import DEMO_DIR\n\n"
             "cfg = load_config(config)\ndata = load(export or DEMO_DIR, cfg)\n"
             "data.report.summary_lines()[:6]"),
    ("md", "## Klanten op een peildatum, naar twee kenmerken"),
    ("code", "explore.show(explore.crosstab(data, pd.to_datetime(peildatum, dayfirst=True), "
             "rijen, kolommen, gemeenten, config=cfg), config=cfg)"),
    ("code", "explore.show(explore.crosstab(data, pd.to_datetime(peildatum, dayfirst=True), "
             "rijen, kolommen, gemeenten, percentages=True, config=cfg), percentages=True, "
             "config=cfg)"),
    ("md", "## Instroom en uitstroom in een periode, per maand"),
    ("code", "explore.show(explore.flows(data, pd.to_datetime(van, dayfirst=True), "
             "pd.to_datetime(tot, dayfirst=True), by=\"reden\", gemeenten=gemeenten), config=cfg)"),
    ("md", "## KPI's door de jaren heen"),
    ("code", "explore.show(explore.kpi_over_years(data, cfg, list(range(2019, 2026)), "
             "gemeenten), config=cfg)"),
]


def verkennen() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    for kind, text in EXPLORE:
        if kind == "md":
            nb.cells.append(nbf.v4.new_markdown_cell(text))
        else:
            cell = nbf.v4.new_code_cell(text)
            if kind == "params":
                cell.metadata["tags"] = ["parameters"]
            nb.cells.append(cell)
    nb.metadata["kernelspec"] = KERNELSPEC
    return nb


NOTEBOOKS = {"bijlagen.ipynb": bijlagen, "verkennen.ipynb": verkennen}


def text(make) -> str:
    """A notebook as the file holds it: no outputs, stable cell ids (0, 1, ... as nbstripout
    numbers them)
    instead of nbformat's random ones, so that the same definition writes the same bytes."""
    nb = make()
    for i, cell in enumerate(nb.cells):
        cell.id = str(i)
    return nbf.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    """Write the notebooks; with --check, only say which committed ones differ (exit 1)."""
    check = "--check" in argv
    stale = []
    for name, make in NOTEBOOKS.items():
        path = ROOT / "notebooks" / name
        want = text(make)
        if path.exists() and path.read_text(encoding="utf-8") == want:
            continue
        if check:
            stale.append(name)
        else:
            path.write_text(want, encoding="utf-8")
    for name in stale:
        print(f"notebooks/{name} is not what scripts/make_notebooks.py writes: run it")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
