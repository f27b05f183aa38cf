"""KPIs, trends and cohorts on hand-built exports with known answers, and on the demo export."""

import numpy as np
import pandas as pd
import pytest
import reference_2019 as ref
from helpers import build, client

from rsdlib import kpi, trends

OUT = "{nr};Duiven;{day};{reason};N;N;{dgr};{lks}"


def out(nr, day, reason="ARBEID", dgr="N", lks="N"):
    return OUT.format(nr=nr, day=day, reason=reason, dgr=dgr, lks=lks)


def test_a_client_placed_twice_in_a_year_counts_once(tmp_path, config):
    e = build(tmp_path, config, [client("A")], uitstroom=[
        out("A", "01-02-2019"), out("A", "01-09-2019", "PARTTIME"), out("B", "01-03-2019"),
        out("C", "01-03-2019", "VERHUIZING"), out("D", "01-03-2018")])
    assert kpi.placements(e["uitstroom"], 2019) == 2


def test_target_group_definitions_differ_by_period(tmp_path, config):
    e = build(tmp_path, config, [client("A")], uitstroom=[
        out("A", "01-02-2024", dgr="J"), out("B", "01-02-2024", lks="J"),
        out("C", "01-02-2024")])
    assert kpi.placements_target_group(e["uitstroom"], 2024, "doelgroepregister") == 1
    assert kpi.placements_target_group(e["uitstroom"], 2024, "arbeidsbeperking") == 2


def test_werkfit_and_forward_steps_count_each_client_once(tmp_path, config):
    e = build(tmp_path, config, [client("A")], mutaties=[
        "A;Duiven;01-02-2019;2b;5", "A;Duiven;01-05-2019;5;4",        # 2b -> 5 -> 4: once
        "A;Duiven;01-06-2019;4;6g",                                    # again werkfit: still once
        "B;Duiven;01-03-2019;1;2a",                                    # forward, not werkfit
        "C;Duiven;01-03-2019;;5",                                      # from empty: no step
        "D;Duiven;01-03-2019;6g;6n",                                   # backward
        "E;Duiven;01-03-2018;2b;5",                                    # other year
        "F;Duiven;01-03-2019;4;6n"])                                   # werkfit to 6n
    m = e["trede_mutaties"]
    assert kpi.werkfit(m, 2019, ("2b", "3", "4"), ("5", "6n", "6z", "6g")) == 2
    assert kpi.forward_steps(m, 2019) == 3


def test_durability_counts_returns_within_the_window_and_waits_for_it(tmp_path, config):
    inflow = ["A;Duiven;01-07-2019;PW;DIRECT;4;N;N;N",    # back within 12 months of 01-02
              "B;Duiven;02-02-2020;PW;DIRECT;4;N;N;N",    # back 12 months + 1 day: durable
              "C;Duiven;01-01-2019;PW;DIRECT;4;N;N;N"]    # before the placement: durable
    e = build(tmp_path, config, [client("A", peil="31-12-2020")], instroom=inflow,
              uitstroom=[out("A", "01-02-2019"), out("B", "01-02-2019"), out("C", "01-02-2019"),
                         out("D", "01-02-2019")])
    share = kpi.durable_share(e["uitstroom"], e["instroom"], 2019, 12, e.export_date)
    assert share == pytest.approx(75.0)
    assert kpi.durable_share(e["uitstroom"], e["instroom"], 2020, 12, e.export_date) is None
    late = kpi.durable_share(e["uitstroom"], e["instroom"], 2019, 24, e.export_date)
    assert late is None            # 01-02-2019 + 24 months is after the export's date


def test_active_share_is_the_average_of_month_ends(tmp_path, config):
    e = build(tmp_path, config, [
        client("A", peil="31-01-2019", trede="2a", actief="J"),
        client("B", peil="31-01-2019", trede="4", actief="N"),
        client("A", peil="28-02-2019", trede="2a", actief="J"),
        client("B", peil="28-02-2019", trede="5", actief="J"),
        client("C", peil="28-02-2019", trede="1", actief="N"),        # not on 2a-5
        client("A", peil="31-12-2019", trede="2a", actief="J")])
    assert kpi.active_share(e["klanten"], 2019, ("2a", "2b", "3", "4", "5")) == pytest.approx(
        np.mean([50, 100, 100]))
    only_year_end = build(tmp_path / "b", config, [client("A", trede="1", actief="J"),
                                                   client("B", trede="1")])
    assert kpi.active_share(only_year_end["klanten"], 2019, ("1", "2a")) == 50


def test_lks_growth_and_youth_kpis(tmp_path, config):
    e = build(tmp_path, config, [
        client("A", peil="31-12-2018", lks="J"), client("B", peil="31-12-2018", lks="J"),
        client("A", lks="J"), client("B", lks="J"), client("C", lks="J"),
        client("Y1", birth="01-01-1993", actief="J"), client("Y2", birth="01-01-1999"),
        client("Y3", birth="01-01-2000", onth="J")], start=False,
        gesprekken=["J1;Duiven;01-03-2019;UITKERING", "J2;Duiven;01-04-2019;WERK",
                    "J3;Duiven;01-04-2019;SCHOOL", "J4;Duiven;01-04-2019;ANDERS"])
    assert kpi.lks_growth(e["klanten"], 2019) == 50
    assert kpi.youth_to_benefit(e["jongeren_gesprekken"], 2019) == 25
    assert kpi.youth_active(e["klanten"], 2019) == 50      # Y1 (26) active, Y2 not; Y3 exempt


def test_kaplan_meier_censors_at_the_export_date():
    durations = np.array([2.0, 4.0, 5.0, 8.0, 10.0])
    observed = np.array([True, False, True, False, False])
    s = trends.kaplan_meier(durations, observed, np.array([1.0, 3.0, 6.0, 9.0, 12.0]))
    assert s[0] == 1.0
    assert s[1] == pytest.approx(4 / 5)
    assert s[2] == pytest.approx(4 / 5 * 2 / 3)          # 3 at risk at 5, one leaves
    assert s[3] == pytest.approx(4 / 5 * 2 / 3)
    assert np.isnan(s[4])                                  # nobody followed for 12 months


def test_demo_2019_scorecard_reproduces_the_published_headline_kpis(demo, config):
    card = kpi.kpi_scorecard(demo, 2019, config)
    assert card.loc["stap_voorwaarts", "Realisatie"] == ref.STAP_VOORWAARTS
    assert card.loc["plaatsingen", "Realisatie"] == ref.PLAATSINGEN
    assert round(card.loc["actief", "Realisatie"]) == ref.ACTIEF_PCT
    assert round(card.loc["duurzaam", "Realisatie"]) == ref.DUURZAAM_PCT
    assert card.loc["plaatsingen_doelgroep", "Realisatie"] >= 30
    assert set(card.loc[card["Bron"] == kpi.BEREKEND, "Status"]) == {kpi.BEHAALD}
    assert card.attrs["pct_rows"] == ["actief", "duurzaam"]


# --------------------------------------------------------------------------- 2024-2026 by value
# An independent count from the raw CSV rows (pandas on the files, the definitions of
# docs/definitions.md, the agreements read from the TOML file itself): no rsdlib function
# tells the test what a KPI is.

PLACEMENT_REASONS = {"STUDIE", "ARBEID", "PARTTIME", "SCHOLING_NUG", "WERK_NUG", "ZELFSTANDIG"}


@pytest.fixture(scope="module")
def raw(demo_dir):
    """The demo export's files as text, dates parsed."""
    frames = {}
    for name in ("klanten", "instroom", "uitstroom", "trede_mutaties", "jongeren_gesprekken"):
        f = pd.read_csv(demo_dir / f"{name}.csv", sep=";", dtype=str, keep_default_na=False)
        for col in ("peildatum", "instroomdatum", "uitstroomdatum", "datum", "geboortedatum"):
            if col in f:
                f[col] = pd.to_datetime(f[col], format="%d-%m-%Y")
        frames[name] = f
    return frames


def agreements_2024_2026() -> dict[str, dict]:
    import tomllib

    from rsdlib.paths import CONFIG_DIR

    with (CONFIG_DIR / "liemers.toml").open("rb") as fh:
        periods = tomllib.load(fh)["kpi_period"]
    return {k["id"]: k for k in next(p for p in periods if p["years"] == [2024, 2026])["kpis"]}


def counted(raw, year: int, muni: str | None, agreed: dict[str, dict]) -> dict[str, float | None]:
    """Each 2024-2026 KPI of `year` for the service (muni None) or one municipality, counted
    on the export's rows as docs/definitions.md defines it; None: no data yet."""
    own = {n: f if muni is None else f[f["gemeente"] == muni] for n, f in raw.items()}
    k, out, steps, talks = (own[n] for n in ("klanten", "uitstroom", "trede_mutaties",
                                             "jongeren_gesprekken"))
    export_date = raw["klanten"]["peildatum"].max()
    placed = out[out["reden"].isin(PLACEMENT_REASONS) & (out["uitstroomdatum"].dt.year == year)]
    disabled = (placed["doelgroepregister"] == "J") | (placed["loonkostensubsidie"] == "J")
    moved = steps[steps["datum"].dt.year == year]
    fit = (moved["trede_oud"].isin(agreed["werkfit"]["from"])
           & moved["trede_nieuw"].isin(agreed["werkfit"]["to"]))
    # durable: per client from the last placement of the year, no inflow within the months
    last = placed.groupby("klantnummer")["uitstroomdatum"].max()
    window = pd.DateOffset(months=agreed["duurzaam"]["months"])
    durable = None
    if (last + window).max() <= export_date:
        back = last.rename("placed").reset_index().merge(own["instroom"], on="klantnummer")
        back = back[(back["instroomdatum"] > back["placed"])
                    & (back["instroomdatum"] <= back["placed"] + window)]
        durable = 100 * (len(last) - back["klantnummer"].nunique()) / len(last)
    month_ends = [d for d in k["peildatum"].unique() if d.year == year and d.is_month_end]
    shares = [(k.loc[(k["peildatum"] == d) & k["trede"].isin(agreed["actief"]["steps"]),
                     "actief_traject"] == "J").mean() for d in month_ends]

    def lks(y):
        return (k.loc[k["peildatum"] == pd.Timestamp(y, 12, 31), "loonkostensubsidie"] == "J").sum()

    held = talks[talks["datum"].dt.year == year]
    day = pd.Timestamp(year, 12, 31)
    end = k[(k["peildatum"] == day) & (k["ontheffing"] == "N")]
    young = end[year - end["geboortedatum"].dt.year < 27]     # whole years on 31-12
    return {
        "plaatsingen": placed["klantnummer"].nunique(),
        "plaatsingen_doelgroep": placed.loc[disabled, "klantnummer"].nunique(),
        "werkfit": moved.loc[fit, "klantnummer"].nunique(),
        "duurzaam": durable,
        "actief": 100 * sum(shares) / len(shares) if shares else None,
        "lks_groei": 100 * (lks(year) - lks(year - 1)) / lks(year - 1),
        "jongeren_uitkering": 100 * (held["uitkomst"] == "UITKERING").mean(),
        "jongeren_actief": 100 * (young["actief_traject"] == "J").mean(),
    }


def expected_status(value, agreement) -> str:
    if value is None:
        return kpi.GEEN_GEGEVENS
    ok = (value <= agreement["target"] if agreement.get("direction") == "max"
          else value >= agreement["target"])
    return kpi.BEHAALD if ok else kpi.NIET_BEHAALD


@pytest.mark.parametrize("year", [2024, 2025])
def test_demo_scorecards_2024_2025_equal_an_independent_count(demo, config, raw, year):
    """Every KPI of the service's scorecard, and of one municipality's (its column beside the
    service's), equals the count on the export's rows; its status follows the target. In 2025
    the 6-month window of the last placements has not passed by the export date (31-12-2025):
    durability has no data yet."""
    agreed = agreements_2024_2026()
    service = counted(raw, year, None, agreed)
    assert (service["duurzaam"] is None) == (year == 2025)
    card = kpi.kpi_scorecard(demo, year, config)
    assert list(card.index) == list(agreed)
    for kid, value in service.items():
        shown = card.loc[kid, "Realisatie"]
        assert (np.isnan(shown) if value is None else shown == pytest.approx(value)), kid
        assert card.loc[kid, "Status"] == expected_status(value, agreed[kid]), kid
        assert card.loc[kid, "Doel"] == agreed[kid]["target"]
    own = kpi.municipal_scorecards(demo, year, config)["Westervoort"]
    for kid, value in counted(raw, year, "Westervoort", agreed).items():
        shown = own.loc[kid, "Westervoort"]
        assert (np.isnan(shown) if value is None else shown == pytest.approx(value)), kid
        assert own.loc[kid, "RSD"] == card.loc[kid, "Realisatie"] or (
            np.isnan(own.loc[kid, "RSD"]) and np.isnan(card.loc[kid, "Realisatie"]))
    # the counts are not all zero or equal: the comparison can tell a wrong definition
    assert len({service[k] for k in ("plaatsingen", "plaatsingen_doelgroep", "werkfit")}) == 3
    assert 0 < service["plaatsingen_doelgroep"] < service["plaatsingen"]


def test_demo_scorecard_2026_has_no_data_yet(demo, config, raw):
    """The export ends on 31-12-2025: no row of 2026, so every agreement of 2026 is 'geen
    gegevens' without a value."""
    assert max(f[c].max() for f in raw.values() for c in f.columns
               if c.endswith("datum") or c == "datum") < pd.Timestamp(2026, 1, 1)
    card = kpi.kpi_scorecard(demo, 2026, config)
    assert list(card.index) == list(agreements_2024_2026())
    assert card["Realisatie"].isna().all()
    assert (card["Status"] == kpi.GEEN_GEGEVENS).all()


def test_no_scorecard_outside_an_assignment_period(demo, config):
    assert kpi.kpi_scorecard(demo, 2021, config).empty


def test_monthly_flows_add_up_to_the_year(demo, config):
    flows = trends.monthly_flows(demo, 2019)
    year = flows.loc[[m for m in flows.index if m.startswith("2019")]]
    assert year["Instroom"].sum() == 438 and year["Uitstroom"].sum() == 569
    assert flows.loc["2019-12", "Uitstroom 12 mnd"] == 569
    duiven = trends.monthly_flows(demo, 2019, "Duiven")
    assert duiven.loc["2019-12", "Instroom 12 mnd"] == 108


def test_dossiers_per_month_and_prognosis(demo, config):
    table = trends.monthly_dossiers(demo, 2025, config)
    assert table.loc["2019-12", "Dossiers"] == 1608 and table.loc["2018-12", "Dossiers"] == 1656
    base = 1425                 # the configured base of the prognosis (001), not the export's
    assert table.loc["2022-12", "Prognose"] == base
    assert table.loc["2024-12", "Prognose"] == pytest.approx(base * 1.023 * 1.031)
    duiven = trends.monthly_dossiers(demo, 2025, config, "Duiven")   # its own count in 2022
    assert duiven.loc["2022-12", "Prognose"] == duiven.loc["2022-12", "Dossiers"]
    assert table["Prognose"].notna().sum() == 4          # 2022 to 2025 year ends


def test_cohorts_are_censored_at_the_export_date(demo, config):
    table = trends.cohort_survival(demo, 2025)
    assert table.loc["2019", "Instroom"] == 438
    assert table.loc["2025", ["% na 12 mnd", "% na 24 mnd"]].isna().all()
    assert table.loc["2023", "% na 36 mnd"] != table.loc["2023", "% na 36 mnd"]   # NaN
    row = table.loc["2019", ["% na 6 mnd", "% na 12 mnd", "% na 24 mnd", "% na 36 mnd"]]
    assert (np.diff(row.to_numpy()) <= 0).all() and 0 < row.iloc[-1] < 100


def test_year_over_year_change():
    cur = pd.DataFrame({"RSD": [10.0, 5.0]}, index=["a", "b"])
    prev = pd.DataFrame({"RSD": [8.0, 0.0]}, index=["a", "b"])
    table = trends.year_over_year(cur, prev, "RSD", 2019)
    assert table.columns.tolist() == ["31-12-2018", "31-12-2019", "Verschil", "% Verschil"]
    assert table.loc["a"].tolist()[:3] == [8, 10, 2] and table.loc["a", "% Verschil"] == 25
    assert np.isnan(table.loc["b", "% Verschil"])


# --------------------------------------------------------------------------- the registry


def test_every_kpi_a_configuration_may_name_is_computed_defined_and_added_up(tmp_path, demo):
    """The registry is complete: a period naming every KPI the configuration accepts (each
    with the options it needs) gives a scorecard and a period table with a row per KPI, each
    with its definition, its unit and how the period adds it up; no KPI is without them."""
    from typing import get_args

    from helpers import LIEMERS, edited

    from rsdlib.config import Kpi, load_config
    from rsdlib.periods import period_for

    ids = get_args(Kpi.model_fields["id"].annotation)
    assert len(ids) >= 9
    needs = {"from": '["2b", "3", "4"]', "to": '["5", "6n", "6z", "6g"]', "steps": '["1", "2a"]'}
    lines = []
    for kid in ids:
        options = "".join(f", {o} = {needs[o]}" for o in kpi.KPIS[kid].spec.required)
        lines.append(f'  {{ id = "{kid}", label = "KPI {kid}", target = 1{options} }},')
    start = LIEMERS.index("kpis = [", LIEMERS.index("years = [2024, 2026]"))
    end = LIEMERS.index("]\n", LIEMERS.index("jongeren_actief", start)) + 2
    cfg = load_config(edited(tmp_path, LIEMERS[start:end],
                             "kpis = [\n" + "\n".join(lines) + "\n]\n"))
    card = kpi.kpi_scorecard(demo, 2024, cfg)
    table = kpi.periode_kpi(demo, period_for(cfg, 2024), cfg)
    for frame in (card, table):
        assert list(frame.index) == list(ids)
        assert set(frame["Eenheid"]) == {"aantal", "%"}
    assert card["Definitie"].str.len().min() > 40          # a sentence, not an id
    assert table["Periode berekend als"].str.startswith(
        ("som", "aandeel", "gemiddelde")).all()
    assert card["Realisatie"].notna().sum() >= len(ids) - 1   # 2024 is closed in the demo


def test_a_kpi_takes_its_unit_and_direction_from_the_registry(tmp_path, demo):
    """Left out of the file, the unit is the KPI's (duurzaam a percentage, not a count) and
    so is the direction (jongeren_uitkering a maximum)."""
    from helpers import edited

    from rsdlib.config import load_config

    path = edited(tmp_path, 'target = 80, unit = "%", months = 6 }', "target = 80, months = 6 }")
    text = path.read_text(encoding="utf-8").replace(
        'target = 25, unit = "%", direction = "max" }', "target = 25 }")
    path.write_text(text, encoding="utf-8")
    cfg = load_config(path)
    card = kpi.kpi_scorecard(demo, 2024, cfg)
    assert card.loc["duurzaam", "Eenheid"] == "%" and "duurzaam" in card.attrs["pct_rows"]
    got = card.loc["jongeren_uitkering", "Realisatie"]
    assert card.loc["jongeren_uitkering", "Status"] == (
        kpi.BEHAALD if got <= 25 else kpi.NIET_BEHAALD)
    period = kpi.periode_kpi(demo, cfg.kpi_periods[2], cfg)
    assert period.loc["duurzaam", "Doel periode"] == 80           # a share: not 3 x 80
