"""Regenerate the committed notebooks (without outputs) from this one definition."""

from pathlib import Path

import nbformat as nbf

ROOT = Path(__file__).resolve().parents[1]

PARAMS = '''# Parameters: papermill overrides these; the defaults work on the demo export in JupyterLab.
export = None    # export folder, or the batch's validated cache; None: data/demo
year = 2019
scope = "RSD"    # a municipality, or the service (its short name)
out = None       # None: outputs/lab/YEAR/SCOPE
mode = "intern"  # "intern" or "publiek"
config = None    # None: config/liemers.toml'''

SECTIONS = [
    "bijlage_1_treden", "bijlage_2_1_trede", "chart:treden", "bijlage_2_1_leeftijd",
    "chart:leeftijd", "bijlage_2_2_uitkeringsduur", "chart:uitkeringsduur",
    "bijlage_2_2_geslacht", "bijlage_2_2_migratie", "bijlage_2_3_uitstroom",
    "bijlage_2_3_indirect", "bijlage_2_3_totaal", "bijlage_2_4_instroom_reden",
    "bijlage_2_5_instroom_groep", "bijlage_2_6_dossiers",
]


def bijlagen() -> nbf.NotebookNode:
    nb = nbf.v4.new_notebook()
    p = nbf.v4.new_code_cell(PARAMS)
    p.metadata["tags"] = ["parameters"]
    cells = [p, nbf.v4.new_code_cell(
        "from rsdlib import report\n\n"
        "r = report.build(export, year, scope, out, mode, config)\nreport.show_title(r)")]
    for s in SECTIONS:
        if s.startswith("chart:"):
            cells.append(nbf.v4.new_code_cell(f'report.show_chart(r, "{s[6:]}")'))
        else:
            cells.append(nbf.v4.new_code_cell(f'report.show_table(r, "{s}")'))
    cells.append(nbf.v4.new_code_cell("report.show_finance(r)"))
    cells.append(nbf.v4.new_code_cell("report.show_method(r)"))
    nb.cells = cells
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    nbf.write(bijlagen(), ROOT / "notebooks" / "bijlagen.ipynb")
