"""KPI definitions and the scorecard of the assignment period that contains a year.

Each KPI is a small pure function of the validated frames. Targets and periods come from
configuration ([[kpi_period]]); the definitions are docs/definitions.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsdlib import schema
from rsdlib.config import Config, KpiPeriod
from rsdlib.config import Kpi as KpiSetting
from rsdlib.io.model import Export

BEHAALD, NIET_BEHAALD, GEEN_GEGEVENS = "behaald", "niet behaald", "geen gegevens"
FORWARD_FROM = ("2b", "3", "4")
WERKFIT_TO = ("5", "6n", "6z", "6g")


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return dates.dt.year == year


def _scoped(frame: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    return frame if scope is None else frame[frame["gemeente"] == scope]


def placed(outflow: pd.DataFrame, year: int) -> pd.DataFrame:
    """Outflow rows to work, school or business in the year."""
    reason = outflow["reden"].astype(object)
    return outflow[reason.isin(schema.PLAATSING_REDENEN) & _in_year(outflow["uitstroomdatum"], year)]


def placements(outflow: pd.DataFrame, year: int) -> int:
    """Clients placed in work, school or business in the year (a client placed twice counts once)."""
    return int(placed(outflow, year)["klantnummer"].nunique())


def placements_target_group(outflow: pd.DataFrame, year: int, definition: str) -> int:
    """Placed clients in the target-group register, or (2024-2026) with a work disability:
    doelgroepregister = J or loonkostensubsidie = J."""
    p = placed(outflow, year)
    mask = p["doelgroepregister"]
    if definition == "arbeidsbeperking":
        mask = mask | p["loonkostensubsidie"]
    return int(p.loc[mask, "klantnummer"].nunique())


def _steps(mutations: pd.DataFrame, year: int) -> pd.DataFrame:
    m = mutations[_in_year(mutations["datum"], year)]
    return m[m["trede_oud"].notna() & m["trede_nieuw"].notna()]


def forward_steps(mutations: pd.DataFrame, year: int) -> int:
    """Clients with at least one step to a higher trede in the year (to or from empty: no step)."""
    m = _steps(mutations, year)
    up = m["trede_nieuw"].cat.codes > m["trede_oud"].cat.codes
    return int(m.loc[up, "klantnummer"].nunique())


def werkfit(mutations: pd.DataFrame, year: int) -> int:
    """Clients whose step went from 2b, 3 or 4 to 5 or higher in the year (counted once)."""
    m = _steps(mutations, year)
    hit = m["trede_oud"].astype(object).isin(FORWARD_FROM) & m["trede_nieuw"].astype(object).isin(
        WERKFIT_TO)
    return int(m.loc[hit, "klantnummer"].nunique())


def durable_share(outflow: pd.DataFrame, inflow: pd.DataFrame, year: int, months: int,
                  export_date: pd.Timestamp) -> float | None:
    """Share (0-100) of the year's placed clients with no new inflow within `months` after
    their last placement; None while the window has not passed for every placement."""
    p = placed(outflow, year).groupby("klantnummer", observed=True)["uitstroomdatum"].max()
    if p.empty:
        return None
    ends = p + pd.DateOffset(months=months)
    if ends.max() > export_date:
        return None
    pairs = pd.DataFrame({"klantnummer": p.index, "placed": p.to_numpy(),
                          "end": ends.to_numpy()}).merge(
        inflow[["klantnummer", "instroomdatum"]], on="klantnummer", how="left")
    back = (pairs["instroomdatum"] > pairs["placed"]) & (pairs["instroomdatum"] <= pairs["end"])
    returned = pairs.loc[back, "klantnummer"].nunique()
    return 100 * (len(p) - returned) / len(p)


def month_end_snapshots(klanten: pd.DataFrame, year: int) -> list[pd.Timestamp]:
    """The month-end peildata of the year; when there are none, the 31-12 snapshot alone."""
    days = pd.Series(pd.to_datetime(klanten["peildatum"].unique()))
    ends = sorted(d for d in days if d.year == year and d.day == d.days_in_month)
    return ends or ([pd.Timestamp(year, 12, 31)] if pd.Timestamp(year, 12, 31) in set(days) else [])


def active_share(klanten: pd.DataFrame, year: int, steps: tuple[str, ...]) -> float | None:
    """Share (0-100) of clients on `steps` with an active activity, averaged over month ends."""
    days = month_end_snapshots(klanten, year)
    on = klanten[klanten["peildatum"].isin(days) & klanten["trede"].isin(steps)]
    means = on.groupby("peildatum")["actief_traject"].mean()    # month ends with such clients
    return float(100 * means.mean()) if len(means) else None


def lks_growth(klanten: pd.DataFrame, year: int) -> float | None:
    """Growth (%) of clients working with wage-cost subsidy, 31-12-Y against 31-12-(Y-1)."""
    def count(y: int) -> int | None:
        s = klanten[klanten["peildatum"] == pd.Timestamp(y, 12, 31)]
        return int(s["loonkostensubsidie"].sum()) if len(s) else None

    now, before = count(year), count(year - 1)
    if now is None or not before:
        return None
    return 100 * (now - before) / before


def youth_to_benefit(talks: pd.DataFrame, year: int) -> float | None:
    """Share (0-100) of the year's preventive talks with young people followed by a benefit."""
    t = talks[_in_year(talks["datum"], year)]
    return 100 * float((t["uitkomst"] == "UITKERING").mean()) if len(t) else None


def youth_active(klanten: pd.DataFrame, year: int) -> float | None:
    """Share (0-100) of clients under 27 at 31-12-Y without exemption that are active."""
    day = pd.Timestamp(year, 12, 31)
    s = klanten[(klanten["peildatum"] == day) & ~klanten["ontheffing"]]
    from rsdlib.tables import age_years

    s = s[age_years(s["geboortedatum"], day) < 27]
    return 100 * float(s["actief_traject"].mean()) if len(s) else None


@dataclass(frozen=True)
class Kpi:
    """One result agreement with its computation and definition."""

    compute: Callable[[Export, int, KpiSetting, str | None], float | None]
    definition: str


def _f(export: Export, name: str, scope: str | None) -> pd.DataFrame:
    return _scoped(export[name], scope)


KPIS: dict[str, Kpi] = {
    "plaatsingen": Kpi(
        lambda e, y, k, s: placements(_f(e, "uitstroom", s), y),
        "Klanten met uitstroom naar werk, scholing of bedrijf in het jaar (redenen studie, arbeid, "
        "parttime, scholing NUG, werk NUG, zelfstandig); een klant telt één keer."),
    "plaatsingen_doelgroep": Kpi(
        lambda e, y, k, s: placements_target_group(_f(e, "uitstroom", s), y,
                                                   k.definition or "doelgroepregister"),
        "Geplaatste klanten in het doelgroepregister; vanaf 2024 met een arbeidsbeperking: "
        "doelgroepregister = J of loonkostensubsidie = J."),
    "werkfit": Kpi(
        lambda e, y, k, s: werkfit(_f(e, "trede_mutaties", s), y),
        "Klanten van wie de trede in het jaar ging van 2b, 3 of 4 naar 5 of hoger (één keer)."),
    "stap_voorwaarts": Kpi(
        lambda e, y, k, s: forward_steps(_f(e, "trede_mutaties", s), y),
        "Klanten met ten minste één stap naar een hogere trede in het jaar; een wijziging van "
        "of naar een lege trede is geen stap."),
    "duurzaam": Kpi(
        lambda e, y, k, s: durable_share(_f(e, "uitstroom", s), _f(e, "instroom", s), y,
                                         k.months or 6, e.export_date),
        "Aandeel geplaatste klanten zonder nieuwe instroom binnen de termijn na de plaatsing; "
        "geen gegevens zolang de termijn niet voor elke plaatsing verstreken is (exportdatum = "
        "laatste peildatum)."),
    "actief": Kpi(
        lambda e, y, k, s: active_share(_f(e, "klanten", s), y, tuple(k.steps or ())),
        "Aandeel klanten op de genoemde treden met actief_traject = J, gemiddeld over de "
        "maandstanden van het jaar (zonder maandstanden: de stand op 31-12)."),
    "lks_groei": Kpi(
        lambda e, y, k, s: lks_growth(_f(e, "klanten", s), y),
        "Groei van het aantal klanten met loonkostensubsidie op 31-12 ten opzichte van een "
        "jaar eerder."),
    "jongeren_uitkering": Kpi(
        lambda e, y, k, s: youth_to_benefit(_f(e, "jongeren_gesprekken", s), y),
        "Aandeel preventieve gesprekken met jongeren in het jaar waarna binnen 3 maanden een "
        "uitkering volgde."),
    "jongeren_actief": Kpi(
        lambda e, y, k, s: youth_active(_f(e, "klanten", s), y),
        "Aandeel klanten jonger dan 27 op 31-12 zonder ontheffing met een actief traject."),
}


def period_for(config: Config, year: int) -> KpiPeriod | None:
    """The configured assignment period that contains the year, if any."""
    for period in config.kpi_periods:
        first, last = period.years
        if first <= year <= last:
            return period
    return None


def status(value: float | None, target: float, direction: str = "min") -> str:
    """behaald / niet behaald / geen gegevens."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return GEEN_GEGEVENS
    ok = value <= target if direction == "max" else value >= target
    return BEHAALD if ok else NIET_BEHAALD


def has_data(export: Export, year: int) -> bool:
    """Whether the export covers the year at all (a snapshot or an event in it)."""
    return any(d.year == year for d in export.peildata) or bool(
        (export["uitstroom"]["uitstroomdatum"].dt.year == year).any())


def kpi_scorecard(export: Export, year: int, config: Config,
                  scope: str | None = None) -> pd.DataFrame:
    """One row per result agreement of the period containing the year: KPI, Doel, Realisatie,
    Status, and the definition; percentages marked in `attrs["pct_rows"]`."""
    period = period_for(config, year)
    columns = ["KPI", "Eenheid", "Doel", "Realisatie", "Status", "Definitie"]
    if period is None:
        table = pd.DataFrame(columns=columns).rename_axis("rij")
        table.attrs["pct_rows"] = []
        return table
    covered = has_data(export, year)
    rows, pct_rows = {}, []
    for k in period.kpis:
        kpi = KPIS[k.id]
        value = kpi.compute(export, year, k, scope) if covered else None
        rows[k.id] = {
            "KPI": k.label, "Eenheid": k.unit, "Doel": k.target,
            "Realisatie": np.nan if value is None else float(value),
            "Status": status(value, k.target, k.direction),
            "Definitie": kpi.definition,
        }
        if k.unit == "%":
            pct_rows.append(k.id)
    table = pd.DataFrame.from_dict(rows, orient="index")[columns]
    table.index.name = "rij"
    table.attrs["pct_rows"] = pct_rows
    return table
