"""One report run (a year and a scope): load, compute, write CSV/Excel/PNG, display.

The notebook `bijlagen.ipynb` only calls `build` and the `show_*` functions here, so
everything it shows is reachable from tests.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsdlib import (
    __version__,
    charts,
    finance,
    kpi,
    labels,
    periods,
    publish,
    summary,
    suppress,
    tabledefs,
    tables,
    trends,
)
from rsdlib.config import Config, load_config
from rsdlib.io import load
from rsdlib.io.model import ValidationReport
from rsdlib.paths import DEMO_DIR, OUTPUT_DIR
from rsdlib.prepared import Prepared, load_prepared, prepare

NOTES = {
    "Peildatum": "Tabellen over het klantenbestand gebruiken de stand op 31-12 van het "
                 "verslagjaar; het begin van het jaar is de stand op 1-1 of, als die ontbreekt, "
                 "op 31-12 van het jaar ervoor.",
    "Leeftijd": "Leeftijd in hele jaren op de peildatum.",
    "Uitkeringsduur": "Hele maanden van uitkering_sinds tot de peildatum; klanten zonder "
                      "uitkering (nuggers) staan apart.",
    "Achtergrond": "Status houder als statushouder = J, anders Migratie achtergrond als "
                   "migratieachtergrond = J, anders Overig.",
    "Instroom": "Instroom in het verslagjaar, exclusief BBZ. 'Binnen periode van 6 mnd weer "
                "ingestroomd' is een waarvan-regel: instroom met een uitstroom van dezelfde "
                "klant in de zes kalendermaanden ervoor.",
    "Dossiers": "Aantal verschillende uitkeringsdossiers (partners delen één dossier).",
    "Percentages": "Percentages zijn exacte verhoudingen van de aantallen, afgerond op twee "
                   "decimalen.",
    "Gemeentelijke scope": "In de bijlage van één gemeente staan bij de bloktabellen de "
                           "gemeente zelf en de totalen van de hele dienst ter vergelijking.",
    "Resultaatafspraken": "De resultaatafspraken gelden voor de hele dienst: een gemeente heeft "
                          "geen eigen doel. In de bijlage van een gemeente staat haar realisatie "
                          "naast die van de dienst en het doel van de dienst. Resultaten die het "
                          "klantvolgsysteem niet kan geven, staan er als 'opgegeven, niet "
                          "berekend'.",
    "Periode": "Een jaar dat in de export nog niet is afgesloten (of waarvan de termijn van de "
               "duurzaamheid nog niet verstreken is) heeft 'geen gegevens'; de periode is dan "
               "voorlopig en haar realisatie telt alleen de jaren met gegevens, vergeleken met "
               "het doel van die jaren.",
}

MUNICIPAL_CARD_NOTE = ("De resultaatafspraken gelden voor de hele dienst; de gemeente heeft geen "
                       "eigen doel. Haar realisatie staat naast die van de dienst.")


def notes_of(cfg: Config) -> dict[str, str]:
    """The page's notes: the general ones, those written from the service's domain (units,
    outflow reasons) and the service's own ([texts] notes, which may replace one)."""
    dom = cfg.domain
    units = "; ".join(f"{u.label}: trede {', '.join(dom.above(u.steps))}" for u in dom.units)
    placement = ", ".join(dom.placement_reasons.values())
    out = dict(NOTES)
    out["Units"] = (f"Unit bij instroom naar de trede bij instroom. {units}; "
                    "niet-uitkeringsgerechtigden apart, ongeacht de trede.")
    out["Uitstroom"] = (f"Uitstroom naar werk/scholing/bedrijf: {placement}; overige redenen "
                        "zijn indirecte uitstroom.")
    out["Treden"] = f"{dom.summary()} (van laag naar hoog)."
    if cfg.changes:
        out["Gemeentelijke herindeling"] = (
            " ".join(c.describe() for c in cfg.changes) + " Elk jaar toont de gemeenten zoals "
            "ze in dat jaar bestaan. '1 januari' van het jaar van een herindeling telt de "
            "dossiers bij de gemeente waar de klanten daarna staan. De vergelijking met het "
            "jaar ervoor en de maandcijfers per gemeente tonen de gemeenten zoals ze toen "
            "waren: een opgeheven gemeente telt daar alleen mee in het totaal van de dienst.")
    if cfg.groups:
        out["Groepen"] = "; ".join(f"{g}: {', '.join(m)}" for g, m in cfg.groups.items()) + "."
    if cfg.examples:
        out["Voorbeeldwaarden"] = (
            "Deze configuratie bevat voorbeeldwaarden die niet uit de brondocumenten komen: "
            f"{', '.join(cfg.examples)}.")
    return out | dom.notes


# The page's sections in order: table IDs, and charts as "chart:NAME".
SECTIONS: dict[str, tuple[str, ...]] = {
    "Resultaatafspraken": ("kpi_scorecard", "kpi_gemeente", "periode_kpi", "chart:kpi"),
    "Bijlagen": (
        "bijlage_1_treden", "bijlage_2_1_trede", "chart:treden", "bijlage_2_1_leeftijd",
        "chart:leeftijd", "bijlage_2_2_uitkeringsduur", "chart:uitkeringsduur",
        "bijlage_2_2_geslacht", "chart:piramide", "bijlage_2_2_migratie",
        "bijlage_2_3_uitstroom", "bijlage_2_3_indirect", "bijlage_2_3_totaal",
        "bijlage_2_4_instroom_reden", "chart:instroomredenen", "bijlage_2_5_instroom_groep",
        "bijlage_2_6_dossiers", "groepen", "jaarvergelijking_trede"),
    "Ontwikkeling": ("chart:stromen", "chart:dossiers", "periode_prognose", "chart:cohorten"),
}

# Monthly series and cohorts: folded at the end of the page (and on their own sheets).
MONTHLY = ("trend_stromen", "trend_dossiers", "trend_actief", "cohort_uitstroom")


@dataclass
class Report:
    """Everything one run computed and wrote."""

    config: Config
    validation: ValidationReport
    year: int
    scope: str
    mode: str
    out: Path
    tables: dict[str, pd.DataFrame]
    metas: dict[str, publish.TableMeta]
    charts: list[charts.Chart] = field(default_factory=list)
    run_date: str = ""
    period: periods.Period | None = None      # the period of a year, or of a period's appendix
    whole_period: bool = False                # the appendix of a whole period, not of a year
    export_date: pd.Timestamp | None = None

    @property
    def label(self) -> str:
        """What the appendix covers: the year, or the period's key."""
        return self.period.label if self.whole_period and self.period else str(self.year)


def for_scope(p: Prepared, scope: str, cfg: Config) -> tuple[dict, dict, dict]:
    """One scope's tables, their publishing metadata and the data its charts need."""
    year, short = p.year, cfg.short
    own = scope == short
    computed = p.scope_tables(scope, cfg)
    label = cfg.name if own else scope
    period = periods.period_for(cfg, year)
    metas = {}
    for tid, table in computed.items():
        if tid in tables.TABLES:
            title = f"{tables.TABLES[tid][0]} — {scope} {year}"
        elif tid in finance.TITLES:
            title = f"{finance.TITLES[tid]} — {label}, {period.name if period else year}"
        elif tid == "groepen":
            title = f"{tables.GROUPS_TITLE} — {cfg.name} {year}"
        else:
            title = f"{trends.title(tid, cfg)} — {label} {year}"
        metas[tid] = publish.TableMeta(tid, title,
                                       layout=tabledefs.layout(tid, table, cfg, scope))
    if "kpi_gemeente" in metas:
        metas["kpi_gemeente"].note = MUNICIPAL_CARD_NOTE
    for tid, table in computed.items():
        metas[tid].labels = labels.for_table(tid, table, cfg, scope)
    if p.mode == "publiek":
        for tid, (hidden, small) in public_suppression(p, scope, cfg, computed).items():
            metas[tid].suppressed, metas[tid].primary = hidden, small
    reasons = p.inflow_reasons if own else p.inflow_reasons.loc[[scope]]
    if own and len(cfg.municipalities) > charts.MAX_STACKED:
        reasons = reasons.sum().to_frame(short).T
    chartdata = {"age_gender": p.age_gender[scope], "inflow_reasons": reasons}
    return computed, metas, chartdata


def build(export: str | Path | None = None, year: int = 2019, scope: str | None = None,
          out: str | Path | None = None, mode: str = "intern",
          config: str | Path | None = None, period: str | None = None) -> Report:
    """Compute every table and chart of one scope and write CSV, Excel and PNG to `out`.

    `export` is an export folder, or a batch's cache: then the scope's prepared slice is
    read and the export is not parsed again. With `period` (a configured period's key or
    name) the appendix covers that assignment period instead of one year.
    """
    every = load_config(config)          # the export is read with every municipality ...
    source = Path(export) if export else DEMO_DIR
    if period:                           # ... a period as the service is in its last year
        found = periods.find(every, period)
        cfg = every.for_year(found.last)
        return build_period(source, found, cfg.scope(scope or cfg.short), out, mode, cfg,
                            every)
    cfg = every.for_year(year)           # ... and a year as the service is in that year
    scope = cfg.scope(scope or cfg.short)
    prep = load_prepared(source, year, scope, mode)
    if prep is None:
        prep = prepare(load(source, every), year, every, mode)
    out = Path(out) if out else OUTPUT_DIR / "lab" / str(year) / scope
    computed, metas, chartdata = for_scope(prep, scope, cfg)
    r = Report(cfg, prep.validation, year, scope, mode, out, computed, metas,
               run_date=dt.date.today().strftime("%d-%m-%Y"),
               period=periods.period_for(cfg, year))
    label = cfg.name if scope == cfg.short else scope
    if mode == "publiek":
        r.charts = charts.public_charts(computed, metas, cfg, scope, year)
    else:
        r.charts = (charts.appendix_charts(computed, cfg, scope, year)
                    + _more_charts(r, label, chartdata))
    write_outputs(r)
    return r


def public_suppression(p: Prepared, scope: str, cfg: Config,
                       computed: dict[str, pd.DataFrame]) -> dict[str, tuple[set, set]]:
    """Hidden cells per table for publiek mode, and of those the primary (small) counts:
    the year's one decision (prepare) read through each table's description, so a count is
    hidden wherever it is published, on every page."""
    decision = p.suppression
    if decision is None:
        decision = suppress.decide({s: p.scope_tables(s, cfg) for s in cfg.scopes}, cfg)
        p.suppression = decision
    return {tid: decision.cells(tid, table, cfg, scope) for tid, table in computed.items()}


def period_tables(data, p: periods.Period, cfg: Config, scope: str) -> dict[str, pd.DataFrame]:
    """The tables of a period's appendix for one scope: the agreements per year and over the
    period, the dossiers against the prognosis (monthly and per year), and the finance (a
    municipality: its own cost share and BUIG rows)."""
    own = scope == cfg.short
    s = None if own else scope
    card = kpi.periode_kpi(data, p, cfg, s)
    if not own and not card.empty:     # no target of its own: the service's, beside its own
        service = kpi.periode_kpi(data, p, cfg)
        card = card.drop(columns=[c for c in card.columns if str(c).startswith("Status")])
        card.insert(card.columns.get_loc("Periode") + 1, f"Periode {cfg.short}",
                    service["Periode"])
        card.insert(card.columns.get_loc(f"Periode {cfg.short}") + 1,
                    f"Status periode {cfg.short}", service["Status periode"])
        card = card.rename(columns={"Doel per jaar": f"Doel {cfg.short} per jaar",
                                    "Doel periode": f"Doel {cfg.short} periode"})
        card.attrs = dict(service.attrs)
    counts = tables.dossier_counts(data)
    out = {"periode_kpi": card,
           "periode_prognose": trends.period_prognosis(counts, cfg, p.first, p.last,
                                                       data.export_date, s),
           "trend_dossiers": trends.period_dossiers(counts, cfg, p.first, p.last, s)}
    money = finance.finance_tables(cfg, data, period=p)
    return out | (money if own else finance.municipal_finance(money, scope))


def public_period_tables(data, p: periods.Period, cfg: Config, scope: str,
                         computed: dict[str, pd.DataFrame] | None = None
                         ) -> dict[str, pd.DataFrame]:
    """A period page's public tables: no monthly figures, and no municipality's own
    scorecard (its small counts would follow from the service's and the other
    municipalities' on their pages)."""
    tabs = computed if computed is not None else period_tables(data, p, cfg, scope)
    drop = {"trend_dossiers", *(("periode_kpi",) if scope != cfg.short else ())}
    return {tid: t for tid, t in tabs.items() if tid not in drop}


def kpi_chart_frame(card: pd.DataFrame, p: periods.Period, cfg: Config,
                    scope: str) -> pd.DataFrame:
    """The period's realisation against the target of the years with data (a count) or the
    target (a share), in the form of a scorecard, for the KPI chart (the service's only)."""
    if scope != cfg.short or card.empty:
        return pd.DataFrame(columns=["KPI", "Realisatie", "Doel", "Status"])
    done = card[[str(y) for y in p.all_years if str(y) in card]].notna().sum(axis=1)
    counts = card["Eenheid"] != "%"
    doel = card["Doel per jaar"].where(~counts, card["Doel per jaar"] * done)
    return pd.DataFrame({"KPI": card["KPI"], "Realisatie": card["Periode"], "Doel": doel,
                         "Status": card["Status periode"].str.removeprefix("voorlopig ")})


def year_decisions(source: Path, data, p: periods.Period, every: Config,
                   years: list[int]) -> dict[int, suppress.Decision]:
    """Each year's public decision (from a batch's cache, else prepared again): what the
    year pages hide, the period page hides too."""
    out = {}
    for year in years:
        prep = load_prepared(source, year, every.short, "publiek")
        if prep is None or prep.suppression is None:
            prep = prepare(data, year, every, "publiek")
            public_suppression(prep, every.short, every.for_year(year),
                               prep.scope_tables(every.short, every.for_year(year)))
        assert prep.suppression is not None
        out[year] = prep.suppression
    return out


def _hidden_in(decision: suppress.Decision | None, *keys) -> tuple[bool, bool]:
    if decision is None:
        return False, False
    return (any(k in decision.hidden for k in keys), any(k in decision.primary for k in keys))


def period_year_cells(computed: dict[str, pd.DataFrame], decisions: dict, cfg: Config,
                      scope: str) -> dict[str, tuple[set, set]]:
    """The period page's cells that repeat a year's counts (the agreements per year, the
    realised placements per year, the year-end dossiers): hidden where that year's pages
    hide them, with what is computed from them (status, difference, amounts) and the
    period's sum of a row with a hidden year."""
    out: dict[str, tuple[set, set]] = {}
    card = computed.get("periode_kpi")
    if card is not None and not card.empty:
        hidden, small = set(), set()
        for pos, kid in enumerate(card.index):
            if card.iloc[pos]["Eenheid"] == "%":
                continue
            for year, decision in decisions.items():
                h, s = _hidden_in(decision, ("kpi", scope, kid, None))
                if h and str(year) in card.columns:
                    hidden |= {(pos, str(year)), (pos, f"Status {year}")}
                if s:
                    small.add((pos, str(year)))
            if any((pos, str(y)) in hidden for y in decisions):
                hidden |= {(pos, c) for c in card.columns
                           if c == "Periode" or str(c).startswith("Status periode")
                           or (str(c).startswith("Periode ") and c != "Periode berekend als")}
        out["periode_kpi"] = ({c for c in hidden if c[1] in card.columns}, small)
    real = computed.get("besparing_realisatie")
    if real is not None and not real.empty:
        counts, derived = tabledefs.realised_columns(real)
        hidden, small = set(), set()
        for pos, label in enumerate(real.index):
            decision = decisions.get(int(label)) if str(label).isdigit() else None
            for col in counts:
                kid = tabledefs.REALISED_COUNTS[col]
                h, s = _hidden_in(decision, ("kpi", scope, kid, None),
                                  ("besparing", scope, kid, None))
                if h:
                    hidden |= {(pos, col), *((pos, d) for d in derived)}
                if s:
                    small.add((pos, col))
        total = [i for i, label in enumerate(real.index) if not str(label).isdigit()]
        for col in {c for _, c in hidden}:
            hidden |= {(i, col) for i in total}
        out["besparing_realisatie"] = (hidden, small)
    prognosis = computed.get("periode_prognose")
    if prognosis is not None and not prognosis.empty:
        hidden, small = set(), set()
        for pos, label in enumerate(prognosis.index):
            year = int(label) if str(label).isdigit() else None
            h, s = _hidden_in(decisions.get(year), ("dossiers", scope, "end", None))
            h2, s2 = _hidden_in(decisions.get(year + 1) if year else None,
                                ("dossiers", scope, "start", None))
            if h or h2:
                hidden |= {(pos, c) for c in prognosis.columns
                           if c in ("Dossiers 31-12", "Verschil", "Status")}
            if s or s2:
                small.add((pos, "Dossiers 31-12"))
        out["periode_prognose"] = (hidden, small)
    return out


def build_period(source: Path, p: periods.Period, scope: str, out: str | Path | None,
                 mode: str, cfg: Config, every: Config | None = None) -> Report:
    """The appendix of a whole assignment period for one scope (see period_tables)."""
    data = load(source, cfg)
    computed = period_tables(data, p, cfg, scope)
    label = cfg.name if scope == cfg.short else scope
    provisional = bool(computed["periode_kpi"].attrs.get("voorlopig"))
    titles = trends.TITLES | finance.TITLES
    metas = {tid: publish.TableMeta(tid, f"{titles[tid]} — {label}, {p.name}"
                                    + (" (voorlopig)" if tid == "periode_kpi" and provisional
                                       else ""))
             for tid in computed}
    for tid, table in computed.items():
        metas[tid].labels = labels.for_table(tid, table, cfg, scope)
    if provisional:
        metas["periode_kpi"].note = NOTES["Periode"]
    if scope != cfg.short:
        metas["periode_kpi"].note = (MUNICIPAL_CARD_NOTE + " " + metas["periode_kpi"].note).strip()
    if mode == "publiek":
        for tid in set(computed) - set(public_period_tables(data, p, cfg, scope,
                                                            computed)):
            computed.pop(tid)
            metas.pop(tid)
        # one decision over the period pages of every scope (a municipality's counts add up
        # to the service's), and what the year pages hide
        pages = {s: computed if s == scope else public_period_tables(data, p, cfg, s)
                 for s in cfg.scopes}
        decision = suppress.decide(pages, cfg)
        for tid, table in computed.items():
            metas[tid].suppressed, metas[tid].primary = decision.cells(tid, table, cfg, scope)
        years = [y for y in p.all_years if y <= p.last and finance.year_closed(
            data.export_date, y)]
        decisions = year_decisions(source, data, p, every or cfg, years)
        for tid, (hidden, small) in period_year_cells(computed, decisions, cfg, scope).items():
            metas[tid].suppressed |= hidden
            metas[tid].primary |= small
    out = Path(out) if out else OUTPUT_DIR / "lab" / p.label / scope
    r = Report(cfg, data.report, p.last, scope, mode, out, computed, metas,
               run_date=dt.date.today().strftime("%d-%m-%Y"), period=p, whole_period=True,
               export_date=data.export_date)
    if mode != "publiek":
        shown = kpi_chart_frame(computed["periode_kpi"], p, cfg, scope)
        r.charts = [charts.dossiers("dossiers", computed["trend_dossiers"],
                                    f"Uitkeringsdossiers per maand en prognose, {label}")]
        if not shown.empty:
            r.charts.append(charts.kpi_chart("kpi", shown[shown["Doel"] > 0],
                                             f"Resultaatafspraken {p.label}"
                                             + (" (voorlopig)" if provisional else "")
                                             + ": realisatie ten opzichte van het doel"))
    write_outputs(r)
    return r


def hidden_counts(r: Report) -> tuple[int, int, int]:
    """Count cells of this scope's tables: hidden as small (primary), hidden to protect
    them (secondary), and all count cells (a count shown in two tables counts twice)."""
    small = secondary = total = 0
    for tid, table in r.tables.items():
        if tid not in tabledefs.DESCRIBE:
            continue
        counts = tabledefs.layout(tid, table, r.config, r.scope).counts
        meta = r.metas[tid]
        total += len(counts)
        small += sum(c in meta.primary for c in counts)
        secondary += sum(c in meta.suppressed and c not in meta.primary for c in counts)
    return small, secondary, total


def hidden_summary(r: Report) -> str:
    """The cost of the protection in words, for the notes sheet."""
    small, secondary, total = hidden_counts(r)
    # one number for both kinds: "0 kleine aantallen" on a page whose hidden cells protect
    # another page's would put each of them outside 1..threshold-1
    return (f"In deze bijlage ({r.scope}) zijn {small + secondary} van de {total} aantallen "
            "afgeschermd: kleine aantallen en aantallen die nodig zijn om kleine aantallen te "
            "beschermen (hier of in een andere bijlage). Percentages van afgeschermde "
            "aantallen zijn ook afgeschermd.")


def suppression_rule(cfg: Config) -> str:
    """The publication rule in words, for the cover, the notes and the page."""
    t = cfg.publication.threshold
    zeros = " en nullen" if cfg.publication.zeros_disclosive else ""
    small = f"aantallen van 1 tot en met {t - 1}" if t > 2 else "aantallen gelijk aan 1"
    return (f"Publieke versie: {small}{zeros} zijn vervangen door •, "
            "net als de cellen waaruit ze met de totalen af te leiden zouden zijn (secundaire "
            f"onderdrukking: elke onderdrukte cel ligt binnen een marge van ten minste {t}) en "
            "percentages van onderdrukte aantallen. Maandcijfers en cohorten staan alleen in de "
            "interne versie.")


def _more_charts(r: Report, label: str, chartdata: dict) -> list[charts.Chart]:
    """Trend, pyramid, inflow-reason, KPI and cohort charts of one run."""
    y, t = r.year, r.tables
    out = [
        charts.pyramid("piramide", chartdata["age_gender"],
                       f"Leeftijd en geslacht, {label}, 31-12-{y}"),
        charts.stacked_columns("instroomredenen", chartdata["inflow_reasons"],
                               f"Instroom naar reden {y} (excl. BBZ), {label}", "Aantal"),
        charts.flows("stromen", t["trend_stromen"], f"Instroom en uitstroom per maand, {label}"),
        charts.dossiers("dossiers", t["trend_dossiers"],
                        f"Uitkeringsdossiers per maand, {label}"),
        charts.survival("cohorten", t["cohort_uitstroom"],
                        f"Aandeel van de instroom nog in het bestand, {label}"),
    ]
    if "kpi_scorecard" in t:
        out.append(charts.kpi_chart("kpi", t["kpi_scorecard"], f"Resultaatafspraken {y}: "
                                    "realisatie ten opzichte van het doel"))
    return out


_DATE = re.compile(r"\b\d{2}-\d{2}-\d{4}\b")   # a date is never broken at its hyphens


def _peildatum(r: Report) -> str:
    if r.whole_period and r.period is not None and r.export_date is not None:
        return (f"31-12 van elk jaar van {r.period.label}, tot de exportdatum "
                f"{r.export_date.strftime('%d-%m-%Y')}")
    return f"31-12-{r.year}"


def cover(r: Report) -> list[tuple[str, str]]:
    """Cover-sheet lines: title, scope, year or period, source, version, mode."""
    return [
        ("Titel", f"{r.config.domain.title} {r.label} — {r.scope} ({r.config.name})"),
        ("Scope", r.scope),
        (("Periode", f"{r.period.name} ({r.period.label})") if r.whole_period and r.period
         else ("Verslagjaar", str(r.year))),
        ("Bron", "Export van het klantvolgsysteem: " + ", ".join(
            f.source for f in r.validation.files.values())
         + f" (peildatum {_peildatum(r)}; controlegetallen op het blad Toelichting)"),
        ("Peildatum", _peildatum(r)),
        ("Versie rsdlib", __version__),
        ("Modus", r.mode),
        *([("Onderdrukking", suppression_rule(r.config))] if r.mode == "publiek" else []),
        ("Rundatum", r.run_date),
    ]


def write_outputs(r: Report) -> None:
    """Write tables/ID.csv, bijlagen.xlsx and figures/*.png into the run's folder."""
    (r.out / "tables").mkdir(parents=True, exist_ok=True)
    (r.out / "figures").mkdir(parents=True, exist_ok=True)
    for tid, table in r.tables.items():
        publish.write_csv(table, r.out / "tables" / f"{tid}.csv", r.metas[tid], r.config)
    notes = list(notes_of(r.config).items())
    notes += [(f"Bron: {f.source}", f"SHA-256 {f.sha256}; {f.rows_used} regels gebruikt, "
               f"{f.rows_refused} geweigerd") for f in r.validation.files.values()]
    notes += [(f"Blad {m.sheet}", f"tables/{tid}.csv") for tid, m in r.metas.items()
              if tid in r.tables]
    if r.mode == "publiek":
        notes[:0] = [("Onderdrukking", suppression_rule(r.config)),
                     ("Afgeschermd", publish.SUPPRESSED_NOTE),
                     ("Afgeschermde aantallen", hidden_summary(r))]
    if any(tid in finance.TITLES for tid in r.tables):
        notes += [(f"Financiën: {k.lower()}", v)
                  for k, v in finance.assumptions(r.config, r.period)]
    stamp = dt.datetime.strptime(r.run_date, "%d-%m-%Y")
    publish.write_xlsx(r.tables, r.metas, r.out / "bijlagen.xlsx", cover(r), notes, r.config,
                       stamp)
    for chart in r.charts:
        (r.out / "figures" / f"{chart.name}.png").write_bytes(chart.png())


# --------------------------------------------------------------------------- display


def _html(text: str):
    from IPython.display import HTML

    return HTML(text)


def show_title(r: Report):
    """The page title and a one-line summary."""
    rule = (f'<p class="noot">{html.escape(suppression_rule(r.config))}</p>'
            if r.mode == "publiek" else "")
    what = (f"{html.escape(r.period.name)}. Peildatum {_peildatum(r)}"
            if r.whole_period and r.period is not None else f"Peildatum 31-12-{r.year}")
    what = _DATE.sub(r'<span style="white-space:nowrap">\g<0></span>', what)  # "31-12-" | "2019"
    title = html.escape(r.config.domain.title)
    who = (html.escape(r.config.name) if r.scope == r.config.short
           else f"{html.escape(r.scope)}, een van de gemeenten van {html.escape(r.config.name)}")
    head = (publish.TABLE_CSS + f"<h1>{title} {r.label} — {html.escape(r.scope)}</h1>"
            f"<p>{who}: bestuursrapportage. {what}.</p>{rule}")
    if r.whole_period:
        years = list(r.period.all_years)  # type: ignore[union-attr]
        return _html(head + summary.to_html(
            summary.build_period(r.tables, r.metas, r.config, r.scope, years), r.label,
            ("Doel periode", "Periode")))
    return _html(head + summary.to_html(
        summary.build(r.tables, r.metas, r.config, r.scope, r.year), r.year))


def _table_html(r: Report, tid: str) -> str:
    return publish.html_table(r.tables[tid], r.metas[tid], r.config) if tid in r.tables else ""


def _chart_html(r: Report, name: str) -> str:
    """A chart as a PNG at twice its display size (sharp on a projector and in print), its
    file named for the PDF, its alt text the figures; the title is in the image itself."""
    chart = next((c for c in r.charts if c.name == name), None)
    if chart is None:
        return ""
    data = base64.b64encode(chart.png()).decode()
    w, h = (round(v * charts.CSS_DPI) for v in chart.figure.get_size_inches())
    return (f'<figure><img src="data:image/png;base64,{data}" width="{w}" height="{h}" '
            f'alt="{html.escape(chart.alt)}" data-bestand="figures/{chart.name}.png"></figure>')


def show_table(r: Report, tid: str):
    """One table as accessible HTML in Dutch number format (nothing when this run has none)."""
    return _html(_table_html(r, tid))


def show_chart(r: Report, name: str):
    """One chart as an inline PNG with alt text (rendered once, from the saved figure)."""
    return _html(_chart_html(r, name))


def show_section(r: Report, name: str):
    """One section of the page (SECTIONS): its heading, tables and charts as one output, so
    that the notebook is a handful of cells. A section this run has nothing for is left out."""
    parts = [_chart_html(r, item.removeprefix("chart:")) if item.startswith("chart:")
             else _table_html(r, item) for item in SECTIONS[name]]
    if not any(parts):
        return _html("")
    return _html(f"<h2>{html.escape(name)}</h2>" + "".join(parts))


def show_finance(r: Report):
    """The finance section (service appendix only): tables with their assumptions beside them."""
    present = [tid for tid in finance.TITLES if tid in r.tables]
    if not present:
        return _html("")
    esc = html.escape
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>"
                    for k, v in finance.assumptions(r.config, r.period))
    tables_html = "".join(publish.html_table(r.tables[t], r.metas[t], r.config) for t in present)
    return _html(f"<section><h2>Financiën</h2><div style='display:flex;gap:2em;flex-wrap:wrap'>"
                 f"<div>{tables_html}</div><aside><h3>Aannames</h3><dl>{items}</dl></aside>"
                 "</div></section>")


def show_method(r: Report):
    """The "Gegevens en methode" block: input files and hashes, peildatum, version, parameters."""
    esc = html.escape
    files = "".join(
        f"<li>{esc(f.source)}: {publish.fmt_count(f.rows_used)} regels gebruikt, "
        f"{publish.fmt_count(f.rows_refused)} geweigerd; SHA-256 <code>{f.sha256}</code></li>"
        for f in r.validation.files.values())
    items = list(notes_of(r.config).items())
    if r.mode == "publiek":         # the mark, explained once
        items[:0] = [("Afgeschermd", publish.SUPPRESSED_NOTE),
                     ("Afgeschermde aantallen", hidden_summary(r))]
    notes = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items)
    monthly = "".join(_table_html(r, tid) for tid in MONTHLY)
    if monthly:
        monthly = ("<section><h2>Maandcijfers</h2><details><summary>Maandcijfers en cohorten "
                   "tonen (ook in het Excel-bestand)</summary>" + monthly + "</details></section>")
    return _html(
        "<section><h2>Gegevens en methode</h2>"
        f"<p>Bron: export van het klantvolgsysteem, peildatum {_peildatum(r)}. "
        f"Gemaakt met rsdlib {__version__} op {r.run_date}; parameters: "
        f"{'periode' if r.whole_period else 'jaar'} {r.label}, "
        f"scope {esc(r.scope)}, modus {esc(r.mode)}.</p><ul>{files}</ul>"
        f"<dl>{notes}</dl></section>" + monthly)
