"""An outside attacker on the public version, independent of the code it audits.

It reads nothing but the published `tables/*.csv` of every scope of a year (the service's
page and each municipality's page), and optionally those of the previous year. It knows
the tables only as their users do: from the labels and the output contract (the appendix
specification), not from `rsdlib`. It does not import `rsdlib.suppress` or any table
description of `rsdlib`; the relations below are written here, from the labels.

What it models (each relation is checked on the `intern` run of the same export before it
is used; a relation that does not hold there is dropped and reported):

- within a table: totals of rows and columns (Totaal, Eindtotaal, the service column is the
  sum of the municipal columns, a block's municipality row is the sum of its reason or unit
  rows, the service rows of 2.4/2.5 are the sums of the blocks' rows), "waarvan" rows as
  inequalities (2.4 "Binnen periode van 6 mnd weer ingestroomd", 2.2 "waarvan
  Statushouders");
- across the tables of one page: the population totals shared by 2.1 trede / 2.1 leeftijd /
  2.2 uitkeringsduur / 2.2 geslacht, Bijlage 1 = the scope's column of 2.1 trede, the
  municipality, niet-uitkeringsgerechtigden, Eindtotaal and service total rows of 2.4 and
  2.5, 2.3 totaal = 2.3 uitstroom + 2.3 indirect for the page's area, the scorecard's
  plaatsingen = the 2.3 uitstroom total, `kostenverdeling` dossiers = 2.6 1 januari (and
  its percentages and contributions), the cells of `jaarvergelijking_trede`;
- across scopes: a municipality's page repeats cells of the service's page, and the service
  is the sum of its municipalities (2.3 totaal too);
- across years: `jaarvergelijking_trede` repeats the previous year's 2.1 trede column, and
  2.6's 1 januari is the previous year's 31 december;
- every published percentage as two inequalities with its rounding to two decimals
  (p - 0,005 <= 100 * a / b <= p + 0,005, linear in a and b because b >= 0).

Then it bounds every hidden count cell (empty in the public CSV) from below and above, by
linear programming and by integer programming (HiGHS through scipy), counts nonnegative.

    result = attack(public_year_folder, intern_year_folder, previous=(pub, int), threshold=5)
    result.narrow()       # the hidden cells whose range is narrower than the threshold
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

# --------------------------------------------------------------------------- labels (spec)

TREDE = "bijlage_2_1_trede"
LEEFTIJD = "bijlage_2_1_leeftijd"
DUUR = "bijlage_2_2_uitkeringsduur"
GESLACHT = "bijlage_2_2_geslacht"
MIGRATIE = "bijlage_2_2_migratie"
POPULATION = (TREDE, LEEFTIJD, DUUR, GESLACHT)       # one population, one Totaal row each
UITSTROOM = "bijlage_2_3_uitstroom"
INDIRECT = "bijlage_2_3_indirect"
TOTAAL_23 = "bijlage_2_3_totaal"
REDEN = "bijlage_2_4_instroom_reden"
GROEP = "bijlage_2_5_instroom_groep"
DOSSIERS = "bijlage_2_6_dossiers"
BIJLAGE_1 = "bijlage_1_treden"
SCORECARD = "kpi_scorecard"
KOSTEN = "kostenverdeling"
KPI_GEMEENTE = "kpi_gemeente"
JAARVERGELIJKING = "jaarvergelijking_trede"
BLOCK_TABLES = (UITSTROOM, INDIRECT, REDEN, GROEP)

TOTAL = "Totaal"
EINDTOTAAL = "Eindtotaal"
PCT = "%"
PCT_ROW = "% per achtergrond klant"
BINNEN = "Binnen periode van 6 mnd weer ingestroomd"
# The member rows of a municipality's block that add up to its row, and the service row
# ("<short><suffix>") that adds them up over the municipalities. 2.4's rows are fixed by the
# specification. 2.5's are not: its units (and the labels of its NUG and "no step" rows) come
# from each region's configuration, so they are read from the table itself (group_kinds).
MEMBERS = {
    REDEN: {"Instroom Niet-Uitkeringsgerechtigden": " Niet-Uitkeringsgerechtigden",
            "Direct (Bijv. Ontslag, einde WW etc.)": " Instroom Direct",
            "Indirect (Bijv. echtscheiding)": " Instroom Indirect"},
}
SERVICE_TOTAL = " totaal"
NUG = {REDEN: "Instroom Niet-Uitkeringsgerechtigden"}
NUG_WORD = "niet-uitkeringsgerechtigd"      # 2.5's NUG row, whatever its configured label
WAARVAN_STATUS = ("waarvan Statushouders", "Migratieachtergrond")

EPS = 1e-7                      # slack on rounding bounds (floating point, not information)


def trede_code(label: str) -> str | None:
    """The trede code of a row of 2.1 trede ("Trede 6 Betaald werk met groeipotentie") or
    of Bijlage 1 ("Trede 6. Groeipotentie")."""
    text = label.casefold()
    m = re.match(r"trede\s*(\d)\s*([ab])?\b", text)
    if not m:
        return None
    if m.group(1) != "6":
        return m.group(1) + (m.group(2) or "")
    if "niet werk" in text:
        return "6n"
    if "znd" in text or "zonder" in text:
        return "6z"
    if "groeipotentie" in text:
        return "6g"
    return None


# --------------------------------------------------------------------------- reading


@dataclass
class Table:
    """One published CSV: row labels (the `rij` column), column labels, cells as text."""

    tid: str
    rows: list[str]
    cols: list[str]
    cells: list[list[str]]

    def find(self, label: str, start: int = 0, stop: int | None = None) -> int | None:
        stop = len(self.rows) if stop is None else stop
        for i in range(start, stop):
            if self.rows[i] == label:
                return i
        return None

    def text(self, i: int, col: str) -> str:
        return self.cells[i][self.cols.index(col)]

    def value(self, i: int, col: str) -> float | None:
        text = self.text(i, col).strip()
        return float(text) if text else None


def read_table(path: Path) -> Table:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    if not header or header[0] != "rij":
        raise ValueError(f"{path}: first column is not 'rij'")
    return Table(path.stem, [r[0] for r in body], header[1:], [r[1:] for r in body])


def read_year(folder: Path) -> dict[str, dict[str, Table]]:
    """Every scope's tables of one year: `folder/SCOPE/tables/ID.csv`."""
    folder = Path(folder)
    pages: dict[str, dict[str, Table]] = {}
    for tables in sorted(folder.glob("*/tables")):
        pages[tables.parent.name] = {p.stem: read_table(p) for p in sorted(tables.glob("*.csv"))}
    if not pages:
        raise ValueError(f"{folder}: no SCOPE/tables/*.csv")
    return pages


# --------------------------------------------------------------------------- structure from labels


@dataclass
class Blocks:
    """A block table (2.3, 2.4, 2.5) read from its labels."""

    headers: dict[str, int]                    # municipality -> its row
    members: dict[str, dict[str, int]]         # municipality -> member label -> row
    eindtotaal: int | None
    pct_row: int | None
    service_rows: dict[str, int]               # label -> row (after the % row)


def group_kinds(table: Table) -> dict[str, str]:
    """2.5's member rows and the service row that adds each up, read from the labels: the
    rows after the % row are the service's rows, one per member kind in block order and its
    "... totaal"; a block is a municipality's row followed by one row per kind, so the first
    block's rows after its municipality name the kinds (the region's configured units, its
    NUG row and its "no step" row). Member label -> service row label."""
    pct, end = table.find(PCT_ROW), table.find(EINDTOTAAL)
    if pct is None or end is None:
        return {}
    service = [r for r in table.rows[pct + 1:] if not r.endswith(SERVICE_TOTAL)]
    k = len(service)
    if k == 0 or end % (k + 1) != 0:
        raise ValueError(f"{table.tid}: {end} block rows are not blocks of 1 + {k} rows")
    kinds = table.rows[1:1 + k]
    for start in range(0, end, k + 1):      # every block repeats the same kinds
        if table.rows[start + 1:start + 1 + k] != kinds or table.rows[start] in kinds:
            raise ValueError(f"{table.tid}: block at row {start} does not repeat {kinds}")
    return dict(zip(kinds, service, strict=True))


def kinds_of(table: Table, tid: str, short: str) -> dict[str, str]:
    """Member label -> label of the service row that adds it up over the municipalities."""
    if tid == GROEP:
        return group_kinds(table)
    return {label: short + suffix for label, suffix in MEMBERS.get(tid, {}).items()}


def blocks(table: Table, tid: str) -> Blocks:
    """Municipality rows are the rows before Eindtotaal that are not member rows: in 2.3
    uitstroom the reasons ("KPI: ..."), in 2.4/2.5 the fixed rows of the specification."""
    known = (set(group_kinds(table)) if tid == GROEP else set(MEMBERS.get(tid, {}))) | (
        {BINNEN} if tid == REDEN else set())
    end = table.find(EINDTOTAAL)
    stop = len(table.rows) if end is None else end
    headers: dict[str, int] = {}
    members: dict[str, dict[str, int]] = {}
    current = None
    for i in range(stop):
        label = table.rows[i]
        member = label in known or (tid == UITSTROOM and label.startswith("KPI:"))
        if member and current is not None:
            members[current][label] = i
        elif not member:
            current = label
            headers[label], members[label] = i, {}
    pct = table.find(PCT_ROW)
    service = {table.rows[i]: i for i in range((pct if pct is not None else stop) + 1,
                                               len(table.rows))} if pct is not None else {}
    return Blocks(headers, members, end, pct, service)


# --------------------------------------------------------------------------- relations

Key = tuple[int, str, str, int, str]        # (year, scope, table, row position, column)


@dataclass(frozen=True)
class Relation:
    """sum(coef * cell) (= or <=) rhs."""

    name: str
    terms: tuple[tuple[Key, float], ...]
    sense: str
    rhs: float = 0.0
    optional: bool = False      # may fail on an export by its nature (then dropped, no alarm)


@dataclass
class Finding:
    year: int
    scope: str
    table: str
    row: str
    column: str
    lower: float            # integer programming
    upper: float
    lp_lower: float
    lp_upper: float
    true: float | None      # from the intern run
    group: int = 0          # cells the relations say are equal share a group (one count)
    block: str = ""         # block tables: the municipality whose block holds the row
    exact: bool = True      # False: not solved, its points already span the threshold

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def __str__(self) -> str:
        up = "∞" if math.isinf(self.upper) else f"{self.upper:g}"
        row = f"{self.block} › {self.row}" if self.block and self.block != self.row else self.row
        return (f"{self.year} {self.scope} › {self.table} › {row} › {self.column}: "
                f"[{self.lower:g}, {up}] (LP [{self.lp_lower:.2f}, {self.lp_upper:.2f}]), "
                f"waar {self.true:g}")


@dataclass
class Result:
    threshold: int
    findings: list[Finding]                       # every hidden count cell, with its bounds
    relations: list[Relation]                     # used (held on the intern run)
    dropped: list[tuple[Relation, str]]           # did not hold on the intern run, or unverifiable
    unpublished_totals: list[tuple[int, str, str, str, str]] = field(default_factory=list)

    def narrow(self, threshold: int | None = None) -> list[Finding]:
        t = self.threshold if threshold is None else threshold
        return [f for f in self.findings if f.width < t]

    def exact(self) -> list[Finding]:
        return [f for f in self.findings if f.width < 0.5]

    def counts(self, findings: list[Finding] | None = None) -> int:
        """Distinct counts among findings (a count published on several pages is one)."""
        return len({f.group for f in (self.findings if findings is None else findings)})

    def unsound(self) -> list[Finding]:
        """Findings whose bounds exclude the true value: a bug of the attacker, never a leak."""
        return [f for f in self.findings if f.true is not None and
                not (f.lower - 1e-6 <= f.true <= f.upper + 1e-6)]


class Model:
    """The published tables of one or two years, the intern tables, and the relations."""

    def __init__(self, public: dict[int, dict], intern: dict[int, dict],
                 service: str | None = None) -> None:
        self.public, self.intern = public, intern
        self.relations: list[Relation] = []
        self.kinds: dict[Key, str] = {}           # count / signed, for every count cell
        self.service: dict[int, str | None] = {}
        self.munis: dict[int, list[str]] = {}
        for year, pages in public.items():
            self.service[year] = service if service in pages else _find_service(pages)
            self.munis[year] = _municipalities(pages, self.service[year])

    # ------------------------------------------------------------------ helpers

    def table(self, year: int, scope: str, tid: str) -> Table | None:
        return self.public.get(year, {}).get(scope, {}).get(tid)

    def short(self, year: int) -> str | None:
        """The service's column label (the service scope's name)."""
        if self.service[year]:
            return self.service[year]
        for scope, page in self.public[year].items():   # a municipality's page names it
            for tid in (*POPULATION, MIGRATIE):
                rest = [c for c in page[tid].cols if c not in (PCT, scope)] if tid in page else []
                if rest:
                    return rest[0]
        return None

    def add(self, name: str, terms, sense: str = "=", rhs: float = 0.0,
            optional: bool = False) -> None:
        """Add sum(coef * cell) sense rhs; a term whose cell does not exist drops the relation
        (a table not published, a row not present)."""
        if any(k is None for k, _ in terms):
            return
        merged: dict[Key, float] = defaultdict(float)
        for k, c in terms:
            merged[k] += c
        clean = tuple((k, c) for k, c in merged.items() if c != 0)
        if sense == ">=":
            clean, rhs, sense = tuple((k, -c) for k, c in clean), -rhs, "<="
        if clean:
            self.relations.append(Relation(name, clean, sense, rhs, optional))

    def key(self, year: int, scope: str, tid: str, i: int | None, col: str,
            kind: str = "count") -> Key | None:
        t = self.table(year, scope, tid)
        if t is None or i is None or col not in t.cols or i >= len(t.rows):
            return None
        k = (year, scope, tid, i, col)
        self.kinds.setdefault(k, kind)
        return k

    def published(self, k: Key) -> float | None:
        year, scope, tid, i, col = k
        return self.public[year][scope][tid].value(i, col)

    def pct(self, name: str, num, den, t: Table | None, i: int | None, col: str,
            scale: float = 100.0, offset: float = 0.0, tol: float = 0.005,
            optional: bool = False) -> None:
        """A published percentage p of cell (i, col): p = scale * num / den + offset, rounded
        to `tol`: (p - tol - offset) / scale * den <= num <= (p + tol - offset) / scale * den.
        `num` and `den` are lists of (key, coef)."""
        if t is None or i is None or col not in t.cols:
            return
        p = t.value(i, col)
        if p is None:
            return
        lo, hi = (p - tol - offset) / scale - EPS, (p + tol - offset) / scale + EPS
        self.add(f"{name} ≤ {p:g}", [*num, *[(k, -c * hi) for k, c in den]], "<=",
                 optional=optional)
        self.add(f"{name} ≥ {p:g}", [*num, *[(k, -c * lo) for k, c in den]], ">=",
                 optional=optional)

    # ------------------------------------------------------------------ relations

    def build(self) -> None:
        for year, pages in self.public.items():
            for scope in pages:
                self.page(year, scope)
            self.across_scopes(year)
            if year - 1 in self.public:
                self.across_years(year)

    def page(self, y: int, scope: str) -> None:
        short = self.short(y)
        own = scope
        is_service = scope == self.service[y]
        self.population(y, scope, own, short, is_service)
        self.bijlage_1(y, scope, own)
        for tid in BLOCK_TABLES:
            self.block_table(y, scope, tid, short, is_service)
        self.totaal_23(y, scope, is_service)
        self.reden_groep(y, scope)
        self.scorecard(y, scope, is_service)
        self.dossiers(y, scope, is_service)
        self.kosten(y, scope, is_service)
        self.kpi_gemeente(y, scope)
        self.jaarvergelijking(y, scope, own)

    def population(self, y, scope, own, short, is_service) -> None:
        munis = self.munis[y]
        trede = self.table(y, scope, TREDE)
        for tid in (*POPULATION, MIGRATIE):
            t = self.table(y, scope, tid)
            if t is None:
                continue
            counts = [c for c in t.cols if c != PCT]
            tot = t.find(TOTAL)
            for c in counts:
                for i in range(len(t.rows)):
                    self.key(y, scope, tid, i, c)
                if tid != MIGRATIE and tot is not None:
                    self.add(f"{tid} {scope}: Σ rijen = Totaal [{c}]",
                             [*[(self.key(y, scope, tid, i, c), 1) for i in range(len(t.rows))
                                if i != tot], (self.key(y, scope, tid, tot, c), -1)])
                if tid != TREDE and tid != MIGRATIE and trede is not None:
                    self.add(f"{tid} {scope}: Totaal = 2.1 trede Totaal [{c}]",
                             [(self.key(y, scope, tid, tot, c), 1),
                              (self.key(y, scope, TREDE, trede.find(TOTAL), c), -1)])
            if is_service and short in counts:
                parts = [m for m in munis if m in counts]
                for i, label in enumerate(t.rows):
                    self.add(f"{tid} {scope} {label}: Σ gemeenten = {short}",
                             [*[(self.key(y, scope, tid, i, m), 1) for m in parts],
                              (self.key(y, scope, tid, i, short), -1)])
            den_table, den_row = (trede, trede.find(TOTAL) if trede else None) \
                if tid == MIGRATIE else (t, tot)
            if den_table is None:
                continue
            for i, label in enumerate(t.rows):
                if PCT in t.cols:
                    self.pct(f"{tid} {scope} {label} %",
                             [(self.key(y, scope, tid, i, own), 1)],
                             [(self.key(y, scope, den_table.tid, den_row, own), 1)], t, i, PCT)
            if tid == MIGRATIE:
                sub, sup = t.find(WAARVAN_STATUS[0]), t.find(WAARVAN_STATUS[1])
                for c in counts:
                    self.add(f"{tid} {scope}: statushouders ≤ migratieachtergrond [{c}]",
                             [(self.key(y, scope, tid, sub, c), 1),
                              (self.key(y, scope, tid, sup, c), -1)], "<=")
                    if trede is not None:
                        for i in range(len(t.rows)):
                            self.add(f"{tid} {scope} {t.rows[i]} ≤ 2.1 Totaal [{c}]",
                                     [(self.key(y, scope, tid, i, c), 1),
                                      (self.key(y, scope, TREDE, trede.find(TOTAL), c), -1)],
                                     "<=")

    def bijlage_1(self, y, scope, own) -> None:
        b1, trede = self.table(y, scope, BIJLAGE_1), self.table(y, scope, TREDE)
        if b1 is None or trede is None:
            return
        rows = {trede_code(label): i for i, label in enumerate(trede.rows)}
        for i, label in enumerate(b1.rows):
            code = trede_code(label)
            if code in rows:
                self.add(f"Bijlage 1 {scope} {label} = 2.1 trede",
                         [(self.key(y, scope, BIJLAGE_1, i, "Aantal klanten"), 1),
                          (self.key(y, scope, TREDE, rows[code], own), -1)])

    def block_table(self, y, scope, tid, short, is_service) -> None:
        t = self.table(y, scope, tid)
        if t is None:
            return
        b = blocks(t, tid)
        counts = [c for c in t.cols if c != PCT]
        parts = [c for c in counts if c != EINDTOTAAL]
        count_rows = [i for i in range(len(t.rows)) if i != b.pct_row]
        for i in count_rows:
            for c in counts:
                self.key(y, scope, tid, i, c)
            self.add(f"{tid} {scope} {t.rows[i]}: Σ achtergrond = Eindtotaal",
                     [*[(self.key(y, scope, tid, i, c), 1) for c in parts],
                      (self.key(y, scope, tid, i, EINDTOTAAL), -1)])
        for muni, head in b.headers.items():
            members = b.members[muni]
            additive = [i for label, i in members.items() if label != BINNEN]
            if tid == UITSTROOM:            # "only reasons that occur": a shown reason is >= 1
                for label, i in members.items():
                    self.add(f"{tid} {scope} {muni} {label}: getoonde reden ≥ 1",
                             [(self.key(y, scope, tid, i, EINDTOTAAL), 1)], ">=", 1.0)
            for c in counts:
                if tid != INDIRECT:
                    self.add(f"{tid} {scope} {muni}: Σ blok = gemeente [{c}]",
                             [*[(self.key(y, scope, tid, i, c), 1) for i in additive],
                              (self.key(y, scope, tid, head, c), -1)])
                if BINNEN in members:
                    self.add(f"{tid} {scope} {muni}: waarvan binnen 6 mnd ≤ gemeente [{c}]",
                             [(self.key(y, scope, tid, members[BINNEN], c), 1),
                              (self.key(y, scope, tid, head, c), -1)], "<=")
                if not is_service:
                    self.add(f"{tid} {scope} {muni} ≤ Eindtotaal [{c}]",
                             [(self.key(y, scope, tid, head, c), 1),
                              (self.key(y, scope, tid, b.eindtotaal, c), -1)], "<=")
        for c in counts:
            if is_service:
                self.add(f"{tid} {scope}: Σ gemeenten = Eindtotaal [{c}]",
                         [*[(self.key(y, scope, tid, h, c), 1) for h in b.headers.values()],
                          (self.key(y, scope, tid, b.eindtotaal, c), -1)])
            if tid in (REDEN, GROEP) and short:
                total = b.service_rows.get(short + SERVICE_TOTAL)
                self.add(f"{tid} {scope}: {short} totaal = Eindtotaal [{c}]",
                         [(self.key(y, scope, tid, total, c), 1),
                          (self.key(y, scope, tid, b.eindtotaal, c), -1)])
                member_kinds = kinds_of(t, tid, short)
                kinds = [b.service_rows.get(s) for s in member_kinds.values()]
                self.add(f"{tid} {scope}: Σ {short}-rijen = {short} totaal [{c}]",
                         [*[(self.key(y, scope, tid, i, c), 1) for i in kinds],
                          (self.key(y, scope, tid, total, c), -1)])
                for label, service_label in member_kinds.items():
                    row = b.service_rows.get(service_label)
                    found = [b.members[m].get(label) for m in b.headers]
                    if is_service:
                        self.add(f"{tid} {scope}: {service_label} = Σ gemeenten [{c}]",
                                 [*[(self.key(y, scope, tid, i, c), 1) for i in found],
                                  (self.key(y, scope, tid, row, c), -1)])
                    else:
                        for i in found:
                            self.add(f"{tid} {scope}: {label} ≤ {service_label} [{c}]",
                                     [(self.key(y, scope, tid, i, c), 1),
                                      (self.key(y, scope, tid, row, c), -1)], "<=")
        grand = self.key(y, scope, tid, b.eindtotaal, EINDTOTAAL)
        for i in count_rows:                   # the % column: share of the table's Eindtotaal
            self.pct(f"{tid} {scope} {t.rows[i]} %", [(self.key(y, scope, tid, i, EINDTOTAAL), 1)],
                     [(grand, 1)], t, i, PCT)
        for c in counts:                       # % per achtergrond klant
            self.pct(f"{tid} {scope} {PCT_ROW} {c}", [(self.key(y, scope, tid, b.eindtotaal, c), 1)],
                     [(grand, 1)], t, b.pct_row, c)

    def area_row(self, y, scope, tid, is_service) -> int | None:
        """The row of a block table that counts the page's own area."""
        t = self.table(y, scope, tid)
        if t is None:
            return None
        b = blocks(t, tid)
        return b.eindtotaal if is_service else b.headers.get(scope)

    def totaal_23(self, y, scope, is_service) -> None:
        t = self.table(y, scope, TOTAAL_23)
        if t is None:
            return
        row = next((i for i, r in enumerate(t.rows) if r.startswith("Totale uitstroom")), None)
        pct = next((i for i, r in enumerate(t.rows) if r.startswith("% op totale")), None)
        parts = [c for c in t.cols if c != EINDTOTAAL]
        for c in t.cols:
            self.key(y, scope, TOTAAL_23, row, c)
        self.add(f"2.3 totaal {scope}: Σ achtergrond = Eindtotaal",
                 [*[(self.key(y, scope, TOTAAL_23, row, c), 1) for c in parts],
                  (self.key(y, scope, TOTAAL_23, row, EINDTOTAAL), -1)])
        for c in t.cols:
            self.pct(f"2.3 totaal {scope} % {c}", [(self.key(y, scope, TOTAAL_23, row, c), 1)],
                     [(self.key(y, scope, TOTAAL_23, row, EINDTOTAAL), 1)], t, pct, c)
            up, ind = (self.area_row(y, scope, UITSTROOM, is_service),
                       self.area_row(y, scope, INDIRECT, is_service))
            self.add(f"2.3 totaal {scope} = uitstroom + indirect [{c}]",
                     [(self.key(y, scope, TOTAAL_23, row, c), 1),
                      (self.key(y, scope, UITSTROOM, up, c), -1),
                      (self.key(y, scope, INDIRECT, ind, c), -1)])

    def reden_groep(self, y, scope) -> None:
        a, g = self.table(y, scope, REDEN), self.table(y, scope, GROEP)
        if a is None or g is None:
            return
        ba, bg = blocks(a, REDEN), blocks(g, GROEP)
        short = self.short(y)
        nug_g = next((m for m in group_kinds(g) if NUG_WORD in m.casefold()), None)
        pairs = [(ba.eindtotaal, bg.eindtotaal)]
        if short:
            pairs.append((ba.service_rows.get(short + SERVICE_TOTAL),
                          bg.service_rows.get(short + SERVICE_TOTAL)))
            pairs.append((ba.service_rows.get(short + MEMBERS[REDEN][NUG[REDEN]]),
                          bg.service_rows.get(group_kinds(g).get(nug_g, ""))))
        for m, h in ba.headers.items():
            pairs.append((h, bg.headers.get(m)))
            pairs.append((ba.members[m].get(NUG[REDEN]),
                          bg.members.get(m, {}).get(nug_g)))
        for ia, ig in pairs:
            for c in a.cols:
                if c != PCT:
                    self.add(f"2.4 = 2.5 {scope} {a.rows[ia] if ia is not None else '?'} [{c}]",
                             [(self.key(y, scope, REDEN, ia, c), 1),
                              (self.key(y, scope, GROEP, ig, c), -1)])

    def scorecard(self, y, scope, is_service) -> None:
        t = self.table(y, scope, SCORECARD)
        if t is None or "Realisatie" not in t.cols:
            return
        rows = {label: i for i, label in enumerate(t.rows)}
        for i in range(len(t.rows)):
            if "Eenheid" in t.cols and t.text(i, "Eenheid") == "aantal":
                self.key(y, scope, SCORECARD, i, "Realisatie")
        place = self.key(y, scope, SCORECARD, rows.get("plaatsingen"), "Realisatie")
        total = self.key(y, scope, UITSTROOM, self.area_row(y, scope, UITSTROOM, is_service),
                         EINDTOTAAL)
        # 2019 counts rows (= 2.3), 2024-2026 distinct clients (<= 2.3): equal unless a
        # client was placed twice in the year
        self.add(f"scorecard {scope}: plaatsingen = 2.3 uitstroom Eindtotaal",
                 [(place, 1), (total, -1)], optional=True)
        self.add(f"scorecard {scope}: plaatsingen ≤ 2.3 uitstroom Eindtotaal",
                 [(place, 1), (total, -1)], "<=")
        self.add(f"scorecard {scope}: plaatsingen_doelgroep ≤ plaatsingen",
                 [(self.key(y, scope, SCORECARD, rows.get("plaatsingen_doelgroep"),
                            "Realisatie"), 1), (place, -1)], "<=")

    def dossiers(self, y, scope, is_service) -> None:
        t = self.table(y, scope, DOSSIERS)
        if t is None or len(t.cols) < 2:
            return
        jan, dec = t.cols[0], t.cols[1]
        for i in range(len(t.rows)):
            for c in (jan, dec):
                self.key(y, scope, DOSSIERS, i, c)
            if len(t.cols) > 2:
                self.pct(f"2.6 {scope} {t.rows[i]} % ontwikkeling",
                         [(self.key(y, scope, DOSSIERS, i, dec), 1),
                          (self.key(y, scope, DOSSIERS, i, jan), -1)],
                         [(self.key(y, scope, DOSSIERS, i, jan), 1)], t, i, t.cols[2])
        duur, short = self.table(y, scope, DUUR), self.short(y)
        if duur is not None and short is not None:
            nug = next((i for i, r in enumerate(duur.rows) if r.startswith("Nuggers")), None)
            for i, label in enumerate(t.rows):
                col = short if i == len(t.rows) - 1 else label
                # every dossier has a client with a benefit: dossiers <= clients - nuggers
                self.add(f"2.6 {scope} {label}: dossiers ≤ klanten met uitkering",
                         [(self.key(y, scope, DOSSIERS, i, dec), 1),
                          (self.key(y, scope, DUUR, duur.find(TOTAL), col), -1),
                          (self.key(y, scope, DUUR, nug, col), 1)], "<=", optional=True)
        if is_service:
            last = len(t.rows) - 1
            for c in (jan, dec):
                self.add(f"2.6 {scope}: Σ gemeenten = dienst [{c}]",
                         [*[(self.key(y, scope, DOSSIERS, i, c), 1) for i in range(last)],
                          (self.key(y, scope, DOSSIERS, last, c), -1)])

    def kosten(self, y, scope, is_service) -> None:
        """The cost split: dossiers per municipality (`Dossiers`, or since the assignment
        periods `Dossiers export` beside the adopted `Dossiers vastgesteld`, which is
        configuration, not data), their shares and the contributions computed from them."""
        t, d = self.table(y, scope, KOSTEN), self.table(y, scope, DOSSIERS)
        if t is None:
            return
        recomputed = "Dossiers export" in t.cols
        dos = "Dossiers export" if recomputed else "Dossiers"
        if dos not in t.cols:
            return
        pct_dos = None if recomputed else "% dossiers"
        pct_tot = "% totaal herberekend" if recomputed else "% totaal"
        money = "Bijdrage herberekend (€)" if recomputed else "Bijdrage (€)"
        tot = t.find(TOTAL)
        for i in range(len(t.rows)):
            self.key(y, scope, KOSTEN, i, dos)
            if d is not None:
                # the reference date of the split is 1 January of the report year only in
                # some periods: optional
                j = len(d.rows) - 1 if i == tot else d.find(t.rows[i])
                self.add(f"kostenverdeling {scope} {t.rows[i]} dossiers = 2.6 1 januari",
                         [(self.key(y, scope, KOSTEN, i, dos), 1),
                          (self.key(y, scope, DOSSIERS, j, d.cols[0]), -1)], optional=True)
        if tot is None:
            return
        if is_service:
            self.add(f"kostenverdeling {scope}: Σ dossiers = Totaal",
                     [*[(self.key(y, scope, KOSTEN, i, dos), 1) for i in range(len(t.rows))
                        if i != tot], (self.key(y, scope, KOSTEN, tot, dos), -1)])
        inh_total = t.value(tot, "Inwoners") if "Inwoners" in t.cols else None
        cost = t.value(tot, money) if money in t.cols else None
        for i in range(len(t.rows)):
            if i == tot:
                continue
            num = [(self.key(y, scope, KOSTEN, i, dos), 1)]
            den = [(self.key(y, scope, KOSTEN, tot, dos), 1)]
            if pct_dos:
                self.pct(f"kostenverdeling {scope} {t.rows[i]} % dossiers", num, den, t, i,
                         pct_dos)
            inh = t.value(i, "Inwoners") if "Inwoners" in t.cols else None
            if not inh_total or inh is None:
                continue
            share = inh / inh_total
            # % totaal = 100 * (inhabitants' share + dossiers' share) / 2
            self.pct(f"kostenverdeling {scope} {t.rows[i]} {pct_tot}", num, den, t, i, pct_tot,
                     scale=50.0, offset=50.0 * share, optional=True)
            if cost:
                # Bijdrage = cost * (inhabitants' share + dossiers' share) / 2, whole euros
                # (largest remainder, so that the total is exact: within 1 euro)
                self.pct(f"kostenverdeling {scope} {t.rows[i]} {money}", num, den, t, i, money,
                         scale=cost / 2, offset=cost / 2 * share, tol=1.0, optional=True)

    def kpi_gemeente(self, y, scope) -> None:
        """A municipality's scorecard beside the service's: the counts (Eenheid aantal) of the
        municipality and of the service; its placements are its 2.3 uitstroom block."""
        t = self.table(y, scope, KPI_GEMEENTE)
        if t is None or "Eenheid" not in t.cols:
            return
        short = self.short(y)
        cols = [c for c in (scope, short) if c in t.cols]
        rows = {label: i for i, label in enumerate(t.rows)}
        for i in range(len(t.rows)):
            if t.text(i, "Eenheid") == "aantal":
                for c in cols:
                    self.key(y, scope, KPI_GEMEENTE, i, c)
        up = self.table(y, scope, UITSTROOM)
        head = blocks(up, UITSTROOM).headers.get(scope) if up is not None else None
        place = self.key(y, scope, KPI_GEMEENTE, rows.get("plaatsingen"), scope)
        total = self.key(y, scope, UITSTROOM, head, EINDTOTAAL)
        self.add(f"kpi_gemeente {scope}: plaatsingen = 2.3 uitstroom",
                 [(place, 1), (total, -1)], optional=True)
        self.add(f"kpi_gemeente {scope}: plaatsingen ≤ 2.3 uitstroom",
                 [(place, 1), (total, -1)], "<=")
        for c in cols:
            self.add(f"kpi_gemeente {scope}: plaatsingen_doelgroep ≤ plaatsingen [{c}]",
                     [(self.key(y, scope, KPI_GEMEENTE, rows.get("plaatsingen_doelgroep"), c), 1),
                      (self.key(y, scope, KPI_GEMEENTE, rows.get("plaatsingen"), c), -1)], "<=")

    def jaarvergelijking(self, y, scope, own) -> None:
        t, trede = self.table(y, scope, JAARVERGELIJKING), self.table(y, scope, TREDE)
        if t is None or len(t.cols) < 3:
            return
        prev, cur, diff = t.cols[0], t.cols[1], t.cols[2]
        tot = t.find(TOTAL)
        for i, label in enumerate(t.rows):
            for c in (prev, cur):
                self.key(y, scope, JAARVERGELIJKING, i, c)
            self.key(y, scope, JAARVERGELIJKING, i, diff, kind="signed")
            self.add(f"jaarvergelijking {scope} {label}: verschil",
                     [(self.key(y, scope, JAARVERGELIJKING, i, diff, "signed"), 1),
                      (self.key(y, scope, JAARVERGELIJKING, i, cur), -1),
                      (self.key(y, scope, JAARVERGELIJKING, i, prev), 1)])
            if trede is not None:
                self.add(f"jaarvergelijking {scope} {label} = 2.1 trede",
                         [(self.key(y, scope, JAARVERGELIJKING, i, cur), 1),
                          (self.key(y, scope, TREDE, trede.find(label), own), -1)])
            if len(t.cols) > 3:
                self.pct(f"jaarvergelijking {scope} {label} % verschil",
                         [(self.key(y, scope, JAARVERGELIJKING, i, diff, "signed"), 1)],
                         [(self.key(y, scope, JAARVERGELIJKING, i, prev), 1)], t, i, t.cols[3])
        if tot is not None:
            for c in (prev, cur, diff):
                self.add(f"jaarvergelijking {scope}: Σ rijen = Totaal [{c}]",
                         [*[(self.key(y, scope, JAARVERGELIJKING, i, c), 1)
                            for i in range(len(t.rows)) if i != tot],
                          (self.key(y, scope, JAARVERGELIJKING, tot, c), -1)])

    def across_scopes(self, y: int) -> None:
        service, short = self.service[y], self.short(y)
        if service is None or short is None:
            return
        for m in self.munis[y]:
            if m not in self.public[y]:
                continue
            for tid in (*POPULATION, MIGRATIE):
                tm, ts = self.table(y, m, tid), self.table(y, service, tid)
                if tm is None or ts is None:
                    continue
                for i, label in enumerate(tm.rows):
                    for c in (m, short):
                        self.add(f"{tid} {m} = {service} [{label}, {c}]",
                                 [(self.key(y, m, tid, i, c), 1),
                                  (self.key(y, service, tid, ts.find(label), c), -1)])
            for tid in BLOCK_TABLES:
                tm, ts = self.table(y, m, tid), self.table(y, service, tid)
                if tm is None or ts is None:
                    continue
                bm, bs = blocks(tm, tid), blocks(ts, tid)
                pairs = [(bm.eindtotaal, bs.eindtotaal)]
                pairs += [(i, bs.service_rows.get(label)) for label, i in bm.service_rows.items()]
                for muni, head in bm.headers.items():
                    pairs.append((head, bs.headers.get(muni)))
                    pairs += [(i, bs.members.get(muni, {}).get(label))
                              for label, i in bm.members[muni].items()]
                for im, i_s in pairs:
                    for c in tm.cols:
                        if c != PCT:
                            self.add(f"{tid} {m} = {service} [{tm.rows[im] if im is not None else '?'}"
                                     f", {c}]", [(self.key(y, m, tid, im, c), 1),
                                                 (self.key(y, service, tid, i_s, c), -1)])
            td_m, td_s = self.table(y, m, DOSSIERS), self.table(y, service, DOSSIERS)
            if td_m is not None and td_s is not None:
                for i, label in enumerate(td_m.rows):
                    j = td_s.find(label)
                    if j is None and i == len(td_m.rows) - 1:
                        j = len(td_s.rows) - 1
                    for c in td_m.cols[:2]:
                        self.add(f"2.6 {m} = {service} [{label}, {c}]",
                                 [(self.key(y, m, DOSSIERS, i, c), 1),
                                  (self.key(y, service, DOSSIERS, j, c), -1)])
            tk_m, tk_s = self.table(y, m, KOSTEN), self.table(y, service, KOSTEN)
            if tk_m is not None and tk_s is not None:
                for i, label in enumerate(tk_m.rows):
                    for c in ("Dossiers", "Dossiers export"):
                        if c in tk_m.cols:
                            self.add(f"kostenverdeling {m} = {service} [{label}, {c}]",
                                     [(self.key(y, m, KOSTEN, i, c), 1),
                                      (self.key(y, service, KOSTEN, tk_s.find(label), c), -1)])
            card, service_card = self.table(y, m, KPI_GEMEENTE), self.table(y, service, SCORECARD)
            if card is not None and service_card is not None and short in card.cols:
                for i, label in enumerate(card.rows):
                    if "Eenheid" not in card.cols or card.text(i, "Eenheid") != "aantal":
                        continue
                    self.add(f"kpi_gemeente {m} {label} {short} = kpi_scorecard",
                             [(self.key(y, m, KPI_GEMEENTE, i, short), 1),
                              (self.key(y, service, SCORECARD, service_card.find(label),
                                        "Realisatie"), -1)])
        self.municipal_cards(y, service, short)
        # 2.3 totaal of a municipality = its uitstroom + indirect rows on the service's page;
        # the service's 2.3 totaal = the sum of the municipalities'.
        ts = self.table(y, service, TOTAAL_23)
        up, ind = self.table(y, service, UITSTROOM), self.table(y, service, INDIRECT)
        if ts is None:
            return
        row = lambda t: next((i for i, r in enumerate(t.rows)         # noqa: E731
                              if r.startswith("Totale uitstroom")), None)
        pages = [m for m in self.munis[y] if self.table(y, m, TOTAAL_23) is not None]
        for c in ts.cols:
            for m in pages:
                tm = self.table(y, m, TOTAAL_23)
                self.add(f"2.3 totaal {m} = uitstroom + indirect op {service} [{c}]",
                         [(self.key(y, m, TOTAAL_23, row(tm), c), 1),
                          (self.key(y, service, UITSTROOM,
                                    blocks(up, UITSTROOM).headers.get(m) if up else None, c), -1),
                          (self.key(y, service, INDIRECT,
                                    blocks(ind, INDIRECT).headers.get(m) if ind else None, c),
                           -1)])
            if len(pages) == len(self.munis[y]):
                self.add(f"2.3 totaal {service} = Σ gemeenten [{c}]",
                         [*[(self.key(y, m, TOTAAL_23, row(self.table(y, m, TOTAAL_23)), c), 1)
                            for m in pages], (self.key(y, service, TOTAAL_23, row(ts), c), -1)])

    def municipal_cards(self, y: int, service: str, short: str) -> None:
        """The municipalities' counts add up to the service's (distinct clients: a client of
        two municipalities in one year counts once for the service, so optional)."""
        sc = self.table(y, service, SCORECARD)
        cards = {m: self.table(y, m, KPI_GEMEENTE) for m in self.munis[y]}
        if sc is None or any(c is None or m not in c.cols for m, c in cards.items()):
            return
        for i, label in enumerate(sc.rows):
            if "Eenheid" not in sc.cols or sc.text(i, "Eenheid") != "aantal":
                continue
            self.add(f"kpi {label}: Σ gemeenten = {short}",
                     [*[(self.key(y, m, KPI_GEMEENTE, c.find(label), m), 1)
                        for m, c in cards.items()],
                      (self.key(y, service, SCORECARD, i, "Realisatie"), -1)], optional=True)

    def across_years(self, y: int) -> None:
        for scope in self.public[y]:
            t, prev = self.table(y, scope, JAARVERGELIJKING), self.table(y - 1, scope, TREDE)
            if t is not None and prev is not None:
                for i, label in enumerate(t.rows):
                    self.add(f"jaarvergelijking {y} {scope} {label} = 2.1 trede {y - 1}",
                             [(self.key(y, scope, JAARVERGELIJKING, i, t.cols[0]), 1),
                              (self.key(y - 1, scope, TREDE, prev.find(label), scope), -1)])
            d, dp = self.table(y, scope, DOSSIERS), self.table(y - 1, scope, DOSSIERS)
            if d is not None and dp is not None and len(dp.cols) > 1:
                for i, label in enumerate(d.rows):
                    self.add(f"2.6 {scope} {label}: 1 januari {y} = 31 december {y - 1}",
                             [(self.key(y, scope, DOSSIERS, i, d.cols[0]), 1),
                              (self.key(y - 1, scope, DOSSIERS, dp.find(label), dp.cols[1]), -1)],
                             optional=True)     # the start is 1-1 when the export has it

    # ------------------------------------------------------------------ checking

    def true_value(self, k: Key) -> float | None:
        year, scope, tid, i, col = k
        t = self.intern.get(year, {}).get(scope, {}).get(tid)
        if t is None or i >= len(t.rows) or col not in t.cols:
            return None
        pub = self.public[year][scope][tid]
        if t.rows[i] != pub.rows[i]:
            raise ValueError(f"{year} {scope} {tid}: row {i} is {pub.rows[i]!r} in the public "
                             f"version and {t.rows[i]!r} in the intern one")
        return t.value(i, col)

    def check(self) -> tuple[list[Relation], list[tuple[Relation, str]]]:
        """Keep the relations that hold on the intern run; the others are reported."""
        kept, dropped = [], []
        for r in self.relations:
            values = [self.true_value(k) for k, _ in r.terms]
            if any(v is None for v in values):
                dropped.append((r, "niet te controleren: cel ontbreekt in de interne versie"))
                continue
            lhs = sum(c * v for (_, c), v in zip(r.terms, values, strict=True))
            scale = 1e-6 * (1 + sum(abs(c * v) for (_, c), v in zip(r.terms, values, strict=True)))
            ok = abs(lhs - r.rhs) <= scale if r.sense == "=" else lhs <= r.rhs + scale
            if ok:
                kept.append(r)
            else:
                dropped.append((r, f"geldt niet in de interne versie ({lhs:g} {r.sense} {r.rhs:g})"))
        return kept, dropped

    def published_mismatches(self) -> list[str]:
        """Published cells that differ from the intern run (they must be the same counts)."""
        out = []
        for k in self.kinds:
            p = self.published(k)
            if p is not None:
                v = self.true_value(k)
                if v is None or abs(v - p) > 1e-9:
                    out.append(f"{k}: publiek {p:g}, intern {v}")
        return out


def _find_service(pages: dict[str, dict[str, Table]]) -> str | None:
    """The service's page: its 2.1 has a column per municipality, its 2.6 a row per
    municipality, its block tables a block per municipality."""
    for scope, page in pages.items():
        for tid in (*POPULATION, MIGRATIE):
            if tid in page and len([c for c in page[tid].cols if c != PCT]) > 2:
                return scope
        if DOSSIERS in page and len(page[DOSSIERS].rows) > 2:
            return scope
        for tid in BLOCK_TABLES:
            if tid in page and len(blocks(page[tid], tid).headers) > 1:
                return scope
    return None


def _municipalities(pages: dict[str, dict[str, Table]], service: str | None) -> list[str]:
    if service is not None:
        page = pages[service]
        for tid in (*POPULATION, MIGRATIE):
            if tid in page:
                return [c for c in page[tid].cols if c not in (PCT, service)]
        for tid in BLOCK_TABLES:
            if tid in page:
                return list(blocks(page[tid], tid).headers)
    return [s for s in pages if s != service]


# --------------------------------------------------------------------------- solving


class _Classes:
    """Union-find over hidden cells that relations say are equal."""

    def __init__(self) -> None:
        self.parent: dict = {}

    def find(self, x):
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _solve(obj: np.ndarray, a_ub, b_ub, a_eq, b_eq, lb, integer: bool
           ) -> tuple[float, np.ndarray | None]:
    """min obj·x subject to the constraints, and a minimiser (-inf, None when unbounded)."""
    if integer:
        cons = []
        if a_ub is not None:
            cons.append(LinearConstraint(a_ub, -np.inf, b_ub))
        if a_eq is not None:
            cons.append(LinearConstraint(a_eq, b_eq, b_eq))
        res = milp(obj, constraints=cons, integrality=np.ones(len(obj)),
                   bounds=Bounds(lb, np.full(len(obj), np.inf)))
        if res.status == 0:
            return float(res.fun), res.x
        if res.status in (3, 4) or "unbounded" in str(res.message).lower():
            return -math.inf, None
        raise RuntimeError(f"MILP: {res.message}")
    res = linprog(obj, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                  bounds=list(zip(lb, [None] * len(lb), strict=True)), method="highs")
    if res.status == 0:
        return float(res.fun), res.x
    if res.status == 3:
        return -math.inf, None
    raise RuntimeError(f"LP: {res.message}")


def _integral(x: np.ndarray | None) -> bool:
    return x is not None and bool(np.all(np.abs(x - np.round(x)) < 1e-6))


def _component(n, rows, index, classes, lb, truth, threshold, full):
    """Bounds (MILP lower, MILP upper, LP lower, LP upper) of each class of one component.

    Integer-feasible points found on the way (the intern truth, integral LP optima, MILP
    optima) bound every class's range from inside; with `full=False` a class whose points
    already span the threshold is not solved (it cannot be narrower), and its bounds are
    those points' extremes (marked not exact)."""
    eq = [(t, b) for t, s, b in rows if s == "="]
    ub = [(t, b) for t, s, b in rows if s == "<="]

    def matrix(group):
        if not group:
            return None, None
        a = np.zeros((len(group), n))
        for j, (terms, _) in enumerate(group):
            for k, coef in terms:
                a[j, index[classes.find(k)]] += coef
        return a, np.array([b for _, b in group])

    a_eq, b_eq = matrix(eq)
    a_ub, b_ub = matrix(ub)
    seen_lo, seen_hi = truth.copy(), truth.copy()

    def see(x):
        if _integral(x):
            np.minimum(seen_lo, np.round(x), out=seen_lo)
            np.maximum(seen_hi, np.round(x), out=seen_hi)

    out = {}
    for j in range(n):
        if not full and seen_hi[j] - seen_lo[j] >= threshold:
            out[j] = (seen_lo[j], seen_hi[j], seen_lo[j], seen_hi[j], False)
            continue
        obj = np.zeros(n)
        obj[j] = 1.0
        lo, x_lo = _solve(obj, a_ub, b_ub, a_eq, b_eq, lb, False)
        see(x_lo)
        hi, x_hi = _solve(-obj, a_ub, b_ub, a_eq, b_eq, lb, False)
        hi = -hi + 0.0
        see(x_hi)
        if _integral(x_lo):
            ilo = lo
        else:
            ilo, x = _solve(obj, a_ub, b_ub, a_eq, b_eq, lb, True)
            see(x)
        if math.isinf(hi):
            ihi = math.inf
        elif _integral(x_hi):
            ihi = hi
        else:
            ihi, x = _solve(-obj, a_ub, b_ub, a_eq, b_eq, lb, True)
            ihi = -ihi
            see(x)
        out[j] = (round(ilo), ihi if math.isinf(ihi) else round(ihi), lo, hi, True)
    return out


def solve(model: Model, relations: list[Relation], threshold: int,
          full: bool = True) -> list[Finding]:
    """Bound every hidden count cell by LP and by integer programming (see _component)."""
    hidden = [k for k in model.kinds                # empty in public, a count in intern
              if model.published(k) is None and model.true_value(k) is not None]
    hidden_set = set(hidden)
    classes = _Classes()
    for k in hidden:
        classes.find(k)
    reduced = []                               # (terms over hidden cells, sense, rhs)
    for r in relations:
        rhs = r.rhs
        terms = []
        for k, c in r.terms:
            if k in hidden_set:
                terms.append((k, c))
            else:
                rhs -= c * model.published(k)
        if not terms:
            continue
        if (r.sense == "=" and len(terms) == 2 and abs(rhs) < 1e-9
                and abs(terms[0][1] + terms[1][1]) < 1e-12):
            classes.union(terms[0][0], terms[1][0])
            continue
        reduced.append((terms, r.sense, rhs))
    comp = _Classes()                          # components: classes linked by a relation
    for terms, _, _ in reduced:
        roots = [classes.find(k) for k, _ in terms]
        for root in roots[1:]:
            comp.union(roots[0], root)
    members: dict = defaultdict(list)
    for k in hidden:
        members[comp.find(classes.find(k))].append(k)
    by_comp: dict = defaultdict(list)
    for terms, sense, rhs in reduced:
        by_comp[comp.find(classes.find(terms[0][0]))].append((terms, sense, rhs))
    bounds: dict = {}
    for c, keys in members.items():
        roots = sorted({classes.find(k) for k in keys})
        rows = by_comp.get(c, [])
        if not rows:
            for r in roots:
                bounds[r] = (0.0, math.inf, 0.0, math.inf, True)
            continue
        index = {r: j for j, r in enumerate(roots)}
        lb = np.full(len(roots), -np.inf)
        truth = np.zeros(len(roots))
        for k in keys:                          # a class is nonnegative if any member is
            if model.kinds[k] != "signed":
                lb[index[classes.find(k)]] = 0.0
            truth[index[classes.find(k)]] = model.true_value(k) or 0.0
        result = _component(len(roots), rows, index, classes, lb, truth, threshold, full)
        for r, j in index.items():
            bounds[r] = result[j]
    group = {r: n for n, r in enumerate(sorted({classes.find(k) for k in hidden}))}
    out = []
    for k in hidden:
        if model.kinds[k] != "count":
            continue
        year, scope, tid, i, col = k
        ilo, ihi, lo, hi, exact = bounds[classes.find(k)]
        table = model.public[year][scope][tid]
        out.append(Finding(year, scope, tid, table.rows[i], col, ilo, ihi, lo, hi,
                           model.true_value(k), group=group[classes.find(k)], exact=exact,
                           block=_block_of(table, i)))
    return out


def _block_of(table: Table, i: int) -> str:
    if table.tid not in BLOCK_TABLES:
        return ""
    b = blocks(table, table.tid)
    heads = [(row, m) for m, row in b.headers.items() if row <= i]
    return max(heads)[1] if heads and (b.eindtotaal is None or i < b.eindtotaal) else ""


def unpublished_totals(model: Model) -> list[tuple[int, str, str, str, str]]:
    """Population totals (Totaal rows of 2.1 trede / leeftijd, 2.2 uitkeringsduur / geslacht)
    that the public version does not publish."""
    out = []
    for year, pages in model.public.items():
        for scope, page in pages.items():
            for tid in POPULATION:
                t = page.get(tid)
                if t is None or t.find(TOTAL) is None:
                    continue
                for c in t.cols:
                    if c != PCT and t.value(t.find(TOTAL), c) is None:
                        out.append((year, scope, tid, TOTAL, c))
    return out


def _year_of(folder: Path, pages: dict) -> int:
    if folder.name.isdigit():
        return int(folder.name)
    for page in pages.values():
        if DOSSIERS in page:
            return int(page[DOSSIERS].cols[0].split()[-1])
        if TOTAAL_23 in page:
            return int(page[TOTAAL_23].rows[0].split()[-1])
    raise ValueError(f"{folder}: cannot tell the year (name the folder after it)")


def attack(public: Path, intern: Path, previous: tuple[Path, Path] | None = None,
           threshold: int = 5, service: str | None = None, full: bool = True) -> Result:
    """Attack the public tables of one year (`public/SCOPE/tables/*.csv`), with the previous
    year's public tables if given; relations are checked on the intern runs first."""
    pub_pages, int_pages = read_year(Path(public)), read_year(Path(intern))
    year = _year_of(Path(public), pub_pages)
    pub, internal = {year: pub_pages}, {year: int_pages}
    if previous is not None:
        pp = read_year(Path(previous[0]))
        pub[year - 1], internal[year - 1] = pp, read_year(Path(previous[1]))
    model = Model(pub, internal, service)
    model.build()
    mismatch = model.published_mismatches()
    if mismatch:
        raise ValueError("published cells differ from the intern run: " + "; ".join(mismatch[:5]))
    kept, dropped = model.check()
    findings = solve(model, kept, threshold, full)
    return Result(threshold, findings, kept, dropped, unpublished_totals(model))
