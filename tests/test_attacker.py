"""The independent attacker (tests/attacker.py): what it must find, what it must not flag,
and the public pages of the demo export it must not break.

The attacker reads only published CSVs; `rsdlib` is used here to produce them (the system
under test), never to tell the attacker how the tables hang together.
"""

from pathlib import Path

import pandas as pd
import pytest
from attacker import attack
from conftest import shared_folder

from rsdlib import demo as demo_module
from rsdlib import publish, report
from rsdlib.config import load_config
from rsdlib.io import read_export
from rsdlib.paths import CONFIG_DIR
from rsdlib.prepared import prepare

# Published tables of main at e771ddb (before joint suppression), demo export seed 2019:
# only the CSVs the examples of issue 13 need, in the public and the intern version.
TODAY = Path(__file__).parent / "fixtures" / "publiek_e771ddb"


def cell(result, year, scope, table, row, column):
    found = [f for f in result.findings if (f.year, f.scope, f.table, f.row, f.column)
             == (year, scope, table, row, column)]
    assert len(found) == 1, f"{scope} › {table} › {row} › {column} is not a hidden cell"
    return found[0]


# --------------------------------------------------------------------------- (a) today's leaks


def test_attacker_recovers_status_houder_from_totaal_minus_uitstroom_2025():
    """Issue 13: Duiven 2025 publishes its 2.3 totaal in full and its uitstroom row in full,
    hides its indirect row: totaal − uitstroom gives Status houder = 4 exactly."""
    r = attack(TODAY / "publiek" / "2025", TODAY / "intern" / "2025")
    leak = cell(r, 2025, "Duiven", "bijlage_2_3_indirect", "Duiven", "Status houder")
    assert (leak.lower, leak.upper, leak.true) == (4, 4, 4)
    assert leak in r.narrow() and leak in r.exact()
    assert r.unsound() == []


def test_attacker_recovers_the_nug_row_example_2019():
    """Issue 13, on the demo export 2019 (same figures as the 2019 publication): 2.4
    publishes Westervoort's niet-uitkeringsgerechtigden row in full (0/0/10/10) while 2.5
    hides it; 2.5's own columns then give Westervoort › Geen Trede › Overig = 1, and with
    Zevenaar's (2) the hidden service cell RSD Geen trede › Overig = 3. Zevenaar's uitstroom
    row gives Status houder = 4 from 2.3 totaal − indirect."""
    pub = TODAY / "publiek" / "2019"
    reden = publish.read_csv_table(pub / "Westervoort" / "tables" / "bijlage_2_4_instroom_reden.csv")
    groep = publish.read_csv_table(pub / "Westervoort" / "tables" / "bijlage_2_5_instroom_groep.csv")
    assert list(reden.loc["Instroom Niet-Uitkeringsgerechtigden"].iloc[:4]) == [0, 0, 10, 10]
    assert groep.loc["Niet-Uitkeringsgerechtigden"].iloc[2:4].isna().all()

    r = attack(pub, TODAY / "intern" / "2019")
    expected = [("Westervoort", "bijlage_2_5_instroom_groep", "Geen Trede", "Overig", 1),
                ("Zevenaar", "bijlage_2_5_instroom_groep", "Geen Trede", "Overig", 2),
                ("RSD", "bijlage_2_5_instroom_groep", "RSD Geen trede", "Overig", 3),
                ("Zevenaar", "bijlage_2_3_uitstroom", "Zevenaar", "Status houder", 4)]
    for scope, table, row, column, value in expected:
        leak = cell(r, 2019, scope, table, row, column)
        assert (leak.lower, leak.upper, leak.true) == (value, value, value), str(leak)
    assert r.unsound() == []
    assert r.dropped == []


# --------------------------------------------------------------------------- (c) hand-made tables


def write(folder: Path, scope: str, tid: str, text: str) -> None:
    path = folder / scope / "tables" / f"{tid}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.strip() + "\n", encoding="utf-8")


def two_scopes(tmp_path, public: dict, intern: dict, year: int = 2019) -> tuple[Path, Path]:
    for mode, pages in (("publiek", public), ("intern", intern)):
        for (scope, tid), text in pages.items():
            write(tmp_path / mode / str(year), scope, tid, text)
    return tmp_path / "publiek" / str(year), tmp_path / "intern" / str(year)


INTERN_GENDER = "rij,A,B,RSD,%\nMan,3,10,13,32.50\nVrouw,7,20,27,67.50\nTotaal,10,30,40,100.00\n"


def test_attacker_finds_a_cell_hidden_alone_in_its_row_and_column(tmp_path):
    pub, intern = two_scopes(tmp_path, {("RSD", "bijlage_2_2_geslacht"):
                                        "rij,A,B,RSD,%\nMan,,10,13,32.50\nVrouw,7,20,27,67.50\n"
                                        "Totaal,10,30,40,100.00\n"},
                             {("RSD", "bijlage_2_2_geslacht"): INTERN_GENDER})
    r = attack(pub, intern)
    leak = cell(r, 2019, "RSD", "bijlage_2_2_geslacht", "Man", "A")
    assert (leak.lower, leak.upper, leak.true) == (3, 3, 3)
    assert r.narrow() == [leak]


def test_attacker_does_not_flag_a_square_of_hidden_cells(tmp_path):
    """A 2×2 square hidden with all margins published leaves every cell a range of 10."""
    pub, intern = two_scopes(tmp_path, {("RSD", "bijlage_2_2_geslacht"):
                                        "rij,A,B,RSD,%\nMan,,,13,32.50\nVrouw,,,27,67.50\n"
                                        "Totaal,10,30,40,100.00\n"},
                             {("RSD", "bijlage_2_2_geslacht"): INTERN_GENDER})
    r = attack(pub, intern)
    assert len(r.findings) == 4
    assert r.narrow() == []
    man_a = cell(r, 2019, "RSD", "bijlage_2_2_geslacht", "Man", "A")
    assert (man_a.lower, man_a.upper) == (0, 10)
    assert r.unsound() == []


def test_attacker_reads_a_published_percentage_of_a_hidden_count(tmp_path):
    """A municipality's page hides Man but publishes its percentage: 30,00 % of 10 = 3."""
    pub, intern = two_scopes(tmp_path, {("A", "bijlage_2_2_geslacht"):
                                        "rij,A,%,RSD\nMan,,30.00,13\nVrouw,,,27\nTotaal,10,100.00,40\n"},
                             {("A", "bijlage_2_2_geslacht"):
                              "rij,A,%,RSD\nMan,3,30.00,13\nVrouw,7,70.00,27\nTotaal,10,100.00,40\n"})
    r = attack(pub, intern)
    assert [(f.row, f.lower, f.upper) for f in r.narrow()] == [("Man", 3, 3), ("Vrouw", 7, 7)]


def test_attacker_combines_the_pages_of_service_and_municipality(tmp_path):
    """Each page alone is safe (a square on the service's page; the municipality's page hides
    both of its cells), but A's page publishes RSD's column, which the service hides: the
    pages together give every cell."""
    service = "rij,A,B,RSD,%\nMan,,,,\nVrouw,,,,\nTotaal,10,30,40,100.00\n"
    muni = "rij,A,%,RSD\nMan,,,13\nVrouw,,,27\nTotaal,10,100.00,40\n"
    muni_intern = "rij,A,%,RSD\nMan,3,30.00,13\nVrouw,7,70.00,27\nTotaal,10,100.00,40\n"
    b_page = "rij,B,%,RSD\nMan,10,33.33,13\nVrouw,20,66.67,27\nTotaal,30,100.00,40\n"
    pub, intern = two_scopes(
        tmp_path,
        {("RSD", "bijlage_2_2_geslacht"): service, ("A", "bijlage_2_2_geslacht"): muni,
         ("B", "bijlage_2_2_geslacht"): b_page},
        {("RSD", "bijlage_2_2_geslacht"): INTERN_GENDER, ("A", "bijlage_2_2_geslacht"): muni_intern,
         ("B", "bijlage_2_2_geslacht"): b_page})
    r = attack(pub, intern)
    man_a = cell(r, 2019, "RSD", "bijlage_2_2_geslacht", "Man", "A")
    assert (man_a.lower, man_a.upper) == (3, 3)
    assert len(r.findings) == 8 and r.counts(r.narrow()) == 6     # A, B, RSD × Man, Vrouw


def test_attacker_drops_a_relation_the_intern_run_contradicts(tmp_path):
    """When the intern table's rows do not add up to its Totaal (here a category the table
    does not show), the sum is not used: the hidden cell stays open instead of being 'found'
    at a wrong value (12 - 7 = 5, where the truth is 3)."""
    page = "rij,A,%,RSD\nMan,{man},{pct},13\nVrouw,7,58.33,27\nTotaal,12,100.00,40\n"
    pub, intern = two_scopes(tmp_path, {("A", "bijlage_2_2_geslacht"): page.format(man="", pct="")},
                             {("A", "bijlage_2_2_geslacht"): page.format(man=3, pct="25.00")})
    r = attack(pub, intern)
    assert [rel.name for rel, _ in r.dropped] == ["bijlage_2_2_geslacht A: Σ rijen = Totaal [A]"]
    man = cell(r, 2019, "A", "bijlage_2_2_geslacht", "Man", "A")
    assert (man.lower, man.upper, man.true) == (0, float("inf"), 3)
    assert r.narrow() == [] and r.unsound() == []


UIT = """rij,Migratie achtergrond,Status houder,Overig,Eindtotaal,%
A,10,4,50,64,50.00
KPI: Inkomsten uit arbeid,10,4,50,64,
Eindtotaal,20,8,100,128,100.00
% per achtergrond klant,15.63,6.25,78.13,100.00,
"""
IND = """rij,Migratie achtergrond,Status houder,Overig,Eindtotaal,%
A,5,{s},20,{t},{p}
Eindtotaal,10,5,50,65,100.00
% per achtergrond klant,15.38,7.69,76.92,100.00,
"""
TOT = """rij,Migratie achtergrond,Status houder,Overig,Eindtotaal
Totale uitstroom 2019,15,6,70,91
% op totale uitstroom 2019,16.48,6.59,76.92,100.00
"""


def test_attacker_joins_2_3_totaal_uitstroom_and_indirect(tmp_path):
    """2.3 totaal = uitstroom + indirect on one municipality's page: the hidden indirect
    cells follow exactly, as in the issue."""
    pages = {("A", "bijlage_2_3_uitstroom"): UIT, ("A", "bijlage_2_3_totaal"): TOT}
    pub, intern = two_scopes(
        tmp_path, {**pages, ("A", "bijlage_2_3_indirect"): IND.format(s="", t="", p="")},
        {**pages, ("A", "bijlage_2_3_indirect"): IND.format(s=2, t=27, p="41.54")})
    r = attack(pub, intern)
    assert r.dropped == []
    leak = cell(r, 2019, "A", "bijlage_2_3_indirect", "A", "Status houder")
    assert (leak.lower, leak.upper, leak.true) == (2, 2, 2)


TREDE_2024 = """rij,A,%,RSD
Trede 1 Geen aanbod,90,90.00,300
Trede 3 Schoolgaand,{t3},{p3},10
Overige,{ov},{pov},20
Totaal,100,100.00,330
"""
TREDE_2025 = """rij,A,%,RSD
Trede 1 Geen aanbod,95,86.36,310
Trede 3 Schoolgaand,5,4.55,12
Overige,10,9.09,25
Totaal,110,100.00,347
"""
JAAR_2025 = """rij,31-12-2024,31-12-2025,Verschil,% Verschil
Trede 1 Geen aanbod,90,95,5,5.56
Trede 3 Schoolgaand,{t3},5,3,{p3}
Overige,{ov},10,2,{pov}
Totaal,100,110,10,10.00
"""


def test_attacker_uses_the_previous_year_a_page_repeats(tmp_path):
    """2024 hides A's Trede 3 and Overige (a pair: safe on its own); 2025's year comparison
    hides them too but publishes the difference, and 2025 publishes its own cells: 5 − 3."""
    hidden, shown = dict(t3="", p3="", ov="", pov=""), dict(t3=2, p3="2.00", ov=8, pov="8.00")
    previous = two_scopes(tmp_path, {("A", "bijlage_2_1_trede"): TREDE_2024.format(**hidden)},
                          {("A", "bijlage_2_1_trede"): TREDE_2024.format(**shown)}, 2024)
    alone = attack(*previous)
    assert alone.narrow() == [] and len(alone.findings) == 2
    pub, intern = two_scopes(
        tmp_path, {("A", "bijlage_2_1_trede"): TREDE_2025,
                   ("A", "jaarvergelijking_trede"): JAAR_2025.format(**hidden)},
        {("A", "bijlage_2_1_trede"): TREDE_2025,
         ("A", "jaarvergelijking_trede"): JAAR_2025.format(t3=2, p3="150.00", ov=8,
                                                           pov="25.00")}, 2025)
    r = attack(pub, intern, previous)
    assert r.dropped == []
    leak = cell(r, 2024, "A", "bijlage_2_1_trede", "Trede 3 Schoolgaand", "A")
    assert (leak.lower, leak.upper, leak.true) == (2, 2, 2)
    assert {(f.year, f.table) for f in r.narrow()} == {
        (2024, "bijlage_2_1_trede"), (2025, "jaarvergelijking_trede")}


def test_fast_mode_flags_the_same_cells_exactly():
    """full=False skips the solves of cells whose feasible points already span the
    threshold; the narrow cells and their bounds are the same."""
    pub, intern = TODAY / "publiek" / "2019", TODAY / "intern" / "2019"
    full, fast = attack(pub, intern), attack(pub, intern, full=False)
    assert [str(f) for f in fast.narrow()] == [str(f) for f in full.narrow()]
    assert all(f.exact for f in fast.narrow())
    assert any(not f.exact for f in fast.findings)


# --------------------------------------------------------------------------- (b) the demo pages

LIEMERS = None                                      # the default configuration
ACHTERHOEK = CONFIG_DIR / "achterhoek.toml"


def year_ends_only(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The demo export without the monthly snapshots between 1 January and 31 December: no
    table the attacker reads counts them (only trends, cohorts and the scorecard's 'actief'
    share do), and the export is written and read in a fraction of the time."""
    day = pd.to_datetime(frames["klanten"]["peildatum"])
    keep = ((day.dt.month == 12) & (day.dt.day == 31)) | ((day.dt.month == 1) & (day.dt.day == 1))
    return {**frames, "klanten": frames["klanten"][keep]}


def write_year_ends(folder: Path, config, seed: int) -> None:
    """The demo export of `seed`, written as `rsd demo-data` writes it, without the monthly
    snapshots (year_ends_only)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in year_ends_only(demo_module.generate(config, seed)).items():
        demo_module.as_text(frame, name).to_csv(folder / f"{name}.csv", sep=";", index=False,
                                                encoding="utf-8", lineterminator="\r\n")


def publish_year(export, config, year: int, out: Path) -> None:
    """Every scope's tables of one year, intern and publiek, as the report writes them
    (`OUT/MODE/Y/SCOPE/tables/ID.csv`), computed in-process without notebooks."""
    for mode in ("intern", "publiek"):
        prepared = prepare(export, year, config, mode)
        for scope in config.scopes:
            tables, metas, _ = report.for_scope(prepared, scope, config)
            folder = out / mode / str(year) / scope / "tables"
            folder.mkdir(parents=True, exist_ok=True)
            for tid, table in tables.items():
                publish.write_csv(table, folder / f"{tid}.csv", metas[tid])


@pytest.fixture(scope="session")
def exports(tmp_path_factory, demo, config, achterhoek_dir, achterhoek_config):
    """Each (configuration, seed)'s export: the session's demo exports for seed 2019 (RSD and
    Achterhoek), the other seeds generated once per run and shared by the workers."""
    made = {(None, 2019): (config, demo)}

    def get(config_path, seed):
        if (config_path, seed) not in made:
            if (config_path, seed) == (ACHTERHOEK, 2019):
                made[config_path, seed] = (achterhoek_config,
                                           read_export(achterhoek_dir, achterhoek_config))
            else:
                cfg = config if config_path is None else load_config(config_path)
                name = f"demo_{cfg.short}_seed{seed}_year_ends"
                folder = shared_folder(tmp_path_factory, name,
                                       lambda f: write_year_ends(f, cfg, seed))
                made[config_path, seed] = (cfg, read_export(folder, cfg))
        return made[config_path, seed]
    return get


# (configuration, seed, year): the demo export 2019 and 2025, two more seeds, the second region.
# 2019 is the same for every seed (the demo meets the 2019 publication exactly).
CASES = [(LIEMERS, 2019, 2019), (LIEMERS, 2019, 2025), (LIEMERS, 1, 2025), (LIEMERS, 2, 2025),
         (ACHTERHOEK, 2019, 2025)]


@pytest.mark.slow
@pytest.mark.parametrize("config_path,seed,year", [
    pytest.param(*case,
                 id=f"{'achterhoek' if case[0] else 'liemers'}-seed{case[1]}-{case[2]}")
    for case in CASES])
def test_no_public_cell_can_be_narrowed_below_the_threshold(tmp_path, exports, config_path,
                                                           seed, year):
    cfg, export = exports(config_path, seed)
    publish_year(export, cfg, year, tmp_path)
    previous = None
    if any((tmp_path / "publiek" / str(year)).glob("*/tables/jaarvergelijking_trede.csv")):
        publish_year(export, cfg, year - 1, tmp_path)
        previous = (tmp_path / "publiek" / str(year - 1), tmp_path / "intern" / str(year - 1))
    threshold = cfg.publication.threshold
    r = attack(tmp_path / "publiek" / str(year), tmp_path / "intern" / str(year), previous,
               threshold=threshold, service=cfg.short, full=False)
    assert r.unsound() == []                                     # the attacker's own check
    assert r.findings, "the public version hides nothing: nothing was attacked"
    assert [rel.name for rel, _ in r.dropped if not rel.optional] == []
    assert r.unpublished_totals == []
    narrow = r.narrow()
    assert narrow == [], (f"{len(narrow)} hidden cells ({r.counts(narrow)} counts) narrower "
                          f"than {threshold}:\n" + "\n".join(map(str, narrow[:30])))
