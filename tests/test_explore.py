"""The analysts' exploration helpers and notebook."""

import re

import nbformat
import pandas as pd
import papermill as pm
import pytest
import reference_2019 as ref

from rsdlib import explore, kpi
from rsdlib.paths import NOTEBOOK_DIR


def test_crosstab_agrees_with_the_appendix(demo, config):
    day = pd.Timestamp(2019, 12, 31)
    table = explore.crosstab(demo, day, "trede", "gemeente")
    assert table.loc["Totaal", "Totaal"] == 2095
    assert table.loc["Overige", "Duiven"] == 13 and table.loc["1", "Zevenaar"] == 266
    duiven = explore.crosstab(demo, day, "leeftijd", "geslacht", gemeenten=["Duiven"])
    assert duiven.loc["Totaal", "Totaal"] == 569
    pct = explore.crosstab(demo, day, "trede", "gemeente", percentages=True)
    assert round(pct.loc["1", "Totaal"], 2) == 25.68


def test_one_municipality_is_a_name_or_a_list_and_unknown_names_are_listed(demo):
    day = pd.Timestamp(2019, 12, 31)
    one = explore.crosstab(demo, day, "trede", "geslacht", gemeenten="Duiven")
    pd.testing.assert_frame_equal(one, explore.crosstab(demo, day, "trede", "geslacht",
                                                        gemeenten=["Duiven"]))
    assert one.loc["Totaal", "Totaal"] == 569
    with pytest.raises(ValueError, match="onbekende dimensie 'treden'; kies uit gemeente, "
                                         "trede, leeftijd"):
        explore.crosstab(demo, day, "treden", "gemeente")
    with pytest.raises(ValueError, match="onbekende gemeente.*Arnhem.*Duiven, Westervoort"):
        explore.crosstab(demo, day, "trede", "gemeente", gemeenten="Arnhem")


def test_show_uses_labels_and_dutch_numbers(demo, config):
    day = pd.Timestamp(2019, 12, 31)
    html = explore.show(explore.crosstab(demo, day, "trede", "gemeente")).to_html()
    assert "Trede 1 Geen aanbod" in html and ">2.095<" in html and ">1.078<" in html
    pct = explore.show(explore.crosstab(demo, day, "trede", "gemeente", percentages=True),
                       percentages=True).to_html()
    assert ">25,7\u00a0%<" in pct
    kpis = explore.show(explore.kpi_over_years(demo, config, [2019])).to_html()
    assert "Stap voorwaarts op de trede" in kpis and "stap_voorwaarts" not in kpis


def test_flows_in_a_period_add_up(demo):
    f = explore.flows(demo, pd.Timestamp(2019, 1, 1), pd.Timestamp(2019, 12, 31))
    assert f["instroom"].to_numpy().sum() == 438 and f["uitstroom"].to_numpy().sum() == 569
    by = explore.flows(demo, pd.Timestamp(2019, 1, 1), pd.Timestamp(2019, 12, 31),
                       by="achtergrond", gemeenten=["Westervoort"])
    assert by["instroom"].sum().to_dict() == {"Migratie achtergrond": 9, "Status houder": 20,
                                              "Overig": 56}


def test_kpi_over_years_uses_each_years_own_definitions(demo, config):
    table = explore.kpi_over_years(demo, config, [2019, 2021, 2024])
    # the 2019 scorecard: 304 placements, 34 in the target-group register, 80,26 % durable
    # within 12 months (not 78 and 94,1 % by the definitions of 2024)
    assert table.loc["plaatsingen", 2019] == ref.PLAATSINGEN == 304
    assert table.loc["stap_voorwaarts", 2019] == ref.STAP_VOORWAARTS
    assert table.loc["plaatsingen_doelgroep", 2019] == 34
    assert round(table.loc["duurzaam", 2019], 2) == 80.26
    assert table[2021].isna().all()              # 2021-2023 has no agreements configured
    card = kpi.kpi_scorecard(demo, 2024, config)
    assert table[2024].dropna().to_dict() == pytest.approx(card["Realisatie"].dropna().to_dict())


@pytest.mark.slow
def test_exploration_notebook_runs_and_shows_no_client_rows(tmp_path, demo_dir, demo):
    out = tmp_path / "verkennen.ipynb"
    pm.execute_notebook(str(NOTEBOOK_DIR / "verkennen.ipynb"), str(out), kernel_name="python3",
                        progress_bar=False, parameters={"export": str(demo_dir),
                                                        "gemeenten": "Zevenaar"})
    nb = nbformat.read(out, as_version=4)
    text = "".join(str(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    numbers = set(demo["klanten"]["klantnummer"])
    assert not numbers.intersection(re.findall(r"K\d{6}", text))
    assert "1.078" in text                  # Zevenaar's clients at 31-12-2019, Dutch format
    assert "Trede 1 Geen aanbod" in text and "Werkfit gemaakt" in text    # labels, not codes
