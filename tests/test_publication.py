"""Publication safety: suppression that an LP attacker cannot undo, inert text, reproducibility."""

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import PUBLIC_YEARS
from helpers import build, client
from summary_check import assert_summary_states_its_cells, assert_summary_states_published_cells

from rsdlib import charts, report, suppress, tabledefs, tables
from rsdlib.batch import run_batch
from rsdlib.config import ConfigError, load_config
from rsdlib.prepared import prepare
from rsdlib.publish import read_csv_table

THRESHOLD = 5
SCOPES = ("Duiven", "Westervoort", "Zevenaar", "RSD")
YEARS = PUBLIC_YEARS


@pytest.fixture
def public(public_batch):
    """The output folder of the session's public batch (conftest.public_batch: 2019 and 2025,
    every scope, publiek)."""
    assert public_batch.code == 0, public_batch.stderr
    return public_batch.out


def published_tables(out: Path):
    for year in YEARS:
        for scope in SCOPES:
            for path in sorted((out / str(year) / scope / "tables").glob("*.csv")):
                yield year, scope, path.stem, read_csv_table(path)


@pytest.fixture(scope="module")
def decided(demo, config):
    """The year's one suppression decision and every scope's tables, in-process."""
    out = {}
    for year in YEARS:
        p = prepare(demo, year, config, "publiek")
        out[year] = p, {s: p.scope_tables(s, config) for s in config.scopes}
    return out


def is_pct(row, column) -> bool:
    """The spec's rule for the appendix tables: a percentage's row or column starts with %."""
    return str(row).startswith("%") or str(column).startswith("%")


@pytest.mark.slow
def test_municipal_scorecards_stay_internal(public):
    """A municipality's scorecard adds up with the others' to the service's: not published."""
    for year in YEARS:
        assert (public / str(year) / "RSD" / "tables" / "kpi_scorecard.csv").is_file()
        for scope in SCOPES[:-1]:
            assert not (public / str(year) / scope / "tables" / "kpi_gemeente.csv").exists()


def test_no_small_count_and_no_percentage_of_one_is_published(public, demo, config):
    """Every count from 1 to 4 of the intern tables is empty in the public CSV of every
    scope, every published count is the intern one, and a hidden count's row keeps no
    percentage of it (the % column of a peildatum table, of a block table's row)."""
    checked = 0
    for year, scope, tid, table in published_tables(public):
        if tid not in tables.TABLES:
            continue
        intern = tables.TABLES[tid][1](demo, year, scope, config)
        assert list(intern.index) == list(table.index), (year, scope, tid)
        for r, label in enumerate(intern.index):
            for c in intern.columns:
                v = intern.iloc[r][c]
                if isinstance(v, str) or is_pct(label, c) or pd.isna(v):
                    continue
                if 0 < v < THRESHOLD:
                    assert np.isnan(table.iloc[r][c]), (year, scope, tid, label, c, v)
                    checked += 1
                elif not np.isnan(table.iloc[r][c]):
                    assert table.iloc[r][c] == v
            if "%" in intern.columns and "Eindtotaal" in intern.columns:
                if np.isnan(table.iloc[r]["Eindtotaal"]):
                    assert np.isnan(table.iloc[r]["%"]), (year, scope, tid, label)
            if "%" in intern.columns and scope in intern.columns:
                if np.isnan(table.iloc[r][scope]):
                    assert np.isnan(table.iloc[r]["%"]), (year, scope, tid, label)
    assert checked > 50


@pytest.mark.slow
def test_a_count_hidden_once_is_hidden_wherever_it_is_published(public):
    """The same people in two places: a municipality's page and the service's page show the
    same cells of the block tables; 2.4 and 2.5 show the same municipality rows and the same
    niet-uitkeringsgerechtigden; Bijlage 1 repeats 2.1 trede. Hidden in one, hidden in all."""
    for year in YEARS:
        rsd = {p.stem: read_csv_table(p) for p in (public / str(year) / "RSD" / "tables")
               .glob("bijlage_*.csv")}
        for scope in SCOPES[:3]:
            own = {p.stem: read_csv_table(p) for p in (public / str(year) / scope / "tables")
                   .glob("bijlage_*.csv")}
            for tid in ("bijlage_2_3_uitstroom", "bijlage_2_4_instroom_reden",
                        "bijlage_2_5_instroom_groep"):
                mine, theirs = own[tid].drop(columns="%"), rsd[tid].drop(columns="%")
                n = list(mine.index).index("Eindtotaal")
                start = list(theirs.index).index(scope)
                tail = list(theirs.index).index("Eindtotaal")
                same = pd.concat([theirs.iloc[start:start + n], theirs.iloc[tail:]])
                assert list(same.index) == list(mine.index)
                assert (same.isna().to_numpy() == mine.isna().to_numpy()).all(), (year, scope,
                                                                                  tid)
            for label in ("Niet-Uitkeringsgerechtigden", scope):
                a = own["bijlage_2_5_instroom_groep"]
                b = own["bijlage_2_4_instroom_reden"]
                nug = "Instroom Niet-Uitkeringsgerechtigden" if label != scope else scope
                cols = ["Migratie achtergrond", "Status houder", "Overig", "Eindtotaal"]
                assert (a.loc[label, cols].isna().to_numpy()
                        == b.loc[nug, cols].isna().to_numpy()).all(), (year, scope, label)
            trede = own["bijlage_2_1_trede"][scope].iloc[:9]
            assert (own["bijlage_1_treden"]["Aantal klanten"].isna().to_numpy()
                    == trede.isna().to_numpy()).all(), (year, scope)


def test_every_population_total_is_published(decided, config):
    """Population counts (clients per municipality and for the service, all inflow and
    outflow of an area, dossiers) are never chosen as secondary cells on the demo export."""
    for year, (p, pages) in decided.items():
        for scope, computed in pages.items():
            trede = computed["bijlage_2_1_trede"]
            hidden, _ = p.suppression.cells("bijlage_2_1_trede", trede, config, scope)
            assert not {c for c in hidden if trede.index[c[0]] == "Totaal"}, (year, scope)
            for tid in ("bijlage_2_3_totaal", "bijlage_2_6_dossiers"):
                hidden, _ = p.suppression.cells(tid, computed[tid], config, scope)
                assert not {(r, c) for r, c in hidden
                            if c in ("Eindtotaal", *computed[tid].columns[:2])
                            and tid != "bijlage_2_3_totaal" or (r, c) == (0, "Eindtotaal")}


def test_primary_only_suppression_is_undone(config, decided):
    """ACRO-style: hiding only the small counts leaves them derivable from the totals (the
    2019 age table: every 'tot 17' count is small, the totals give Duiven's back exactly).
    Whether the year's decision can be undone is for the independent attacker
    (tests/test_attacker.py), which does not read these relations."""
    p, pages = decided[2019]
    values = suppress.key_values(pages, config)
    rel = tabledefs.relations(set(values), config)
    assert tabledefs.check(rel, values) == []
    young = {k for k in values if k[0] == "klanten" and k[2] == ("leeftijd", "17 en jonger")}
    assert len(young) == 4 and young <= p.suppression.primary
    duiven = ("klanten", "Duiven", ("leeftijd", "17 en jonger"), None)
    assert suppress.ranges(values, rel, young)[duiven] == (2, 2)
    assert suppress.ranges(values, rel, p.suppression.hidden)[duiven][1] >= 2 + THRESHOLD


def test_suppression_is_deterministic(decided, config):
    p, pages = decided[2025]
    again = suppress.decide({s: {t: x.copy() for t, x in tabs.items()}
                             for s, tabs in reversed(pages.items())}, config)
    assert again.hidden == p.suppression.hidden and again.primary == p.suppression.primary


def test_public_charts_say_which_categories_are_left_out_but_not_which_are_small(decided,
                                                                                  config):
    """A reader is told that and which categories a public chart leaves out, never which of
    them are the small ones: "small: X" would put X in 1..threshold-1 (and with the
    municipalities adding up to the service, narrow it further), "protecting: Y" would put Y
    outside it. The alt texts and the notes' summary are the same whichever hidden cells are
    the small ones (all, none, or the real ones)."""
    import copy

    said = 0
    for year, (p, pages) in decided.items():
        for scope, computed in pages.items():
            metas = report.for_scope(p, scope, config)[1]
            alts = [c.alt for c in charts.public_charts(computed, metas, config, scope, year)]
            for chart, alt in zip(charts.public_charts(computed, metas, config, scope, year),
                                  alts, strict=True):
                tid = {"treden": "bijlage_2_1_trede", "leeftijd": "bijlage_2_1_leeftijd",
                       "uitkeringsduur": "bijlage_2_2_uitkeringsduur"}[chart.name]
                meta, table = metas[tid], computed[tid]
                hidden = [str(table.index[r]) for r, c in sorted(meta.suppressed)
                          if c == scope and not str(table.index[r]).startswith("Totaal")]
                if hidden:
                    assert "Niet getoond (afgeschermd): " + ", ".join(hidden) in alt, alt
                    said += len(hidden)
                assert "klein is" not in alt and "elders" not in alt, alt
            for primary in ("all", "none"):
                other = copy.deepcopy(metas)
                for m in other.values():
                    m.primary = set(m.suppressed) if primary == "all" else set()
                assert [c.alt for c in charts.public_charts(computed, other, config, scope,
                                                           year)] == alts
    assert said > 4


def test_the_public_notes_do_not_count_small_and_protecting_cells_apart(decided, config):
    """A page whose hidden cells are all secondary (hidden for another page's small count)
    must not say "0 kleine aantallen": that puts each of them outside 1..threshold-1. The
    notes' summary is the same whichever hidden cells are the small ones."""
    from types import SimpleNamespace

    p, pages = decided[YEARS[0]]
    for scope, computed in pages.items():
        metas = report.for_scope(p, scope, config)[1]
        texts = []
        for primary in ("real", "all", "none"):
            for m in metas.values():
                m.primary = (m.primary if primary == "real" else
                             set(m.suppressed) if primary == "all" else set())
            texts.append(report.hidden_summary(SimpleNamespace(
                tables=computed, metas=metas, config=config, scope=scope)))
        assert "afgeschermd" in texts[0] and texts == [texts[0]] * 3, texts


@pytest.mark.parametrize("year", YEARS)
def test_a_small_placement_count_and_its_savings_are_hidden_on_every_public_table(decided,
                                                                                 config, year):
    """A small service: 3 placements of the target group. The scorecard hides the count, so
    the realised savings must hide it too, with every amount computed from it; the public
    page shows only its own year's row (the others are other years' counts), and a hidden
    realisation's Status is hidden with it ("behaald" bounds it)."""
    p, pages = decided[year]
    pages = {s: {t: v.copy() for t, v in tabs.items()} for s, tabs in pages.items()}
    own = pages[config.short]
    card, real = own["kpi_scorecard"], own["besparing_realisatie"]
    assert list(real.index) == [str(year)]
    card.loc["plaatsingen_doelgroep", "Realisatie"] = 3.0
    col = "waarvan doelgroepregister" if "waarvan doelgroepregister" in real else "Plaatsingen"
    kid = tabledefs.REALISED_COUNTS[col]
    card.loc[kid, "Realisatie"] = 3.0
    real.loc[str(year), col] = 3.0
    decision = suppress.decide(pages, config)
    hidden, small = decision.cells("besparing_realisatie", real, config, config.short)
    pos = list(card.index).index(kid)
    card_hidden = decision.cells("kpi_scorecard", card, config, config.short)[0]
    assert (pos, "Realisatie") in card_hidden and (pos, "Status") in card_hidden
    assert (0, col) in small
    counts, derived = tabledefs.realised_columns(real)
    assert any("€" in str(c) for c in derived)
    assert {(0, c) for c in [col, *derived]} <= hidden, (hidden, derived)
    # an amount is published only where the counts it is computed from are
    published = {c for c in real.columns if (0, c) not in hidden}
    assert not published & {col, *derived}


def test_the_period_page_hides_what_the_year_pages_hide(tmp_path, demo_dir, config,
                                                        monkeypatch):
    """The period page repeats each year's agreement counts, realised placements and year-end
    dossiers. When 2025's pages hide the placements (here: as a small count), the period
    page hides them too, with their status, the amounts computed from them and the period's
    sum; 2024's are published. Read back from the published CSV, as a reader has them."""
    short = config.short
    plaats = ("kpi", short, "plaatsingen", None)
    forged = {2024: suppress.Decision(THRESHOLD),
              2025: suppress.Decision(THRESHOLD, {plaats}, {plaats})}
    seen = {}

    def decisions(source, data, p, every, years):
        seen["years"] = years
        return {y: forged[y] for y in years}

    monkeypatch.setattr(report, "year_decisions", decisions)
    report.build(export=demo_dir, period="2024-2026", scope=short, out=tmp_path,
                 mode="publiek")
    assert seen["years"] == [2024, 2025]
    card = read_csv_table(tmp_path / "tables" / "periode_kpi.csv")
    assert card.loc["plaatsingen", "2024"] == 269 and card.loc["plaatsingen", "Status 2024"]
    for col in ("2025", "Status 2025", "Periode", "Status periode"):
        assert pd.isna(card.loc["plaatsingen", col]), col
    assert card.loc["plaatsingen_doelgroep", "2025"] > 0          # another count: published
    real = read_csv_table(tmp_path / "tables" / "besparing_realisatie.csv")
    real.index = real.index.astype(str)
    counts, derived = tabledefs.realised_columns(real)
    assert real.loc["2024", "Plaatsingen"] == 269
    for row in ("2025", "Totaal"):
        for col in [*counts, *derived]:
            assert pd.isna(real.loc[row, col]), (row, col)
    assert not pd.isna(real.loc["2025", "Besparing opdracht (€)"])   # configured, not counted


@pytest.mark.slow
def test_public_outputs_mark_suppression_and_say_the_rule(public):
    from openpyxl import load_workbook

    folder = public / "2019" / "Westervoort"
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    assert '<td><abbr title="afgeschermd" aria-label="afgeschermd">•</abbr></td>' in page
    assert "Publieke versie" in page and ">•<" not in page.replace(">•</abbr>", "")
    assert page.count("voorgelezen als") == 1
    service = (public / "2019" / "RSD" / "bijlagen.html").read_text(encoding="utf-8")
    assert ">•<" not in service.replace(">•</abbr>", "")     # the Samenvatting's mark too
    wb = load_workbook(folder / "bijlagen.xlsx")
    cover = {r[0]: r[1] for r in wb["Voorblad"].iter_rows(values_only=True) if r[0]}
    assert cover["Modus"] == "publiek" and "1 tot en met 4" in cover["Onderdrukking"]
    notes = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert "secundaire onderdrukking" in notes["Onderdrukking"]
    assert "afgeschermd" in notes["Afgeschermd"]
    # how many counts are hidden, small and protecting together: never which kind is how many
    hidden, total = map(int, re.findall(r"\d+", notes["Afgeschermde aantallen"]))
    assert 0 < hidden < total and "primair" not in notes["Afgeschermde aantallen"]
    # the charts' alt texts name the hidden categories, with no reason per category
    assert "Niet getoond (afgeschermd): 17 en jonger" in page
    assert "klein is:" not in page and "elders te beschermen" not in page
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
            assert assert_summary_states_its_cells(public / str(year) / scope, year) >= 6


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


def test_the_reference_date_in_the_subtitle_is_never_broken_at_a_hyphen(tmp_path, config):
    """A narrow screen or a PDF line must not print "31-12-" and "2019" on two lines."""
    m1 = config.municipalities[0]
    build(tmp_path / "export", config, [client("A", muni=m1), client("B", muni=m1, peil="31-12-2018")],
          start=False)
    r = report.build(tmp_path / "export", 2019, m1, tmp_path / "out", "intern")
    title = report.show_title(r).data
    subtitle = re.search(r"<p>(.*?)</p>", title).group(1)
    assert "Peildatum" in subtitle
    dates = re.findall(r"\d{2}-\d{2}-\d{4}", subtitle)
    assert dates and all(f'<span style="white-space:nowrap">{d}</span>' in subtitle
                         for d in dates)


@pytest.mark.parametrize("name", ["../etc", "a/b", ".verborgen", " "])
def test_names_that_cannot_be_folders_are_refused(tmp_path, name):
    path = tmp_path / "c.toml"
    path.write_text(f'[service]\nname = "X"\nshort = "X"\nmunicipalities = ["{name}", "B"]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="geen mapnaam"):
        load_config(path)


@pytest.mark.slow
def test_same_export_gives_identical_outputs(tmp_path, demo_dir, intern_batch):
    """A second batch on the same export writes the same bytes as the session's intern batch
    (conftest.intern_batch, run earlier in another process): tables, workbook, page, figures.
    The workbook holds the run date: the two runs are of one day."""
    assert intern_batch.code == 0
    assert run_batch(demo_dir, [2019], ["RSD", "Duiven"], tmp_path, jobs=2, pdf=False) == 0
    for scope in ("RSD", "Duiven"):
        a, b = intern_batch.out / "2019" / scope, tmp_path / "2019" / scope
        csvs = sorted((a / "tables").glob("*.csv"))
        assert [p.name for p in csvs] == sorted(p.name for p in (b / "tables").glob("*.csv"))
        for csv in csvs:
            assert csv.read_bytes() == (b / "tables" / csv.name).read_bytes(), csv.name
        assert (a / "bijlagen.xlsx").read_bytes() == (b / "bijlagen.xlsx").read_bytes()
        assert (a / "bijlagen.html").read_bytes() == (b / "bijlagen.html").read_bytes()
        pngs = sorted((a / "figures").glob("*.png"))
        assert pngs and [p.name for p in pngs] == sorted(p.name for p in (b / "figures").glob("*.png"))
        for png in pngs:
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
        "Het aantal uitkeringsdossiers daalde in 2019 met 14 (−3,2\u00a0%) tot 421."]
    metas["bijlage_2_6_dossiers"].suppressed = {(0, "1 januari 2019")}
    hidden = summary.build({"bijlage_2_6_dossiers": dossiers}, metas, config, "Duiven", 2019)
    assert hidden.sentences == [] and hidden.figures == []     # 14 would give away 435


# --------------------------------------------------------------------------- number format

NBSP = "\u00a0"


def test_a_percentage_reads_dutch_with_a_non_breaking_space_and_stays_a_number(tmp_path, demo,
                                                                                  config):
    """25,68 % on the page (no wrap between number and sign), 0.2568 formatted `0.00 %` in
    Excel, 25.68 in CSV (machine-readable, as docs/outputs.md says)."""
    from openpyxl import load_workbook

    from rsdlib import labels
    from rsdlib.publish import TableMeta, html_table, write_csv, write_xlsx

    tid = "bijlage_2_1_trede"
    table = tables.all_tables(demo, 2019, "RSD", config)[tid]
    meta = TableMeta(tid, "2.1", layout=tabledefs.layout(tid, table, config, "RSD"),
                     labels=labels.for_table(tid, table, config, "RSD"))
    page = html_table(table, meta, config)
    assert f"<td>25,68{NBSP}%</td>" in page and "<td>538</td>" in page
    assert not re.search(r"\d%", page) and not re.search(r"\d %", page)
    write_csv(table, tmp_path / "t.csv", meta, config)
    assert "Trede 1 Geen aanbod,156,116,266,538,25.68" in (tmp_path / "t.csv").read_text()
    write_xlsx({tid: table}, {tid: meta}, tmp_path / "t.xlsx", [("Titel", "x")], [], config)
    sheet = load_workbook(tmp_path / "t.xlsx")["2.1 Treden"]
    pct = sheet.cell(4, 2 + list(meta.shown(table)).index("%"))
    assert pct.value == pytest.approx(0.2568, abs=1e-4) and pct.number_format == "0.00 %"


def test_a_mark_keeps_its_decimal_and_is_no_count_of_people(tmp_path, demo, config):
    """Klanttevredenheid (unit cijfer, entered as 7,5) reads 7,5 on the scorecard, in the
    Samenvatting, in CSV and Excel; it is not a count the suppression protects."""
    from openpyxl import load_workbook

    from rsdlib import kpi, labels, summary
    from rsdlib.publish import TableMeta, html_table, write_csv, write_xlsx

    tid = "kpi_scorecard"
    card = kpi.kpi_scorecard(demo, 2019, config)
    pos = list(card.index).index("klanttevredenheid")
    lay = tabledefs.layout(tid, card, config, "RSD")
    meta = TableMeta(tid, "KPI", layout=lay, labels=labels.for_table(tid, card, config, "RSD"))
    row = re.search(r"<tr><th scope=\"row\">Klanttevredenheid \(rapportcijfer\)</th>(.*?)</tr>",
                    html_table(card, meta, config)).group(1)
    assert "<td>8,0</td><td>7,5</td>" in row
    assert not any(cell[0] == pos for cell in lay.counts)
    shown = summary.build({tid: card}, {tid: meta}, config, "RSD", 2019)
    assert ("Klanttevredenheid (rapportcijfer)", "8,0", "7,5", "niet behaald") in shown.agreements
    assert ("Uitstroom naar werk, scholing of bedrijf", "295", "304", "behaald") in shown.agreements
    write_csv(card, tmp_path / "k.csv", meta, config)
    assert read_csv_table(tmp_path / "k.csv").loc["klanttevredenheid", "Realisatie"] == 7.5
    write_xlsx({tid: card}, {tid: meta}, tmp_path / "k.xlsx", [("Titel", "x")], [], config)
    sheet = load_workbook(tmp_path / "k.xlsx")["Resultaatafspraken"]
    cell = sheet.cell(4 + pos, 2 + list(meta.shown(card)).index("Realisatie"))
    assert cell.value == 7.5 and cell.number_format == "0.0"


def test_public_summary_marks_a_hidden_agreement_as_the_tables_do(decided, config):
    """On the service's public page of 2019 a hidden value in the Samenvatting's agreements
    carries the same mark as a hidden table cell (read aloud as "afgeschermd")."""
    from rsdlib import summary
    from rsdlib.publish import SUPPRESSED_HTML

    p, _ = decided[2019]
    computed, metas, _ = report.for_scope(p, "RSD", config)
    meta = metas["kpi_scorecard"]
    pos = list(computed["kpi_scorecard"].index).index("plaatsingen_doelgroep")
    meta.suppressed = meta.suppressed | {(pos, "Realisatie")}   # as a decision would hide it
    page = summary.to_html(summary.build(computed, metas, config, "RSD", 2019), 2019)
    row = re.search(r"<tr><th scope=\"row\">waarvan in het doelgroepregister</th>(.*?)</tr>",
                    page).group(1)
    assert row == f'<td>30</td><td>{SUPPRESSED_HTML}</td><td class="tekst">behaald</td>'
    assert "•" not in page.replace(SUPPRESSED_HTML, "")


# --------------------------------------------------------------------------- the workbook on paper


@pytest.mark.parametrize("scope", ["RSD", "Duiven"])
def test_the_workbook_prints_each_sheet_on_a4_one_page_wide(tmp_path, decided, config, scope):
    """As written for a public page of 2019: every sheet A4, one page wide, landscape when
    wide, its title in the page header and page numbers in the footer, rows high enough for
    their wrapped text; every table sheet repeats its header row, has a label in each
    header cell and explains an empty cell under the table (LibreOffice is not needed: the
    set-up is read back with openpyxl)."""
    from openpyxl import load_workbook
    from workbook_check import problems, table_problems

    from rsdlib import periods

    p, _ = decided[2019]
    computed, metas, _ = report.for_scope(p, scope, config)
    r = report.Report(config.for_year(2019), p.validation, 2019, scope, "publiek", tmp_path,
                      computed, metas, run_date="02-01-2020",
                      period=periods.period_for(config, 2019))
    report.write_outputs(r)
    wb = load_workbook(tmp_path / "bijlagen.xlsx")
    found = problems(wb)
    sheets = [wb[m.sheet] for m in metas.values()]
    found += [f for ws in sheets for f in table_problems(ws)]
    assert found == [], "\n".join(found)
    assert len(sheets) == len(wb.sheetnames) - 2
    assert any(ws.page_setup.orientation == "landscape" for ws in sheets)


@pytest.mark.slow
def test_the_summary_auditor_checks_each_number_against_its_own_cell(tmp_path, intern_batch):
    """Each sentence and headline figure against the cell it is about: a planted 49 where
    the dossiers fell by 48 (49 is another cell of the page, so the old any-cell check
    passed it) fails, in a sentence and in a figure. (The auditor passes every page of the
    session's batches: test_report_e2e and test_public_summary_states_no_hidden_cell.)"""
    import shutil

    from summary_check import stated_cells

    folder = tmp_path / "RSD"                       # a copy: the batch's outputs stay as made
    shutil.copytree(intern_batch.out / "2019" / "RSD", folder,
                    ignore=shutil.ignore_patterns("*.pdf", "*.xlsx", "*.ipynb", "figures"))
    assert assert_summary_states_its_cells(folder, 2019) >= 20
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    sentence = "Het aantal uitkeringsdossiers daalde in 2019 met 48 "
    assert sentence in page and "<b>1.608</b><span>−48 t.o.v. 1-1-2019</span>" in page
    frames = [read_csv_table(p) for p in (folder / "tables").glob("*.csv")]
    assert stated_cells(49.0, frames)               # the old check could not tell
    for wrong in (page.replace(sentence, sentence.replace("48", "49")),
                  page.replace("−48 t.o.v. 1-1-2019", "−49 t.o.v. 1-1-2019"),
                  page.replace("<b>1.608</b>", "<b>1.609</b>")):
        (folder / "bijlagen.html").write_text(wrong, encoding="utf-8")
        with pytest.raises(AssertionError, match="states"):
            assert_summary_states_its_cells(folder, 2019)
    (folder / "bijlagen.html").write_text(page.replace(
        "klanten stroomden in 2019", "klanten (ongeveer 12) stroomden in 2019"), encoding="utf-8")
    with pytest.raises(AssertionError, match="no known form"):
        assert_summary_states_its_cells(folder, 2019)
