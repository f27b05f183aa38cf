"""The "Samenvatting": the year's headline figures, the result agreements and a few plain
Dutch sentences, every number read from a cell of a table on the same page.

Each figure and sentence names the cells it uses; in the public version one that would
state a hidden cell is left out (never reworded around it).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import pandas as pd

from rsdlib.config import Config
from rsdlib.publish import (
    SUPPRESSED,
    SUPPRESSED_HTML,
    TableMeta,
    cell_text,
    fmt_count,
    fmt_euro,
    fmt_pct,
)
from rsdlib.tabledefs import PLAATSINGEN, layout

Cell = tuple[str, int, str]          # (table id, row position, column)


@dataclass
class Figure:
    """One headline figure: its value, and the change against the year before if known."""

    label: str
    value: str
    change: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Sentence:
    text: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Summary:
    figures: list[Figure]
    agreements: list[tuple[str, str, str, str]]     # (name, target, realisation, status)
    sentences: list[Sentence]


def _pos(table: pd.DataFrame, label: str, after: str | None = None) -> int | None:
    """The position of row `label` (the first after row `after`, for repeated block rows)."""
    labels = [str(i) for i in table.index]
    start = labels.index(after) + 1 if after in labels else 0
    for i in range(start, len(labels)):
        if labels[i] == label:
            return i
    return None


def _num(value) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _signed(n: float) -> str:
    """+12 / −48 (a real minus sign)."""
    return ("+" if n > 0 else "−" if n < 0 else "±") + fmt_count(abs(n))


class _Reader:
    """Cells of this page's tables, each use remembered; a hidden cell reads as None."""

    def __init__(self, tables: dict[str, pd.DataFrame], metas: dict[str, TableMeta]) -> None:
        self.tables, self.metas = tables, metas

    def get(self, tid: str, pos: int | None, col: str, used: list[Cell]) -> float | None:
        table = self.tables.get(tid)
        if table is None or pos is None or col not in table.columns:
            return None
        if (pos, col) in self.metas[tid].suppressed:
            return None
        used.append((tid, pos, col))
        return _num(table.iloc[pos][col])



def _agreements(card: pd.DataFrame, meta: TableMeta, tid: str, config: Config, scope: str,
                columns: tuple[str, str, str]) -> list[tuple[str, str, str, str]]:
    """(KPI, target, realisation, status) per result agreement of a scorecard, each value as
    the table prints it (percentages to one decimal); a hidden cell is the public mark."""
    lay = (meta.layout if meta.layout is not None and len(meta.layout.rows) == len(card)
           else layout(tid, card, config, scope))

    def cell(pos: int, col: str) -> str:
        if (pos, col) in meta.suppressed:
            return SUPPRESSED
        v = _num(card.iloc[pos].get(col))
        return "" if v is None else cell_text(lay, pos, col, v, pct_decimals=1)

    target, value, status_col = columns
    rows = []
    for pos, (_, row) in enumerate(card.iterrows()):
        status = (SUPPRESSED if (pos, status_col) in meta.suppressed
                  else str(row.get(status_col, "")))
        rows.append((str(row.get("KPI", card.index[pos])), cell(pos, target),
                     cell(pos, value), status))
    return rows


def build(tables: dict[str, pd.DataFrame], metas: dict[str, TableMeta], config: Config,
          scope: str, year: int) -> Summary:
    """The summary of one page, from its tables (as published: hidden cells unused)."""
    own = scope == config.short
    name = config.name if own else scope
    rd = _Reader(tables, metas)
    figures: list[Figure] = []
    sentences: list[Sentence] = []

    # Clients at 31-12, against 31-12 of the year before (the year comparison table)
    used: list[Cell] = []
    yoy = tables.get("jaarvergelijking_trede")
    pos = _pos(yoy, "Totaal") if yoy is not None else None
    now = rd.get("jaarvergelijking_trede", pos, f"31-12-{year}", used)
    before = rd.get("jaarvergelijking_trede", pos, f"31-12-{year - 1}", used)
    diff = rd.get("jaarvergelijking_trede", pos, "Verschil", used)
    if now is None:
        used = []
        t21 = tables.get("bijlage_2_1_trede")
        now = rd.get("bijlage_2_1_trede", _pos(t21, "Totaal") if t21 is not None else None,
                     scope, used)
    if now is not None:
        change = (f"{_signed(diff)} t.o.v. 31-12-{year - 1}"
                  if diff is not None and before is not None else "")
        figures.append(Figure(f"Klanten op 31-12-{year}", fmt_count(now), change, list(used)))
        if diff is not None and before is not None:
            verb = "meer" if diff > 0 else "minder"
            text = (f"Op 31-12-{year} had {name} {fmt_count(now)} klanten, "
                    f"{fmt_count(abs(diff))} {verb} dan een jaar eerder ({fmt_count(before)})."
                    if diff else f"Op 31-12-{year} had {name} {fmt_count(now)} klanten, evenveel "
                    "als een jaar eerder.")
            sentences.append(Sentence(text, list(used)))

    # Inflow of the year (2.4), against the 12-month total of December the year before
    used = []
    t24 = tables.get("bijlage_2_4_instroom_reden")
    short = config.short
    if t24 is not None:
        block = _pos(t24, scope) if not own else None
        total_row = _pos(t24, f"{short} totaal") if own else block
        inflow = rd.get("bijlage_2_4_instroom_reden", total_row, "Eindtotaal", used)
        if inflow is not None:
            prev_used: list[Cell] = []
            ts = tables.get("trend_stromen")
            prev = rd.get("trend_stromen", _pos(ts, f"{year - 1}-12") if ts is not None
                          else None, "Instroom 12 mnd", prev_used)
            change = (f"{_signed(inflow - prev)} t.o.v. {year - 1}" if prev is not None else "")
            figures.append(Figure(f"Instroom {year} (excl. BBZ)", fmt_count(inflow), change,
                                  used + prev_used))
            d_used: list[Cell] = []
            if own:
                direct_row = _pos(t24, f"{short} Instroom Direct")
                indirect_row = _pos(t24, f"{short} Instroom Indirect")
                direct = rd.get("bijlage_2_4_instroom_reden", direct_row, "Eindtotaal", d_used)
                dpct = rd.get("bijlage_2_4_instroom_reden", direct_row, "%", d_used)
                indirect = rd.get("bijlage_2_4_instroom_reden", indirect_row, "Eindtotaal",
                                  d_used)
                ipct = rd.get("bijlage_2_4_instroom_reden", indirect_row, "%", d_used)
                if (direct is not None and dpct is not None and indirect is not None
                        and ipct is not None):
                    sentences.append(Sentence(
                        f"In {year} stroomden {fmt_count(inflow)} klanten in (zonder BBZ): "
                        f"{fmt_count(direct)} om een directe reden zoals ontslag of het einde "
                        f"van de WW ({fmt_pct(dpct, 1)}) en "
                        f"{fmt_count(indirect)} om een indirecte reden zoals een echtscheiding "
                        f"({fmt_pct(ipct, 1)}).", used + d_used))
            else:
                direct = rd.get("bijlage_2_4_instroom_reden",
                                _pos(t24, "Direct (Bijv. Ontslag, einde WW etc.)", scope),
                                "Eindtotaal", d_used)
                indirect = rd.get("bijlage_2_4_instroom_reden",
                                  _pos(t24, "Indirect (Bijv. echtscheiding)", scope),
                                  "Eindtotaal", d_used)
                if direct is not None and indirect is not None:
                    sentences.append(Sentence(
                        f"In {year} stroomden in {scope} {fmt_count(inflow)} klanten in (zonder "
                        f"BBZ): {fmt_count(direct)} om een directe en {fmt_count(indirect)} om "
                        "een indirecte reden.", used + d_used))

    # Outflow to work, school or business (2.3), and the agreement for it
    used = []
    t23 = tables.get("bijlage_2_3_uitstroom")
    if t23 is not None:
        row = _pos(t23, "Eindtotaal") if own else _pos(t23, scope)
        work = rd.get("bijlage_2_3_uitstroom", row, "Eindtotaal", used)
        if work is not None:
            target_used: list[Cell] = []
            card = tables.get("kpi_scorecard")
            target = None
            if card is not None and PLAATSINGEN in [str(i) for i in card.index]:
                target = rd.get("kpi_scorecard", _pos(card, PLAATSINGEN), "Doel", target_used)
            change = f"afspraak {fmt_count(target)}" if target is not None else ""
            figures.append(Figure(f"Uitstroom naar werk, scholing of bedrijf {year}",
                                  fmt_count(work), change, used + target_used))
            if own and target is not None:
                verb = "meer dan" if work > target else "minder dan" if work < target else \
                    "precies"
                sentences.append(Sentence(
                    f"{fmt_count(work)} klanten stroomden in {year} uit naar werk, scholing of "
                    f"een eigen bedrijf; dat is {verb} de afgesproken {fmt_count(target)}.",
                    used + target_used))
            elif not own:
                share_used: list[Cell] = []
                share = rd.get("bijlage_2_3_uitstroom", row, "%", share_used)
                if share is not None:
                    sentences.append(Sentence(
                        f"{fmt_count(work)} klanten uit {scope} stroomden in {year} uit naar "
                        f"werk, scholing of een eigen bedrijf: "
                        f"{fmt_pct(share, 1)} van de uitstroom naar werk van "
                        f"{config.name}.", used + share_used))

    # Benefit dossiers (2.6): 1 January to 31 December
    used = []
    t26 = tables.get("bijlage_2_6_dossiers")
    if t26 is not None:
        row = _pos(t26, config.name if own else scope)
        start = rd.get("bijlage_2_6_dossiers", row, f"1 januari {year}", used)
        end = rd.get("bijlage_2_6_dossiers", row, f"31 december {year}", used)
        pct = rd.get("bijlage_2_6_dossiers", row, "% Ontwikkeling jan - dec", used)
        if start is not None and end is not None and pct is not None:
            figures.append(Figure(f"Uitkeringsdossiers op 31-12-{year}", fmt_count(end),
                                  f"{_signed(end - start)} t.o.v. 1-1-{year}", list(used)))
            if end == start:
                text = (f"Het aantal uitkeringsdossiers bleef in {year} gelijk op "
                        f"{fmt_count(end)}.")
            else:
                verb = "steeg" if end > start else "daalde"
                text = (f"Het aantal uitkeringsdossiers {verb} in {year} met "
                        f"{fmt_count(abs(end - start))} ({fmt_pct(pct, 1, signed=True)}) "
                        f"tot {fmt_count(end)}.")
            sentences.append(Sentence(text, list(used)))

    # The result agreements (the service's scorecard), each value as the scorecard prints it
    # (percentages to one decimal); a hidden cell is the public version's mark
    agreements = []
    card = tables.get("kpi_scorecard")
    if card is not None:
        agreements = _agreements(card, metas["kpi_scorecard"], "kpi_scorecard", config, scope,
                                 ("Doel", "Realisatie", "Status"))
        statuses = {a[3] for a in agreements}
        if agreements and statuses == {"behaald"}:
            sentences.append(Sentence(f"Alle resultaatafspraken voor {year} zijn behaald."))
        elif agreements and "niet behaald" in statuses:
            missed = [a[0] for a in agreements if a[3] == "niet behaald"]
            sentences.append(Sentence(f"Niet behaald in {year}: " + "; ".join(missed) + "."))
    return Summary(figures, agreements, sentences)


def _and(items: list[str]) -> str:
    """a, b en c."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def build_period(tables: dict[str, pd.DataFrame], metas: dict[str, TableMeta], config: Config,
                 scope: str, years: list[int]) -> Summary:
    """The summary of a period's page, from its tables: the dossiers at 31-12 of the last year
    with data against the national prognosis, the placements over the years with data, the
    realised savings (the service), and each agreement's status over the period so far."""
    own = scope == config.short
    name = config.name if own else scope
    rd = _Reader(tables, metas)
    figures: list[Figure] = []
    sentences: list[Sentence] = []

    # Dossiers against the prognosis: the last year that has its dossiers at 31-12
    prog = tables.get("periode_prognose")
    if prog is not None:
        known = [str(i) for i in prog.index
                 if str(i).isdigit() and _num(prog.loc[i, "Dossiers 31-12"]) is not None]
        last = max((y for y in known if int(y) in years), default=None)
        if last is not None:
            used: list[Cell] = []
            pos = _pos(prog, last)
            now = rd.get("periode_prognose", pos, "Dossiers 31-12", used)
            expected = rd.get("periode_prognose", pos, "Prognose", used)
            diff = rd.get("periode_prognose", pos, "Verschil", used)
            if now is not None and expected is not None and diff is not None:
                figures.append(Figure(f"Uitkeringsdossiers op 31-12-{last}", fmt_count(now),
                                      f"prognose {fmt_count(expected)}", list(used)))
                than = ("evenveel als" if diff == 0 else
                        f"{fmt_count(abs(diff))} {'meer' if diff > 0 else 'minder'} dan")
                sentences.append(Sentence(
                    f"Op 31-12-{last} had {name} {fmt_count(now)} uitkeringsdossiers: {than} "
                    f"de landelijke prognose van {fmt_count(expected)}.", list(used)))

    # Placements (outflow to work, school or business) over the years with data
    card = tables.get("periode_kpi")
    done: list[str] = []
    if card is not None and PLAATSINGEN in [str(i) for i in card.index]:
        pos = _pos(card, PLAATSINGEN)
        row = card.loc[PLAATSINGEN]
        done = [str(y) for y in years if str(y) in card.columns and _num(row[str(y)]) is not None]
        used = []
        total = rd.get("periode_kpi", pos, "Periode", used)
        per_year = [(y, rd.get("periode_kpi", pos, y, used)) for y in done]
        target_col = "Doel per jaar" if own else f"Doel {config.short} per jaar"
        target = rd.get("periode_kpi", pos, target_col, used)
        if done and total is not None and None not in (v for _, v in per_year):
            service_used: list[Cell] = []
            service = (None if own else
                       rd.get("periode_kpi", pos, f"Periode {config.short}", service_used))
            change = (f"afspraak {fmt_count(target)} per jaar" if own and target is not None
                      else f"{config.name}: {fmt_count(service)}" if service is not None else "")
            figures.append(Figure(f"Uitstroom naar werk, scholing of bedrijf {_and(done)}",
                                  fmt_count(total), change, used + service_used))
            each = _and([f"{fmt_count(v)} in {y}" for y, v in per_year])
            text = (f"In {_and(done)} stroomden {fmt_count(total)} klanten "
                    f"{'' if own else f'uit {scope} '}uit naar werk, scholing of een eigen "
                    f"bedrijf ({each})")
            if own and target is not None:
                text += f"; de afspraak is {fmt_count(target)} per jaar."
            elif service is not None:
                text += f", van de {fmt_count(service)} van {config.name}."
            else:
                text += "."
            sentences.append(Sentence(text, used + service_used))

    # Realised savings by the assignment's model (the service's page)
    money = tables.get("besparing_realisatie")
    if money is not None and "Besparing (€)" in money.columns:
        used = []
        pos = _pos(money, "Totaal")
        saved = rd.get("besparing_realisatie", pos, "Besparing (€)", used)
        planned = rd.get("besparing_realisatie", pos, "Besparing opdracht (€)", used)
        if saved is not None and planned is not None:
            years_money = [str(i) for i in money.index if str(i).isdigit()]
            when = _and(years_money) if years_money else ""
            figures.append(Figure(f"Besparing gerealiseerd {when}".strip(), fmt_euro(saved),
                                  f"opdracht {fmt_euro(planned)}", list(used)))
            sentences.append(Sentence(
                f"Volgens het model van de opdracht is in {when} {fmt_euro(saved)} bespaard op "
                f"uitkeringen, tegen {fmt_euro(planned)} in de opdracht voor die jaren.",
                list(used)))

    # The agreements over the period (the service's: a municipality has no target of its own)
    agreements = []
    if card is not None and own and "Status periode" in card.columns:
        agreements = _agreements(card, metas["periode_kpi"], "periode_kpi", config, scope,
                                 ("Doel periode", "Periode", "Status periode"))
        reached = [a[0] for a in agreements if a[3].removeprefix("voorlopig ") == "behaald"]
        missed = [a[0] for a in agreements if a[3].removeprefix("voorlopig ") == "niet behaald"]
        provisional = any(a[3].startswith("voorlopig") for a in agreements)
        if provisional and done:
            sentences.append(Sentence(
                f"De periode is nog niet voorbij: de realisatie telt {_and(done)} en is "
                "vergeleken met het doel van die jaren."))
        reached_text, missed_text = (("Voorlopig behaald", "Voorlopig niet behaald")
                                     if provisional else
                                     ("Behaald over de periode", "Niet behaald over de periode"))
        if reached:
            sentences.append(Sentence(f"{reached_text}: " + "; ".join(reached) + "."))
        if missed:
            sentences.append(Sentence(f"{missed_text}: " + "; ".join(missed) + "."))
    return Summary(figures, agreements, sentences)


def to_html(s: Summary, year: int | str,
            columns: tuple[str, str] = ("Doel", "Realisatie")) -> str:
    """The summary section: figures as a list, agreements as a small table, the sentences."""
    esc = html.escape
    if not (s.figures or s.sentences or s.agreements):
        return ""
    items = "".join(
        f"<li><span>{esc(f.label)}</span><b>{esc(f.value)}</b>"
        + (f"<span>{esc(f.change)}</span>" if f.change else "") + "</li>" for f in s.figures)
    text = "".join(f"<p>{esc(x.text)}</p>" for x in s.sentences)
    agreements = ""
    if s.agreements:
        def td(v: str, cls: str = "") -> str:
            return f"<td{cls}>{SUPPRESSED_HTML if v == SUPPRESSED else esc(v)}</td>"

        text_cls = ' class="tekst"'
        rows = "".join(f'<tr><th scope="row">{esc(n)}</th>{td(t)}{td(r)}{td(st, text_cls)}</tr>'
                       for n, t, r, st in s.agreements)
        agreements = (
            f'<table class="rsd kort"><caption>Resultaatafspraken {year}</caption><thead><tr>'
            f'<th scope="col">Resultaatafspraak</th><th scope="col">{esc(columns[0])}</th>'
            f'<th scope="col">{esc(columns[1])}</th><th scope="col" class="tekst">Status</th>'
            '</tr></thead>'
            f"<tbody>{rows}</tbody></table>")
    return (f'<section><h2 class="eerste">Samenvatting</h2><ul class="kerncijfers">{items}</ul>{text}'
            f"{agreements}</section>")
