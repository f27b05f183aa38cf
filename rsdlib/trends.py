"""Monthly trends, cohort outflow (survival) and year-over-year comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from rsdlib import kpi, schema
from rsdlib.config import Config
from rsdlib.io import Export

DAYS_PER_MONTH = 365.25 / 12
COHORT_MONTHS = (6, 12, 24, 36)


def _scoped(frame: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    return frame if scope is None else frame[frame["gemeente"] == scope]


def _months(first: pd.Timestamp, last: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")


def monthly_flows(export: Export, year: int, scope: str | None = None) -> pd.DataFrame:
    """Inflow (excl. BBZ) and outflow per month up to December of the year, with 12-month sums."""
    i = _scoped(export["instroom"], scope)
    i = i[i["regeling"].astype(object) != "BBZ"]
    u = _scoped(export["uitstroom"], scope)
    firsts = [d for d in (i["instroomdatum"].min(), u["uitstroomdatum"].min()) if pd.notna(d)]
    start = min(firsts) if firsts else pd.Timestamp(year, 1, 1)
    months = _months(min(start, pd.Timestamp(year, 1, 1)), pd.Timestamp(year, 12, 31))
    inflow = i["instroomdatum"].dt.to_period("M").value_counts().reindex(months, fill_value=0)
    outflow = u["uitstroomdatum"].dt.to_period("M").value_counts().reindex(months, fill_value=0)
    table = pd.DataFrame({"Instroom": inflow, "Uitstroom": outflow}).astype(float)
    table["Instroom 12 mnd"] = table["Instroom"].rolling(12).sum()
    table["Uitstroom 12 mnd"] = table["Uitstroom"].rolling(12).sum()
    table.index = [str(p) for p in table.index]
    table.index.name = "rij"
    return table


def prognosis(config: Config, actual_base: float, years: list[int]) -> dict[int, float]:
    """Year-end dossiers by the national prognosis, indexed on the actual count at base year."""
    p = config.prognosis
    if not p or "base_year" not in p:
        return {}
    base = int(p["base_year"])
    change = {int(y): float(v) for y, v in p.get("change_pct", {}).items()}
    out, level = {base: actual_base}, actual_base
    for y in range(base + 1, max(years + [base]) + 1):
        if y not in change:
            break
        level *= 1 + change[y] / 100
        out[y] = level
    return {y: v for y, v in out.items() if y in years}


def monthly_dossiers(export: Export, year: int, config: Config,
                     scope: str | None = None) -> pd.DataFrame:
    """Distinct benefit dossiers per month-end snapshot, beside the national prognosis."""
    k = _scoped(export["klanten"], scope)
    k = k[(k["peildatum"] <= pd.Timestamp(year, 12, 31)) & k["dossiernummer"].notna()]
    counts = k.groupby("peildatum")["dossiernummer"].nunique().astype(float)
    counts = counts[[d.day == d.days_in_month for d in counts.index]]
    table = pd.DataFrame({"Dossiers": counts})
    table["Prognose"] = np.nan
    base = int(config.prognosis.get("base_year", 0)) if config.prognosis else 0
    if base and pd.Timestamp(base, 12, 31) in counts.index:
        base_day = pd.Timestamp(base, 12, 31)
        years = sorted({d.year for d in counts.index})
        for y, v in prognosis(config, counts[base_day], years).items():
            day = pd.Timestamp(y, 12, 31)
            if day in table.index:
                table.loc[day, "Prognose"] = v
    table.index = [d.strftime("%Y-%m") for d in table.index]
    table.index.name = "rij"
    return table


def monthly_active(export: Export, year: int, scope: str | None = None,
                   steps: tuple[str, ...] = ("2a", "2b", "3", "4", "5")) -> pd.DataFrame:
    """Share of clients on `steps` with an active activity, per month-end snapshot."""
    k = _scoped(export["klanten"], scope)
    k = k[(k["peildatum"] <= pd.Timestamp(year, 12, 31))
          & k["trede"].astype(object).isin(steps)]
    k = k[k["peildatum"].dt.day == k["peildatum"].dt.days_in_month]
    g = k.groupby("peildatum")["actief_traject"]
    table = pd.DataFrame({"Klanten": g.size().astype(float), "% actief": 100 * g.mean()})
    table.index = [d.strftime("%Y-%m") for d in table.index]
    table.index.name = "rij"
    return table


def kaplan_meier(durations: np.ndarray, observed: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Survival S(t) at the times `at` (NaN beyond the longest follow-up)."""
    order = np.argsort(durations, kind="stable")
    d, e = durations[order], observed[order]
    times = np.unique(d[e])
    surv = np.ones(len(times))
    s = 1.0
    for j, t in enumerate(times):
        at_risk = np.sum(d >= t)
        deaths = np.sum((d == t) & e)
        s *= 1 - deaths / at_risk
        surv[j] = s
    out = np.empty(len(at))
    for j, t in enumerate(at):
        if len(d) == 0 or t > d.max():
            out[j] = np.nan
            continue
        idx = np.searchsorted(times, t, side="right") - 1
        out[j] = surv[idx] if idx >= 0 else 1.0
    return out


def cohort_survival(export: Export, year: int, scope: str | None = None,
                    months: tuple[int, ...] = COHORT_MONTHS) -> pd.DataFrame:
    """For each inflow year up to `year`: share (%) of the cohort still on the caseload after
    6, 12, 24 and 36 months; censored at the export's date (Kaplan-Meier)."""
    i = _scoped(export["instroom"], scope)
    i = i[(i["regeling"].astype(object) != "BBZ") & (i["instroomdatum"].dt.year <= year)]
    u = _scoped(export["uitstroom"], scope)[["klantnummer", "uitstroomdatum"]]
    end = export.export_date
    pairs = i[["klantnummer", "instroomdatum"]].reset_index(names="_row").merge(
        u, on="klantnummer", how="left")
    after = pairs[pairs["uitstroomdatum"] >= pairs["instroomdatum"]]
    first_out = after.groupby("_row")["uitstroomdatum"].min()
    out_date = pd.Series(first_out.reindex(range(len(i))).to_numpy(), index=i.index)
    observed = out_date.notna() & (out_date <= end)
    stop = out_date.where(observed, end)
    durations = ((stop - i["instroomdatum"]).dt.days / DAYS_PER_MONTH).to_numpy()
    rows = {}
    for cohort in sorted(i["instroomdatum"].dt.year.unique()):
        mask = (i["instroomdatum"].dt.year == cohort).to_numpy()
        s = kaplan_meier(durations[mask], observed.to_numpy()[mask], np.array(months, float))
        rows[str(cohort)] = [float(mask.sum()), *(100 * s)]
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["Instroom", *(f"% na {m} mnd" for m in months)])
    table.index.name = "rij"
    return table


def year_over_year(current: pd.DataFrame, previous: pd.DataFrame, column: str,
                   year: int) -> pd.DataFrame:
    """A peildatum table's column at 31-12 of Y-1 and Y, with the change."""
    table = pd.DataFrame({f"31-12-{year - 1}": previous[column], f"31-12-{year}": current[column]})
    table["Verschil"] = table.iloc[:, 1] - table.iloc[:, 0]
    table["% Verschil"] = 100 * table["Verschil"] / table.iloc[:, 0].replace(0, np.nan)
    table.index.name = "rij"
    return table


def trend_tables(export: Export, year: int, scope: str, config: Config) -> dict[str, pd.DataFrame]:
    """The trend section for one report: flows, dossiers, active share, cohorts."""
    s = None if scope == config.short else scope
    flows = monthly_flows(export, year, s)
    return {
        "trend_stromen": flows.iloc[-24:],
        "trend_dossiers": monthly_dossiers(export, year, config, s),
        "trend_actief": monthly_active(export, year, s),
        "cohort_uitstroom": cohort_survival(export, year, s),
    }


def placements_by_target(export: Export, year: int, config: Config) -> pd.DataFrame:
    """KPI realisation against target for the chart (share of target, %)."""
    card = kpi.kpi_scorecard(export, year, config)
    card = card[card["Realisatie"].notna()]
    return pd.DataFrame({"Doel": card["Doel"], "Realisatie": card["Realisatie"],
                         "KPI": card["KPI"], "Eenheid": card["Eenheid"]})


TITLES = {
    "kpi_scorecard": "Resultaatafspraken (KPI's)",
    "trend_stromen": "Instroom en uitstroom per maand (excl. BBZ), met 12-maandstotaal",
    "trend_dossiers": "Uitkeringsdossiers per maand en de landelijke prognose",
    "trend_actief": "Klanten trede 2a t/m 5 met een actief traject, per maand",
    "cohort_uitstroom": "Cohorten: aandeel van de instroom nog in het bestand na 6, 12, 24 en "
                        "36 maanden",
    "jaarvergelijking_trede": "Klanten per trede: vergelijking met het jaar ervoor",
}
ALL_BACKGROUNDS = schema.ACHTERGROND
