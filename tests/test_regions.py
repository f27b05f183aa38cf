"""Any service: the domain in configuration, another ladder, municipal reorganisations."""

import csv

import nbformat
import pandas as pd
import pytest
from helpers import HEAD, LIEMERS, build, client, edited

from rsdlib import explore, tables
from rsdlib.cli import main
from rsdlib.config import ConfigError, load_config
from rsdlib.demo import write_export
from rsdlib.io import read_export
from rsdlib.paths import CONFIG_DIR, NOTEBOOK_DIR

# RSD de Liemers with Rijnwaarden, which joined Zevenaar on 1-1-2018 (as the default file says)
WITH_RIJNWAARDEN = LIEMERS.replace(
    'municipalities = ["Duiven", "Westervoort", "Zevenaar"]',
    'municipalities = ["Duiven", "Rijnwaarden", "Westervoort", "Zevenaar"]\n'
    '[[reorganisation]]\ndate = 2018-01-01\nended = ["Rijnwaarden"]\nto = ["Zevenaar"]', 1)
LADDER = CONFIG_DIR / "landelijke-ladder.toml"
WSD = CONFIG_DIR / "wsd.toml"



@pytest.mark.parametrize("old,new,expected", [
    ('steps = ["1", "2a", "6z"]', 'steps = ["1", "2a", "7"]', "unit[1].steps: onbekende trede 7"),
    ('steps = ["1", "2a", "6z"]', 'steps = ["1", "2a", "2b"]',
     "unit[2].steps: trede 2b hoort al bij een andere unit"),
    ('["18-27", 18, 27], ["28-35", 28, 35]', '["18-27", 18, 27], ["28-35", 29, 35]',
     "bands.age: band '28-35' begint bij 29, verwacht 28"),
    ('["28-35", 28, 35]', '["28-35", 28]', "bands.age[3]: verwacht [label, van, tot en met]"),
    ('STUDIE = { label = "KPI: Aanv.studie met studiefinanciering", class = "plaatsing" }',
     'STUDIE = { label = "KPI: Aanv.studie met studiefinanciering", class = "werk" }',
     "outflow_reasons.STUDIE.class"),
    ('order = ["1", "2a", "2b", "3", "4", "5", "6n", "6z", "6g"]',
     'order = ["1", "2a", "2b", "3", "4", "5", "6n", "6z"]', "ladder.order: moet precies de treden"),
    ('code = "2a"', 'code = "2A"',
     "ladder.step[2].code: verwacht een trede-code in kleine letters"),
    ('no_step = []', 'no_step = ["1"]', "ladder.no_step: 1: een code is een trede of geen trede"),
    ('code = "ZO"', 'code = "NUG"', "unit[1].code: code 'NUG' is al in gebruik"),
    ('VERHUIZING = {', 'verhuizing = {',
     "outflow_reasons.verhuizing: verwacht een code in hoofdletters"),
    ('from = ["2b", "3", "4"]', 'from = ["2b", "3", "4x"]',
     "kpi_period[3].kpis[3].from: onbekende trede 4x"),
    (', from = ["2b", "3", "4"], to = ["5", "6n", "6z", "6g"]', '',
     "kpi_period[3].kpis[3].from: KPI werkfit heeft from en to"),
    ('[inhabitants.2023]', '[groups]\nNoord = ["Duiven", "Arnhem"]\n\n[inhabitants.2023]',
     "groups.Noord: Arnhem is geen geconfigureerde gemeente"),
    ("date = 2018-01-01", "date = 2018-03-01",
     "reorganisation: [[reorganisation]] 1: date 2018-03-01 is geen 1 januari"),
    ('ended = ["Rijnwaarden"]', 'ended = ["Rijnwaarde"]',
     "reorganisation: [[reorganisation]] 1: 'Rijnwaarde' staat niet in [service]"),
    ("Zevenaar = 45042", "Zevenaar = 45042\nRijnwaarden = 11000",
     "inhabitants.2023.Rijnwaarden: Rijnwaarden bestaat niet in 2023"),
])
def test_domain_and_reorganisation_errors_name_file_key_and_reason(tmp_path, old, new, expected):
    """`expected` is the key and the reason: FILE: KEY: REASON."""
    path = edited(tmp_path, old, new, WITH_RIJNWAARDEN)
    with pytest.raises(ConfigError, match=r"service\.toml: ") as err:
        load_config(path)
    assert f"service.toml: {expected}" in str(err.value)


def test_a_problem_in_a_section_taken_from_the_default_file_says_so(tmp_path):
    """A ladder of its own and the units left out: the default file's units name steps this
    ladder does not have; the message says where those units came from."""
    text = LADDER.read_text(encoding="utf-8")
    units = text[text.index("[[unit]]"):text.index("[[kpi_period]]")]
    path = tmp_path / "dienst.toml"
    path.write_text(text.replace(units, ""), encoding="utf-8")
    lines = str(pytest.raises(ConfigError, load_config, path).value).splitlines()
    assert f"{path}: unit[1].steps: onbekende trede 2a, 6z (de ladder kent 1, 2, 3, 4, 5, 6) " \
           "(sectie unit uit liemers.toml)" in lines
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_a_configuration_without_domain_sections_takes_the_default_file(tmp_path, config):
    path = tmp_path / "klein.toml"
    path.write_text('[service]\nname = "Klein"\nshort = "K"\nmunicipalities = ["A", "B"]\n',
                    encoding="utf-8")
    small = load_config(path)
    assert small.domain == config.domain and small.municipalities == ("A", "B")


# --------------------------------------------------------------------------- another ladder


@pytest.fixture(scope="module")
def ladder_export(tmp_path_factory):
    cfg = load_config(LADDER)
    folder = tmp_path_factory.mktemp("ladder")
    write_export(cfg, folder)
    return cfg, folder, read_export(folder, cfg)


def test_another_ladder_runs_by_configuration_alone(ladder_export):
    cfg, folder, export = ladder_export
    assert export.report.refusals == []
    with (folder / "klanten.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter=";") if r["peildatum"] == "31-12-2019"]
    full = tables.all_tables(export, 2019, cfg.short, cfg)
    trede = full["bijlage_2_1_trede"]
    assert list(trede.index) == [
        "Trede 1 Geïsoleerd", "Trede 2 Sociale contacten buiten de deur",
        "Trede 3 Deelname georganiseerde activiteiten", "Trede 4 Onbetaald werk",
        "Trede 5 Betaald werk met ondersteuning", "Trede 6 Betaald werk", "Niet ingedeeld",
        "Totaal"]
    by_step = pd.Series([r["trede"] for r in rows]).value_counts()
    assert set(by_step.index) <= {"1", "2", "3", "4", "5", "6", ""}
    assert trede.loc["Trede 6 Betaald werk", cfg.short] == by_step.get("6", 0) > 0
    assert trede.loc["Totaal", cfg.short] == len(rows)
    assert list(full["bijlage_1_treden"]["Omschrijving"])[0] == "Geïsoleerd"
    units = full["bijlage_2_5_instroom_groep"]
    assert {"VDL Participatie", "VDL Werk"} <= set(units.index)
    for scope in cfg.municipalities:           # a municipality is a projection, as for RSD
        own = tables.all_tables(export, 2019, scope, cfg)
        for tid, table in own.items():
            pd.testing.assert_frame_equal(table, tables.project(tid, full, scope, cfg, 2019),
                                          check_names=False)


def test_exploration_shows_another_services_own_labels(ladder_export):
    """explore.show with the service's configuration (as verkennen.ipynb passes it): the
    steps of its own ladder, not those of the default one."""
    cfg, _, export = ladder_export
    counts = explore.crosstab(export, pd.Timestamp(2019, 12, 31), "trede", config=cfg)
    shown = explore.show(counts, config=cfg).to_html()
    assert "Trede 1 Geïsoleerd" in shown and "Trede 6 Betaald werk" in shown
    assert "Geen aanbod" not in shown
    assert "Trede 1 Geen aanbod" in explore.show(counts).to_html()   # the default ladder's
    notebook = nbformat.read(NOTEBOOK_DIR / "verkennen.ipynb", as_version=4)
    calls = [c.source for c in notebook.cells if "explore.show(" in c.source]
    assert len(calls) == 4 and all(c.rstrip().endswith(", config=cfg)") for c in calls)


def test_exploration_names_the_kpis_on_the_services_own_ladder(ladder_export, config):
    """The KPIs over the years, shown with the service's configuration: the active-programme
    KPI names the steps of its own ladder (2 t/m 5), not those of RSD de Liemers (2a t/m 5)."""
    cfg, _, export = ladder_export
    shown = explore.show(explore.kpi_over_years(export, cfg, [2019]), config=cfg).to_html()
    assert "Actief traject trede 2 t/m 5 (%)" in shown and "2a" not in shown
    assert "Stap voorwaarts op de trede" in shown and "stap_voorwaarts" not in shown
    assert explore.kpi_names(config)["actief"] == "Actief traject trede 2a t/m 5 (%)"


def test_a_no_step_code_is_read_as_no_step(tmp_path):
    cfg = load_config(LADDER)
    export = build(tmp_path, cfg, [client("S", peil="31-12-2018", trede="1"), client("A", trede="0"),
                                   client("B", trede="6"), client("C", trede="")], start=False)
    trede = tables.bijlage_2_1_trede(export, 2019, cfg.short, cfg)
    assert trede.loc["Niet ingedeeld", "Duiven"] == 2
    assert trede.loc["Trede 6 Betaald werk", "Duiven"] == 1


# --------------------------------------------------------------------------- reorganisations


@pytest.fixture
def rijnwaarden(tmp_path):
    path = tmp_path / "liemers-rijnwaarden.toml"
    path.write_text(WITH_RIJNWAARDEN, encoding="utf-8")
    return load_config(path)


def test_rijnwaarden_is_counted_where_its_clients_went(tmp_path, rijnwaarden):
    config = rijnwaarden
    export = build(tmp_path / "export", config, [
        client("R1", muni="Rijnwaarden", peil="31-12-2017", dossier="DR1"),
        client("R2", muni="Rijnwaarden", peil="31-12-2017", dossier="DR2"),   # left in 2018
        client("Z1", muni="Zevenaar", peil="31-12-2017", dossier="DZ1"),
        client("R1", muni="Zevenaar", peil="31-12-2018", dossier="DR1"),
        client("Z1", muni="Zevenaar", peil="31-12-2018", dossier="DZ1"),
    ])
    assert config.for_year(2017).municipalities == ("Duiven", "Rijnwaarden", "Westervoort",
                                                    "Zevenaar")
    dossiers = tables.bijlage_2_6_dossiers(export, 2018, "RSD", config)
    assert list(dossiers.index) == ["Duiven", "Westervoort", "Zevenaar", "RSD de Liemers"]
    assert dossiers.loc["Zevenaar"].tolist()[:2] == [3, 2]     # a merger: R2 too
    trede = tables.bijlage_2_1_trede(export, 2018, "RSD", config)
    assert "Rijnwaarden" not in trede.columns and trede.loc["Totaal", "RSD"] == 3


def test_a_row_of_an_ended_municipality_after_its_end_is_refused(tmp_path, rijnwaarden):
    config = rijnwaarden
    lines = [HEAD, client("S0", peil="31-12-2018"), client("R1", muni="Rijnwaarden")]
    files = {"klanten": lines, "instroom": [
        "klantnummer;gemeente;instroomdatum;regeling;reden;trede;migratieachtergrond;"
        "statushouder;doelgroepregister"], "uitstroom": [
        "klantnummer;gemeente;uitstroomdatum;reden;migratieachtergrond;statushouder;"
        "doelgroepregister;loonkostensubsidie"]}
    for name, text in files.items():
        (tmp_path / f"{name}.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    refusals = read_export(tmp_path, config).report.refusals
    assert [(r.file, r.line, r.column) for r in refusals] == [("klanten.csv", 3, "gemeente")]
    assert "Rijnwaarden per 01-01-2018 opgegaan in Zevenaar" in refusals[0].reason


def test_the_split_of_haaren(tmp_path):
    wsd = load_config(WSD)
    export = build(tmp_path, wsd, [
        client(c, muni="Haaren", peil=p, dossier=f"D{c}")
        for c in ("H1", "H2", "H3") for p in ("31-12-2019", "31-12-2020")] + [
        client("H1", muni="Boxtel", peil="31-12-2021", dossier="DH1"),
        client("H2", muni="Vught", peil="31-12-2021", dossier="DH2"),     # H3 went to Tilburg
        client("B1", muni="Boxtel", peil="31-12-2020", dossier="DB1"),
        client("B1", muni="Boxtel", peil="31-12-2021", dossier="DB1"),
    ], start=False)
    before = tables.bijlage_2_6_dossiers(export, 2020, "WSD", wsd)
    assert before.loc["Haaren"].tolist()[:2] == [3, 3] and before.loc["WSD"].iloc[1] == 4
    after = tables.bijlage_2_6_dossiers(export, 2021, "WSD", wsd)
    assert "Haaren" not in after.index
    assert after.loc["Boxtel"].tolist()[:2] == [2, 2]
    assert after.loc["Vught"].tolist()[:2] == [1, 1]
    assert after.loc["WSD"].tolist()[:2] == [3, 3]        # H3 left the service with Tilburg
    assert "Haaren" in tables.bijlage_2_1_trede(export, 2020, "WSD", wsd).columns
    assert "Haaren" not in wsd.for_year(2021).scopes and "Haaren" in wsd.for_year(2020).scopes
    groups = tables.by_group(tables.all_tables(export, 2021, "WSD", wsd), wsd.for_year(2021),
                             2021)
    assert groups.loc["Hét Participatiebedrijf", "Gemeenten"] == "Meierijstad"
    assert groups["Klanten 31-12-2021"].sum() == 3


# --------------------------------------------------------------------------- another system

MAPPED = CONFIG_DIR / "voorbeeld-ander-systeem.toml"


@pytest.fixture(scope="module")
def mapped_twin(tmp_path_factory, demo_dir):
    """Twins: the demo export's records of 2019 (snapshots 31-12-2018 and 31-12-2019, the
    flows of every year) in the export format, and the same in the example system's shape
    (the mapping reversed)."""
    from rsdlib.io.mapping import unmap

    cfg = load_config(MAPPED)
    m = cfg.import_mapping
    native, other = tmp_path_factory.mktemp("native"), tmp_path_factory.mktemp("ander-systeem")
    for path in demo_dir.glob("*.csv"):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        if path.stem == "klanten":
            frame = frame[frame["peildatum"].isin(["31-12-2018", "31-12-2019"])]
        frame.to_csv(native / path.name, sep=";", index=False)
        unmap(path.stem, frame, m).to_csv(other / f"{m.source_file(path.stem)}.csv", sep=";",
                                          index=False)
    return cfg, native, other


def test_an_export_in_another_shape_gives_the_tables_of_its_native_twin(mapped_twin, config):
    cfg, native, other = mapped_twin
    header = (other / "Beëindigingen.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert header[0].startswith("Cliëntnummer;Woongemeente;Datum beëindiging;Reden beëindiging")
    assert header[1].split(";")[2][4] == "-"                                   # ISO dates
    mapped, twin = read_export(other, cfg), read_export(native, config)
    assert mapped.report.refusals == [] == twin.report.refusals
    assert mapped.report.files["uitstroom"].source == "Beëindigingen.csv"
    ours, theirs = (tables.all_tables(mapped, 2019, "RSD", cfg),
                    tables.all_tables(twin, 2019, "RSD", config))
    for tid in tables.TABLES:
        pd.testing.assert_frame_equal(ours[tid], theirs[tid], obj=tid)
    assert ours["bijlage_2_1_trede"].loc["Totaal", "RSD"] == 2095     # the 2019 figure
    for name, frame in twin.frames.items():
        pd.testing.assert_frame_equal(mapped[name], frame, check_exact=True, obj=name)


def test_refusals_in_another_shape_name_the_users_file_line_and_column(tmp_path, mapped_twin):
    cfg, _, folder = mapped_twin
    for path in folder.glob("*.csv"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    path = tmp_path / "Beëindigingen.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    cells = lines[4].split(";")
    cells[3], cells[2] = "Ontslag", "2019-02-31"
    lines[4] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refusals = read_export(tmp_path, cfg).report.refusals
    assert [str(r) for r in refusals] == [
        "Beëindigingen.csv:5: Datum beëindiging: ongeldige datum '2019-02-31' "
        "(verwacht jjjj-mm-dd)",
        "Beëindigingen.csv:5: Reden beëindiging: onbekende code 'Ontslag' (verwacht STUDIE, "
        "ARBEID, PARTTIME, SCHOLING_NUG, WERK_NUG, ZELFSTANDIG, VERHUIZING, PARTNER, PENSIOEN, "
        "ANDERE_UITKERING, DETENTIE, OVERLIJDEN, OVERIG)"]


def test_a_mapped_folder_with_two_workbooks_is_refused_as_the_native_one(tmp_path, capsys,
                                                                         mapped_twin):
    from openpyxl import Workbook

    cfg, _, other = mapped_twin
    klanten = cfg.import_mapping.source_file("klanten")
    for path in other.glob("*.csv"):
        if path.stem != klanten:
            (tmp_path / path.name).write_bytes(path.read_bytes())
    rows = list(csv.reader((other / f"{klanten}.csv").open(encoding="utf-8"), delimiter=";"))
    for name in ("a.xlsx", "b.xlsx"):          # the clients sheet in an old and a new workbook
        wb = Workbook()
        wb.active.title = klanten
        for row in rows:
            wb.active.append(row)
        wb.save(tmp_path / name)
    assert main(["--config", str(MAPPED), "validate", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"onbruikbare export: {tmp_path}: meer dan één Excel-werkmap (a.xlsx, "
                   "b.xlsx); lever er één aan met een werkblad per bestand"], err


def test_a_mapping_onto_codes_the_service_does_not_know_is_a_configuration_error(tmp_path):
    text = MAPPED.read_text(encoding="utf-8").replace('"Werk in loondienst" = "ARBEID"',
                                                      '"Werk in loondienst" = "WERK"')
    path = tmp_path / "koppeling.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"mapping\.values\.uitstroom\.reden\.Werk in "
                                          r"loondienst: onbekende code 'WERK'"):
        load_config(path)


def test_config_check_prints_what_a_configuration_defines(capsys, tmp_path):
    from rsdlib.cli import main

    assert main(["config", "check", str(WSD)]) == 0
    out = capsys.readouterr().out
    assert "Haaren (tot en met 31-12-2020)" in out
    assert "Haaren per 01-01-2021 opgeheven en verdeeld over Boxtel, Oisterwijk, Vught en " \
           "Tilburg" in out
    assert "Cafetariamodel: Vught" in out and "voorbeeldwaarden" in out
    bad = edited(tmp_path, 'steps = ["1", "2a", "6z"]', 'steps = ["1", "2a", "7"]')
    assert main(["config", "check", str(bad)]) == 2
    assert "onbekende trede 7" in capsys.readouterr().err
