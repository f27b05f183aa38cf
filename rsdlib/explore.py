"""Exploration helpers for analysts: the same frames and definitions, filtered and cross-tabbed.

They return aggregates only (counts and shares), never client rows, so an exploration
notebook can be shared inside the service without carrying personal data.
"""

from __future__ import annotations

import pandas as pd

from rsdlib import kpi, periods, tables
from rsdlib.config import Config, load_config
from rsdlib.io.model import Export

DIMENSIONS = {
    "gemeente": "gemeente", "trede": "trede", "leeftijd": "leeftijdsklasse",
    "uitkeringsduur": "duurklasse", "achtergrond": "achtergrond", "geslacht": "geslacht",
    "doelgroepregister": "doelgroepregister", "actief": "actief_traject",
}


def crosstab(export: Export, day: str | pd.Timestamp, rows: str, columns: str = "gemeente",
             gemeenten: list[str] | None = None, trede: list[str] | None = None,
             percentages: bool = False, config: Config | None = None) -> pd.DataFrame:
    """Clients at a peildatum counted by two dimensions, optionally filtered; with totals.
    `config` gives the bands and the ladder (None: the default configuration)."""
    s = tables.snapshot(export, pd.Timestamp(day), config or load_config())
    if gemeenten:
        s = s[s["gemeente"].isin(gemeenten)]
    if trede:
        s = s[s["trede"].astype(object).isin(trede)]
    s["trede"] = s["trede"].astype(object).fillna((config or load_config()).domain.empty_label)
    table = (s.groupby([DIMENSIONS[rows], DIMENSIONS[columns]], observed=False, dropna=False)
             .size().unstack(fill_value=0))
    table.loc["Totaal"] = table.sum()
    table["Totaal"] = table.sum(axis=1)
    if percentages:
        table = 100 * table / table.loc["Totaal", "Totaal"]
    return table


def flows(export: Export, start: str, end: str, by: str = "reden",
          gemeenten: list[str] | None = None) -> pd.DataFrame:
    """Inflow (excl. BBZ) and outflow between two dates, by reason or background, per month."""
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    out = {}
    for name, frame, date in (("instroom", export["instroom"], "instroomdatum"),
                              ("uitstroom", export["uitstroom"], "uitstroomdatum")):
        f = frame[(frame[date] >= lo) & (frame[date] <= hi)]
        if name == "instroom":
            f = f[f["regeling"].astype(object) != "BBZ"]
        if gemeenten:
            f = f[f["gemeente"].isin(gemeenten)]
        key = tables.background(f) if by == "achtergrond" else f[by].astype(object)
        counts = f.groupby([f[date].dt.to_period("M").astype(str), key]).size()
        out[name] = counts.unstack(fill_value=0)
    return pd.concat(out, axis=1).fillna(0).astype(int)


def kpi_over_years(export: Export, config: Config, years: list[int],
                   gemeente: str | None = None) -> pd.DataFrame:
    """Every KPI's realisation for a range of years (targets aside), for one municipality or
    all, each year by the definitions of the assignment period that contains it (2019: the
    target-group register and 12 months' durability; 2024-2026: a work disability and 6
    months). A KPI the year's period does not define, or a year outside every period, is
    empty: there is no definition to apply."""
    out = {}
    for y in years:
        period = periods.period_for(config, y)
        defined = {k.id: k for k in period.kpis_of(y)} if period else {}
        out[y] = {name: (k.compute(export, y, defined[name], gemeente, config.domain)
                         if name in defined
                         else None)
                  for name, k in kpi.KPIS.items()}
    return pd.DataFrame(out).astype(float)
