"""Exploration helpers for analysts: the same frames and definitions, filtered and cross-tabbed.

They return aggregates only (counts and shares), never client rows, so an exploration
notebook can be shared inside the service without carrying personal data.
"""

from __future__ import annotations

import pandas as pd

from rsdlib import kpi, kpidefs, periods, schema, tables
from rsdlib.config import Config, load_config
from rsdlib.io.model import Export
from rsdlib.labels import month
from rsdlib.publish import fmt_count, fmt_decimal, fmt_pct

DIMENSIONS = {
    "gemeente": "gemeente", "trede": "trede", "leeftijd": "leeftijdsklasse",
    "uitkeringsduur": "duurklasse", "achtergrond": "achtergrond", "geslacht": "geslacht",
    "doelgroepregister": "doelgroepregister", "actief": "actief_traject",
}


# What people read instead of codes and ids: the fixed codes (texts, and the booleans of the
# yes/no dimensions); a later part wins
_FIXED: dict[str | bool, str] = {
    code: label
    for part in (schema.GESLACHT_LABELS,
                 {"DIRECT": "Direct (ontslag, einde WW)", "INDIRECT": "Indirect (bijv. echtscheiding)",
                  "NUG": "Niet-uitkeringsgerechtigden", "instroom": "Instroom", "uitstroom": "Uitstroom"},
                 {True: "Ja", False: "Nee"})
    for code, label in part.items()}


def kpi_names(config: Config | None = None) -> dict[str, str]:
    """Each KPI's name for people (the registry's, on the configured ladder; None: the
    default configuration)."""
    dom = (config or load_config()).domain
    return {kid: spec.display_name(dom) for kid, spec in kpidefs.SPECS.items()}


def _codes(config: Config | None) -> dict[str | bool, str]:
    """Codes to labels: the configured ladder's steps and outflow reasons, the fixed ones and
    the KPIs."""
    dom = (config or load_config()).domain
    steps = {k: v for k, v in dom.step_labels.items() if k}
    reasons = {**dom.placement_reasons, **dom.indirect_reasons}
    return {code: label for part in (steps, reasons, _FIXED, kpi_names(config))
            for code, label in part.items()}


_AXES = {"gemeente": "Gemeente", "trede": "Trede", "leeftijdsklasse": "Leeftijd",
         "duurklasse": "Uitkeringsduur", "achtergrond": "Achtergrond", "geslacht": "Geslacht",
         "doelgroepregister": "Doelgroepregister", "actief_traject": "Actief traject"}


def _dimension(name: str) -> str:
    """The column of a dimension, or a ValueError naming the dimensions that exist."""
    try:
        return DIMENSIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"onbekende dimensie {name!r}; kies uit "
                         f"{', '.join(DIMENSIONS)}") from None


def _municipalities(gemeenten: str | list[str] | tuple[str, ...] | None) -> list[str] | None:
    """`gemeenten` as a list: one name, a list of names, or None (all)."""
    if gemeenten is None:
        return None
    return [gemeenten] if isinstance(gemeenten, str) else list(gemeenten)


def crosstab(export: Export, day: str | pd.Timestamp, rows: str, columns: str = "gemeente",
             gemeenten: str | list[str] | None = None, trede: list[str] | None = None,
             percentages: bool = False, config: Config | None = None) -> pd.DataFrame:
    """Clients at a peildatum counted by two dimensions, optionally filtered; with totals.
    `gemeenten` is one name or a list of names; `config` gives the bands and the ladder
    (None: the default configuration)."""
    row_col, col_col = _dimension(rows), _dimension(columns)
    s = tables.snapshot(export, pd.Timestamp(day), config or load_config())
    gemeenten = _municipalities(gemeenten)
    if gemeenten:
        unknown = sorted(set(gemeenten) - set(s["gemeente"].astype(object)))
        if unknown:
            known = sorted(set(export["klanten"]["gemeente"].astype(object).dropna()))
            raise ValueError(f"onbekende gemeente(n) {', '.join(unknown)}; de export heeft "
                             f"{', '.join(known)}")
        s = s[s["gemeente"].isin(gemeenten)]
    if trede:
        s = s[s["trede"].astype(object).isin(trede)]
    s["trede"] = s["trede"].astype(object).fillna((config or load_config()).domain.empty_label)
    table = (s.groupby([row_col, col_col], observed=False, dropna=False)
             .size().unstack(fill_value=0))
    table.loc["Totaal"] = table.sum()
    table["Totaal"] = table.sum(axis=1)
    if percentages:
        table = 100 * table / table.loc["Totaal", "Totaal"]
    return table


def flows(export: Export, start: str, end: str, by: str = "reden",
          gemeenten: str | list[str] | None = None) -> pd.DataFrame:
    """Inflow (excl. BBZ) and outflow between two dates, by reason or background, per month."""
    if by not in ("reden", "achtergrond", "gemeente"):
        raise ValueError(f"onbekende indeling {by!r}; kies uit reden, achtergrond, gemeente")
    gemeenten = _municipalities(gemeenten)
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
                   gemeente: str | list[str] | None = None) -> pd.DataFrame:
    """Every KPI's realisation for a range of years (targets aside), for one municipality or
    all (a list: its first municipality), each year by the definitions of the assignment
    period that contains it (2019: the target-group register and 12 months' durability;
    2024-2026: a work disability and 6 months). A KPI the year's period does not define, or a
    year outside every period, is empty: there is no definition to apply."""
    if gemeente is not None and not isinstance(gemeente, str):
        gemeente = next(iter(gemeente), None)
    out = {}
    for y in years:
        period = periods.period_for(config, y)
        defined = {k.id: k for k in period.kpis_of(y)} if period else {}
        out[y] = {name: (k.compute(export, y, defined[name], gemeente, config.domain)
                         if name in defined
                         else None)
                  for name, k in kpi.KPIS.items()}
    return pd.DataFrame(out).astype(float)


def show(table: pd.DataFrame, percentages: bool = False, decimals: int = 1,
         config: Config | None = None):
    """A table as people read it: labels instead of codes and ids (trede, reasons, KPIs,
    months; `config` gives the ladder and reasons, None the default configuration), Dutch
    number format (1.078; 25,7 %). For display; the frame itself is unchanged."""
    codes = _codes(config)

    def label(v):
        try:
            v = codes.get(v, v)
        except TypeError:                # unhashable: left as it is
            return v
        return month(v) if isinstance(v, str) else v

    def axis_name(name):
        return _AXES.get(name, name)

    shown = table.copy()
    shown.index = shown.index.map(label)
    shown.index.name = axis_name(table.index.name)
    if isinstance(shown.columns, pd.MultiIndex):
        shown.columns = pd.MultiIndex.from_tuples(
            [tuple(label(p) for p in c) for c in shown.columns],
            names=[axis_name(n) for n in shown.columns.names])
    else:
        shown.columns = shown.columns.map(label)
        shown.columns.name = axis_name(table.columns.name)
    pct_rows = [label(r) for r in table.index if str(r).endswith("(%)") or
                (r in kpidefs.SPECS and kpidefs.SPECS[r].unit == "%")]

    def number(v):
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return ""
        if isinstance(v, str):
            return v
        return fmt_pct(v, decimals) if percentages else (
            fmt_count(v) if float(v).is_integer() else fmt_decimal(v, decimals))

    styler = shown.style.format(number)
    for row in pct_rows:
        styler = styler.format(lambda v: number(v) if pd.isna(v) else fmt_pct(v, decimals),
                               subset=pd.IndexSlice[[row], :])
    return styler
