"""Assignment periods: the figures of 001 and 000 from configuration, the period's scorecard
and prognosis on the demo export (which ends 31-12-2025), and the finance tied to its period.

Expected values are the sources' own printed figures (001: Opbrengsten, Prognose
bestandsontwikkeling, Kosten per gemeente, Terugblik 2021-2023; 000: Verwachte resultaten).
"""

import re
import shutil

import pandas as pd
import pytest
from summary_check import assert_summary_states_published_cells, summary_sentences

from rsdlib import finance, kpi, periods, publish, report, tables, trends
from rsdlib.config import ConfigError, load_config
from rsdlib.paths import CONFIG_DIR


def as_csv(table: pd.DataFrame, tmp_path, tid: str) -> pd.DataFrame:
    """The table as the appendix publishes it, read back from its CSV."""
    path = tmp_path / f"{tid}.csv"
    publish.write_csv(table, path, publish.TableMeta(tid, tid))
    return publish.read_csv_table(path)


@pytest.fixture(scope="module")
def p2426(config):
    return periods.find(config, "2024-2026")


def test_periods_are_found_by_key_or_name(config):
    assert periods.find(config, "Bestuurlijke opdracht 2024-2026").label == "2024-2026"
    assert periods.find(config, " bestuurlijke  opdracht 2021-2023 ").all_years == [2021, 2022,
                                                                                   2023]
    assert periods.period_for(config, 2019).name == "Businesscase 2018-2020"
    assert periods.period_for(config, 2017) is None
    with pytest.raises(ConfigError, match="onbekende periode '2030'.*2024-2026"):
        periods.find(config, "2030")


def test_finance_of_2024_2026_reproduces_001_in_csv(tmp_path, config, demo, p2426):
    money = finance.finance_tables(config, demo, period=p2426)
    forecast = as_csv(money["besparing"], tmp_path, "besparing")
    assert forecast.loc["Totaal", ["2024 (€)", "2025 (€)", "2026 (€)", "Totaal (€)"]].tolist() == [
        337_500, 877_500, 1_417_500, 2_632_500]
    total = as_csv(money["besparing_totaal"], tmp_path, "besparing_totaal")["Bedrag (€)"]
    assert total.tolist() == [2_632_500, 1_050_000, 1_215_000, 4_897_500]
    assert "(50 x € 7.000 x 3 jaar)" in total.index[1]
    assert "(135 x € 3.000 x 3 jaar)" in total.index[2]
    split = as_csv(money["kostenverdeling"], tmp_path, "kostenverdeling")
    assert split["Bijdrage vastgesteld (€)"].tolist() == [393_865, 275_803, 730_333, 1_400_000]
    assert split["Dossiers vastgesteld"].tolist() == [385, 309, 734, 1428]
    assert split["% totaal vastgesteld"].tolist() == [28.13, 19.70, 52.17, 100.00]
    # recomputed on the export's dossiers at 1-1-2023 (its 31-12-2022 snapshot): exact total
    counts = tables.dossier_counts(demo).loc[pd.Timestamp(2022, 12, 31)]
    assert split["Dossiers export"].iloc[:3].tolist() == [counts[m] for m in config.municipalities]
    assert split.loc["Totaal", "Bijdrage herberekend (€)"] == 1_400_000
    assert split["Bijdrage herberekend (€)"].iloc[:3].sum() == 1_400_000


def test_realised_savings_use_the_same_model_as_the_forecast(config, demo, p2426):
    real = finance.finance_tables(config, demo, period=p2426)["besparing_realisatie"]
    assert list(real.index) == ["2024", "2025", "Totaal"]        # 2026 is not in the export
    placed = {y: len(kpi.placed(demo["uitstroom"], y)) for y in (2024, 2025)}
    extra = {y: placed[y] - 200 for y in placed}
    assert real["Plaatsingen"].iloc[:2].tolist() == [placed[2024], placed[2025]]
    # 001: extra x 18.000 x 0,5 x 0,75 in the first year, x 0,8 x 0,75 in each later year
    assert real.loc["2024", "Besparing (€)"] == extra[2024] * 18_000 * 0.5 * 0.75
    assert real.loc["2025", "Besparing (€)"] == (extra[2024] * 18_000 * 0.8 * 0.75
                                                 + extra[2025] * 18_000 * 0.5 * 0.75)
    assert real["Besparing opdracht (€)"].iloc[:2].tolist() == [337_500, 877_500]


def test_previous_period_2021_2023_is_reproduced_from_configuration(tmp_path, config, demo):
    p = periods.find(config, "2021-2023")
    table = as_csv(finance.finance_tables(config, demo, period=p)["besparing"], tmp_path, "b")
    assert table.loc["Totaal", ["2021 (€)", "2022 (€)", "2023 (€)", "Totaal (€)"]].tolist() == [
        708_750, 2_166_075, 3_560_085, 6_434_910]
    assert table.loc["Plaatsingen 2021", "2022 (€)"] == 1_261_575      # 105 x 18.000 x 0,89 x 0,75
    assert p.baseline() == {2021: 100, 2022: 200, 2023: 200}
    # the realisation on the export counts 2021 from 1 July, against the half-year baseline
    real = finance.finance_tables(config, demo, period=p)["besparing_realisatie"]
    out = demo["uitstroom"]
    second_half = kpi.placed(out[out["uitstroomdatum"] >= pd.Timestamp(2021, 7, 1)], 2021)
    assert real.loc["2021", "Plaatsingen"] == len(second_half) < len(kpi.placed(out, 2021))
    assert real.loc["2022", "Plaatsingen"] == len(kpi.placed(out, 2022))
    assert real.loc["2021", "Extra plaatsingen"] == max(0, len(second_half) - 100)


def test_business_case_2018_2020_reproduces_000(tmp_path, config, demo):
    p = periods.find(config, "2018-2020")
    table = as_csv(finance.finance_tables(config, demo, period=p)["besparing"], tmp_path, "b")
    years = ["2018 (€)", "2019 (€)", "2020 (€)"]
    assert table.loc["Social Return on Investment (MKBA)", years].tolist() == [
        69_794, 144_811, 131_534]
    assert table.loc["Totale besparing", years].tolist() == [339_294, 1_668_361, 1_859_484]
    assert table.loc["Totale extra investering", years].tolist() == [697_941, 1_448_114,
                                                                     1_315_344]
    assert table.loc["Budgetresultaat", years].tolist() == [-358_647, 220_247, 544_141]


def test_business_case_cohorts_keep_85_and_70_percent_at_work():
    got = finance.businesscase_savings({2018: 10, 2019: 20, 2020: 0}, 7_000, [1.0, 0.85, 0.70])
    assert got == {2018: 70_000, 2019: 10 * 5_950 + 140_000,
                   2020: pytest.approx(10 * 4_900 + 20 * 5_950)}


def _config_with(tmp_path, replace: str, by: str):
    text = (CONFIG_DIR / "liemers.toml").read_text(encoding="utf-8")
    assert replace in text
    path = tmp_path / "c.toml"
    path.write_text(text.replace(replace, by, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("replace,by,message", [
    ("baseline = 200                   # placements per year before the assignments\n", "",
     r"kpi_period\[3\]\.finance\.baseline: ontbreekt"),
    ("baseline = { 2021 = 100, 2022 = 200, 2023 = 200 }", "baseline = { 2022 = 200 }",
     r"kpi_period\[2\]\.finance\.baseline: verwacht elk jaar 2021-2023"),
    ('model = "uitstroom"', 'model = "magie"', r"finance\.model: verwacht een van 'uitstroom'"),
    ("durable_share = 0.89\n", "", r"kpi_period\[2\]\.finance\.durable_share: ontbreekt"),
    ("Zevenaar = 730333 }", "Arnhem = 730333 }", r"cost_split\.adopted: verwacht precies"),
    ('counts_from = "2021-07-01"', 'counts_from = "2022-07-01"',
     r"finance\.counts_from: verwacht een datum in het eerste jaar \(2021\)"),
    ("years = [2024, 2026]", "years = [2023, 2026]", r"kpi_period\[3\]\.years: overlapt"),
    ('{ id = "werkfit", label', '{ id = "geluk", label', r"kpis\[3\]\.id: verwacht een van"),
    ('reference_date = "2023-01-01"', 'reference_date = "1-1-2023"',
     r"cost_split\.reference_date: verwacht een datum JJJJ-MM-DD"),
    ("{ year = 2019, id = \"volledig_zicht\"", "{ year = 2024, id = \"volledig_zicht\"",
     r"kpi_period\[1\]\.entered\[1\]\.year: verwacht een jaar van de periode"),
])
def test_a_broken_period_is_a_configuration_error(tmp_path, replace, by, message):
    with pytest.raises(ConfigError, match=message):
        load_config(_config_with(tmp_path, replace, by))


def test_finance_outside_a_period_is_refused(tmp_path):
    path = _config_with(tmp_path, "[publication]", "[finance]\nbaseline = 0\n\n[publication]")
    with pytest.raises(ConfigError, match=r"finance: hoort bij een opdrachtperiode"):
        load_config(path)


def test_a_years_appendix_shows_only_its_own_periods_finance(config, demo):
    f2019 = finance.finance_tables(config, demo, 2019)
    assert set(f2019) == {"besparing", "besparing_realisatie", "buig"}
    assert "Budgetresultaat" in f2019["besparing"].index                  # 000, not 001
    labels = " ".join(str(v) for t in f2019.values() for v in [*t.index, *t.columns])
    assert "2024" not in labels and "2025" not in labels
    values = {float(v) for t in f2019.values() for v in t.to_numpy().flat}
    assert not values & {1_400_000, 2_632_500, 337_500, 393_865}
    assert f2019["buig"].index.tolist() == ["Zevenaar 2018", "Zevenaar 2019", "Zevenaar 2020"]
    assert finance.finance_tables(config, demo, 2017) == {}
    assert "kostenverdeling" in finance.finance_tables(config, demo, 2025)


def test_buig_has_the_schadelast_of_002_and_the_ceiling_of_001(config):
    table = finance.buig([b.model_dump() for b in config.buig], 10)
    assert table.loc["Zevenaar 2019", "Schadelast BC (€)"] == 311_156
    assert table.loc["Zevenaar 2020", "Schadelast BC (€)"] == 643_117
    assert pd.isna(table.loc["Zevenaar 2018", "Schadelast BC (€)"])
    assert table.loc["Zevenaar 2019", "Maximaal eigen risico 10% (€)"] == pytest.approx(1_078_137.7)
    # 2019: a deficit of 1.345.568 against a ceiling of 1.078.137,70
    assert table.loc["Zevenaar 2019", "Tekort boven eigen risico (€)"] == pytest.approx(267_430.3)
    assert table.loc["Zevenaar 2020", "Tekort boven eigen risico (€)"] == 0


def test_prognosis_of_001_against_the_dossiers_in_csv(tmp_path, config, demo, p2426):
    counts = tables.dossier_counts(demo)
    table = as_csv(trends.period_prognosis(counts, config, 2024, 2026, demo.export_date),
                   tmp_path, "periode_prognose")
    assert table["Prognose"].tolist() == [1425, 1458, 1503, 1530, 1567]
    assert table["% t.o.v. jaar ervoor"].iloc[1:].tolist() == [2.3, 3.1, 1.8, 2.4]
    for y in (2024, 2025):
        actual = counts.loc[pd.Timestamp(y, 12, 31), tables.ALL_MUNICIPALITIES]
        assert table.loc[y, "Dossiers 31-12"] == actual
        assert table.loc[y, "Status"] == (trends.OP_OF_ONDER if actual <= table.loc[y, "Prognose"]
                                          else trends.BOVEN)
    assert table.loc[2026, "Status"] == "geen gegevens"
    monthly = trends.period_dossiers(counts, config, 2024, 2026)
    assert monthly.loc["2025-12", "Prognose"] == pytest.approx(1425 * 1.023 * 1.031 * 1.018)
    assert monthly["Prognose"].notna().sum() == 4                 # 2022 to 2025 year ends


def test_a_period_on_an_export_ending_31_12_2025_is_provisional(config, demo, p2426):
    assert demo.export_date == pd.Timestamp(2025, 12, 31)
    card = kpi.periode_kpi(demo, p2426, config)
    assert card.attrs["voorlopig"] is True
    assert (card["Status 2026"] == kpi.GEEN_GEGEVENS).all() and card["2026"].isna().all()
    assert card["Status periode"].str.startswith("voorlopig ").all()
    # placements add up over the years; the 6-month window of 2025 has not passed
    year = {y: kpi.kpi_scorecard(demo, y, config) for y in (2024, 2025)}
    assert card.loc["plaatsingen", "Periode"] == sum(
        year[y].loc["plaatsingen", "Realisatie"] for y in year)
    assert card.loc["plaatsingen", "Doel periode"] == 750
    assert card.loc["duurzaam", "Status 2025"] == kpi.GEEN_GEGEVENS
    assert card.loc["duurzaam", "Periode"] == pytest.approx(
        year[2024].loc["duurzaam", "Realisatie"])
    for y in (2024, 2025):
        assert card[str(y)].to_dict() == pytest.approx(year[y]["Realisatie"].to_dict(),
                                                      nan_ok=True)


def test_a_closed_period_is_not_provisional(tmp_path, demo):
    cfg = load_config(_config_with(tmp_path, "years = [2021, 2023]\n", (
        "years = [2021, 2023]\nkpis = [{ id = \"plaatsingen\", label = \"Plaatsingen\", "
        "target = 250 }, { id = \"duurzaam\", label = \"Duurzaam\", target = 80, unit = \"%\", "
        "months = 6 }]\n")))
    card = kpi.periode_kpi(demo, periods.find(cfg, "2021-2023"), cfg)
    assert card.attrs["voorlopig"] is False
    assert not card["Status periode"].str.startswith("voorlopig").any()
    placed = [kpi.placements(demo["uitstroom"], y) for y in (2021, 2022, 2023)]
    assert card.loc["plaatsingen", "Periode"] == sum(placed)
    durable = [kpi.durable_counts(demo["uitstroom"], demo["instroom"], y, 6, demo.export_date)
               for y in (2021, 2022, 2023)]
    assert card.loc["duurzaam", "Periode"] == pytest.approx(
        100 * sum(d for d, _ in durable) / sum(n for _, n in durable))


def test_municipal_scorecards_add_up_to_the_service_for_counts(config, demo):
    cards = kpi.municipal_scorecards(demo, 2025, config)
    service = kpi.kpi_scorecard(demo, 2025, config)
    assert set(cards) == set(config.municipalities)
    counts = [k for k in service.index if k not in service.attrs["pct_rows"]]
    assert counts == ["plaatsingen", "plaatsingen_doelgroep", "werkfit"]
    for k in counts:
        assert sum(cards[m].loc[k, m] for m in cards) == service.loc[k, "Realisatie"]
    duiven = cards["Duiven"]
    assert duiven.columns.tolist() == ["KPI", "Eenheid", "Doel RSD", "Duiven", "RSD",
                                       "Status RSD"]
    direct = kpi.kpi_scorecard(demo, 2025, config, scope="Duiven")["Realisatie"]
    assert duiven["Duiven"].to_dict() == pytest.approx(direct.to_dict(), nan_ok=True)


def test_results_entered_by_hand_are_shown_as_such(config, demo):
    card = kpi.kpi_scorecard(demo, 2019, config)
    entered = card[card["Bron"] == kpi.OPGEGEVEN]
    assert entered.index.tolist() == ["volledig_zicht", "binnen_begroting", "klanttevredenheid"]
    assert entered.loc["klanttevredenheid", ["Doel", "Realisatie"]].tolist() == [8, 7.5]
    assert entered.loc["klanttevredenheid", "Status"] == kpi.NIET_BEHAALD
    assert (card.loc[card["Bron"] != kpi.OPGEGEVEN, "Bron"] == kpi.BEREKEND).all()
    assert "klanttevredenheid" not in kpi.municipal_scorecards(demo, 2019, config)["Duiven"].index


def test_period_appendix_in_process(tmp_path, demo_dir, config):
    r = report.build(demo_dir, scope="Zevenaar", out=tmp_path / "Z", period="2024-2026")
    assert r.label == "2024-2026" and r.whole_period
    assert set(r.tables) == {"periode_kpi", "periode_prognose", "trend_dossiers",
                             "kostenverdeling"}
    card = r.tables["periode_kpi"]
    assert "Status periode RSD" in card and not any(c == "Status periode" for c in card)
    assert r.tables["kostenverdeling"].index.tolist() == ["Zevenaar", "Totaal"]
    assert "geen eigen doel" in r.metas["periode_kpi"].note
    pub = report.build(demo_dir, scope="Zevenaar", out=tmp_path / "P", period="2024-2026",
                       mode="publiek")
    # public: no monthly figures, and no municipal scorecard (its counts add up to the
    # service's with the other municipalities': a small one would follow from theirs)
    assert set(pub.tables) == {"periode_prognose", "kostenverdeling"} and pub.charts == []
    # a Samenvatting written from the period's tables: each number a published cell
    years = (2024, 2025, 2026)
    for run, folder in ((r, tmp_path / "Z"), (pub, tmp_path / "P")):
        (folder / "bijlagen.html").write_text(report.show_title(run).data, encoding="utf-8")
        assert assert_summary_states_published_cells(folder, 2026, years) >= 3
    sentences = summary_sentences((tmp_path / "Z" / "bijlagen.html").read_text("utf-8"))
    prognosis = publish.read_csv_table(tmp_path / "Z" / "tables" / "periode_prognose.csv")
    dossiers = int(prognosis.loc[2025, "Dossiers 31-12"])       # rij read as a number
    assert any(s.startswith(f"Op 31-12-2025 had Zevenaar {dossiers:,}".replace(",", "."))
               and "de landelijke prognose van" in s for s in sentences), sentences
    placed = int(card.loc["plaatsingen", "Periode"])
    assert any(s.startswith(f"In 2024 en 2025 stroomden {placed} klanten uit Zevenaar")
               for s in sentences), sentences
    assert len(summary_sentences((tmp_path / "P" / "bijlagen.html").read_text("utf-8"))) == 1
    shutil.rmtree(tmp_path / "Z")
    assert re.search("voorlopig", r.metas["periode_kpi"].title)
