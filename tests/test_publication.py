"""Publication safety: suppression that an LP attacker cannot undo, inert text, reproducibility."""

import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import build, client
from scipy.optimize import linprog
from summary_check import assert_summary_states_published_cells

from rsdlib import report, suppress, tables
from rsdlib.batch import run_batch
from rsdlib.cli import main
from rsdlib.config import ConfigError, load_config
from rsdlib.publish import read_csv_table

THRESHOLD = 5
SCOPES = ("Duiven", "Westervoort", "Zevenaar", "RSD")
YEARS = (2019, 2025)


@pytest.fixture(scope="module")
def public(tmp_path_factory, demo_dir):
    out = tmp_path_factory.mktemp("publiek")
    code = main(["report", "--export", str(demo_dir), "--year", *map(str, YEARS), "--scope",
                 "all", "--out", str(out), "--mode", "publiek", "--jobs", "2", "--zonder-pdf"])
    assert code == 0
    return out


def attack(table, structure, hidden) -> dict:
    """The attacker: the feasible [min, max] of every hidden count, by linear programming,
    given every published cell, the table's relations and counts >= 0."""
    cells = structure.counts
    index = {c: i for i, c in enumerate(cells)}
    n = len(cells)
    bounds = []
    for r, col in cells:
        v = table.iloc[r][col]
        bounds.append((0, None) if (r, col) in hidden else (float(v), float(v)))
    eq = []
    for parts, total in structure.equations:
        row = np.zeros(n)
        for p in parts:
            row[index[p]] += 1
        row[index[total]] -= 1
        eq.append(row)
    ub = []
    for a, b in structure.at_most:
        row = np.zeros(n)
        row[index[a]], row[index[b]] = 1, -1
        ub.append(row)
    out = {}
    for cell in hidden & set(cells):
        ends = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[index[cell]] = sign
            res = linprog(c, A_eq=np.array(eq) if eq else None, b_eq=np.zeros(len(eq)) if eq
                          else None, A_ub=np.array(ub) if ub else None,
                          b_ub=np.zeros(len(ub)) if ub else None, bounds=bounds, method="highs")
            ends.append(math.inf if res.status == 3 else sign * res.fun)
        out[cell] = (ends[0], -ends[1] if ends[1] == -math.inf else ends[1])
    return out


def hidden_counts(table, structure) -> set:
    return {(r, c) for r, c in structure.counts if np.isnan(table.iloc[r][c])}


def published_tables(out: Path):
    for year in YEARS:
        for scope in SCOPES:
            for path in sorted((out / str(year) / scope / "tables").glob("*.csv")):
                yield year, scope, path.stem, read_csv_table(path)


@pytest.mark.slow
def test_the_auditor_cannot_narrow_any_suppressed_cell(public, config):
    attacked = 0
    for year, scope, tid, table in published_tables(public):
        structure = suppress.structure(tid, table, config, scope)
        if structure is None:
            continue
        hidden = hidden_counts(table, structure)
        for cell, (lo, hi) in attack(table, structure, hidden).items():
            attacked += 1
            assert hi - lo >= THRESHOLD, (year, scope, tid, table.index[cell[0]], cell[1], lo, hi)
    assert attacked > 100


@pytest.mark.slow
def test_municipal_scorecards_stay_internal(public):
    """A municipality's scorecard adds up with the others' to the service's: not published."""
    for year in YEARS:
        assert (public / str(year) / "RSD" / "tables" / "kpi_scorecard.csv").is_file()
        for scope in SCOPES[:-1]:
            assert not (public / str(year) / scope / "tables" / "kpi_gemeente.csv").exists()


def test_no_small_count_and_no_percentage_of_one_is_published(public, demo, config):
    checked = 0
    for year, scope, tid, table in published_tables(public):
        if tid not in tables.TABLES:
            continue
        intern = tables.TABLES[tid][1](demo, year, scope, config)
        structure = suppress.structure(tid, intern, config, scope)
        for r, c in structure.counts:
            v = intern.iloc[r][c]
            if 0 < v < THRESHOLD:
                assert np.isnan(table.iloc[r][c]), (year, scope, tid, intern.index[r], c, v)
                checked += 1
            elif not np.isnan(table.iloc[r][c]):
                assert table.iloc[r][c] == v
        hidden = hidden_counts(table, structure)
        for (r, c), uses in structure.pct.items():
            if any(u in hidden for u in uses) and c in table.columns:
                assert np.isnan(table.iloc[r][c]), (tid, table.index[r], c)
    assert checked > 50


def test_primary_only_suppression_fails_the_auditor(demo, config):
    """ACRO-style: hiding only the small cells leaves them derivable from the totals."""
    table = tables.bijlage_2_1_leeftijd(demo, 2019, "RSD", config)
    structure = suppress.structure("bijlage_2_1_leeftijd", table, config, "RSD")
    primary = suppress.primary(table, structure, THRESHOLD, False)
    assert primary == {(0, "Duiven"), (0, "Westervoort"), (0, "Zevenaar"), (0, "RSD")}
    masked = table.copy()
    for r, c in primary:
        masked.iloc[r, masked.columns.get_loc(c)] = np.nan
    ranges = attack(masked, structure, primary)
    assert ranges[(0, "Duiven")] == (2, 2)                 # the published totals give it away
    ours = suppress.suppress("bijlage_2_1_leeftijd", table, config, "RSD")
    counts = {c for c in ours if c in set(structure.counts)}
    assert len(counts) <= 10           # the best pattern hides 8 of the 28 counts; greedy may add one
    for lo_hi in attack(table, structure, counts).values():
        assert lo_hi[1] - lo_hi[0] >= THRESHOLD


def test_suppression_is_deterministic(demo, config):
    table = tables.bijlage_2_4_instroom_reden(demo, 2019, "RSD", config)
    first = suppress.suppress("bijlage_2_4_instroom_reden", table, config, "RSD")
    assert first == suppress.suppress("bijlage_2_4_instroom_reden", table.copy(), config, "RSD")


@pytest.mark.slow
def test_public_outputs_mark_suppression_and_say_the_rule(public):
    from openpyxl import load_workbook

    folder = public / "2019" / "Westervoort"
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    assert "<td>•</td>" in page and "Publieke versie" in page
    wb = load_workbook(folder / "bijlagen.xlsx")
    cover = {r[0]: r[1] for r in wb["Voorblad"].iter_rows(values_only=True) if r[0]}
    assert cover["Modus"] == "publiek" and "1 tot en met 4" in cover["Onderdrukking"]
    notes = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert "secundaire onderdrukking" in notes["Onderdrukking"]
    values = [c.value for row in wb["2.4 Redenen instroom"].iter_rows() for c in row]
    assert "•" in values
    assert not (folder / "tables" / "trend_stromen.csv").exists()
    assert not (folder / "figures" / "stromen.png").exists()


@pytest.mark.slow
def test_public_summary_states_no_hidden_cell(public):
    """Every number in a public page's Samenvatting is a published cell (hidden cells are
    empty in the CSV), on every page of both years."""
    for year in YEARS:
        for scope in SCOPES:
            assert assert_summary_states_published_cells(public / str(year) / scope, year) > 0


@pytest.mark.slow
def test_no_identifiers_in_public_outputs(public, demo_dir):
    lines = (demo_dir / "klanten.csv").read_text(encoding="utf-8").splitlines()
    cols = lines[0].split(";")
    bsns = {ln.split(";")[cols.index("bsn")] for ln in lines[1:]}
    numbers = {ln.split(";")[cols.index("klantnummer")] for ln in lines[1:]}
    for path in public.rglob("*"):
        if path.is_dir() or ".cache" in path.parts:
            continue
        data = path.read_bytes()
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                data = b"".join(z.read(n) for n in z.namelist())
        text = data.decode("utf-8", errors="ignore")
        assert not bsns.intersection(re.findall(r"\d{9}", text)), path
        assert not numbers.intersection(re.findall(r"K\d{6}", text)), path


HOSTILE = """
[service]
name = "<script>alert('dienst')</script> Dienst"
short = "@SUM(1)"
municipalities = ["=HYPERLINK(\\"evil\\")", "+Plus", "-Min <img src=x onerror=alert(1)>"]
"""


def test_hostile_names_stay_inert_in_excel_and_html(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "hostile.toml"
    path.write_text(HOSTILE, encoding="utf-8")
    cfg = load_config(path)
    m1, m2, m3 = cfg.municipalities
    build(tmp_path / "export", cfg, [client("A", muni=m1), client("B", muni=m3),
                                     client("C", muni=m2, peil="31-12-2018")], start=False)
    r = report.build(tmp_path / "export", 2019, cfg.short, tmp_path / "out", "intern", path)
    wb = load_workbook(tmp_path / "out" / "bijlagen.xlsx")
    sheet = wb["2.6 Uitkeringsdossiers"]
    labels = [row[0] for row in sheet.iter_rows(min_row=4)]
    assert [c.value for c in labels[:3]] == list(cfg.municipalities)
    assert all(c.data_type == "s" for c in labels[:3])
    assert all(c.quotePrefix for c in labels[:3] if c.value[0] in "=+-@")
    header = [c for c in wb["2.1 Treden"][3]]
    assert header[1].value == m1 and header[1].data_type == "s"
    with zipfile.ZipFile(tmp_path / "out" / "bijlagen.xlsx") as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.endswith(".xml"))
    html = report.show_table(r, "bijlage_2_6_dossiers").data + report.show_title(r).data
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("name", ["../etc", "a/b", ".verborgen", " "])
def test_names_that_cannot_be_folders_are_refused(tmp_path, name):
    path = tmp_path / "c.toml"
    path.write_text(f'[service]\nname = "X"\nshort = "X"\nmunicipalities = ["{name}", "B"]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="geen mapnaam"):
        load_config(path)


@pytest.mark.slow
def test_same_export_gives_identical_outputs(tmp_path, demo_dir):
    for run in ("a", "b"):
        assert run_batch(demo_dir, [2019], ["RSD", "Duiven"], tmp_path / run, jobs=2,
                         pdf=False) == 0
    for scope in ("RSD", "Duiven"):
        a, b = tmp_path / "a" / "2019" / scope, tmp_path / "b" / "2019" / scope
        for csv in sorted((a / "tables").glob("*.csv")):
            assert csv.read_bytes() == (b / "tables" / csv.name).read_bytes(), csv.name
        assert (a / "bijlagen.xlsx").read_bytes() == (b / "bijlagen.xlsx").read_bytes()
        assert (a / "bijlagen.html").read_bytes() == (b / "bijlagen.html").read_bytes()
        for png in (a / "figures").glob("*.png"):
            assert png.read_bytes() == (b / "figures" / png.name).read_bytes(), png.name


def test_excel_differs_only_in_the_run_date(tmp_path, demo, config):
    import datetime as dt

    from rsdlib.publish import TableMeta, write_xlsx

    t = {"bijlage_2_6_dossiers": tables.bijlage_2_6_dossiers(demo, 2019, "RSD", config)}
    metas = {"bijlage_2_6_dossiers": TableMeta("bijlage_2_6_dossiers", "titel")}
    for day in (1, 2):
        stamp = dt.datetime(2026, 11, day)
        write_xlsx(t, metas, tmp_path / f"{day}.xlsx", [("Titel", "x"), ("Rundatum",
                   stamp.strftime("%d-%m-%Y"))], [("a", "b")], config, stamp)
    parts = []
    for day in (1, 2):
        with zipfile.ZipFile(tmp_path / f"{day}.xlsx") as z:
            parts.append({n: z.read(n) for n in z.namelist()})
    differ = {n for n in parts[0] if parts[0][n] != parts[1][n]}
    assert differ <= {"docProps/core.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"}
    assert b"2026-11-01" in parts[0]["docProps/core.xml"]


def test_summary_leaves_out_a_sentence_whose_cell_is_hidden(config):
    import pandas as pd

    from rsdlib import summary
    from rsdlib.publish import TableMeta

    dossiers = pd.DataFrame({"1 januari 2019": [435.0, 1656.0], "31 december 2019": [421.0, 1608.0],
                             "% Ontwikkeling jan - dec": [-3.22, -2.90]},
                            index=pd.Index(["Duiven", "RSD de Liemers"], name="rij"))
    metas = {"bijlage_2_6_dossiers": TableMeta("bijlage_2_6_dossiers", "2.6")}
    shown = summary.build({"bijlage_2_6_dossiers": dossiers}, metas, config, "Duiven", 2019)
    assert [s.text for s in shown.sentences] == [
        "Het aantal uitkeringsdossiers daalde in 2019 met 14 (−3,2 %) tot 421."]
    metas["bijlage_2_6_dossiers"].suppressed = {(0, "1 januari 2019")}
    hidden = summary.build({"bijlage_2_6_dossiers": dossiers}, metas, config, "Duiven", 2019)
    assert hidden.sentences == [] and hidden.figures == []     # 14 would give away 435
