"""Appendix tables on small hand-built exports with known answers, and on the demo export."""

import pandas as pd
import pytest
from helpers import build, client
from pandas.testing import assert_series_equal
from reference_check import assert_reference_2019

from rsdlib import tables


@pytest.mark.parametrize("birth,day,age", [
    ("31-12-2001", "31-12-2019", 18), ("01-01-2002", "31-12-2019", 17),
    ("29-02-2000", "28-02-2019", 18), ("29-02-2000", "01-03-2019", 19),
    ("15-06-1990", "14-06-2019", 28), ("15-06-1990", "15-06-2019", 29),
])
def test_age_in_whole_years_counts_the_birthday(birth, day, age):
    b = pd.Series(pd.to_datetime([birth], format="%d-%m-%Y"))
    assert tables.age_years(b, pd.Timestamp(pd.to_datetime(day, format="%d-%m-%Y")))[0] == age


@pytest.mark.parametrize("start,day,months", [
    ("30-06-2019", "31-12-2019", 6), ("01-07-2019", "31-12-2019", 5),
    ("31-12-2018", "31-12-2019", 12), ("01-01-2019", "31-12-2019", 11),
    ("31-12-2014", "31-12-2019", 60), ("01-01-2015", "31-12-2019", 59),
    ("31-08-2019", "29-02-2020", 6), ("31-08-2019", "28-02-2020", 5),
    ("31-12-2019", "30-06-2020", 6),
    ("31-12-2019", "29-06-2020", 5), ("31-12-2019", "31-12-2019", 0),
])
def test_whole_months_of_benefit(start, day, months):
    s = pd.Series(pd.to_datetime([start], format="%d-%m-%Y"))
    assert tables.whole_months(s, pd.Timestamp(pd.to_datetime(day, format="%d-%m-%Y")))[0] == months


def test_duration_and_age_bands_at_their_boundaries(tmp_path, config):
    export = build(tmp_path, config, [
        client("A", since="30-06-2019", birth="31-12-2001"),     # 6 months, age 18
        client("B", since="29-06-2019", birth="01-01-2002"),     # 6 months, age 17
        client("C", since="31-12-2018"),                         # 12 months
        client("D", since="01-01-2019"),                         # 11 months
        client("E", since="31-12-2014"),                         # 60 months
        client("F", since="01-01-2015"),                         # 59 months
        client("G", since="", dossier=""),                       # nugger
    ])
    duur = tables.bijlage_2_2_uitkeringsduur(export, 2019, "RSD", config)["Duiven"]
    assert duur.to_dict() == {
        "6 maanden of minder": 2, "6 tot 12 maanden": 1, "12 tot 24 maanden": 1,
        "24 tot 60 maanden": 1, "60 maanden en meer": 1, "Nuggers geen uitkering gehad": 1,
        "Totaal": 7}
    age = tables.bijlage_2_1_leeftijd(export, 2019, "RSD", config)["Duiven"]
    assert age["17 en jonger"] == 1 and age["18-27"] == 1 and age["Totaal"] == 7


def test_reentry_window_is_six_calendar_months_inclusive():
    inflow = pd.DataFrame({"klantnummer": ["A", "B", "C", "D"],
                           "instroomdatum": pd.to_datetime(
                               ["15-09-2019", "16-09-2019", "15-03-2019", "31-08-2019"],
                               format="%d-%m-%Y")})
    outflow = pd.DataFrame({"klantnummer": ["A", "B", "C", "D"],
                            "uitstroomdatum": pd.to_datetime(
                                ["15-03-2019", "15-03-2019", "15-03-2019", "28-02-2019"],
                                format="%d-%m-%Y")})
    assert_series_equal(tables.reentered(inflow, outflow),
                        pd.Series([True, False, True, True]), check_names=False)


def test_inflow_excludes_bbz_and_statushouder_counts_once(tmp_path, config):
    export = build(tmp_path, config, [client("A")], instroom=[
        "A;Duiven;01-03-2019;PW;DIRECT;1;J;J;N",      # statushouder: Status houder only
        "B;Duiven;01-04-2019;PW;INDIRECT;2b;J;N;N",   # migration background
        "C;Duiven;01-05-2019;BBZ;DIRECT;2b;N;N;N",    # BBZ: not counted
        "D;Duiven;01-06-2019;IOAW;NUG;4;N;N;N",       # NUG, whatever the trede
        "E;Zevenaar;02-06-2019;PW;DIRECT;;N;N;N",     # no trede
        "F;Zevenaar;15-09-2019;PW;DIRECT;6z;N;N;N",   # re-entry after outflow 15-03
        "G;Zevenaar;01-01-2018;PW;DIRECT;6z;N;N;N",   # other year
    ], uitstroom=["F;Zevenaar;15-03-2019;VERHUIZING;N;N;N;N"])
    reden = tables.bijlage_2_4_instroom_reden(export, 2019, "RSD", config)
    assert reden.loc["Duiven"].tolist()[:4] == [1, 1, 1, 3]
    assert reden.loc["Eindtotaal", "Eindtotaal"] == 5
    assert reden.loc["RSD Instroom Direct", "Eindtotaal"] == 3
    zevenaar_block = reden.iloc[10:15]
    assert zevenaar_block.index[1] == "Binnen periode van 6 mnd weer ingestroomd"
    assert zevenaar_block.iloc[1]["Eindtotaal"] == 1
    # every block lists all four reason rows, also when zero (Westervoort has none)
    assert reden.iloc[5:10]["Eindtotaal"].tolist() == [0, 0, 0, 0, 0]
    groep = tables.bijlage_2_5_instroom_groep(export, 2019, "RSD", config)
    duiven = groep.iloc[0:5]["Eindtotaal"].tolist()
    assert duiven == [3, 1, 1, 1, 0]     # block, Z&O (tr 1), Werk (2b), NUG (tr 4), Geen trede
    assert groep.loc["RSD Geen trede", "Eindtotaal"] == 1
    assert round(groep.loc["RSD Z&O", "%"], 2) == 40.0     # tr 1 and 6z of 5


def test_gender_unknown_only_when_present(tmp_path, config):
    without = build(tmp_path / "a", config, [client("A", sex="M"), client("B")])
    assert "Onbekend" not in tables.bijlage_2_2_geslacht(without, 2019, "RSD", config).index
    with_x = build(tmp_path / "b", config, [client("A", sex="X"), client("B")])
    table = tables.bijlage_2_2_geslacht(with_x, 2019, "RSD", config)
    assert table.index.tolist() == ["Man", "Vrouw", "Onbekend", "Totaal"]
    assert table.loc["Onbekend", "RSD"] == 1


def test_municipality_scope_shows_own_share_and_service_total(tmp_path, config):
    export = build(tmp_path, config, [client("A", trede="1"), client("B", trede="1"),
                                      client("C", trede="5"), client("Z", muni="Zevenaar")])
    table = tables.bijlage_2_1_trede(export, 2019, "Duiven", config)
    assert table.columns.tolist() == ["Duiven", "%", "RSD"]
    assert table.loc["Trede 1 Geen aanbod"].tolist() == [2, pytest.approx(200 / 3), 2]
    assert table.loc["Totaal"].tolist() == [3, 100, 4]
    dossiers = tables.bijlage_2_6_dossiers(export, 2019, "Duiven", config)
    assert dossiers.index.tolist() == ["Duiven", "RSD de Liemers"]


def test_partners_share_one_dossier(tmp_path, config):
    export = build(tmp_path, config, [client("A", dossier="D1"), client("B", dossier="D1"),
                                      client("C")])
    table = tables.bijlage_2_6_dossiers(export, 2019, "RSD", config)
    assert table.loc["Duiven", "31 december 2019"] == 2


def test_distinct_dossiers_per_day_municipality_and_over_all(tmp_path, config):
    """A dossier counts once per day and municipality, and once per day over all of them even
    when it shows in two municipalities; clients without a dossier (nuggers) are not counted."""
    export = build(tmp_path, config, [
        client("A", dossier="D1"), client("B", dossier="D1"), client("C", muni="Zevenaar",
                                                                     dossier="D1"),
        client("E", muni="Zevenaar", dossier="D2"), client("F", since=""),
        client("G", peil="30-06-2019", dossier="D1")])
    counts = tables.dossier_counts(export)
    k = export["klanten"]
    expected = k.groupby(["peildatum", "gemeente"], observed=True)["dossiernummer"].nunique()
    for (day, muni), n in expected.items():
        assert counts.loc[day, muni] == n, (day, muni)
    day = pd.Timestamp(2019, 12, 31)
    assert counts.loc[day, ["Duiven", "Zevenaar", tables.ALL_MUNICIPALITIES]].tolist() == [1, 2, 2]
    assert counts[tables.ALL_MUNICIPALITIES].tolist() == (
        k.groupby("peildatum")["dossiernummer"].nunique().tolist())


def test_demo_2019_reproduces_the_published_figures(demo, config):
    compared = assert_reference_2019(lambda tid: tables.TABLES[tid][1](demo, 2019, "RSD", config))
    assert compared > 350


@pytest.mark.parametrize("scope", ["Duiven", "Westervoort", "Zevenaar"])
def test_municipality_scopes_agree_with_the_service_tables(demo, config, scope):
    full = tables.all_tables(demo, 2019, "RSD", config)
    own = tables.all_tables(demo, 2019, scope, config)
    for tid in ("bijlage_2_1_trede", "bijlage_2_1_leeftijd", "bijlage_2_2_uitkeringsduur"):
        assert own[tid][scope].tolist() == full[tid][scope].tolist()
        assert own[tid]["RSD"].tolist() == full[tid]["RSD"].tolist()
    block = own["bijlage_2_4_instroom_reden"]
    assert block.index[0] == scope and block.index.tolist().count("Eindtotaal") == 1
    assert block.loc[scope].tolist() == full["bijlage_2_4_instroom_reden"].loc[scope].tolist()
