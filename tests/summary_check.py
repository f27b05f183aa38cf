"""Auditors of the "Samenvatting", reading the page and the CSV files, never the code that
wrote them. The strict one (assert_summary_states_its_cells): every number of a sentence or
headline figure is the cell that sentence is about. The loose one: every number is some
published cell (a hidden cell is empty in the CSV), so that no hidden cell is stated."""

from __future__ import annotations

import html
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from rsdlib.publish import read_csv_table

NUMBER = re.compile(r"[−+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
DATE = re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b")


def summary_sentences(page: str) -> list[str]:
    """The sentences (paragraphs) of the page's Samenvatting section."""
    section = page[page.index(">Samenvatting</h2>"):]
    section = section[:section.index("</section>")]
    out: list[str] = []

    class P(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            if tag == "p":
                self.inside = True
                out.append("")

        def handle_endtag(self, tag):
            self.inside = self.inside and tag != "p"

        def handle_data(self, data):
            if self.inside:
                out[-1] += data

    P().feed(section)
    return [s for s in out if s.strip()]


def numbers(sentence: str, year: int, years: tuple[int, ...] = ()) -> list[float]:
    """The numbers a sentence states (dates and the years it names left out: the year and
    the one before, and `years`, those of a period), as values."""
    text = DATE.sub(" ", sentence)
    found = []
    for token in NUMBER.findall(text):
        value = abs(float(token.replace("−", "-").replace(".", "").replace(",", ".")))
        if value in (year, year - 1, *years) and "," not in token:
            continue
        found.append(value)
    return found


def published(tables_dir: Path) -> list[pd.DataFrame]:
    return [read_csv_table(p) for p in sorted(tables_dir.glob("*.csv"))]


def stated_cells(value: float, frames: list[pd.DataFrame]) -> bool:
    """Whether `value` is a published cell (a percentage to its shown decimals) or the
    difference of two published cells of one row."""
    decimals = 0 if value.is_integer() else len(repr(value).split(".")[1])
    for frame in frames:
        numeric = frame.select_dtypes("number")
        for _, row in numeric.iterrows():
            cells = [abs(v) for v in row.tolist() if not (isinstance(v, float) and math.isnan(v))]
            if any(round(c, decimals) == value for c in cells):
                return True
            if value.is_integer():
                vals = [v for v in row.tolist() if not (isinstance(v, float) and math.isnan(v))]
                if any(abs(a - b) == value for a in vals for b in vals):
                    return True
    return False


def labels(frames: list[pd.DataFrame]) -> list[str]:
    """The published texts (row labels and text cells, such as a KPI's name), longest first:
    a number inside one ("langer dan 6 maanden") names something, it states no figure."""
    found = set()
    for frame in frames:
        found.update(str(i) for i in frame.index)
        for col in frame.columns:
            found.update(v for v in frame[col].tolist() if isinstance(v, str))
    return sorted((t for t in found if len(t) >= 5), key=len, reverse=True)


# ------------------------------------------------------------------ strict: the cell named
# Each sentence and headline figure of the Samenvatting (docs/outputs.md, "The page and the
# workbook" and "Assignment periods") states figures of one table row, named by the
# appendices' labels (2.4's "RSD totaal", 2.6's service row, ...). The auditor knows the
# sentence forms and reads the cell each number must be from the CSV by its row and column
# label; a number that is any other cell's value is wrong.

N = r"[−+±-]?\d{1,3}(?:\.\d{3})*(?:,\d+)?"          # a Dutch number: 1.608, 56,4, −48
P = N + r"\u00a0?%"                                  # a percentage: 56,4 %
E = r"€[\u00a0 ]?" + N                                 # an amount: € 1.879.200
Y = r"\d{4}"


def value_of(token: str) -> tuple[float, int]:
    """A Dutch number as a value, and its decimals."""
    t = token.replace("€", "").replace("%", "").replace("\u00a0", "").strip()
    sign = -1 if t[:1] in "−-" else 1
    t = t.lstrip("−+±-")
    decimals = len(t.split(",")[1]) if "," in t else 0
    return sign * float(t.replace(".", "").replace(",", ".")), decimals


class Tables:
    """A page's published CSV tables, read by row and column label."""

    def __init__(self, folder: Path) -> None:
        self.scope = folder.name
        self.frames = {p.stem: read_csv_table(p) for p in sorted((folder / "tables").glob("*.csv"))}
        for frame in self.frames.values():
            frame.index = frame.index.map(str)
        # the service's own page has no row named after its short name (a municipality's has)
        self.own = not any(self.scope in f.index for f in self.frames.values())

    def cell(self, tid: str, row: str | int, col: str, after: str | None = None) -> float:
        frame = self.frames[tid]
        labels = list(frame.index)
        if isinstance(row, int):
            pos = row if row >= 0 else len(labels) + row
        else:
            first = labels.index(after) + 1 if after is not None else 0
            pos = labels.index(row, first)
        return float(frame.iloc[pos][col])      # NaN: hidden or empty

    def service_dossier_row(self) -> str:
        rows = list(self.frames["bijlage_2_6_dossiers"].index)
        return self.scope if self.scope in rows else rows[-1]


def _same(token: str, expected: float, signed: bool = False) -> bool:
    value, decimals = value_of(token)
    if not signed:
        value, expected = abs(value), abs(expected)
    return round(expected, decimals) == value


def _check(where: str, pairs: list[tuple[str, float]], signed: bool = False) -> int:
    for token, expected in pairs:
        assert not math.isnan(expected), f"{where}: states {token!r}, a hidden or empty cell"
        assert _same(token, expected, signed), (
            f"{where}: states {token!r}, the cell it is about holds {expected}")
    return len(pairs)


def year_rules(t: Tables, year: int) -> list[tuple[str, object]]:
    """The year page's sentence forms, each with the cells its numbers must be."""
    S = t.scope
    t24, t23, t26, yoy = ("bijlage_2_4_instroom_reden", "bijlage_2_3_uitstroom",
                          "bijlage_2_6_dossiers", "jaarvergelijking_trede")
    d = t.service_dossier_row() if t26 in t.frames else ""
    return [
        (rf"Op 31-12-{year} had .+? (?P<a>{N}) klanten, (?P<b>{N}) (?:meer|minder) dan een "
         rf"jaar eerder \((?P<c>{N})\)\.",
         lambda: {"a": t.cell(yoy, "Totaal", f"31-12-{year}"), "b": t.cell(yoy, "Totaal",
                  "Verschil"), "c": t.cell(yoy, "Totaal", f"31-12-{year - 1}")}),
        (rf"Op 31-12-{year} had .+? (?P<a>{N}) klanten, evenveel als een jaar eerder\.",
         lambda: {"a": t.cell(yoy, "Totaal", f"31-12-{year}")}),
        (rf"In {year} stroomden (?P<a>{N}) klanten in \(zonder BBZ\): (?P<b>{N}) om een directe "
         rf"reden .*?\((?P<c>{P})\) en (?P<d>{N}) om een indirecte reden .*?\((?P<e>{P})\)\.",
         lambda: {"a": t.cell(t24, f"{S} totaal", "Eindtotaal"),
                  "b": t.cell(t24, f"{S} Instroom Direct", "Eindtotaal"),
                  "c": t.cell(t24, f"{S} Instroom Direct", "%"),
                  "d": t.cell(t24, f"{S} Instroom Indirect", "Eindtotaal"),
                  "e": t.cell(t24, f"{S} Instroom Indirect", "%")}),
        (rf"In {year} stroomden in .+? (?P<a>{N}) klanten in \(zonder BBZ\): (?P<b>{N}) om een "
         rf"directe en (?P<c>{N}) om een indirecte reden\.",
         lambda: {"a": t.cell(t24, S, "Eindtotaal"),
                  "b": t.cell(t24, "Direct (Bijv. Ontslag, einde WW etc.)", "Eindtotaal", S),
                  "c": t.cell(t24, "Indirect (Bijv. echtscheiding)", "Eindtotaal", S)}),
        (rf"(?P<a>{N}) klanten stroomden in {year} uit naar werk, scholing of een eigen "
         rf"bedrijf; dat is (?:meer dan|minder dan|precies) de afgesproken (?P<b>{N})\.",
         lambda: {"a": t.cell(t23, "Eindtotaal", "Eindtotaal"),
                  "b": t.cell("kpi_scorecard", "plaatsingen", "Doel")}),
        (rf"(?P<a>{N}) klanten uit .+? stroomden in {year} uit naar werk, scholing of een "
         rf"eigen bedrijf: (?P<b>{P}) van de uitstroom naar werk van .+\.",
         lambda: {"a": t.cell(t23, S, "Eindtotaal"), "b": t.cell(t23, S, "%")}),
        (rf"Het aantal uitkeringsdossiers (?:steeg|daalde) in {year} met (?P<a>{N}) "
         rf"\((?P<b>{P})\) tot (?P<c>{N})\.",
         lambda: {"a": t.cell(t26, d, f"31 december {year}") - t.cell(t26, d,
                                                                         f"1 januari {year}"),
                  "b": t.cell(t26, d, "% Ontwikkeling jan - dec"),
                  "c": t.cell(t26, d, f"31 december {year}")}),
        (rf"Het aantal uitkeringsdossiers bleef in {year} gelijk op (?P<a>{N})\.",
         lambda: {"a": t.cell(t26, d, f"31 december {year}")}),
    ]


def year_figures(t: Tables, year: int) -> list[tuple[str, object]]:
    """The year page's headline figures: label, then value and change, and their cells."""
    S = t.scope
    t24, t23, t26, yoy = ("bijlage_2_4_instroom_reden", "bijlage_2_3_uitstroom",
                          "bijlage_2_6_dossiers", "jaarvergelijking_trede")

    def clients():
        if yoy in t.frames:
            return {"v": t.cell(yoy, "Totaal", f"31-12-{year}"),
                    "c": t.cell(yoy, "Totaal", "Verschil")}
        return {"v": t.cell("bijlage_2_1_trede", "Totaal", S)}

    def inflow():
        now = t.cell(t24, f"{S} totaal" if t.own else S, "Eindtotaal")
        out = {"v": now}
        if "trend_stromen" in t.frames:
            out["c"] = now - t.cell("trend_stromen", f"{year - 1}-12", "Instroom 12 mnd")
        return out

    d = t.service_dossier_row() if t26 in t.frames else ""
    return [
        (rf"Klanten op 31-12-{year}", rf"(?P<c>{N}) t\.o\.v\. 31-12-{year - 1}", clients),
        (rf"Instroom {year} \(excl\. BBZ\)", rf"(?P<c>{N}) t\.o\.v\. {year - 1}", inflow),
        (rf"Uitstroom naar werk, scholing of bedrijf {year}", rf"afspraak (?P<c>{N})",
         lambda: {"v": t.cell(t23, "Eindtotaal" if t.own else S, "Eindtotaal"),
                  **({"c": t.cell("kpi_scorecard", "plaatsingen", "Doel")}
                     if "kpi_scorecard" in t.frames else {})}),
        (rf"Uitkeringsdossiers op 31-12-{year}", rf"(?P<c>{N}) t\.o\.v\. 1-1-{year}",
         lambda: {"v": t.cell(t26, d, f"31 december {year}"),
                  "c": t.cell(t26, d, f"31 december {year}") - t.cell(t26, d,
                                                                       f"1 januari {year}")}),
    ]


def _years(text: str) -> list[str]:
    return re.findall(Y, text)


def period_rules(t: Tables, years: tuple[int, ...]) -> list[tuple[str, object]]:
    pk, pp, br = "periode_kpi", "periode_prognose", "besparing_realisatie"
    return [
        (rf"Op 31-12-(?P<y>{Y}) had .+? (?P<a>{N}) uitkeringsdossiers: (?:(?P<b>{N}) "
         rf"(?:meer|minder) dan|evenveel als) de landelijke prognose van (?P<c>{N})\.",
         lambda m: {"a": t.cell(pp, m["y"], "Dossiers 31-12"),
                    "b": t.cell(pp, m["y"], "Verschil"), "c": t.cell(pp, m["y"], "Prognose")}),
        (rf"In (?P<ys>[\d ,en]+?) stroomden (?P<a>{N}) klanten (?:uit .+? )?uit naar werk, "
         rf"scholing of een eigen bedrijf \((?P<each>[^)]*)\)(?:; de afspraak is (?P<b>{N}) per "
         rf"jaar\.|, van de (?P<c>{N}) van .+\.|\.)",
         lambda m: {"a": t.cell(pk, "plaatsingen", "Periode"),
                    **({"b": t.cell(pk, "plaatsingen", "Doel per jaar")} if m["b"] else {}),
                    **({"c": t.cell(pk, "plaatsingen", service_period(t.frames[pk]))}
                       if m["c"] else {}),
                    **{f"each{y}": t.cell(pk, "plaatsingen", y) for y in _years(m["each"])}}),
        (rf"Volgens het model van de opdracht is in [\d ,en]+? (?P<a>{E}) bespaard op "
         rf"uitkeringen, tegen (?P<b>{E}) in de opdracht voor die jaren\.",
         lambda m: {"a": t.cell(br, "Totaal", "Besparing (€)"),
                    "b": t.cell(br, "Totaal", "Besparing opdracht (€)")}),
    ]


def service_period(card: pd.DataFrame) -> str:
    """A municipality's period card: the service's period column ("Periode RSD")."""
    return next(str(c) for c in card.columns
                if str(c).startswith("Periode ") and str(c) != "Periode berekend als")


def _each(m: re.Match) -> list[tuple[str, str]]:
    """The per-year figures of a placements sentence: ("1.234", "2024") pairs."""
    return re.findall(rf"({N}) in ({Y})", m["each"]) if "each" in m.re.groupindex else []


def kerncijfers(page: str) -> list[tuple[str, str, str]]:
    """The headline figures: (label, value, change)."""
    section = page[page.index(">Samenvatting</h2>"):]
    items = re.findall(r"<li><span>(.*?)</span><b>(.*?)</b>(?:<span>(.*?)</span>)?</li>",
                       section[:section.index("</ul>")])
    return [tuple(html.unescape(x) for x in item) for item in items]


def assert_summary_states_its_cells(folder: Path, year: int,
                                    years: tuple[int, ...] = ()) -> int:
    """Every number of every sentence and headline figure is the cell the sentence is about
    (or the difference of two cells of its row); a sentence with numbers that matches no
    known form fails. The count of numbers checked. A period's page: `year` its last year,
    `years` all of its years."""
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    t = Tables(folder)
    texts = labels(list(t.frames.values()))
    checked = 0
    rules = period_rules(t, years) if years else year_rules(t, year)
    for sentence in summary_sentences(page):
        sentence = sentence.strip()
        for pattern, cells in rules:
            m = re.fullmatch(pattern, sentence)
            if m is None:
                continue
            expected = cells(m) if years else cells()
            pairs = [(m[g], v) for g, v in expected.items() if not g.startswith("each")]
            pairs += [(tok, expected[f"each{y}"]) for tok, y in _each(m)]
            checked += _check(f"{folder.name}: {sentence!r}", [(tok, v) for tok, v in pairs
                                                                if tok is not None])
            break
        else:
            rest = sentence
            for text in texts:
                rest = rest.replace(text, " ")
            assert not numbers(rest, year, years), f"{folder.name}: no known form: {sentence!r}"
    figures = [] if years else year_figures(t, year)
    for label, value, change in kerncijfers(page):
        for name, change_form, cells in figures:
            if re.fullmatch(name, label):
                expected = cells()
                checked += _check(f"{folder.name}: {label}", [(value, expected["v"])])
                if change:
                    m = re.fullmatch(change_form, change)
                    assert m is not None and "c" in expected, (
                        f"{folder.name}: {label}: change {change!r} of no known form")
                    checked += _check(f"{folder.name}: {label}", [(m["c"], expected["c"])],
                                      signed=True)
                break
        else:
            if not years:
                raise AssertionError(f"{folder.name}: no known headline figure {label!r}")
    return checked


def assert_summary_states_published_cells(folder: Path, year: int,
                                          years: tuple[int, ...] = ()) -> int:
    """Check every number of every sentence; the count of numbers checked. A period's page:
    `year` its last year, `years` all of its years."""
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    frames = published(folder / "tables")
    texts = labels(frames)
    checked = 0
    for sentence in summary_sentences(page):
        for text in texts:
            sentence = sentence.replace(text, " ")
        for value in numbers(sentence, year, years):
            assert stated_cells(value, frames), f"{folder.name}: {value} in {sentence!r}"
            checked += 1
    return checked
