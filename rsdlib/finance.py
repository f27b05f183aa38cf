"""Finance: the savings model of an assignment period, the cost split per municipality, BUIG.

All parameters come from configuration: each assignment period has its own savings model
(`[kpi_period.finance]`) and cost split (`[kpi_period.cost_split]`), BUIG rows are
`[[buig]]`. Nothing here is specific to one service. Amounts are in euros; a column whose
label ends in "(€)" holds euros.

Two savings models are known:
- `uitstroom` (001): placements above a baseline x average benefit x first-year factor x
  share leaving fully in the year of placement, x durable share x share leaving fully in
  each later year of the period;
- `businesscase` (000): extra placements above a baseline, regular and from the
  target-group register, each saving a share of the benefit, a cohort keeping the
  configured share of its people at work in its 1st, 2nd, 3rd year; plus a social return
  of a share of the investment; the budget result is the total saving minus the investment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rsdlib.config import Config, CostSplit, PeriodFinance
from rsdlib.kpi import placed
from rsdlib.periods import Period, period_for


@dataclass(frozen=True)
class SavingsModel:
    """The parameters of the savings model (reference 001, "Besparing op de uitkeringslasten")."""

    cost: float = 18_000             # average benefit cost per year
    first_year: float = 0.5          # placements do not all leave on 1 January
    fully_leaving: float = 0.75      # share that leaves the benefit fully
    durable: float = 0.80            # share still off benefit in later years

    @classmethod
    def from_finance(cls, f: PeriodFinance) -> SavingsModel:
        return cls(_required(f.average_benefit_cost, "average_benefit_cost"),
                   _required(f.first_year_factor, "first_year_factor"),
                   _required(f.fully_leaving_share, "fully_leaving_share"),
                   _required(f.durable_share, "durable_share"))


def _required(value: float | None, name: str) -> float:
    """A parameter of the period's savings model that its model needs: the configuration is
    refused when it lacks one (PeriodFinance.problems), so here it is always given."""
    assert value is not None, f"{name}: the configuration check lets no model without it pass"
    return float(value)


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
    """Broader social return per year: cumulative extra placements x the yearly amount (as
    001 looks back on 2021-2023: 341 x 7.000 a year)."""
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


def buig(rows: list[dict], own_risk_pct: float | None = None) -> pd.DataFrame:
    """BUIG budget against spending per municipality and year: difference, % of budget, the
    schadelast BC where given, and the own-risk ceiling (a % of the budget) where configured."""
    columns = ["BUIG-budget (€)", "BUIG-uitgaven (€)", "Verschil (€)", "% van budget",
               "Schadelast BC (€)"]
    if own_risk_pct is not None:
        columns += [f"Maximaal eigen risico {own_risk_pct:g}% (€)", "Tekort boven eigen risico (€)"]
    if not rows:
        return pd.DataFrame(columns=columns, dtype=float).rename_axis("rij")
    frame = pd.DataFrame(rows)
    table = pd.DataFrame({
        "BUIG-budget (€)": frame["budget"].astype(float).to_numpy(),
        "BUIG-uitgaven (€)": frame["spending"].astype(float).to_numpy()},
        index=[f"{m} {y}" for m, y in zip(frame["municipality"], frame["year"], strict=True)])
    table["Verschil (€)"] = table["BUIG-budget (€)"] - table["BUIG-uitgaven (€)"]
    table["% van budget"] = 100 * table["Verschil (€)"] / table["BUIG-budget (€)"]
    table["Schadelast BC (€)"] = (frame["schadelast"].astype(float).to_numpy()
                                  if "schadelast" in frame else np.nan)
    if own_risk_pct is not None:
        ceiling = table["BUIG-budget (€)"] * own_risk_pct / 100
        table[columns[-2]] = ceiling
        table[columns[-1]] = (-table["Verschil (€)"] - ceiling).clip(lower=0)
    table.index.name = "rij"
    return table


def whole_euros(values):
    """Amounts rounded half up to whole euros, as the sources print them."""
    return np.floor(np.asarray(values, dtype=float) + 0.5)


def placements_per_year(outflow: pd.DataFrame, years: list[int], reasons=None
                        ) -> dict[int, int]:
    """Outflow rows to work, school or business per year (the KPI's reasons): the savings
    models count outflow, not distinct clients (001, footnote to the 2021-2023 table)."""
    return {y: len(placed(outflow, y, reasons)) for y in years}


def year_closed(export_date: pd.Timestamp, year: int) -> bool:
    """Whether the export covers the whole year (its date is 31-12 of the year or later)."""
    return export_date >= pd.Timestamp(year, 12, 31)


# --------------------------------------------------------------------------- model 001


def planned(f: PeriodFinance) -> tuple[dict[int, float], str]:
    """The extra placements the period's own figures assume: the forecast of the assignment
    (`planned_extra`), or the realisation as a later document reported it (`reported_extra`)."""
    for given, label in ((f.planned_extra, "prognose van de opdracht"),
                         (f.reported_extra, "zoals gerapporteerd")):
        if given:
            return {int(y): float(v) for y, v in given.items()}, label
    return {}, ""


def besparing_totaal(period: Period, f: PeriodFinance) -> pd.DataFrame:
    """The total the assignment promises (001, "Totale besparingen"): savings on benefits,
    social return of the extra placements, and participation, over the whole period (`f`:
    its finance)."""
    from rsdlib.publish import fmt_count, fmt_euro

    extra, _ = planned(f)
    n = len(period.all_years)
    rows = {"Besparing op uitkeringslasten":
            savings(extra, SavingsModel.from_finance(f)).loc["Totaal", "Totaal (€)"]}
    if f.social_return_per_placement is not None:
        per = float(f.social_return_per_placement)
        each = {int(v) for v in extra.values()}
        how = (f"{fmt_count(each.pop())} x {fmt_euro(per)} x {n} jaar" if len(each) == 1
               else f"extra plaatsingen x {fmt_euro(per)}")
        rows[f"Maatschappelijke opbrengsten door uitstroom naar werk ({how})"] = (
            sum(extra.values()) * per)
    if f.participation is not None:
        people, amount = f.participation.people, f.participation.amount
        rows[f"Maatschappelijke besparing door actief participeren ({fmt_count(people)} x "
             f"{fmt_euro(amount)} x {n} jaar)"] = people * amount * n
    rows["Totaal"] = sum(rows.values())
    table = pd.DataFrame({"Bedrag (€)": pd.Series(rows, dtype=float)})
    table.index.name = "rij"
    return table


def _realised_uitstroom(period: Period, f: PeriodFinance, placements: dict[int, int],
                        years: list[int]) -> pd.DataFrame:
    """`years`: at least one."""
    model = SavingsModel.from_finance(f)
    base = period.baseline()
    extra = {y: max(0.0, placements[y] - base[y]) for y in years}
    forecast, _ = planned(f)
    per_forecast = (savings(forecast, model).loc["Totaal"] if forecast else None)
    real = savings(extra, model).loc["Totaal"]
    per = f.social_return_per_placement or None
    rows = {}
    for y in years:
        rows[str(y)] = {
            "Plaatsingen": float(placements[y]), "Basis": base[y], "Extra plaatsingen": extra[y],
            "Extra plaatsingen opdracht": forecast.get(y, np.nan),
            "Besparing (€)": real[f"{y} (€)"],
            "Besparing opdracht (€)": (per_forecast.get(f"{y} (€)", np.nan)
                                       if per_forecast is not None else np.nan),
            **({"Maatschappelijke baten (€)": extra[y] * per} if per else {})}
    return pd.DataFrame.from_dict(rows, orient="index")


# --------------------------------------------------------------------------- model 000


def _investment(period: Period, f: PeriodFinance) -> dict[int, float]:
    total = {y: 0.0 for y in period.all_years}
    for line in f.investment:
        for y, v in line.amounts.items():
            total[int(y)] += float(v)
    return total


def businesscase_savings(extra: dict[int, float], amount: float, retention: list[float]
                         ) -> dict[int, float]:
    """Savings per year of cohorts of extra placements, each keeping `retention[k]` of its
    people at work in its (k+1)-th year."""
    return {y: sum(extra[c] * amount * retention[y - c] for c in extra
                   if c <= y and y - c < len(retention)) for y in extra}


def businesscase_forecast(period: Period, f: PeriodFinance) -> pd.DataFrame:
    """The business case as 000 prints it: savings per stream, social return on the
    investment, total savings, the investment and the budget result, per year (`f`: the
    period's finance)."""
    years = period.all_years
    invest = _investment(period, f)
    share = f.sroi_share
    rows: dict[str, dict[int, float]] = {}
    for s in f.streams:
        given = f.forecast.get(s.id, {})
        rows[s.label] = {y: float(given.get(y, np.nan)) for y in years}
    rows["Social Return on Investment (MKBA)"] = {y: share * invest[y] for y in years}
    rows["Totale besparing"] = {y: sum(r[y] for r in rows.values()) for y in years}
    rows["Totale extra investering"] = invest
    rows["Budgetresultaat"] = {y: rows["Totale besparing"][y] - invest[y] for y in years}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.columns = [f"{y} (€)" for y in years]
    table = table.apply(whole_euros)
    table["Totaal (€)"] = table.sum(axis=1)
    table.index.name = "rij"
    return table


def _realised_businesscase(period: Period, f: PeriodFinance, outflow: pd.DataFrame,
                           placements: dict[int, int], years: list[int], reasons=None
                           ) -> pd.DataFrame:
    base = period.baseline()
    retention = list(f.retention)
    invest = _investment(period, f)
    extra = {y: max(0.0, placements[y] - base[y]) for y in years}
    register = {y: float(placed(outflow, y, reasons)["doelgroepregister"].sum()) for y in years}
    # the extra placements are split over the streams as all placements of the year are
    reg_extra = {y: extra[y] * register[y] / placements[y] if placements[y] else 0.0
                 for y in years}
    forecast = businesscase_forecast(period, f)
    rows = {y: {"Plaatsingen": float(placements[y]),
                "waarvan doelgroepregister": register[y], "Basis": base[y],
                "Extra plaatsingen": extra[y]} for y in years}
    for s in f.streams:
        part = reg_extra if s.target_group else {y: extra[y] - reg_extra[y] for y in years}
        amount = _required(f.benefit_cost, "benefit_cost") * s.share
        for y, v in businesscase_savings(part, amount, retention).items():
            rows[y][f"{s.label} (€)"] = v
    for y in years:
        rows[y]["Social return (€)"] = f.sroi_share * invest[y]
        rows[y]["Totale besparing (€)"] = sum(v for k, v in rows[y].items() if k.endswith("(€)"))
        rows[y]["Totale besparing opdracht (€)"] = forecast.loc["Totale besparing", f"{y} (€)"]
        rows[y]["Budgetresultaat (€)"] = rows[y]["Totale besparing (€)"] - invest[y]
    table = pd.DataFrame.from_dict({str(y): r for y, r in rows.items()}, orient="index")
    return table


def realised(period: Period, f: PeriodFinance, outflow: pd.DataFrame,
             export_date: pd.Timestamp, upto: int, reasons=None) -> pd.DataFrame:
    """The period's savings by its own model (`f`, its finance) on the placements of the
    export, for each year of the period up to `upto` that the export covers entirely, beside
    the period's own figures."""
    years = [y for y in period.all_years if y <= upto and year_closed(export_date, y)]
    if not years:
        return pd.DataFrame().rename_axis("rij")
    start = f.counts_from
    if start is not None:               # the assignment started during its first year
        outflow = outflow[outflow["uitstroomdatum"] >= pd.Timestamp(start)]
    placements = placements_per_year(outflow, years, reasons)
    table = (_realised_businesscase(period, f, outflow, placements, years, reasons)
             if f.model == "businesscase"
             else _realised_uitstroom(period, f, placements, years))
    table = table.astype(float)
    table.loc["Totaal"] = table.sum(axis=0, min_count=1)
    for col in ("Basis",):
        if col in table:
            table.loc["Totaal", col] = np.nan
    table.index.name = "rij"
    return table


# --------------------------------------------------------------------------- cost split


def period_cost_split(s: CostSplit, dossiers_on_data: dict[str, int] | None,
                      scope: str | None = None) -> pd.DataFrame:
    """A period's cost split as adopted (the configured inhabitants, dossiers and amounts)
    beside the split recomputed with the dossiers of the export on the reference date."""
    total = s.total
    inh = dict(s.inhabitants)
    adopted_dossiers = dict(s.dossiers)
    if adopted_dossiers:
        table = cost_split(total, inh, adopted_dossiers, rounding="per_amount")
        if s.adopted:
            table.loc[list(inh), "Bijdrage (€)"] = [float(s.adopted[m]) for m in inh]
            table.loc["Totaal", "Bijdrage (€)"] = float(total)
        table = table.rename(columns={"Dossiers": "Dossiers vastgesteld",
                                      "% dossiers": "% dossiers vastgesteld",
                                      "% totaal": "% totaal vastgesteld",
                                      "Bijdrage (€)": "Bijdrage vastgesteld (€)"})
    else:
        table = pd.DataFrame({"Inwoners": [*inh.values(), sum(inh.values())]},
                             index=[*inh, "Totaal"], dtype=float)
        table["% inwoners"] = 100 * table["Inwoners"] / sum(inh.values())
    if dossiers_on_data:
        again = cost_split(total, inh, dossiers_on_data)
        table["Dossiers export"] = again["Dossiers"]
        table["% totaal herberekend"] = again["% totaal"]
        table["Bijdrage herberekend (€)"] = again["Bijdrage (€)"]
    if scope is not None:
        table = table.loc[[scope, "Totaal"]]
    table.index.name = "rij"
    return table


def dossiers_on(export, day: str) -> dict[str, int] | None:
    """Distinct dossiers per municipality on a reference date: the snapshot of that date, or
    of the day before (1 January: the 31 December snapshot); None when the export has neither."""
    from rsdlib.tables import dossier_counts

    counts = dossier_counts(export)
    want = pd.Timestamp(day)
    for d in (want, want - pd.Timedelta(days=1)):
        if d in counts.index:
            row = counts.loc[d]
            return {m: int(row.get(m, 0)) for m in counts.columns if not m.startswith("_")}
    return None


# --------------------------------------------------------------------------- the section


def finance_tables(config: Config, export, year: int | None = None,
                   period: Period | None = None) -> dict[str, pd.DataFrame]:
    """The finance section of the service appendix: of the period that contains `year` (a
    year's appendix), or of `period` (the period's appendix). A year outside every period has
    none. Realised figures cover the years of the period up to `year` that the export covers."""
    if period is None:
        period = period_for(config, year) if year is not None else None
    if period is None:
        return {}
    upto = year if year is not None else period.last
    f = period.finance
    out: dict[str, pd.DataFrame] = {}
    if f is not None:
        if f.model == "businesscase":
            out["besparing"] = businesscase_forecast(period, f)
        else:
            extra, _ = planned(f)
            if extra:
                out["besparing"] = savings(extra, SavingsModel.from_finance(f))
            if f.planned_extra and (f.social_return_per_placement is not None
                                    or f.participation is not None):
                out["besparing_totaal"] = besparing_totaal(period, f)
        real = realised(period, f, export["uitstroom"], export.export_date, upto,
                        config.domain.placement_reasons)
        if not real.empty:
            out["besparing_realisatie"] = real
    if period.cost_split is not None:
        day = period.cost_split.reference_date.isoformat()
        out["kostenverdeling"] = period_cost_split(period.cost_split, dossiers_on(export, day))
    rows = [r.model_dump() for r in config.buig if period.contains(r.year)]
    if rows:
        out["buig"] = buig(rows, f.buig_own_risk_pct if f is not None else None)
    return out


def municipal_finance(tables: dict[str, pd.DataFrame], scope: str) -> dict[str, pd.DataFrame]:
    """A municipality's own finance lines: its cost share and its BUIG rows."""
    out = {}
    if "kostenverdeling" in tables:
        out["kostenverdeling"] = tables["kostenverdeling"].loc[[scope, "Totaal"]]
    if "buig" in tables:
        mine = [r for r in tables["buig"].index if r.rsplit(" ", 1)[0] == scope]
        if mine:
            out["buig"] = tables["buig"].loc[mine]
    return out


TITLES = {
    "besparing": "Besparing: de prognose van de opdracht",
    "besparing_totaal": "Totale besparingen van de opdracht",
    "besparing_realisatie": "Besparing gerealiseerd volgens het model van de opdracht",
    "kostenverdeling": "Kosten van de opdracht per gemeente: vastgesteld en herberekend",
    "buig": "BUIG-budget en uitgaven",
}


def assumptions(config: Config, period: Period | None) -> list[tuple[str, str]]:
    """The period's model and split in words, to print beside the figures."""
    from rsdlib.publish import fmt_count, fmt_euro, fmt_pct

    if period is None:
        return []
    f, out = period.finance, [("Periode", f"{period.name} ({period.label})")]
    if f is not None and f.source:
        out.append(("Bron", f.source))
    if f is not None and f.model == "uitstroom":
        m = SavingsModel.from_finance(f)
        base = period.baseline()
        bases = sorted(set(base.values()))
        out += [
            ("Gemiddelde uitkering", f"{fmt_euro(m.cost)} per jaar"),
            ("Jaar van plaatsing", f"{fmt_pct(100 * m.first_year, 0)} van een jaar besparing "
                                   "(niet iedereen stroomt per 1 januari uit)"),
            ("Volledige uitstroom", f"{fmt_pct(100 * m.fully_leaving, 0)} stroomt volledig uit"),
            ("Duurzaamheid", f"{fmt_pct(100 * m.durable, 0)} blijft in de latere jaren uit de "
                             "uitkering"),
            ("Basis", (f"vanaf {f.counts_from:%d-%m-%Y}: " if f.counts_from else "")
                      + "besparing telt de uitstroom naar werk boven "
                      + (f"{fmt_count(bases[0])} per jaar" if len(bases) == 1 else ", ".join(
                          f"{fmt_count(v)} in {y}" for y, v in base.items())))]
        if f.social_return_per_placement is not None:
            out.append(("Maatschappelijke baten", f"{fmt_euro(f.social_return_per_placement)}"
                                                  " per extra plaatsing, in het jaar van plaatsing"))
    elif f is not None and f.model == "businesscase":
        streams = "; ".join(f"{s.label}: {fmt_pct(100 * s.share, 0)} van "
                            f"{fmt_euro(_required(f.benefit_cost, 'benefit_cost'))}"
                            for s in f.streams)
        ret = ", ".join(fmt_pct(100 * r, 0) for r in f.retention)
        out += [("Besparing per plaatsing", streams),
                ("Aan het werk per jaar na plaatsing", ret),
                ("Social return", f"{fmt_pct(100 * f.sroi_share, 0)} van de "
                                  "extra investering"),
                ("Basis", f"extra plaatsingen boven "
                          f"{fmt_count(period.baseline()[period.first])} per jaar; het "
                          "aandeel doelgroepregister is dat van alle plaatsingen")]
    if period.cost_split is not None:
        out.append(("Kostenverdeling", "de helft naar aandeel inwoners, de helft naar aandeel "
                    f"uitkeringsdossiers op {period.cost_split.reference_date:%d-%m-%Y}; "
                    "vastgesteld: "
                    "zoals de raden het besloten; herberekend: met de dossiers van de export op "
                    "die datum, afgerond op hele euro's, het totaal klopt exact"))
    if f is not None and f.buig_own_risk_pct is not None:
        out.append(("BUIG", f"verschil = budget - uitgaven; het eigen risico van een gemeente is "
                            f"ten hoogste {f.buig_own_risk_pct:g}% van het BUIG-budget"))
    return out
