"""The KPIs' computations and the scorecard of the assignment period that contains a year.

Each KPI is declared once in the registry (rsdlib.kpidefs: id, options, unit, direction,
definition, how a period adds up); here it gets its computation, small pure functions of the
validated frames (`KPIS`: one entry per declaration). Targets and periods come from
configuration ([[kpi_period]]); the definitions are docs/definitions.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pandas as pd

from rsdlib import kpidefs
from rsdlib.config import Config, Entered, default_domain
from rsdlib.config import Kpi as KpiSetting
from rsdlib.domain import Domain
from rsdlib.io.model import Export
from rsdlib.periods import Period, period_for

BEHAALD, NIET_BEHAALD, GEEN_GEGEVENS = "behaald", "niet behaald", "geen gegevens"


class Frames(Protocol):
    """What the KPIs read of an export: its frames by name, its snapshot dates and its date.
    An `Export` is one, and so is one municipality's rows of it (`split_by_municipality`)."""

    @property
    def peildata(self) -> list[pd.Timestamp]: ...

    @property
    def export_date(self) -> pd.Timestamp: ...

    def __getitem__(self, name: str) -> pd.DataFrame: ...


def _in_year(dates: pd.Series, year: int) -> pd.Series:
    return dates.dt.year == year


def _scoped(frame: pd.DataFrame, scope: str | None) -> pd.DataFrame:
    return frame if scope is None else frame[frame["gemeente"] == scope]


def placed(outflow: pd.DataFrame, year: int, reasons=None) -> pd.DataFrame:
    """Outflow rows to work, school or business in the year: the reasons of class
    "plaatsing" (`reasons`: codes; None: those of the default configuration)."""
    reasons = default_domain().placement_reasons if reasons is None else reasons
    reason = outflow["reden"].astype(object)
    return outflow[reason.isin(list(reasons)) & _in_year(outflow["uitstroomdatum"], year)]


def placements(outflow: pd.DataFrame, year: int, reasons=None) -> int:
    """Clients placed in work, school or business in the year (a client placed twice counts once)."""
    return int(placed(outflow, year, reasons)["klantnummer"].nunique())


def placements_target_group(outflow: pd.DataFrame, year: int, definition: str,
                            reasons=None) -> int:
    """Placed clients in the target-group register, or (2024-2026) with a work disability:
    doelgroepregister = J or loonkostensubsidie = J."""
    p = placed(outflow, year, reasons)
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


def werkfit(mutations: pd.DataFrame, year: int, from_steps: tuple[str, ...],
            to_steps: tuple[str, ...]) -> int:
    """Clients whose step went from one of `from_steps` to one of `to_steps` in the year
    (counted once); the assignment 2024-2026: from 2b, 3 or 4 to 5 or higher."""
    m = _steps(mutations, year)
    hit = m["trede_oud"].astype(object).isin(from_steps) & m["trede_nieuw"].astype(object).isin(
        to_steps)
    return int(m.loc[hit, "klantnummer"].nunique())


def durable_share(outflow: pd.DataFrame, inflow: pd.DataFrame, year: int, months: int,
                  export_date: pd.Timestamp, reasons=None) -> float | None:
    """Share (0-100) of the year's placed clients with no new inflow within `months` after
    their last placement; None while the window has not passed for every placement."""
    counts = durable_counts(outflow, inflow, year, months, export_date, reasons)
    return None if counts is None else 100 * counts[0] / counts[1]


def durable_counts(outflow: pd.DataFrame, inflow: pd.DataFrame, year: int, months: int,
                   export_date: pd.Timestamp, reasons=None) -> tuple[int, int] | None:
    """(durable, placed) clients of the year (see durable_share)."""
    p = placed(outflow, year, reasons).groupby("klantnummer", observed=True)["uitstroomdatum"].max()
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
    return len(p) - returned, len(p)


def month_end_snapshots(klanten: pd.DataFrame, year: int) -> list[pd.Timestamp]:
    """The month-end peildata of the year; when there are none, the 31-12 snapshot alone."""
    days = pd.Series(pd.to_datetime(klanten["peildatum"].unique()))
    ends = sorted(d for d in days if d.year == year and d.day == d.days_in_month)
    return ends or ([pd.Timestamp(year, 12, 31)] if pd.Timestamp(year, 12, 31) in set(days) else [])


def active_share(klanten: pd.DataFrame, year: int, steps: tuple[str, ...]) -> float | None:
    """Share (0-100) of clients on `steps` with an active activity, averaged over month ends."""
    parts = active_parts(klanten, year, steps)
    return None if parts is None else parts[0] / parts[1]


def active_parts(klanten: pd.DataFrame, year: int, steps: tuple[str, ...]
                 ) -> tuple[float, int] | None:
    """(sum of the month ends' shares, number of month ends) of active_share."""
    days = month_end_snapshots(klanten, year)
    on = klanten[klanten["peildatum"].isin(days) & klanten["trede"].isin(steps)]
    means = on.groupby("peildatum")["actief_traject"].mean()    # month ends with such clients
    return (float(100 * means.sum()), len(means)) if len(means) else None


def lks_count(klanten: pd.DataFrame, year: int) -> int | None:
    """Clients with wage-cost subsidy at 31-12-Y (None without that snapshot)."""
    s = klanten[klanten["peildatum"] == pd.Timestamp(year, 12, 31)]
    return int(s["loonkostensubsidie"].sum()) if len(s) else None


def lks_growth(klanten: pd.DataFrame, year: int) -> float | None:
    """Growth (%) of clients working with wage-cost subsidy, 31-12-Y against 31-12-(Y-1)."""
    parts = lks_parts(klanten, year)
    return None if parts is None else 100 * (parts[0] - parts[1]) / parts[1]


def lks_parts(klanten: pd.DataFrame, year: int) -> tuple[float, float] | None:
    """(clients with wage-cost subsidy at 31-12-Y, at 31-12-(Y-1)) of lks_growth; None
    without either snapshot or with none at 31-12-(Y-1)."""
    now, before = lks_count(klanten, year), lks_count(klanten, year - 1)
    return None if now is None or not before else (float(now), float(before))


def youth_to_benefit(talks: pd.DataFrame, year: int) -> float | None:
    """Share (0-100) of the year's preventive talks with young people followed by a benefit."""
    parts = youth_to_benefit_parts(talks, year)
    return None if parts is None else 100 * parts[0] / parts[1]


def youth_to_benefit_parts(talks: pd.DataFrame, year: int) -> tuple[int, int] | None:
    """(talks followed by a benefit, talks) of the year."""
    t = talks[_in_year(talks["datum"], year)]
    return (int((t["uitkomst"] == "UITKERING").sum()), len(t)) if len(t) else None


def youth_active(klanten: pd.DataFrame, year: int) -> float | None:
    """Share (0-100) of clients under 27 at 31-12-Y without exemption that are active."""
    parts = youth_active_parts(klanten, year)
    return None if parts is None else 100 * parts[0] / parts[1]


def youth_active_parts(klanten: pd.DataFrame, year: int) -> tuple[int, int] | None:
    """(active, all) clients under 27 at 31-12-Y without exemption."""
    day = pd.Timestamp(year, 12, 31)
    s = klanten[(klanten["peildatum"] == day) & ~klanten["ontheffing"]]
    from rsdlib.tables import age_years

    s = s[age_years(s["geboortedatum"], day) < 27]
    return (int(s["actief_traject"].sum()), len(s)) if len(s) else None


Compute = Callable[[Frames, int, KpiSetting, str | None, Domain], float | None]
Parts = Callable[[Frames, int, KpiSetting, str | None, Domain], tuple[float, float] | None]


@dataclass(frozen=True)
class Kpi:
    """A KPI of the registry with its computation: its value in a year, and the year's
    (numerator, denominator) that a period adds up (`parts`; None: the value over 1)."""

    spec: kpidefs.KpiSpec
    compute: Compute
    parts: Parts | None = None

    def describe(self, k: KpiSetting) -> str:
        return self.spec.describe(k)

    def year_parts(self, export: Frames, year: int, k: KpiSetting, scope: str | None,
                   dom: Domain) -> tuple[float, float] | None:
        """(numerator, denominator) of the KPI in one year; its value is their ratio."""
        if self.parts is not None:
            return self.parts(export, year, k, scope, dom)
        value = self.compute(export, year, k, scope, dom)
        return None if value is None else (float(value), 1.0)


def _f(export: Frames, name: str, scope: str | None) -> pd.DataFrame:
    return _scoped(export[name], scope)


KPIS: dict[str, Kpi] = {k.spec.id: k for k in (
    Kpi(kpidefs.PLAATSINGEN,
        lambda e, y, k, s, d: placements(_f(e, "uitstroom", s), y, d.placement_reasons)),
    Kpi(kpidefs.PLAATSINGEN_DOELGROEP,
        lambda e, y, k, s, d: placements_target_group(
            _f(e, "uitstroom", s), y, k.definition or "doelgroepregister", d.placement_reasons)),
    Kpi(kpidefs.WERKFIT,
        lambda e, y, k, s, d: werkfit(_f(e, "trede_mutaties", s), y, tuple(k.from_steps or ()),
                                      tuple(k.to_steps or ()))),
    Kpi(kpidefs.STAP_VOORWAARTS,
        lambda e, y, k, s, d: forward_steps(_f(e, "trede_mutaties", s), y)),
    Kpi(kpidefs.DUURZAAM,
        lambda e, y, k, s, d: durable_share(_f(e, "uitstroom", s), _f(e, "instroom", s), y,
                                            k.months or 6, e.export_date, d.placement_reasons),
        lambda e, y, k, s, d: durable_counts(_f(e, "uitstroom", s), _f(e, "instroom", s), y,
                                             k.months or 6, e.export_date, d.placement_reasons)),
    Kpi(kpidefs.ACTIEF,
        lambda e, y, k, s, d: active_share(_f(e, "klanten", s), y, tuple(k.steps or ())),
        lambda e, y, k, s, d: active_parts(_f(e, "klanten", s), y, tuple(k.steps or ()))),
    Kpi(kpidefs.LKS_GROEI,
        lambda e, y, k, s, d: lks_growth(_f(e, "klanten", s), y),
        lambda e, y, k, s, d: lks_parts(_f(e, "klanten", s), y)),
    Kpi(kpidefs.JONGEREN_UITKERING,
        lambda e, y, k, s, d: youth_to_benefit(_f(e, "jongeren_gesprekken", s), y),
        lambda e, y, k, s, d: youth_to_benefit_parts(_f(e, "jongeren_gesprekken", s), y)),
    Kpi(kpidefs.JONGEREN_ACTIEF,
        lambda e, y, k, s, d: youth_active(_f(e, "klanten", s), y),
        lambda e, y, k, s, d: youth_active_parts(_f(e, "klanten", s), y)),
)}


def status(value: float | None, target: float, direction: str = "min") -> str:
    """behaald / niet behaald / geen gegevens."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return GEEN_GEGEVENS
    ok = value <= target if direction == "max" else value >= target
    return BEHAALD if ok else NIET_BEHAALD


def has_data(export: Frames, year: int) -> bool:
    """Whether the export covers the year at all (a snapshot or an event in it)."""
    return any(d.year == year for d in export.peildata) or bool(
        (export["uitstroom"]["uitstroomdatum"].dt.year == year).any())


def year_closed(export: Frames, year: int) -> bool:
    """Whether the year has ended within the export (its date is 31-12 of the year or later)."""
    return export.export_date >= pd.Timestamp(year, 12, 31)


BEREKEND, OPGEGEVEN = "berekend", "opgegeven, niet berekend"
COLUMNS = ["KPI", "Eenheid", "Doel", "Realisatie", "Status", "Bron", "Definitie"]


def _entered_row(e: Entered) -> dict[str, object]:
    """A result entered by hand: its value and target as given, its status as given or, when
    both are numbers, compared."""
    value, target = e.value, e.target
    given = e.status or (status(float(value), float(target), e.direction)
                         if value is not None and target is not None else GEEN_GEGEVENS)
    return {"KPI": e.label, "Eenheid": e.unit,
            "Doel": np.nan if target is None else float(target),
            "Realisatie": np.nan if value is None else float(value),
            "Status": given, "Bron": OPGEGEVEN, "Definitie": e.note}


def kpi_scorecard(export: Frames, year: int, config: Config,
                  scope: str | None = None) -> pd.DataFrame:
    """One row per result agreement of the period containing the year: KPI, Doel, Realisatie,
    Status, Bron (berekend, or entered by hand) and the definition; percentages marked in
    `attrs["pct_rows"]`. Without a period, or a period without agreements for the year, the
    table has no rows."""
    period = period_for(config, year)
    kpis = period.kpis_of(year) if period else []
    entered = period.entered_of(year) if period else []
    if not kpis and not entered:
        table = pd.DataFrame(columns=COLUMNS).rename_axis("rij")
        table.attrs["pct_rows"] = []
        return table
    covered = has_data(export, year)
    rows: dict[str, dict[str, object]] = {}       # by KPI id, or an entered result's id
    pct_rows: list[str] = []
    for k in kpis:
        kpi = KPIS[k.id]
        value = kpi.compute(export, year, k, scope, config.domain) if covered else None
        rows[k.id] = {
            "KPI": k.label, "Eenheid": k.unit, "Doel": k.target,
            "Realisatie": np.nan if value is None else float(value),
            "Status": status(value, k.target, k.direction),
            "Bron": BEREKEND, "Definitie": kpi.describe(k),
        }
        if k.unit == "%":
            pct_rows.append(k.id)
    if scope is None:                   # results entered by hand are the service's
        for e in entered:
            rows[e.id] = _entered_row(e)
            if e.unit == "%":
                pct_rows.append(e.id)
    table = pd.DataFrame.from_dict(rows, orient="index")[COLUMNS]
    table.index.name = "rij"
    table.attrs["pct_rows"] = pct_rows
    return table


class _Part:
    """One municipality's rows of an export, for computing its KPIs with the service's code."""

    def __init__(self, export: Export, rows: dict[str, np.ndarray]):
        self._export, self._rows = export, rows
        self.export_date = export.export_date
        self.peildata = export.peildata

    def __getitem__(self, name: str) -> pd.DataFrame:
        frame = self._export[name]
        return frame.iloc[self._rows.get(name, np.array([], dtype=np.intp))]


def split_by_municipality(export: Export, names: tuple[str, ...]) -> dict[str, _Part]:
    """Each municipality's rows of every frame, found by one grouping per frame."""
    rows: dict[str, dict[str, np.ndarray]] = {m: {} for m in names}
    for name in ("klanten", "instroom", "uitstroom", "trede_mutaties", "jongeren_gesprekken"):
        groups = export[name].groupby("gemeente", observed=True).indices
        for m in names:
            if m in groups:
                rows[m][name] = groups[m]
    return {m: _Part(export, rows[m]) for m in names}


def municipal_scorecards(export: Export, year: int, config: Config) -> dict[str, pd.DataFrame]:
    """Each municipality's realisation of the year's agreements beside the service's, with the
    service's target and status: the agreements are service-wide, a municipality has no target
    of its own."""
    service = kpi_scorecard(export, year, config)
    service = service[service["Bron"] == BEREKEND]
    if service.empty:
        return {}
    parts = split_by_municipality(export, config.municipalities)
    out = {}
    for m in config.municipalities:
        own = kpi_scorecard(parts[m], year, config)
        table = pd.DataFrame({
            "KPI": service["KPI"], "Eenheid": service["Eenheid"],
            f"Doel {config.short}": service["Doel"], m: own["Realisatie"].reindex(service.index),
            config.short: service["Realisatie"], f"Status {config.short}": service["Status"]})
        table.index.name = "rij"
        table.attrs["pct_rows"] = service.attrs["pct_rows"]
        out[m] = table
    return out


# --------------------------------------------------------------------------- the period


def periode_kpi(export: Export, period: Period, config: Config,
                scope: str | None = None) -> pd.DataFrame:
    """Each result agreement of the period per year and over the period: realisation and
    status per year, the target per year and for the period, the period's realisation and
    status, and how the period adds up (the registry's `period` and `period_rule`).

    A year that has not ended within the export (or whose window has not passed) is
    `geen gegevens`; the period is then provisional (`attrs["voorlopig"]`): its realisation
    covers the years with data and is compared with the target of those years."""
    export_ = export if scope is None else split_by_municipality(
        export, (scope,))[scope]          # a municipality's rows; the targets are the service's
    rows, pct_rows = {}, []
    provisional = False
    for k in period.kpis:
        kid, target, how = k.id, float(k.target), k.spec.period
        direction = k.direction
        years = [y for y in period.all_years if y in (k.years or period.all_years)]
        row = {"KPI": k.label, "Eenheid": k.unit, "Doel per jaar": target}
        parts = {}
        for y in years:
            got = (KPIS[kid].year_parts(export_, y, k, None, config.domain)
                   if year_closed(export, y) else None)
            parts[y] = got
            value = None if got is None else (got[0] / got[1] if how != "groei"
                                              else 100 * (got[0] - got[1]) / got[1])
            if value is not None and how == "aandeel":
                value *= 100
            row[str(y)] = np.nan if value is None else value
            row[f"Status {y}"] = status(value, target, direction)
        done = {y: v for y, v in parts.items() if v is not None}
        provisional = provisional or len(done) < len(years)
        count = how == "som"
        row["Doel periode"] = target * len(years) if count else target
        value = None
        if done:
            if how == "groei":
                first, last = min(done), max(done)
                growth = float(np.prod([done[y][0] / done[y][1] for y in done]))
                value = 100 * (growth ** (1 / len(done)) - 1) if first <= last else None
            elif count:
                value = sum(v[0] for v in done.values())
            else:
                num, den = (sum(v[i] for v in done.values()) for i in (0, 1))
                value = num / den * (1 if how == "gemiddelde" else 100)
        row["Periode"] = np.nan if value is None else float(value)
        compare = target * len(done) if count else target
        st = status(value, compare, direction)
        row["Status periode"] = (f"voorlopig {st}" if done and len(done) < len(years)
                                 else st)
        row["Periode berekend als"] = k.spec.period_rule
        rows[kid] = row
        if not count:
            pct_rows.append(kid)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "rij"
    table.attrs["pct_rows"] = pct_rows
    table.attrs["voorlopig"] = provisional
    return table
