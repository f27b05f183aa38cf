"""Small-cell suppression for public outputs: primary, secondary, and the LP range check.

A table's count cells are tied by linear relations (categories add up to their totals,
municipality blocks to their reasons, municipalities to the service). A suppressed cell is
safe when, given every published cell and those relations (counts >= 0), its feasible range
is at least as wide as the threshold. Secondary suppression adds the smallest related
published cells until every suppressed cell is safe; percentages of a suppressed count or
denominator are suppressed with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rsdlib.config import Config

Cell = tuple[int, str]        # (row position, column label)


@dataclass
class Structure:
    """The count cells of a table, their linear relations, and what each percentage uses."""

    counts: list[Cell] = field(default_factory=list)
    equations: list[tuple[list[Cell], Cell]] = field(default_factory=list)   # sum(parts) = total
    at_most: list[tuple[Cell, Cell]] = field(default_factory=list)           # a <= b
    pct: dict[Cell, list[Cell]] = field(default_factory=dict)                # % -> its counts

    def partners(self, cell: Cell) -> list[Cell]:
        """Cells that share a relation with `cell`."""
        out: list[Cell] = []
        for parts, total in self.equations:
            group = [*parts, total]
            if cell in group:
                out += [c for c in group if c != cell]
        for a, b in self.at_most:
            if cell in (a, b):
                out.append(b if cell == a else a)
        return list(dict.fromkeys(out))


def _pos(table: pd.DataFrame, label: str) -> list[int]:
    return [i for i, r in enumerate(table.index) if r == label]


def _grid(table: pd.DataFrame, rows: list[int], total_row: int | None, parts: list[str],
          total_col: str | None) -> Structure:
    """Categories add up to a total row per column; parts add up to a total column per row."""
    s = Structure()
    cols = [*parts, *([total_col] if total_col else [])]
    all_rows = [*rows, *([total_row] if total_row is not None else [])]
    s.counts = [(r, c) for r in all_rows for c in cols]
    if total_row is not None:
        for c in cols:
            s.equations.append(([(r, c) for r in rows], (total_row, c)))
    if total_col and parts:
        for r in all_rows:
            s.equations.append(([(r, c) for c in parts], (r, total_col)))
    return s


def _peildatum(table: pd.DataFrame, config: Config, scope: str) -> Structure:
    total = _pos(table, "Totaal")
    rows = [i for i in range(len(table)) if i not in total]
    if scope == config.short:
        s = _grid(table, rows, total[0] if total else None, list(config.municipalities),
                  config.short)
        denominator = [(total[0], config.short)] if total else []
        for r in range(len(table)):
            s.pct[(r, "%")] = [(r, config.short), *denominator]
    else:
        s = Structure(counts=[(r, c) for r in range(len(table)) for c in (scope, config.short)])
        if total:
            for c in (scope, config.short):
                s.equations.append(([(r, c) for r in rows], (total[0], c)))
            s.at_most += [((r, scope), (r, config.short)) for r in range(len(table))]
        denominator = [(total[0], scope)] if total else []
        for r in range(len(table)):
            s.pct[(r, "%")] = [(r, scope), *denominator]
    return s


def _migratie(table: pd.DataFrame, config: Config, scope: str) -> Structure:
    rows = list(range(len(table)))
    if scope == config.short:
        s = Structure(
            counts=[(r, c) for r in rows for c in (*config.municipalities, config.short)],
            equations=[([(r, m) for m in config.municipalities], (r, config.short))
                       for r in rows])
        col = config.short
    else:
        s = Structure(counts=[(r, c) for r in rows for c in (scope, config.short)])
        s.at_most += [((r, scope), (r, config.short)) for r in rows]
        col = scope
    mig, stat = _pos(table, "Migratieachtergrond"), _pos(table, "waarvan Statushouders")
    for c in {col, config.short}:
        if mig and stat:
            s.at_most.append(((stat[0], c), (mig[0], c)))
    for r in rows:
        s.pct[(r, "%")] = [(r, col)]
    return s


CLASSES = ("Migratie achtergrond", "Status houder", "Overig")


def _blocks(table: pd.DataFrame, config: Config) -> dict[str, list[int]]:
    """Row positions of each municipality block (its own row first)."""
    out: dict[str, list[int]] = {}
    current = None
    for i, label in enumerate(table.index):
        if label in config.municipalities:
            current = label
            out[current] = [i]
        elif label == "Eindtotaal" or label.startswith("%") or label.startswith(config.short + " "):
            current = None
        elif current is not None:
            out[current].append(i)
    return out


def _block_table(table: pd.DataFrame, config: Config, waarvan: str | None = None,
                 service_rows: dict[str, str] | None = None) -> Structure:
    """Municipality blocks (own row = sum of its rows), Eindtotaal, service rows; row sums."""
    s = Structure()
    count_rows = [i for i, r in enumerate(table.index) if not str(r).startswith("%")]
    s.counts = [(r, c) for r in count_rows for c in (*CLASSES, "Eindtotaal")]
    for r in count_rows:
        s.equations.append(([(r, c) for c in CLASSES], (r, "Eindtotaal")))
    blocks = _blocks(table, config)
    end = _pos(table, "Eindtotaal")
    for rows in blocks.values():
        head, members = rows[0], rows[1:]
        parts = [r for r in members if table.index[r] != waarvan]
        if parts:
            for c in (*CLASSES, "Eindtotaal"):
                s.equations.append(([(r, c) for r in parts], (head, c)))
        for r in members:
            if table.index[r] == waarvan:
                s.at_most += [((r, c), (head, c)) for c in (*CLASSES, "Eindtotaal")]
    complete = len(blocks) == len(config.municipalities)
    if end and complete:
        for c in (*CLASSES, "Eindtotaal"):
            s.equations.append(([(rows[0], c) for rows in blocks.values()], (end[0], c)))
    elif end:
        for rows in blocks.values():
            s.at_most += [((rows[0], c), (end[0], c)) for c in (*CLASSES, "Eindtotaal")]
    for service_label, member_label in (service_rows or {}).items():
        target = _pos(table, service_label)
        if not target:
            continue
        members = [r for rows in blocks.values() for r in rows if table.index[r] == member_label]
        for c in (*CLASSES, "Eindtotaal"):
            if complete:
                s.equations.append(([(r, c) for r in members], (target[0], c)))
            else:
                s.at_most += [((r, c), (target[0], c)) for r in members]
    total_label = f"{config.short} totaal"
    if end and _pos(table, total_label):
        t = _pos(table, total_label)[0]
        svc = [_pos(table, lab)[0] for lab in (service_rows or {}) if _pos(table, lab)]
        for c in (*CLASSES, "Eindtotaal"):
            s.equations.append(([(end[0], c)], (t, c)))
            if svc:
                s.equations.append(([(r, c) for r in svc], (t, c)))
    if end:
        grand = (end[0], "Eindtotaal")
        for r in count_rows:
            s.pct[(r, "%")] = [(r, "Eindtotaal"), grand]
        for r in _pos(table, "% per achtergrond klant"):
            for c in (*CLASSES, "Eindtotaal"):
                s.pct[(r, c)] = [(end[0], c), grand]
    return s


def _totaal(table: pd.DataFrame) -> Structure:
    s = Structure(counts=[(0, c) for c in (*CLASSES, "Eindtotaal")])
    s.equations.append(([(0, c) for c in CLASSES], (0, "Eindtotaal")))
    for c in (*CLASSES, "Eindtotaal"):
        s.pct[(1, c)] = [(0, c), (0, "Eindtotaal")]
    return s


def _dossiers(table: pd.DataFrame, config: Config) -> Structure:
    a, b = table.columns[:2]
    rows = list(range(len(table)))
    s = Structure(counts=[(r, c) for r in rows for c in (a, b)])
    service = _pos(table, config.name)[0]
    munis = [r for r in rows if r != service]
    for c in (a, b):
        if len(munis) == len(config.municipalities):
            s.equations.append(([(r, c) for r in munis], (service, c)))
        else:
            s.at_most += [((r, c), (service, c)) for r in munis]
    for r in rows:
        s.pct[(r, table.columns[2])] = [(r, a), (r, b)]
    return s


def _plain_counts(table: pd.DataFrame, columns: list[str]) -> Structure:
    return Structure(counts=[(r, c) for r in range(len(table)) for c in columns])


def _count_rows(table: pd.DataFrame) -> list[int]:
    """Rows of a scorecard that count people: unit `aantal` (not a %, not a mark entered by
    hand); without a unit column, the rows not marked as percentages."""
    if "Eenheid" in table.columns:
        return [r for r, unit in enumerate(table["Eenheid"]) if unit == "aantal"]
    return [r for r, lab in enumerate(table.index) if lab not in table.attrs.get("pct_rows", ())]


def as_in(table: pd.DataFrame, config: Config) -> Config:
    """The configuration as the table's year has it: a municipality that a reorganisation
    ended (or had not begun) and that the table does not name is not part of it."""
    if not config.changes:
        return config
    named = {str(x) for x in (*table.index, *table.columns)}
    moved = {m for c in config.changes for m in (*c.ended, *c.new)}
    keep = [m for m in config.municipalities if m in named or m not in moved]
    if len(keep) == len(config.municipalities):
        return config
    return config.model_copy(update={"service": config.service.model_copy(
        update={"municipalities": keep})})


def structure(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Structure | None:
    """The linear relations of a published table; None for tables that hold no person counts."""
    config = as_in(table, config)
    if tid in ("bijlage_2_1_trede", "bijlage_2_1_leeftijd", "bijlage_2_2_uitkeringsduur",
               "bijlage_2_2_geslacht"):
        return _peildatum(table, config, scope)
    if tid == "bijlage_2_2_migratie":
        return _migratie(table, config, scope)
    if tid == "bijlage_2_3_uitstroom":
        return _block_table(table, config)
    if tid == "bijlage_2_3_indirect":
        return _block_table(table, config)
    if tid == "bijlage_2_3_totaal":
        return _totaal(table)
    if tid == "bijlage_2_4_instroom_reden":
        short = config.short
        return _block_table(table, config, waarvan="Binnen periode van 6 mnd weer ingestroomd",
                            service_rows={
                                f"{short} Instroom Direct": "Direct (Bijv. Ontslag, einde WW etc.)",
                                f"{short} Instroom Indirect": "Indirect (Bijv. echtscheiding)",
                                f"{short} Niet-Uitkeringsgerechtigden":
                                    "Instroom Niet-Uitkeringsgerechtigden"})
    if tid == "bijlage_2_5_instroom_groep":
        short = config.short
        return _block_table(table, config, service_rows={
            f"{short} {unit_short}": label
            for label, unit_short in config.domain.unit_rows.values()})
    if tid == "bijlage_2_6_dossiers":
        return _dossiers(table, config)
    if tid == "bijlage_1_treden":
        return _plain_counts(table, ["Aantal klanten"])
    if tid == "kpi_scorecard":
        return Structure(counts=[(r, "Realisatie") for r in _count_rows(table)])
    if tid == "kpi_gemeente":          # the municipality's count beside the service's
        rows = _count_rows(table)
        s = Structure(counts=[(r, c) for r in rows for c in (scope, config.short)])
        s.at_most = [((r, scope), (r, config.short)) for r in rows]
        return s
    if tid == "periode_kpi":           # counts per year add up to the period's count
        rows = _count_rows(table)
        years = [c for c in table.columns if str(c).isdigit()]
        s = Structure()
        for r in rows:
            have = [(r, c) for c in years if pd.notna(table.iloc[r][c])]
            s.counts += [*have, (r, "Periode")]
            s.equations.append((have, (r, "Periode")))
            if f"Periode {config.short}" in table.columns:
                s.counts.append((r, f"Periode {config.short}"))
                s.at_most.append(((r, "Periode"), (r, f"Periode {config.short}")))
        return s
    return None


# --------------------------------------------------------------------------- LP


def ranges(table: pd.DataFrame, s: Structure, suppressed: set[Cell],
           cells: list[Cell] | None = None) -> dict[Cell, tuple[float, float]]:
    """Feasible [min, max] of suppressed cells given the published ones (LP relaxation)."""
    from scipy.optimize import linprog

    index = {c: i for i, c in enumerate(s.counts)}
    n = len(index)
    bounds = []
    for c in s.counts:
        if c in suppressed:
            bounds.append((0, None))
        else:
            v = float(table.iloc[c[0]][c[1]])
            bounds.append((v, v))
    a_eq, b_eq = [], []
    for parts, total in s.equations:
        row = np.zeros(n)
        for p in parts:
            row[index[p]] += 1
        row[index[total]] -= 1
        a_eq.append(row)
        b_eq.append(0.0)
    a_ub, b_ub = [], []
    for a, b in s.at_most:
        row = np.zeros(n)
        row[index[a]] += 1
        row[index[b]] -= 1
        a_ub.append(row)
        b_ub.append(0.0)
    out = {}
    for c in cells if cells is not None else sorted(suppressed):
        if c not in index:
            continue
        lo_hi = []
        for sign in (1, -1):
            obj = np.zeros(n)
            obj[index[c]] = sign
            res = linprog(obj, A_ub=np.array(a_ub) if a_ub else None,
                          b_ub=np.array(b_ub) if b_ub else None,
                          A_eq=np.array(a_eq) if a_eq else None,
                          b_eq=np.array(b_eq) if b_eq else None, bounds=bounds, method="highs")
            if res.status == 3:          # unbounded
                lo_hi.append(np.inf if sign == -1 else 0.0)
            else:
                lo_hi.append(sign * res.fun)
        out[c] = (lo_hi[0], lo_hi[1])
    return out


def primary(table: pd.DataFrame, s: Structure, threshold: int, zeros: bool) -> set[Cell]:
    """Counts from 1 to threshold-1 (and zeros when they are disclosive)."""
    out = set()
    for c in s.counts:
        v = table.iloc[c[0]][c[1]]
        if pd.isna(v):
            continue
        if 0 < v < threshold or (zeros and v == 0):
            out.add(c)
    return out


def _candidates(s: Structure, cell: Cell, suppressed: set[Cell]) -> list[Cell]:
    """Published cells related to `cell`, nearest first: its own relations, then (when all of
    those are suppressed) the relations of the suppressed cells around it, and so on."""
    seen, frontier = {cell}, [cell]
    while frontier:
        published, hidden = [], []
        for c in frontier:
            for p in s.partners(c):
                if p in seen:
                    continue
                seen.add(p)
                (hidden if p in suppressed else published).append(p)
        if published:
            return published
        frontier = hidden
    return []


def _protect(table: pd.DataFrame, s: Structure, cell: Cell, suppressed: set[Cell],
             threshold: int) -> set[Cell]:
    """The cheapest set of published cells whose suppression lets `cell` move by `threshold`.

    An LP finds a direction v with v[cell] = 1 that keeps every relation (E v = 0), keeps
    counts non-negative and inequalities true over a move of `threshold`, and costs the least
    in published cells (a cell's cost is its size, so small cells are used first). Its support
    is the pattern to suppress (in a 2D table: a rectangle).
    """
    from scipy.optimize import linprog

    index = {c: i for i, c in enumerate(s.counts)}
    n = len(index)
    values = np.array([float(table.iloc[c[0]][c[1]]) for c in s.counts])
    cost = np.array([1e-6 if c in suppressed else 1.0 + v for c, v in zip(s.counts, values,
                                                                          strict=True)])
    a_eq, b_eq = [], []
    for parts, total in s.equations:
        row = np.zeros(2 * n)
        for p in parts:
            row[index[p]] += 1
            row[n + index[p]] -= 1
        row[index[total]] -= 1
        row[n + index[total]] += 1
        a_eq.append(row)
        b_eq.append(0.0)
    one = np.zeros(2 * n)
    one[index[cell]] = 1
    one[n + index[cell]] = -1
    a_eq.append(one)
    b_eq.append(1.0)
    a_ub, b_ub = [], []
    for a, b in s.at_most:           # value_a + U v_a <= value_b + U v_b
        row = np.zeros(2 * n)
        row[index[a]] += threshold
        row[n + index[a]] -= threshold
        row[index[b]] -= threshold
        row[n + index[b]] += threshold
        a_ub.append(row)
        b_ub.append(values[index[b]] - values[index[a]])
    bounds = [(0, None)] * n + [(0, v / threshold) for v in values]   # counts stay >= 0
    res = linprog(np.concatenate([cost, cost]), A_eq=np.array(a_eq), b_eq=np.array(b_eq),
                  A_ub=np.array(a_ub) if a_ub else None, b_ub=np.array(b_ub) if b_ub else None,
                  bounds=bounds, method="highs")
    if res.status != 0:
        return set()
    v = res.x[:n] - res.x[n:]
    return {c for c, i in index.items() if abs(v[i]) > 1e-9 and c not in suppressed}


def secondary(table: pd.DataFrame, s: Structure, suppressed: set[Cell],
              threshold: int) -> set[Cell]:
    """Add related published cells until every suppressed cell's range is at least the
    threshold wide. Each step takes the smallest candidate that can close the gap (else the
    largest), so little is lost; cells are handled in table order, so the result is
    deterministic."""
    suppressed = set(suppressed)
    queue = sorted(suppressed)
    done: set[Cell] = set()

    def value(p: Cell) -> float:
        return float(table.iloc[p[0]][p[1]])

    while queue:
        cell = queue.pop(0)
        if cell in done:
            continue
        while True:
            lo, hi = ranges(table, s, suppressed, [cell])[cell]
            if hi - lo >= threshold:
                break
            pattern = _protect(table, s, cell, suppressed, threshold)
            if pattern:
                suppressed |= pattern
                queue.extend(sorted(pattern))
                continue
            candidates = _candidates(s, cell, suppressed)
            if not candidates:
                break
            needed = threshold - (hi - lo)
            big_enough = [p for p in candidates if value(p) >= needed]

            def shared(p: Cell, hidden: set[Cell] = suppressed) -> int:
                """Hidden cells it already relates to: patterns stay compact."""
                return sum(q in hidden for q in s.partners(p))

            pick = (min(big_enough, key=lambda p: (-shared(p), value(p), p[0], str(p[1])))
                    if big_enough else
                    max(candidates, key=lambda p: (value(p), shared(p), -p[0], str(p[1]))))
            suppressed.add(pick)
            queue.append(pick)
        done.add(cell)
    return suppressed


def with_percentages(s: Structure, suppressed: set[Cell]) -> set[Cell]:
    """The suppressed counts plus every percentage that uses one of them."""
    return suppressed | {p for p, uses in s.pct.items() if any(u in suppressed for u in uses)}


def suppress(tid: str, table: pd.DataFrame, config: Config, scope: str,
             pattern: set[Cell] | None = None) -> set[Cell]:
    """The cells to hide in a public table: primary, secondary, and dependent percentages.

    `pattern` carries the suppressed counts of the same cells in the service table, so that a
    municipality's table never publishes what the service table hides.
    """
    s = structure(tid, table, config, scope)
    if s is None:
        return set()
    threshold = config.publication.threshold
    zeros = config.publication.zeros_disclosive
    hidden = primary(table, s, threshold, zeros) | (pattern or set())
    hidden = {c for c in hidden if c in set(s.counts)}
    hidden = secondary(table, s, hidden, threshold)
    return with_percentages(s, hidden)


def view_positions(full: pd.DataFrame, view: pd.DataFrame, config: Config,
                   scope: str) -> dict[int, int]:
    """Row positions of a municipality's view in the service table (same cells)."""
    if list(view.index) == list(full.index):
        return {i: i for i in range(len(view))}
    blocks = _blocks(full, config)
    if scope in blocks:
        end = _pos(full, "Eindtotaal")
        rows = blocks[scope] + (list(range(end[0], len(full))) if end else [])
    else:
        rows = [i for i, r in enumerate(full.index) if r in set(view.index)]
    return dict(enumerate(rows))


def municipal_pattern(full: pd.DataFrame, full_hidden: set[Cell], view: pd.DataFrame,
                      config: Config, scope: str) -> set[Cell]:
    """The service table's suppressed counts, mapped onto a municipality's view."""
    config = as_in(full, config)
    pos = view_positions(full, view, config, scope)
    inverse = {v: k for k, v in pos.items()}
    return {(inverse[r], c) for r, c in full_hidden if r in inverse and c in view.columns}
