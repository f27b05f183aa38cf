"""One description per published table: what each row and column counts, which cells are
totals of which, which cells are percentages of which counts, how a municipality's view is
cut from the service's table, and which cells of other tables count the same people.

Every count cell of every table of every scope of a year is named by a `Key`: the same key
wherever the same people are counted (the population of a municipality is one key, shown in
the Totaal rows of 2.1 trede, 2.1 leeftijd, 2.2 uitkeringsduur and 2.2 geslacht; the inflow
of a municipality is one key in 2.4 and 2.5; ...). `relations` gives the linear relations
between the keys (categories add up to their totals, municipalities to the service, 2.3
totaal = uitstroom + indirect, waarvan-rows at most their total). The table functions, the
projection of a municipality's tables, suppression and publishing (bold totals, percentages)
all read these descriptions; row labels come from the schema's constants, never from strings
repeated elsewhere.

Keys are tuples `(kind, area, row, column)`:
- `("klanten", area, (dimension, code) | None, None)`: clients at 31-12 (None: all of them);
- `("instroom", area, part | None, class | None)`: inflow excl. BBZ (2.4 and 2.5); part is a
  reason (DIRECT, INDIRECT, NUG), a unit (ZO, WERK, GEEN; NUG is the same people as the
  reason NUG) or REENTRY (the waarvan-row of 2.4);
- `("uitstroom", area, reason | None, class | None)` (2.3 to work/school/business),
  `("indirect", area, None, class | None)`, `("uitstroom_totaal", area, None, class | None)`;
- `("dossiers", area, "start" | "end", None)` (2.6), `("dossiers_export", area, None, None)`
  (the dossiers the cost split recomputes with, on its reference date; the service's is their
  sum);
- `("kpi", area, id, None)`: a count on a scorecard (the service's, a municipality's); the
  placements equal 2.3's Eindtotaal and the municipalities add up to the service where the
  data say so (optional relations, kept when they hold, as an attacker would check them).
`area` is a municipality or the service's short name; `class` a background class.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from rsdlib import kpidefs, schema
from rsdlib.config import MARK_UNIT, Config

Key = tuple
Cell = tuple[int, str]                      # (row position, column label) in a published table

PCT = "%"
TOTAAL = "Totaal"
EINDTOTAAL = "Eindtotaal"
PCT_PER_CLASS = "% per achtergrond klant"

# --------------------------------------------------------------------------- row labels
# Built from the schema's codes and labels; the table functions use these same mappings.

PEILDATUM = {                               # table ID -> dimension of its rows
    "bijlage_2_1_trede": "trede",
    "bijlage_2_1_leeftijd": "leeftijd",
    "bijlage_2_2_uitkeringsduur": "duur",
    "bijlage_2_2_geslacht": "geslacht",
}
MIGRATIE_ROWS = {                           # label -> column of the export it counts
    "Migratieachtergrond": "migratieachtergrond",
    "waarvan Statushouders": "statushouder",
    "Doelgroepregister": "doelgroepregister",
}
INSTROOM_ROWS = {                           # 2.4 reason rows: code -> label
    "NUG": "Instroom Niet-Uitkeringsgerechtigden",
    "DIRECT": "Direct (Bijv. Ontslag, einde WW etc.)",
    "INDIRECT": "Indirect (Bijv. echtscheiding)",
}
REENTRY = "REENTRY"
REENTRY_LABEL = "Binnen periode van 6 mnd weer ingestroomd"
INSTROOM_SERVICE_ROWS = (("DIRECT", "Instroom Direct"), ("INDIRECT", "Instroom Indirect"),
                         ("NUG", "Niet-Uitkeringsgerechtigden"))   # "<short> ..." rows of 2.4
def peildatum_rows(dimension: str, config: Config) -> dict[str, object]:
    """Row label -> code of a peildatum table's rows, in order (without the Totaal row): the
    ladder and bands of the configuration's domain."""
    dom = config.domain
    if dimension == "trede":
        return {label: code for code, label in dom.step_labels.items()}
    if dimension == "leeftijd":
        return {b[0]: b[0] for b in dom.age}
    if dimension == "duur":
        return {**{b[0]: b[0] for b in dom.duration}, dom.duration_none: dom.duration_none}
    if dimension == "geslacht":
        return {label: code for code, label in schema.GESLACHT_LABELS.items()}
    raise KeyError(dimension)


def service_label(config: Config, text: str) -> str:
    """A service row of a block table: "<short> <text>"."""
    return f"{config.short} {text}"


def service_total_label(config: Config) -> str:
    return service_label(config, "totaal")


def outflow_total_labels(year: int) -> tuple[str, str]:
    """The two rows of 2.3 totaal."""
    return f"Totale uitstroom {year}", f"% op totale uitstroom {year}"


# --------------------------------------------------------------------------- descriptions


@dataclass(frozen=True)
class Row:
    """What one row of a published table is: the area and part its counts belong to (None
    for a row that holds no counts), whether it is a percentage row (of which count row:
    `of`), and whether it is a total of other rows (printed bold)."""

    area: str | None = None
    part: object = None
    pct: bool = False
    total: bool = False
    mark: bool = False          # a mark (unit cijfer, 7,5): no count of people


@dataclass
class Layout:
    """A published table as its description sees it."""

    tid: str
    rows: list[Row]
    counts: dict[Cell, Key] = field(default_factory=dict)          # count cell -> key
    pct: dict[Cell, tuple[Key, ...]] = field(default_factory=dict)  # % cell -> counts it uses
    pct_columns: frozenset[str] = frozenset()

    def is_pct(self, pos: int, column: str) -> bool:
        return self.rows[pos].pct or column in self.pct_columns

    def is_total(self, pos: int) -> bool:
        return self.rows[pos].total

    def is_mark(self, pos: int) -> bool:
        return self.rows[pos].mark


def _area_of_column(column: str, config: Config) -> str | None:
    return column if column in config.municipalities or column == config.short else None


def _peildatum(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    dim = PEILDATUM.get(tid)
    if dim is None:                                      # 2.2 migratie
        codes: dict[str, tuple[str, object]] = {label: ("migratie", col)
                                                 for label, col in MIGRATIE_ROWS.items()}
    else:
        codes = {label: (dim, code) for label, code in peildatum_rows(dim, config).items()}
    rows = [Row(part=None, total=True) if label == TOTAAL else Row(part=codes[label])
            for label in table.index]
    lay = Layout(tid, rows, pct_columns=frozenset({PCT}))
    for pos, row in enumerate(rows):
        for col in table.columns:
            area = _area_of_column(col, config)
            if area is not None:
                lay.counts[(pos, col)] = ("klanten", area, row.part, None)
        if PCT in table.columns and not pd.isna(table.iloc[pos][PCT]):
            lay.pct[(pos, PCT)] = (("klanten", scope, row.part, None),
                                   ("klanten", scope, None, None))
    return lay


def _block_rows(tid: str, table: pd.DataFrame, config: Config, scope: str) -> list[Row]:
    """Rows of a block table: municipality rows and their parts, Eindtotaal, the % row,
    service rows. A municipality's view has its own block and the service rows."""
    short = config.short
    if tid == "bijlage_2_3_uitstroom":
        parts = {label: code for code, label in config.domain.placement_reasons.items()}
        service: dict[str, str] = {}
    elif tid == "bijlage_2_3_indirect":
        parts, service = {}, {}
    elif tid == "bijlage_2_4_instroom_reden":
        parts = {label: code for code, label in INSTROOM_ROWS.items()} | {REENTRY_LABEL: REENTRY}
        service = {service_label(config, text): code for code, text in INSTROOM_SERVICE_ROWS}
    else:
        units = config.domain.unit_rows
        parts = {label: code for code, (label, _) in units.items()}
        service = {service_label(config, s): code for code, (_, s) in units.items()}
    rows: list[Row] = []
    current = None
    for label in table.index:
        if label in config.municipalities:
            current = label
            rows.append(Row(label, None, total=True))
        elif label == EINDTOTAAL or label == service_total_label(config):
            current = None
            rows.append(Row(short, None, total=True))
        elif label == PCT_PER_CLASS:
            current = None
            rows.append(Row(short, None, pct=True))
        elif label in service:
            current = None
            rows.append(Row(short, service[label]))
        elif current is not None and label in parts:
            rows.append(Row(current, parts[label]))
        else:
            raise KeyError(f"{tid}: rij {label!r} staat niet in de beschrijving")
    return rows


BLOCK_KIND = {"bijlage_2_3_uitstroom": "uitstroom", "bijlage_2_3_indirect": "indirect",
              "bijlage_2_4_instroom_reden": "instroom", "bijlage_2_5_instroom_groep": "instroom"}


def _blocks(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    rows = _block_rows(tid, table, config, scope)
    kind, short = BLOCK_KIND[tid], config.short
    classes = [*schema.ACHTERGROND, EINDTOTAAL]
    lay = Layout(tid, rows, pct_columns=frozenset({PCT}))
    grand = (kind, short, None, None)
    for pos, row in enumerate(rows):
        if row.pct:
            for col in classes:
                cls = None if col == EINDTOTAAL else col
                lay.pct[(pos, col)] = ((kind, short, None, cls), grand)
            continue
        for col in classes:
            lay.counts[(pos, col)] = (kind, row.area, row.part, None if col == EINDTOTAAL else col)
        if PCT in table.columns and not pd.isna(table.iloc[pos][PCT]):
            lay.pct[(pos, PCT)] = ((kind, row.area, row.part, None), grand)
    return lay


def _outflow_total(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    rows = [Row(scope, None, total=True), Row(scope, None, pct=True)]
    lay = Layout(tid, rows)
    for col in table.columns:
        cls = None if col == EINDTOTAAL else col
        key = ("uitstroom_totaal", scope, None, cls)
        lay.counts[(0, col)] = key
        lay.pct[(1, col)] = (key, ("uitstroom_totaal", scope, None, None))
    return lay


def _dossiers(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    rows = [Row(config.short if label == config.name else label, None,
                total=label == config.name) for label in table.index]
    start, end, change = table.columns[:3]
    lay = Layout(tid, rows, pct_columns=frozenset({change}))
    for pos, row in enumerate(rows):
        a, b = ("dossiers", row.area, "start", None), ("dossiers", row.area, "end", None)
        lay.counts[(pos, start)], lay.counts[(pos, end)] = a, b
        lay.pct[(pos, change)] = (a, b)
    return lay


def _bijlage_1(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    rows = [Row(scope, ("trede", code)) for code in config.domain.codes[:len(table)]]
    lay = Layout(tid, rows)
    for pos, row in enumerate(rows):
        lay.counts[(pos, "Aantal klanten")] = ("klanten", scope, row.part, None)
    return lay


PLAATSINGEN = kpidefs.PLAATSINGEN.id     # the KPI that counts the placements of 2.3's Eindtotaal


def _units(table: pd.DataFrame) -> tuple[list[bool], list[bool]]:
    """Per row of a table of result agreements: a percentage (`attrs["pct_rows"]`), a mark
    (its `Eenheid` is cijfer, shown with one decimal)."""
    pct_rows = set(table.attrs.get("pct_rows", ()))
    units = table["Eenheid"].tolist() if "Eenheid" in table.columns else [None] * len(table)
    return ([kid in pct_rows for kid in table.index], [u == MARK_UNIT for u in units])


def _scorecard(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    """kpi_scorecard (the service's: Realisatie) and kpi_gemeente (a municipality's realisation
    beside the service's): one count per agreement and area, unless it is a percentage."""
    pct, mark = _units(table)
    rows = [Row(None, kid, pct=p, mark=m) for kid, p, m in zip(table.index, pct, mark,
                                                               strict=True)]
    lay = Layout(tid, rows)
    columns = ({"Realisatie": scope} if "Realisatie" in table.columns else
               {c: c for c in table.columns if _area_of_column(c, config)})
    for pos, row in enumerate(rows):
        for col, area in columns.items():
            if not row.pct and not row.mark and not pd.isna(table.iloc[pos][col]):
                lay.counts[(pos, col)] = ("kpi", area, row.part, None)
                if col == "Realisatie" and "Status" in table.columns:
                    # "behaald" beside a hidden count says it is at least the target
                    lay.pct[(pos, "Status")] = (lay.counts[(pos, col)],)
    return lay


REALISED_COUNTS = {"Plaatsingen": PLAATSINGEN, "waarvan doelgroepregister":
                   kpidefs.PLAATSINGEN_DOELGROEP.id}


def realised_columns(table: pd.DataFrame) -> tuple[list[str], list[str]]:
    """besparing_realisatie's count columns, and the columns computed from them (the extra
    placements and every amount of the realisation; not the base or the assignment's own
    figures, which are configured)."""
    counts = [c for c in table.columns if c in REALISED_COUNTS]
    derived = [c for c in table.columns if c not in counts and c != "Basis"
               and "opdracht" not in str(c)]
    return counts, derived


def _realised(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    """besparing_realisatie on a year's public page: the year's row only (prepared cuts the
    other years away: they are other years' decisions). Its placements are the scorecard's
    counts of the year (the same key) where they are equal (`attrs["kpi_columns"]`; not in a
    year the assignment started during), else counts of their own; the extra placements
    and the amounts follow from them and are hidden with them."""
    rows = [Row(scope, None, total=label == TOTAAL) for label in table.index]
    lay = Layout(tid, rows)
    if len(table) != 1 or table.index[0] == TOTAAL:   # several years: the period's page
        return lay
    counts, derived = realised_columns(table)
    same = set(table.attrs.get("kpi_columns", ()))
    keys = []
    for col in counts:
        if pd.isna(table.iloc[0][col]):
            continue
        key = (("kpi", scope, REALISED_COUNTS[col], None) if col in same else
               ("besparing", scope, REALISED_COUNTS[col], None))
        lay.counts[(0, col)] = key
        keys.append(key)
    for col in derived:
        lay.pct[(0, col)] = tuple(keys)
    return lay


def _cost_split(tid: str, table: pd.DataFrame, config: Config, scope: str) -> Layout:
    """The cost split: the dossiers of the export on the reference date per municipality and
    their sum, and the shares and amounts recomputed from them (they reveal the dossiers). The
    adopted figures are configured, not counted here."""
    rows = [Row(None, None, total=True) if label == TOTAAL else Row(label, None)
            for label in table.index]
    pct = frozenset(c for c in table.columns if str(c).startswith(PCT))
    lay = Layout(tid, rows, pct_columns=pct)
    if DOSSIERS_EXPORT not in table.columns:
        return lay
    total = ("dossiers_export", config.short, None, None)
    for pos, row in enumerate(rows):
        key = total if row.area is None else ("dossiers_export", row.area, None, None)
        lay.counts[(pos, DOSSIERS_EXPORT)] = key
        for col in RECOMPUTED:
            if col in table.columns:
                lay.pct[(pos, col)] = (key, total)
    return lay


DOSSIERS_EXPORT = "Dossiers export"
RECOMPUTED = ("% totaal herberekend", "Bijdrage herberekend (€)")


def _generic(tid: str, table: pd.DataFrame, config: Config | None, scope: str) -> Layout:
    """A table without person counts to protect (trends, finance): its percentage columns
    and its Totaal row."""
    pct, mark = _units(table)
    rows = [Row(total=label == TOTAAL, pct=str(label).startswith(PCT) or p, mark=m)
            for label, p, m in zip(table.index, pct, mark, strict=True)]
    return Layout(tid, rows, pct_columns=frozenset(c for c in table.columns
                                                   if str(c).startswith(PCT)))


def generic_layout(tid: str, table: pd.DataFrame) -> Layout:
    """The description of a table written without its configuration: % columns and rows,
    the Totaal row."""
    return _generic(tid, table, None, "")


DESCRIBE = {
    **{tid: _peildatum for tid in (*PEILDATUM, "bijlage_2_2_migratie")},
    **{tid: _blocks for tid in BLOCK_KIND},
    "bijlage_2_3_totaal": _outflow_total,
    "bijlage_2_6_dossiers": _dossiers,
    "bijlage_1_treden": _bijlage_1,
    "kpi_scorecard": _scorecard,
    "kpi_gemeente": _scorecard,
    "kostenverdeling": _cost_split,
    "besparing_realisatie": _realised,
}
# jaarvergelijking_trede repeats the previous year's 2.1 trede column (its keys are those of
# the year before); it is published only in the internal version, like the trends, so the
# public version has no cells shared between years.


def layout(tid: str, table: pd.DataFrame, config: Config, scope: str | None = None) -> Layout:
    """The description of a published table (any table: those without person counts get
    their percentage columns and Totaal row only)."""
    scope = scope or _scope_of(table, config)
    return DESCRIBE.get(tid, _generic)(tid, table, config, scope)


def _scope_of(table: pd.DataFrame, config: Config) -> str:
    cols = [c for c in table.columns if c in config.municipalities]
    if len(cols) == 1 and config.short in table.columns:
        return cols[0]
    rows = [r for r in table.index if r in config.municipalities]
    if len(rows) == 1:
        return rows[0]
    return config.short


# --------------------------------------------------------------------------- the municipal cut


def view_rows(tid: str, full: pd.DataFrame, config: Config, scope: str) -> list[int]:
    """Row positions of a municipality's view of a service table: its own rows and the
    service's rows (for comparison)."""
    rows = layout(tid, full, config, config.short).rows
    return [i for i, r in enumerate(rows) if r.area in (scope, config.short)]


def view_columns(config: Config, scope: str) -> list[str]:
    """Columns of a municipality's view of a peildatum table (the % is its own)."""
    return [scope, PCT, config.short]


# --------------------------------------------------------------------------- relations


@dataclass
class Relations:
    """Linear relations between keys: sum(parts) == total, and a <= b."""

    equations: list[tuple[tuple[Key, ...], Key]] = field(default_factory=list)
    at_most: list[tuple[Key, Key]] = field(default_factory=list)
    maybe: list[tuple[tuple[Key, ...], Key]] = field(default_factory=list)  # if they hold

    def eq(self, parts: Iterable[Key], total: Key, keys: set[Key], optional: bool = False,
           absent_is_zero: bool = False) -> None:
        """sum(parts) == total when all of them are published (`absent_is_zero`: a part that
        is not published is 0, as 2.3 leaves out the reasons nobody left for); when some are
        missing, each published part is at most the total."""
        parts = tuple(parts)
        present = tuple(p for p in parts if p in keys)
        if total not in keys or not present:
            return
        if len(present) < len(parts) and not absent_is_zero:
            for p in present:
                self.le(p, total, keys)
            return
        (self.maybe if optional else self.equations).append((present, total))

    def holding(self, values: dict[Key, float]) -> Relations:
        """These relations with the optional equations that hold for these values (what an
        attacker checking them against the data would also find)."""
        true = [(ps, t) for ps, t in self.maybe
                if abs(sum(values[p] for p in ps) - values[t]) < 1e-9]
        return Relations(self.equations + true, list(self.at_most))

    def le(self, a: Key, b: Key, keys: set[Key]) -> None:
        if a in keys and b in keys:
            self.at_most.append((a, b))


def relations(keys: set[Key], config: Config) -> Relations:
    """Every linear relation between the published keys of a year (all tables, all scopes)."""
    rel = Relations()
    munis, short = list(config.municipalities), config.short
    areas = [*munis, short]
    classes = [*schema.ACHTERGROND]

    # clients at 31-12: categories add up to the population, municipalities to the service
    dims: dict[str, set] = {}
    for k in keys:
        if k[0] == "klanten" and k[2] is not None:
            dims.setdefault(k[2][0], set()).add(k[2])
    for dim, part_set in dims.items():
        parts = sorted(part_set, key=str)
        if dim != "migratie":
            for a in areas:
                rel.eq([("klanten", a, p, None) for p in parts], ("klanten", a, None, None), keys)
    for part in [None, *sorted({p for ps in dims.values() for p in ps}, key=str)]:
        rel.eq([("klanten", m, part, None) for m in munis], ("klanten", short, part, None), keys)
    for a in areas:
        mig, stat, dgr = (("klanten", a, ("migratie", c), None) for c in
                          ("migratieachtergrond", "statushouder", "doelgroepregister"))
        pop = ("klanten", a, None, None)
        rel.le(stat, mig, keys)
        rel.le(mig, pop, keys)
        rel.le(dgr, pop, keys)

    # block tables: classes add up to Eindtotaal, parts to the area, areas to the service
    for kind, groups in (("uitstroom", [list(config.domain.placement_reasons)]),
                         ("indirect", []),
                         ("instroom", [list(INSTROOM_ROWS), list(config.domain.unit_rows)]),
                         ("uitstroom_totaal", [])):
        parts_all = sorted({k[2] for k in keys if k[0] == kind and k[2] is not None}, key=str)
        for a in areas:
            for part in [None, *parts_all]:
                rel.eq([(kind, a, part, c) for c in classes], (kind, a, part, None), keys)
            for cls in [*classes, None]:
                for group in groups:
                    rel.eq([(kind, a, p, cls) for p in group], (kind, a, None, cls), keys,
                           absent_is_zero=kind == "uitstroom")
                rel.le((kind, a, REENTRY, cls), (kind, a, None, cls), keys)
        for part in [None, *parts_all]:
            for cls in [*classes, None]:
                rel.eq([(kind, m, part, cls) for m in munis], (kind, short, part, cls), keys)
    for a in areas:
        for cls in [*classes, None]:
            rel.eq([("uitstroom", a, None, cls), ("indirect", a, None, cls)],
                   ("uitstroom_totaal", a, None, cls), keys)

    # dossiers: a dossier seen in two municipalities on one day counts once for the service
    for when in ("start", "end"):
        total = ("dossiers", short, when, None)
        for m in munis:
            rel.le(("dossiers", m, when, None), total, keys)
    rel.eq([("dossiers_export", m, None, None) for m in munis],
           ("dossiers_export", short, None, None), keys)

    # scorecards: a municipality's count is part of the service's; placements (a client
    # once) are the outflow rows of 2.3 where no client left twice
    ids = sorted({k[2] for k in keys if k[0] == "kpi"}, key=str)
    for kid in ids:
        for m in munis:
            rel.le(("kpi", m, kid, None), ("kpi", short, kid, None), keys)
        rel.eq([("kpi", m, kid, None) for m in munis], ("kpi", short, kid, None), keys,
               optional=True)
    for a in areas:
        rel.le(("kpi", a, kpidefs.PLAATSINGEN_DOELGROEP.id, None), ("kpi", a, PLAATSINGEN, None),
               keys)
        rel.le(("kpi", a, PLAATSINGEN, None), ("uitstroom", a, None, None), keys)
        rel.eq([("uitstroom", a, None, None)], ("kpi", a, PLAATSINGEN, None), keys,
               optional=True)
    return rel


def check(rel: Relations, values: dict[Key, float]) -> list[str]:
    """The relations that the values do not satisfy (a description that is wrong)."""
    bad = []
    for parts, total in rel.equations:
        if abs(sum(values[p] for p in parts) - values[total]) > 1e-9:
            bad.append(f"{parts} != {total}")
    for a, b in rel.at_most:
        if values[a] > values[b] + 1e-9:
            bad.append(f"{a} > {b}")
    return bad


def is_population(key: Key) -> bool:
    """A population count (clients at 31-12 of an area, dossiers, all inflow/outflow)."""
    return key[2] is None and key[3] is None or key[0] == "dossiers"
