"""Finance: the savings model of an assignment, the cost split per municipality, BUIG budgets.

All parameters come from configuration ([finance] and [[buig]]); nothing here is specific
to one service. Amounts are in euros; a column whose label ends in "(€)" holds euros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsdlib.config import Config
from rsdlib.kpi import period_for, placed


@dataclass(frozen=True)
class SavingsModel:
    """The parameters of the savings model (reference 001, "Besparing op de uitkeringslasten")."""

    cost: float = 18_000             # average benefit cost per year
    first_year: float = 0.5          # placements do not all leave on 1 January
    fully_leaving: float = 0.75      # share that leaves the benefit fully
    durable: float = 0.80            # share still off benefit in later years

    @classmethod
    def from_config(cls, config: Config, durable: float | None = None) -> SavingsModel:
        f = config.finance
        return cls(f.average_benefit_cost, f.first_year_factor, f.fully_leaving_share,
                   durable if durable is not None else f.durable_share)


def savings(extra: dict[int, float], model: SavingsModel) -> pd.DataFrame:
    """Savings per placement cohort and year: P x cost x 50% x 75% in the year of placement,
    P x cost x durable x 75% in each later year of the period."""
    years = sorted(extra)
    rows = {}
    for cohort in years:
        p = extra[cohort]
        row = {}
        for y in years:
            if y < cohort:
                row[f"{y} (€)"] = np.nan
            elif y == cohort:
                row[f"{y} (€)"] = p * model.cost * model.first_year * model.fully_leaving
            else:
                row[f"{y} (€)"] = p * model.cost * model.durable * model.fully_leaving
        rows[f"Plaatsingen {cohort}"] = {"Extra plaatsingen": p, **row}
    table = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    table["Totaal (€)"] = table.drop(columns="Extra plaatsingen").sum(axis=1)
    table.loc["Totaal"] = table.sum(axis=0, min_count=1)
    table.index.name = "rij"
    return table.round(2)


def social_return(extra: dict[int, float], per_placement: float) -> pd.DataFrame:
    """Broader social return per year: cumulative extra placements x the yearly amount."""
    years = sorted(extra)
    cumulative = np.cumsum([extra[y] for y in years])
    table = pd.DataFrame({"Extra plaatsingen (cumulatief)": cumulative,
                          "Maatschappelijke baten (€)": cumulative * per_placement},
                         index=[str(y) for y in years], dtype=float)
    table.index.name = "rij"
    return table


def split_exact(total: int, shares: np.ndarray) -> np.ndarray:
    """Whole euros per share that add up to `total` exactly (largest remainder)."""
    raw = np.asarray(shares, dtype=float) * total / np.sum(shares)
    out = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - out), kind="stable")
    out[order[: int(total - out.sum())]] += 1
    return out


def cost_split(total: int, inhabitants: dict[str, int], dossiers: dict[str, int],
               rounding: str = "exact_total") -> pd.DataFrame:
    """The assignment's cost per municipality: half by share of inhabitants, half by dossiers.

    `exact_total` rounds to whole euros that add up to the total (largest remainder);
    `per_amount` rounds each amount half-up, as reference 001 printed them (its amounts add
    up to one euro more than its total).
    """
    names = list(inhabitants)
    inh = np.array([inhabitants[n] for n in names], dtype=float)
    dos = np.array([dossiers[n] for n in names], dtype=float)
    share = (inh / inh.sum() + dos / dos.sum()) / 2
    table = pd.DataFrame({
        "Inwoners": inh, "Dossiers": dos, "% inwoners": 100 * inh / inh.sum(),
        "% dossiers": 100 * dos / dos.sum(), "% totaal": 100 * share,
        "Bijdrage (€)": (split_exact(total, share) if rounding == "exact_total"
                         else np.floor(share * total + 0.5)).astype(float)}, index=names)
    table.loc["Totaal"] = [inh.sum(), dos.sum(), 100.0, 100.0, 100.0,
                           float(table["Bijdrage (€)"].sum())]
    table.index.name = "rij"
    return table


def buig(rows: list[dict]) -> pd.DataFrame:
    """BUIG budget against spending per municipality and year: difference and % of budget."""
    if not rows:
        return pd.DataFrame(columns=["BUIG-budget (€)", "BUIG-uitgaven (€)", "Verschil (€)",
                                     "% van budget"]).rename_axis("rij")
    frame = pd.DataFrame(rows)
    table = pd.DataFrame({
        "BUIG-budget (€)": frame["budget"].astype(float).to_numpy(),
        "BUIG-uitgaven (€)": frame["spending"].astype(float).to_numpy()},
        index=[f"{m} {y}" for m, y in zip(frame["municipality"], frame["year"], strict=True)])
    table["Verschil (€)"] = table["BUIG-budget (€)"] - table["BUIG-uitgaven (€)"]
    table["% van budget"] = 100 * table["Verschil (€)"] / table["BUIG-budget (€)"]
    table.index.name = "rij"
    return table


def placements_per_year(outflow: pd.DataFrame, years: list[int]) -> dict[int, int]:
    """Outflow rows to work, school or business per year (the KPI's reasons)."""
    return {y: len(placed(outflow, y)) for y in years}


def finance_tables(config: Config, outflow: pd.DataFrame, dossiers_start: dict[str, int],
                   year: int) -> dict[str, pd.DataFrame]:
    """The finance section of the service appendix for report year `year`."""
    f = config.finance
    model = SavingsModel.from_config(config)
    out: dict[str, pd.DataFrame] = {}
    planned = dict(f.planned_extra)
    if planned:
        out["besparing"] = savings(planned, model)
    period = period_for(config, year)
    if period is not None:
        years = list(range(period.years[0], year + 1))
        baseline = f.baseline_placements
        placed = placements_per_year(outflow, years)
        extra = {y: max(0.0, placed[y] - baseline) for y in years}
        out["besparing_realisatie"] = savings(extra, model)
        if f.social_return_per_placement is not None:
            out["maatschappelijke_baten"] = social_return(extra, f.social_return_per_placement)
    if f.assignment_cost is not None and config.inhabitants:
        known = [y for y in config.inhabitants if y <= year] or list(config.inhabitants)
        out["kostenverdeling"] = cost_split(f.assignment_cost,
                                            config.inhabitants[max(known)], dossiers_start)
    if config.buig:
        out["buig"] = buig([b.model_dump() for b in config.buig])
    return out


TITLES = {
    "besparing": "Besparing uitkeringslasten: prognose van de opdracht",
    "besparing_realisatie": "Besparing uitkeringslasten: realisatie uit de uitstroom",
    "maatschappelijke_baten": "Brede maatschappelijke baten van extra plaatsingen",
    "kostenverdeling": "Kosten van de opdracht per gemeente",
    "buig": "BUIG-budget en uitgaven",
}


def assumptions(config: Config) -> list[tuple[str, str]]:
    """The model's assumptions, to print beside the figures."""
    from rsdlib.publish import fmt_euro, fmt_pct

    f = config.finance
    m = SavingsModel.from_config(config)
    return [
        ("Gemiddelde uitkering", f"{fmt_euro(m.cost)} per jaar"),
        ("Jaar van plaatsing", f"{fmt_pct(100 * m.first_year, 0)} van een jaar besparing "
                               "(niet iedereen stroomt per 1 januari uit)"),
        ("Volledige uitstroom", f"{fmt_pct(100 * m.fully_leaving, 0)} stroomt volledig uit"),
        ("Duurzaamheid", f"{fmt_pct(100 * m.durable, 0)} blijft in de latere jaren uit de "
                         "uitkering"),
        ("Basis", f"besparing telt plaatsingen boven {f.baseline_placements} per jaar"),
        ("Maatschappelijke baten", f"{fmt_euro(f.social_return_per_placement or 0)} per "
                                   "extra plaatsing per jaar"),
        ("Kostenverdeling", "de helft naar aandeel inwoners, de helft naar aandeel "
                            "uitkeringsdossiers (1 januari); afgerond op hele euro's, het totaal "
                            "klopt exact"),
        ("BUIG", "verschil = budget - uitgaven; percentage van het budget"),
    ]
