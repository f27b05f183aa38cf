"""Monthly trends, cohort outflow (survival) and year-over-year comparison."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsdlib import tables
from rsdlib.config import Config
from rsdlib.io.model import Export
from rsdlib.kpidefs import span

DAYS_PER_MONTH = 365.25 / 12
COHORT_MONTHS = (6, 12, 24, 36)


def _scoped(frame: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    return frame if scope is None else frame[frame["gemeente"] == scope]


def _months(first: pd.Timestamp, last: pd.Timestamp) -> pd.PeriodIndex:
    return pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")


ALL = tables.ALL_MUNICIPALITIES


@dataclass
class TrendBase:
    """Scope-independent monthly counts of one report year, per municipality and in all.

    Built once per batch; a scope's trend tables are slices of it.
    """

    flows: pd.DataFrame       # per month: (Instroom|Uitstroom, gemeente) counts, up to Dec Y
    dossiers: pd.DataFrame    # per month-end peildatum: distinct dossiers per gemeente and all
    active: pd.DataFrame      # per month-end peildatum: (Klanten|Actief, gemeente) on 2a-5
    cohorts: pd.DataFrame     # per inflow row: gemeente, cohort year, months, observed

    def slice(self, scope: str | None) -> TrendBase:
        """Only what one scope needs (all of it for the service)."""
        if scope is None:
            return self
        keep = [ALL, scope]
        return TrendBase(
            self.flows.loc[:, self.flows.columns.get_level_values(1).isin(keep)],
            self.dossiers[[c for c in keep if c in self.dossiers.columns]],
            self.active.loc[:, self.active.columns.get_level_values(1).isin(keep)],
            self.cohorts[self.cohorts["gemeente"] == scope])


def _with_total(counts: pd.DataFrame) -> pd.DataFrame:
    """Counts per gemeente (columns) plus their sum under ALL."""
    counts = counts.copy()
    counts.columns = counts.columns.astype(object)
    counts[ALL] = counts.sum(axis=1)
    return counts


def trend_base(export: Export, year: int, active_steps: tuple[str, ...] | None = None
               ) -> TrendBase:
    """Monthly flows, dossiers, active shares (of clients on `active_steps`; None: those of
    the default configuration) and cohort durations for every municipality."""
    if active_steps is None:
        from rsdlib.config import default_domain

        active_steps = default_domain().active_steps
    end = pd.Timestamp(year, 12, 31)
    i = export["instroom"]
    i = i[(i["regeling"].astype(object) != "BBZ") & (i["instroomdatum"] <= end)]
    u = export["uitstroom"]
    u = u[u["uitstroomdatum"] <= end]
    firsts = [d for d in (i["instroomdatum"].min(), u["uitstroomdatum"].min()) if pd.notna(d)]
    start = min([*firsts, pd.Timestamp(year, 1, 1)])
    months = _months(start, end)
    parts = {}
    for label, frame, col in (("Instroom", i, "instroomdatum"), ("Uitstroom", u, "uitstroomdatum")):
        # every municipality a column, also when the year has no such event at all (a file
        # with only its header is a valid export of a year without them)
        counts = (frame.groupby([frame[col].dt.to_period("M"), "gemeente"], observed=False)
                  .size().unstack("gemeente", fill_value=0)
                  .reindex(index=months, fill_value=0)
                  .reindex(columns=pd.Index(frame["gemeente"].cat.categories, name="gemeente"),
                           fill_value=0))
        parts[label] = _with_total(counts)
    flows = pd.concat(parts, axis=1).astype(float)

    k = export["klanten"]
    k = k[(k["peildatum"] <= end) & (k["peildatum"].dt.day == k["peildatum"].dt.days_in_month)]
    counts = tables.dossier_counts(export)
    month_ends = [d for d in counts.index if d <= end and d.day == d.days_in_month]
    dossiers = counts.loc[month_ends].astype(float)
    dossiers.index.name = "peildatum"

    a = k[k["trede"].astype(object).isin(active_steps)]
    g = a.groupby(["peildatum", "gemeente"], observed=False)["actief_traject"]
    active = pd.concat({"Klanten": _with_total(g.size().unstack("gemeente", fill_value=0)),
                        "Actief": _with_total(g.sum().unstack("gemeente", fill_value=0))},
                       axis=1).astype(float)

    inflow = i[i["instroomdatum"].dt.year <= year]
    outs = export["uitstroom"][["klantnummer", "uitstroomdatum"]]
    pairs = inflow[["klantnummer", "instroomdatum"]].reset_index(names="_row").merge(
        outs, on="klantnummer", how="left")
    after = pairs[pairs["uitstroomdatum"] >= pairs["instroomdatum"]]
    first_out = after.groupby("_row")["uitstroomdatum"].min()
    out_date = first_out.reindex(inflow.index)
    observed = out_date.notna() & (out_date <= export.export_date)
    stop = out_date.where(observed, export.export_date)
    cohorts = pd.DataFrame({
        "gemeente": inflow["gemeente"].astype(object).to_numpy(),
        "cohort": inflow["instroomdatum"].dt.year.to_numpy(),
        "months": ((stop - inflow["instroomdatum"]).dt.days / DAYS_PER_MONTH).to_numpy(),
        "observed": observed.to_numpy()})
    return TrendBase(flows, dossiers, active, cohorts)


def flows_table(base: TrendBase, scope: str | None) -> pd.DataFrame:
    """Inflow (excl. BBZ) and outflow per month with 12-month sums, for one scope."""
    key = scope or ALL
    table = pd.DataFrame({"Instroom": base.flows[("Instroom", key)],
                          "Uitstroom": base.flows[("Uitstroom", key)]})
    table["Instroom 12 mnd"] = table["Instroom"].rolling(12).sum()
    table["Uitstroom 12 mnd"] = table["Uitstroom"].rolling(12).sum()
    table.index = [str(p) for p in table.index]
    table.index.name = "rij"
    return table


def monthly_flows(export: Export, year: int, scope: str | None = None) -> pd.DataFrame:
    """Inflow (excl. BBZ) and outflow per month up to December of the year, with 12-month sums."""
    return flows_table(trend_base(export, year), scope)


def levels(config: Config, base: int, base_level: float, last: int) -> dict[int, float]:
    """The prognosis from `base_level` in the base year `base` (the configured
    prognosis.base_year) up to `last`, unrounded."""
    p = config.prognosis
    change = p.change_pct
    out, level = {base: float(base_level)}, float(base_level)
    for y in range(base + 1, last + 1):
        if y not in change:
            break
        level *= 1 + change[y] / 100
        out[y] = level
    return out


OP_OF_ONDER, BOVEN = "op of onder prognose", "boven prognose"


def period_prognosis(counts: pd.DataFrame, config: Config, first: int, last: int,
                     export_date: pd.Timestamp, scope: str | None = None) -> pd.DataFrame:
    """Year-end dossiers against the national prognosis, from the base year to the period's
    last year: the change %, the prognosis (whole dossiers, as the assignment prints them),
    the dossiers at 31-12, the difference and the status for the period's years.

    The service starts from the configured base (`base_dossiers`); a municipality from its own
    dossiers at 31-12 of the base year, indexed by the same percentages. `counts` is
    tables.dossier_counts of the export."""
    p = config.prognosis
    columns = ["% t.o.v. jaar ervoor", "Prognose", "Dossiers 31-12", "Verschil", "Status"]
    if p.base_year is None:
        return pd.DataFrame(columns=columns).rename_axis("rij")
    base = p.base_year
    key = scope or ALL
    base_day = pd.Timestamp(base, 12, 31)
    actual = counts[key] if key in counts.columns else pd.Series(dtype=float)
    if scope is None and p.base_dossiers is not None:
        start = float(p.base_dossiers)
    elif base_day in actual.index:
        start = float(actual[base_day])
    else:
        return pd.DataFrame(columns=columns).rename_axis("rij")
    change = p.change_pct
    rows = {}
    for y, level in levels(config, base, start, last).items():
        day = pd.Timestamp(y, 12, 31)
        prog = float(np.floor(level + 0.5))
        have = day in actual.index and export_date >= day
        real = float(actual[day]) if have else np.nan
        if first <= y <= last:
            state = (OP_OF_ONDER if real <= prog else BOVEN) if have else "geen gegevens"
        else:
            state = "basisjaar" if y == base else ""
        rows[str(y)] = {columns[0]: change.get(y, np.nan), "Prognose": prog,
                        "Dossiers 31-12": real, "Verschil": real - prog, "Status": state}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "rij"
    return table


def period_dossiers(counts: pd.DataFrame, config: Config, first: int, last: int,
                    scope: str | None = None) -> pd.DataFrame:
    """Dossiers per month-end snapshot from the prognosis' base year (or the period's first
    year) to the period's end, beside the prognosis (see dossiers_table). `counts` is
    tables.dossier_counts of the export."""
    start = min(first, config.prognosis.base_year or first)
    days = [d for d in counts.index if start <= d.year <= last and d.day == d.days_in_month]
    monthly = counts.loc[days].astype(float)
    monthly.index.name = "peildatum"
    empty = pd.DataFrame()
    return dossiers_table(TrendBase(empty, monthly, empty, empty), config, scope)


def dossiers_table(base: TrendBase, config: Config, scope: str | None) -> pd.DataFrame:
    """Distinct benefit dossiers per month-end snapshot, beside the national prognosis (the
    service from the configured base, a municipality from its own count in the base year)."""
    counts = base.dossiers[scope or ALL]
    table = pd.DataFrame({"Dossiers": counts})
    table["Prognose"] = np.nan
    p = config.prognosis
    base_year = p.base_year or 0
    base_day = pd.Timestamp(base_year, 12, 31) if base_year else None
    start = (float(p.base_dossiers) if scope is None and p.base_dossiers is not None
             else float(counts[base_day]) if base_day is not None and base_day in counts.index
             else None)
    if base_year and start is not None:
        last = max(d.year for d in counts.index) if len(counts) else base_year
        for y, v in levels(config, base_year, start, last).items():
            day = pd.Timestamp(y, 12, 31)
            if day in table.index:
                table.loc[day, "Prognose"] = v
    table.index = [d.strftime("%Y-%m") for d in table.index]
    table.index.name = "rij"
    return table


def monthly_dossiers(export: Export, year: int, config: Config,
                     scope: str | None = None) -> pd.DataFrame:
    """Distinct benefit dossiers per month-end snapshot, beside the national prognosis."""
    return dossiers_table(trend_base(export, year, config.domain.active_steps), config, scope)


def active_table(base: TrendBase, scope: str | None) -> pd.DataFrame:
    """Share of clients on 2a-5 with an active activity, per month-end snapshot."""
    key = scope or ALL
    n, act = base.active[("Klanten", key)], base.active[("Actief", key)]
    table = pd.DataFrame({"Klanten": n, "% actief": 100 * act / n.replace(0, np.nan)})
    table = table[n > 0]
    table.index = [d.strftime("%Y-%m") for d in table.index]
    table.index.name = "rij"
    return table


def monthly_active(export: Export, year: int, scope: str | None = None) -> pd.DataFrame:
    """Share of clients on 2a-5 with an active activity, per month-end snapshot."""
    return active_table(trend_base(export, year), scope)


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


def cohort_table(base: TrendBase, scope: str | None,
                 months: tuple[int, ...] = COHORT_MONTHS) -> pd.DataFrame:
    """For each inflow year: share (%) of the cohort still on the caseload after 6, 12, 24 and
    36 months; censored at the export's date (Kaplan-Meier)."""
    c = base.cohorts if scope is None else base.cohorts[base.cohorts["gemeente"] == scope]
    rows = {}
    for cohort in sorted(c["cohort"].unique()):
        part = c[c["cohort"] == cohort]
        s = kaplan_meier(part["months"].to_numpy(), part["observed"].to_numpy(dtype=bool),
                         np.array(months, float))
        rows[str(cohort)] = [float(len(part)), *(100 * s)]
    table = pd.DataFrame.from_dict(rows, orient="index",
                                   columns=["Instroom", *(f"% na {m} mnd" for m in months)])
    table.index.name = "rij"
    return table


def cohort_survival(export: Export, year: int, scope: str | None = None) -> pd.DataFrame:
    """Cohort outflow of every inflow year up to `year` (see cohort_table)."""
    return cohort_table(trend_base(export, year), scope)


def year_over_year(current: pd.DataFrame, previous: pd.DataFrame, column: str,
                   year: int) -> pd.DataFrame:
    """A peildatum table's column at 31-12 of Y-1 and Y, with the change."""
    table = pd.DataFrame({f"31-12-{year - 1}": previous[column], f"31-12-{year}": current[column]})
    table["Verschil"] = table.iloc[:, 1] - table.iloc[:, 0]
    table["% Verschil"] = 100 * table["Verschil"] / table.iloc[:, 0].replace(0, np.nan)
    table.index.name = "rij"
    return table


def tables_from(base: TrendBase, scope: str, config: Config) -> dict[str, pd.DataFrame]:
    """The trend section of one scope from the year's trend base."""
    s = None if scope == config.short else scope
    return {
        "trend_stromen": flows_table(base, s).iloc[-24:],
        "trend_dossiers": dossiers_table(base, config, s),
        "trend_actief": active_table(base, s),
        "cohort_uitstroom": cohort_table(base, s),
    }


def trend_tables(export: Export, year: int, scope: str, config: Config) -> dict[str, pd.DataFrame]:
    """The trend section for one report: flows, dossiers, active share, cohorts."""
    return tables_from(trend_base(export, year, config.domain.active_steps), scope, config)


def title(tid: str, config: Config) -> str:
    """A trend table's title; the active-share trend names the service's own steps."""
    if tid == "trend_actief":
        return f"Klanten trede {span(config.domain.active_steps)} met een actief traject, per maand"
    return TITLES[tid]


TITLES = {
    "kpi_scorecard": "Resultaatafspraken (KPI's)",
    "trend_stromen": "Instroom en uitstroom per maand (excl. BBZ), met 12-maandstotaal",
    "trend_dossiers": "Uitkeringsdossiers per maand en de landelijke prognose",
    "trend_actief": "Klanten trede 2a t/m 5 met een actief traject, per maand",
    "cohort_uitstroom": "Cohorten: aandeel van de instroom nog in het bestand na 6, 12, 24 en "
                        "36 maanden",
    "jaarvergelijking_trede": "Klanten per trede: vergelijking met het jaar ervoor",
    "kpi_gemeente": "Resultaatafspraken: de gemeente naast de dienst",
    "periode_kpi": "Resultaatafspraken per jaar en over de periode",
    "periode_prognose": "Uitkeringsdossiers tegenover de landelijke prognose",
}
