"""Finance: the published savings and cost split of reference 001, BUIG, and their properties."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rsdlib import finance
from rsdlib.config import load_config

INHABITANTS = {"Duiven": 24937, "Westervoort": 15114, "Zevenaar": 45042}
DOSSIERS = {"Duiven": 385, "Westervoort": 309, "Zevenaar": 734}


def test_forecast_2024_2026_reproduces_reference_001():
    table = finance.savings({2024: 50, 2025: 50, 2026: 50}, finance.SavingsModel(durable=0.80))
    assert table.loc["Totaal", ["2024 (€)", "2025 (€)", "2026 (€)"]].tolist() == [
        337_500, 877_500, 1_417_500]
    assert table.loc["Totaal", "Totaal (€)"] == 2_632_500
    assert table.loc["Plaatsingen 2024", "2025 (€)"] == 540_000


def test_realisation_2021_2023_reproduces_reference_001():
    table = finance.savings({2021: 105, 2022: 134, 2023: 102}, finance.SavingsModel(durable=0.89))
    assert table.loc["Totaal", ["2021 (€)", "2022 (€)", "2023 (€)"]].tolist() == [
        708_750, 2_166_075, 3_560_085]
    assert table.loc["Totaal", "Totaal (€)"] == 6_434_910
    assert table.loc["Plaatsingen 2021", "2022 (€)"] == 1_261_575
    assert table.loc["Plaatsingen 2022", "2023 (€)"] == 1_610_010


def test_social_return_is_cumulative_extra_placements_times_7000():
    table = finance.social_return({2021: 105, 2022: 134, 2023: 102}, 7000)
    assert table.loc["2023", "Maatschappelijke baten (€)"] == 2_387_000     # 341 x 7.000


def test_cost_split_reproduces_reference_001_as_printed():
    table = finance.cost_split(1_400_000, INHABITANTS, DOSSIERS, rounding="per_amount")
    assert table["Bijdrage (€)"].iloc[:3].tolist() == [393_865, 275_803, 730_333]
    assert table["% totaal"].round(2).iloc[:3].tolist() == [28.13, 19.70, 52.17]
    # the printed amounts add up to one euro more than the printed total
    assert table.loc["Totaal", "Bijdrage (€)"] == 1_400_001


def test_cost_split_keeps_the_total_exact_by_default():
    table = finance.cost_split(1_400_000, INHABITANTS, DOSSIERS)
    amounts = table["Bijdrage (€)"].iloc[:3]
    assert amounts.sum() == 1_400_000 == table.loc["Totaal", "Bijdrage (€)"]
    printed = np.array([393_865, 275_803, 730_333])
    assert np.abs(amounts.to_numpy() - printed).max() <= 1


@given(total=st.integers(0, 10_000_000),
       inh=st.lists(st.integers(1, 500_000), min_size=1, max_size=12),
       data=st.data())
def test_cost_split_always_sums_to_the_total(total, inh, data):
    dos = data.draw(st.lists(st.integers(1, 5_000), min_size=len(inh), max_size=len(inh)))
    names = [f"G{i}" for i in range(len(inh))]
    table = finance.cost_split(total, dict(zip(names, inh, strict=True)),
                               dict(zip(names, dos, strict=True)))
    amounts = table["Bijdrage (€)"].iloc[:-1]
    assert amounts.sum() == total
    exact = table["% totaal"].iloc[:-1] / 100 * total
    assert (abs(amounts - exact) < 1).all()


@given(p=st.integers(0, 1000), k=st.integers(1, 20))
def test_savings_grow_linearly_in_placements(p, k):
    model = finance.SavingsModel()
    one = finance.savings({2024: p, 2025: p, 2026: p}, model)
    many = finance.savings({2024: k * p, 2025: k * p, 2026: k * p}, model)
    assert many.loc["Totaal", "Totaal (€)"] == pytest.approx(k * one.loc["Totaal", "Totaal (€)"])


def test_buig_difference_and_percentage_from_configuration():
    table = finance.buig([b.model_dump() for b in load_config().buig])
    assert table.loc["Zevenaar 2017", "Verschil (€)"] == -1_126_245
    assert table["% van budget"].round(2).tolist() == [-9.73, -2.95, -12.48, -5.97]


def test_finance_section_of_the_service_report(demo, config):
    tables = finance.finance_tables(config, demo, 2019)
    assert set(tables) == {"besparing", "besparing_realisatie", "buig"}
    # 2019 had 304 placements; the business case's baseline is 200
    assert tables["besparing_realisatie"].loc["2019", "Extra plaatsingen"] == 104
    later = finance.finance_tables(config, demo, 2025)
    assert set(later) == {"besparing", "besparing_totaal", "besparing_realisatie",
                          "kostenverdeling"}
    assert later["kostenverdeling"].loc["Totaal", "Bijdrage vastgesteld (€)"] == 1_400_000
