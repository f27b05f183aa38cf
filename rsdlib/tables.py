"""The appendix tables: pure functions from validated frames, a year and a scope to a DataFrame.

Every table has row labels as its index (name `rij`) and the display columns of
`docs/outputs.md`. Cells are numbers (counts, or percentages 0-100 unrounded);
a blank cell is NaN. A cell is a percentage when its row or column label starts with `%`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from rsdlib import municipalities as reorg
from rsdlib import schema
from rsdlib.config import Config
from rsdlib.domain import NO_UNIT, NUG_UNIT, Domain
from rsdlib.io.model import Export, ReportYear, checked_year

PCT = "%"


# --------------------------------------------------------------------------- derived columns


def in_year(fn):
    """A table function as callers see it. The year is checked here (`checked_year`: once,
    where a run starts; a year all_tables or prepare checked is not checked again), and the
    function gets it as a ReportYear with its snapshots. A table of year Y shows the
    municipalities that exist in Y (a reorganisation takes effect on 1 January): the
    function gets the configuration as the service is in Y."""
    @functools.wraps(fn)
    def wrapper(export, year, *args):
        *rest, config = args
        year = checked_year(export, year)
        return fn(export, year, *rest, config.for_year(year))
    return wrapper


def age_years(birth: pd.Series, day: pd.Timestamp | pd.Series) -> pd.Series:
    """Age in whole years at `day` (a client born 31-12-2001 is 18 on 31-12-2019)."""
    day = pd.Series(day, index=birth.index) if not isinstance(day, pd.Series) else day
    before = (day.dt.month < birth.dt.month) | (
        (day.dt.month == birth.dt.month) & (day.dt.day < birth.dt.day))
    return day.dt.year - birth.dt.year - before.astype(int)


def whole_months(start: pd.Series, day: pd.Timestamp | pd.Series) -> pd.Series:
    """The largest m with start + m calendar months <= day (day clipped at month end)."""
    day = pd.Series(day, index=start.index) if not isinstance(day, pd.Series) else day
    m = (day.dt.year - start.dt.year) * 12 + day.dt.month - start.dt.month
    clipped = np.minimum(start.dt.day, day.dt.days_in_month)
    return m - (clipped > day.dt.day).astype("Int64")


def band(values: pd.Series, bands: tuple[tuple[str, int, int], ...]) -> pd.Series:
    """Label each value with the band (label, low, high inclusive) it falls in."""
    labels = [b[0] for b in bands]
    out = pd.Series(pd.NA, index=values.index, dtype="object")
    for label, lo, hi in bands:
        out[(values >= lo) & (values <= hi)] = label
    return out.astype(pd.CategoricalDtype(labels, ordered=True))


def background(frame: pd.DataFrame) -> pd.Series:
    """Status houder if statushouder, else Migratie achtergrond if migratie, else Overig."""
    out = np.where(frame["statushouder"], schema.ACHTERGROND[1],
                   np.where(frame["migratieachtergrond"], schema.ACHTERGROND[0],
                            schema.ACHTERGROND[2]))
    return pd.Series(pd.Categorical(out, categories=list(schema.ACHTERGROND)), index=frame.index)


def inflow_unit(frame: pd.DataFrame, dom: Domain) -> pd.Series:
    """Bijlage 2.5 unit of an inflow row: NUG by reason, else by intake trede (the units of
    the configuration; a step in no unit, or none, is GEEN)."""
    trede = frame["trede"].astype(object)
    out = np.select(
        [frame["reden"].astype(object) == NUG_UNIT, *(trede.isin(u.steps) for u in dom.units)],
        [NUG_UNIT, *(u.code for u in dom.units)], default=NO_UNIT)
    return pd.Series(pd.Categorical(out, categories=list(dom.unit_rows)), index=frame.index)


def reentered(inflow: pd.DataFrame, outflow: pd.DataFrame, months: int = 6) -> pd.Series:
    """Inflow rows with an outflow of the same client in [inflow - months, inflow]."""
    if inflow.empty:
        return pd.Series(False, index=inflow.index, dtype=bool)
    left = inflow[["klantnummer", "instroomdatum"]].reset_index(names="_row")
    pairs = left.merge(outflow[["klantnummer", "uitstroomdatum"]], on="klantnummer")
    lower = pairs["instroomdatum"] - pd.DateOffset(months=months)
    hit = (pairs["uitstroomdatum"] >= lower) & (pairs["uitstroomdatum"] <= pairs["instroomdatum"])
    rows = set(pairs.loc[hit, "_row"])
    return pd.Series(inflow.index.isin(list(rows)), index=inflow.index)


# --------------------------------------------------------------------------- selections


def snapshot(export: Export, day: pd.Timestamp, config: Config) -> pd.DataFrame:
    """The clients at one peildatum with derived age, duration and background."""
    return export.memo(("snapshot", day), lambda: _snapshot(export, day, config.domain))


def _snapshot(export: Export, day: pd.Timestamp, dom: Domain) -> pd.DataFrame:
    k = export["klanten"]
    s = k[k["peildatum"] == day].copy()
    s["leeftijd"] = age_years(s["geboortedatum"], day)
    s["maanden"] = whole_months(s["uitkering_sinds"], day)
    s["leeftijdsklasse"] = band(s["leeftijd"], dom.age)
    dur = band(s["maanden"].astype("float"), dom.duration).astype(object)
    dur[s["uitkering_sinds"].isna()] = dom.duration_none
    labels = [b[0] for b in dom.duration] + [dom.duration_none]
    s["duurklasse"] = pd.Categorical(dur, categories=labels, ordered=True)
    s["achtergrond"] = background(s)
    return s


def year_inflow(export: Export, year: int, config: Config) -> pd.DataFrame:
    """Inflow rows of the year, excluding BBZ, with background, unit and re-entry."""
    return export.memo(("inflow", year), lambda: _year_inflow(export, year, config.domain))


def _year_inflow(export: Export, year: int, dom: Domain) -> pd.DataFrame:
    i = export["instroom"]
    i = i[(i["instroomdatum"].dt.year == year) & (i["regeling"].astype(object) != "BBZ")].copy()
    i["achtergrond"] = background(i)
    i["unit"] = inflow_unit(i, dom)
    i["heringestroomd"] = reentered(i, export["uitstroom"])
    return i


def year_outflow(export: Export, year: int) -> pd.DataFrame:
    """Outflow rows of the year with their background class."""
    return export.memo(("outflow", year), lambda: _year_outflow(export, year))


def _year_outflow(export: Export, year: int) -> pd.DataFrame:
    u = export["uitstroom"]
    u = u[u["uitstroomdatum"].dt.year == year].copy()
    u["achtergrond"] = background(u)
    return u


ALL_MUNICIPALITIES = "_alle"     # the column of counts over all municipalities


def dossier_counts(export: Export) -> pd.DataFrame:
    """Distinct benefit dossiers per peildatum (rows) and gemeente (columns), and over all
    municipalities (column ALL_MUNICIPALITIES); counted once per export for every table and trend."""
    return export.memo("dossier_counts", lambda: _dossier_counts(export["klanten"]))


def _dossier_counts(k: pd.DataFrame) -> pd.DataFrame:
    # groupby-nunique on millions of strings takes seconds each time; here each dossier number
    # becomes an integer once, and distinct (group, dossier) pairs are one hash of integers.
    ids, _ = pd.factorize(k["dossiernummer"])
    days, day_index = pd.factorize(k["peildatum"], sort=True)
    gemeente = k["gemeente"].astype("category")
    munis, places = gemeente.cat.codes.to_numpy(), list(gemeente.cat.categories)
    has = ids >= 0
    width = int(ids.max()) + 1 if has.any() else 1

    n_places = len(places)
    groups = (days * n_places + munis).astype(np.int64)
    pairs = pd.unique(groups[has] * width + ids[has])          # distinct (day, gemeente, dossier)
    per = np.bincount(pairs // width, minlength=len(day_index) * n_places)
    table = pd.DataFrame(per.reshape(len(day_index), n_places), index=day_index, columns=places)
    # over all municipalities: a dossier counts once per day, even if it shows in two of them;
    # hashing the distinct pairs again is cheaper than all rows (partners share a dossier)
    day_pairs = pd.unique(pairs // width // n_places * width + pairs % width)
    table[ALL_MUNICIPALITIES] = np.bincount(day_pairs // width, minlength=len(day_index))
    return table


# --------------------------------------------------------------------------- layout helpers


def _columns(config: Config, scope: str) -> list[str]:
    if scope == config.short:
        return [*config.municipalities, config.short, PCT]
    return [scope, PCT, config.short]


def _by_municipality(frame: pd.DataFrame, key: str, labels: list, config: Config,
                     scope: str) -> pd.DataFrame:
    """Counts of `key` per municipality with the service total and the scope's `%`."""
    counts = (frame.groupby([key, "gemeente"], observed=False).size().unstack("gemeente")
              .reindex(index=labels, columns=list(config.municipalities), fill_value=0)
              .fillna(0))
    counts[config.short] = counts.sum(axis=1)
    counts.loc["Totaal"] = counts.sum()
    base = counts.loc["Totaal", scope]
    counts[PCT] = 100 * counts[scope] / base if base else np.nan
    return counts[_columns(config, scope)].astype(float)


def _relabel(table: pd.DataFrame, mapping: dict) -> pd.DataFrame:
    table.index = [mapping.get(i, i) for i in table.index]
    table.index.name = "rij"
    return table


# --------------------------------------------------------------------------- peildatum tables


@in_year
def bijlage_2_1_trede(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Clients per trede at 31-12-Y (empty trede: Overige)."""
    s = snapshot(export, year.end, config)
    s["_trede"] = s["trede"].astype(object).where(s["trede"].notna(), "_leeg")
    labels = config.domain.step_labels
    keys = [k if k is not None else "_leeg" for k in labels]
    table = _by_municipality(s, "_trede", keys, config, scope)
    return _relabel(table, {k if k is not None else "_leeg": v for k, v in labels.items()})


@in_year
def bijlage_2_1_leeftijd(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Clients per age band (whole years at 31-12-Y)."""
    s = snapshot(export, year.end, config)
    table = _by_municipality(s, "leeftijdsklasse", [b[0] for b in config.domain.age], config,
                             scope)
    return _relabel(table, {})


@in_year
def bijlage_2_2_uitkeringsduur(export: Export, year: ReportYear, scope: str,
                               config: Config) -> pd.DataFrame:
    """Clients per benefit duration band (whole months to 31-12-Y); nuggers apart."""
    s = snapshot(export, year.end, config)
    labels = [b[0] for b in config.domain.duration] + [config.domain.duration_none]
    return _relabel(_by_municipality(s, "duurklasse", labels, config, scope), {})


@in_year
def bijlage_2_2_geslacht(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Clients per gender; `Onbekend` only when non-zero."""
    s = snapshot(export, year.end, config)
    table = _by_municipality(s, "geslacht", ["M", "V", "X"], config, scope)
    table = _relabel(table, schema.GESLACHT_LABELS)
    if table.loc["Onbekend", config.short] == 0:
        table = table.drop(index="Onbekend")
    return table


@in_year
def bijlage_2_2_migratie(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Migration background, of which refugees, and target-group register (rows overlap)."""
    s = snapshot(export, year.end, config)
    rows = {"Migratieachtergrond": "migratieachtergrond",
            "waarvan Statushouders": "statushouder", "Doelgroepregister": "doelgroepregister"}
    munis = list(config.municipalities)
    table = pd.DataFrame({label: s[s[col]].groupby("gemeente", observed=False).size()
                          .reindex(munis, fill_value=0) for label, col in rows.items()}).T
    table[config.short] = table.sum(axis=1)
    total = len(s) if scope == config.short else int((s["gemeente"] == scope).sum())
    table[PCT] = 100 * table[scope] / total if total else np.nan
    return _relabel(table[_columns(config, scope)].astype(float), {})


# --------------------------------------------------------------------------- block tables


def _class_counts(frame: pd.DataFrame) -> list[float]:
    """Counts per background class of the rows, and their sum."""
    counts = frame.groupby("achtergrond", observed=False).size().reindex(
        list(schema.ACHTERGROND), fill_value=0)
    values = [float(v) for v in counts]
    return [*values, sum(values)]


def _class_counts_by(frame: pd.DataFrame, *keys: str) -> dict[tuple, list[float]]:
    """`_class_counts` of every combination of `keys` present, from one groupby: the block
    tables look up hundreds of municipalities instead of filtering the rows for each."""
    classes = list(schema.ACHTERGROND)
    sizes = frame.groupby([*keys, "achtergrond"], observed=True).size()
    out: dict[tuple, list[float]] = {}
    for (*key, cls), n in sizes.items():
        row = out.setdefault(tuple(key), [0.0] * (len(classes) + 1))
        row[classes.index(cls)] = float(n)
        row[-1] += float(n)
    return out


def _lookup(counts: dict[tuple, list[float]], *key) -> list[float]:
    return counts.get(tuple(key), [0.0] * (len(schema.ACHTERGROND) + 1))


def _block_columns() -> list[str]:
    return [*schema.ACHTERGROND, "Eindtotaal", PCT]


# the rows of a block table (label, values) and each municipality's block (first, last row)
_Rows = list[tuple[str, list[float]]]
_Blocks = dict[str, tuple[int, int]]


def _row(counts, pct: float = np.nan) -> list[float]:
    return [*(float(v) for v in counts), pct]


def _share(part: float, whole: float) -> float:
    return 100 * part / whole if whole else np.nan


def _pct_row(total) -> list[float]:
    values = [float(v) for v in total]
    return [_share(v, values[-1]) for v in values] + [np.nan]


def _frame(rows: _Rows) -> pd.DataFrame:
    table = pd.DataFrame([r for _, r in rows], index=[label for label, _ in rows],
                         columns=_block_columns(), dtype=float)
    table.index.name = "rij"
    return table


def _keep_scope(rows: _Rows, blocks: _Blocks, scope: str, config: Config) -> _Rows:
    """For a municipality scope keep its own block and the service rows after the blocks."""
    if scope == config.short:
        return rows
    first, last = blocks[scope]
    end = max(b for _, b in blocks.values())
    return rows[first:last] + rows[end:]


@in_year
def bijlage_2_3_uitstroom(export: Export, year: int, scope: str, config: Config) -> pd.DataFrame:
    """Outflow to work, school or business in Y per municipality and reason, by background."""
    u = year_outflow(export, year)
    placement = config.domain.placement_reasons
    u = u[u["reden"].astype(object).isin(placement)]
    total = _class_counts(u)
    per_muni, per_reason = _class_counts_by(u, "gemeente"), _class_counts_by(u, "gemeente", "reden")
    rows: _Rows = []
    blocks: _Blocks = {}
    for muni in config.municipalities:
        start = len(rows)
        counts = _lookup(per_muni, muni)
        rows.append((muni, _row(counts, _share(counts[-1], total[-1]))))
        for code, label in placement.items():
            if (muni, code) in per_reason:
                rows.append((label, _row(per_reason[muni, code])))
        blocks[muni] = (start, len(rows))
    rows.append(("Eindtotaal", _row(total, 100.0 if total[-1] else np.nan)))
    rows.append(("% per achtergrond klant", _pct_row(total)))
    return _frame(_keep_scope(rows, blocks, scope, config))


@in_year
def bijlage_2_3_indirect(export: Export, year: int, scope: str, config: Config) -> pd.DataFrame:
    """Indirect outflow in Y (all other reasons) per municipality, by background."""
    u = year_outflow(export, year)
    u = u[u["reden"].astype(object).isin(config.domain.indirect_reasons)]
    total = _class_counts(u)
    per_muni = _class_counts_by(u, "gemeente")
    rows: _Rows = []
    blocks: _Blocks = {}
    for muni in config.municipalities:
        counts = _lookup(per_muni, muni)
        blocks[muni] = (len(rows), len(rows) + 1)
        rows.append((muni, _row(counts, _share(counts[-1], total[-1]))))
    rows.append(("Eindtotaal", _row(total, 100.0 if total[-1] else np.nan)))
    rows.append(("% per achtergrond klant", _pct_row(total)))
    return _frame(_keep_scope(rows, blocks, scope, config))


@in_year
def bijlage_2_3_totaal(export: Export, year: int, scope: str, config: Config) -> pd.DataFrame:
    """All outflow in Y by background, with the share per background (the scope's own)."""
    u = year_outflow(export, year)
    if scope != config.short:
        u = u[u["gemeente"] == scope]
    total = _class_counts(u)
    table = _frame([(f"Totale uitstroom {year}", _row(total)),
                    (f"% op totale uitstroom {year}", _pct_row(total))])
    return table.drop(columns=PCT)


INSTROOM_ROWS = {
    "NUG": "Instroom Niet-Uitkeringsgerechtigden",
    "DIRECT": "Direct (Bijv. Ontslag, einde WW etc.)",
    "INDIRECT": "Indirect (Bijv. echtscheiding)",
}
REENTRY_LABEL = "Binnen periode van 6 mnd weer ingestroomd"


@in_year
def bijlage_2_4_instroom_reden(export: Export, year: int, scope: str,
                               config: Config) -> pd.DataFrame:
    """Inflow in Y excl. BBZ per municipality and reason, by background; re-entries apart."""
    i = year_inflow(export, year, config)
    total = _class_counts(i)
    rsd = config.short
    per_muni = _class_counts_by(i, "gemeente")
    per_reason = _class_counts_by(i, "gemeente", "reden")
    reentries = _class_counts_by(i[i["heringestroomd"]], "gemeente")
    rows: _Rows = []
    blocks: _Blocks = {}
    for muni in config.municipalities:
        counts = _lookup(per_muni, muni)
        start = len(rows)
        rows.append((muni, _row(counts, _share(counts[-1], total[-1]))))
        rows.append((REENTRY_LABEL, _row(_lookup(reentries, muni))))
        for code, label in INSTROOM_ROWS.items():
            rows.append((label, _row(_lookup(per_reason, muni, code))))
        blocks[muni] = (start, len(rows))
    rows.append(("Eindtotaal", _row(total, 100.0 if total[-1] else np.nan)))
    rows.append(("% per achtergrond klant", _pct_row(total)))
    service = _class_counts_by(i, "reden")
    for code, label in (("DIRECT", f"{rsd} Instroom Direct"),
                        ("INDIRECT", f"{rsd} Instroom Indirect"),
                        ("NUG", f"{rsd} Niet-Uitkeringsgerechtigden")):
        counts = _lookup(service, code)
        rows.append((label, _row(counts, _share(counts[-1], total[-1]))))
    rows.append((f"{rsd} totaal", _row(total, 100.0 if total[-1] else np.nan)))
    return _frame(_keep_scope(rows, blocks, scope, config))


@in_year
def bijlage_2_5_instroom_groep(export: Export, year: int, scope: str,
                               config: Config) -> pd.DataFrame:
    """Inflow in Y excl. BBZ per municipality and unit (by intake trede), by background."""
    i = year_inflow(export, year, config)
    total = _class_counts(i)
    n = total[-1]
    unit_rows = config.domain.unit_rows
    per_muni, per_unit = _class_counts_by(i, "gemeente"), _class_counts_by(i, "gemeente", "unit")
    rows: _Rows = []
    blocks: _Blocks = {}
    for muni in config.municipalities:
        start = len(rows)
        rows.append((muni, _row(_lookup(per_muni, muni))))
        for code, (label, _) in unit_rows.items():
            counts = _lookup(per_unit, muni, code)
            rows.append((label, _row(counts, _share(counts[-1], n))))
        blocks[muni] = (start, len(rows))
    rows.append(("Eindtotaal", _row(total, 100.0 if n else np.nan)))
    rows.append(("% per achtergrond klant", _pct_row(total)))
    service = _class_counts_by(i, "unit")
    for code, (_, short) in unit_rows.items():
        counts = _lookup(service, code)
        rows.append((f"{config.short} {short}", _row(counts, _share(counts[-1], n))))
    rows.append((f"{config.short} totaal", _row(total, 100.0 if n else np.nan)))
    return _frame(_keep_scope(rows, blocks, scope, config))


def moved(export: Export, day: pd.Timestamp, year: int, config: Config) -> pd.Series:
    """The municipality of each client at `day` (a snapshot before 1 January of `year`) as
    the service is in `year`: a client of a municipality that ended on 1 January is counted
    where the export shows them next (on or after that day); without a later row, a merger's
    successor; else (a split, or a successor outside the service) nowhere (NaN)."""
    k = export["klanten"]
    s = k[k["peildatum"] == day]
    where = s["gemeente"].astype(object)
    for c in reorg.at_start(config.changes, year):
        first = pd.Timestamp(c.date)
        later = k[(k["peildatum"] >= first) & k["klantnummer"].isin(
            s.loc[where.isin(c.ended), "klantnummer"])]
        nxt = (later.sort_values("peildatum").drop_duplicates("klantnummer")
               .set_index("klantnummer")["gemeente"].astype(object))
        mine = where.isin(c.ended)
        dest = s.loc[mine, "klantnummer"].map(nxt)
        if len(c.to) == 1:
            dest = dest.fillna(c.to[0])
        where[mine] = dest.where(dest.isin(config.municipalities))
    return where


@in_year
def bijlage_2_6_dossiers(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Distinct benefit dossiers at the start and end snapshot of Y, and the change. When a
    reorganisation takes effect on 1 January of Y and the start snapshot lies before it, the
    start column counts each dossier where its clients went (`moved`)."""
    start, end = year.start, year.end
    counts = dossier_counts(export)
    cols = {}
    for label, day in ((f"1 januari {year}", start), (f"31 december {year}", end)):
        per = counts.loc[day]
        if day < pd.Timestamp(year, 1, 1) and reorg.at_start(config.changes, year):
            k = export["klanten"]
            rows = k[k["peildatum"] == day].assign(_g=moved(export, day, year, config))
            rows = rows[rows["_g"].notna() & rows["dossiernummer"].notna()]
            per = rows.groupby("_g")["dossiernummer"].nunique()
            per[ALL_MUNICIPALITIES] = rows["dossiernummer"].nunique()
        per = per.reindex([*config.municipalities, ALL_MUNICIPALITIES], fill_value=0)
        cols[label] = per.rename({ALL_MUNICIPALITIES: config.name})
    table = pd.DataFrame(cols).astype(float)
    a, b = table.columns
    table["% Ontwikkeling jan - dec"] = 100 * (table[b] - table[a]) / table[a].replace(0, np.nan)
    if scope != config.short:
        table = table.loc[[scope, config.name]]
    table.index.name = "rij"
    return table


@in_year
def bijlage_1_treden(export: Export, year: ReportYear, scope: str, config: Config) -> pd.DataFrame:
    """Clients per trede at 31-12-Y with the description of each step (Bijlage 1)."""
    s = snapshot(export, year.end, config)
    if scope != config.short:
        s = s[s["gemeente"] == scope]
    counts = s["trede"].astype(object).value_counts()
    steps = config.domain.steps
    table = pd.DataFrame(
        {"Aantal klanten": [float(counts.get(st.code, 0)) for st in steps],
         "Omschrijving": [st.bijlage_1[1] for st in steps],
         "Eventuele toelichting": [st.bijlage_1[2] for st in steps]},
        index=[st.bijlage_1[0] for st in steps])
    table.index.name = "rij"
    return table


@in_year
def age_by_gender(export: Export, year: int, scope: str, config: Config) -> pd.DataFrame:
    """Clients per age band and gender at 31-12-Y (for the population pyramid)."""
    return age_by_gender_all(export, year, config)[scope]


@in_year
def age_by_gender_all(export: Export, year: ReportYear, config: Config) -> dict[str, pd.DataFrame]:
    """age_by_gender for every scope at once (one pass over the snapshot)."""
    s = snapshot(export, year.end, config)
    counts = (s.groupby(["gemeente", "leeftijdsklasse", "geslacht"], observed=False).size()
              .unstack("geslacht").reindex(columns=["M", "V", "X"], fill_value=0)
              .rename(columns=schema.GESLACHT_LABELS).astype(float))
    out = {m: counts.loc[m] for m in config.municipalities}
    out[config.short] = counts.groupby(level="leeftijdsklasse", observed=False).sum()
    for table in out.values():
        table.columns.name = None
    return out


@in_year
def inflow_reasons(export: Export, year: int, scope: str, config: Config) -> pd.DataFrame:
    """Inflow in Y excl. BBZ per municipality (rows) and reason (columns)."""
    i = year_inflow(export, year, config)
    munis = list(config.municipalities) if scope == config.short else [scope]
    table = (i.groupby(["gemeente", "reden"], observed=False).size().unstack()
             .reindex(index=munis, columns=list(schema.INSTROOM_REDENEN), fill_value=0))
    return table.rename(columns={"DIRECT": "Direct", "INDIRECT": "Indirect",
                                 "NUG": "Niet-uitkeringsgerechtigd"}).astype(float)


GROUPS_TITLE = "Gemeenten per groep (samenwerkingsvorm)"


def by_group(full: dict[str, pd.DataFrame], config: Config, year: int) -> pd.DataFrame:
    """The configured groups of municipalities (e.g. their cooperation model): clients at
    31-12-Y and benefit dossiers, summed from the service's tables of the year."""
    clients = full["bijlage_2_1_trede"].loc["Totaal"]
    dossiers = full["bijlage_2_6_dossiers"]
    rows = {}
    for group, members in config.groups.items():
        here = [m for m in members if m in config.municipalities]
        if not here:
            continue
        rows[group] = {"Gemeenten": ", ".join(here),
                       f"Klanten 31-12-{year}": float(clients[here].sum()),
                       **{f"Dossiers {c}": float(dossiers.loc[here, c].sum())
                          for c in dossiers.columns[:2]}}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "rij"
    return table


TableFn = Callable[[Export, int, str, Config], pd.DataFrame]

TABLES: dict[str, tuple[str, TableFn]] = {
    "bijlage_1_treden": ("Bijlage 1. Indeling treden", bijlage_1_treden),
    "bijlage_2_1_trede": ("Bijlage 2.1. Bestandsopbouw naar participatietrede", bijlage_2_1_trede),
    "bijlage_2_1_leeftijd": ("Bijlage 2.1. Leeftijdsopbouw klanten", bijlage_2_1_leeftijd),
    "bijlage_2_2_uitkeringsduur": ("Bijlage 2.2. Uitkeringsduur klanten",
                                   bijlage_2_2_uitkeringsduur),
    "bijlage_2_2_geslacht": ("Bijlage 2.2. Geslacht klanten", bijlage_2_2_geslacht),
    "bijlage_2_2_migratie": ("Bijlage 2.2. Migratie, statushouders en doelgroepregister",
                             bijlage_2_2_migratie),
    "bijlage_2_3_uitstroom": ("Bijlage 2.3. Uitstroom naar werk/scholing/bedrijf",
                              bijlage_2_3_uitstroom),
    "bijlage_2_3_indirect": ("Bijlage 2.3. Indirecte uitstroom", bijlage_2_3_indirect),
    "bijlage_2_3_totaal": ("Bijlage 2.3. Totale uitstroom", bijlage_2_3_totaal),
    "bijlage_2_4_instroom_reden": ("Bijlage 2.4. Redenen instroom (excl. BBZ)",
                                   bijlage_2_4_instroom_reden),
    "bijlage_2_5_instroom_groep": ("Bijlage 2.5. Instroom per groep (excl. BBZ)",
                                   bijlage_2_5_instroom_groep),
    "bijlage_2_6_dossiers": ("Bijlage 2.6. Ontwikkeling uitkeringsdossiers", bijlage_2_6_dossiers),
}


def all_tables(export: Export, year: int, scope: str, config: Config) -> dict[str, pd.DataFrame]:
    """Every appendix table of one year and scope, by table ID."""
    scope = config.scope(scope)
    year = checked_year(export, year)
    return {tid: fn(export, year, scope, config) for tid, (_, fn) in TABLES.items()}


def is_pct(row: str, column: str) -> bool:
    """Whether a cell holds a percentage: its row or column label starts with `%`."""
    return str(row).startswith(PCT) or str(column).startswith(PCT)


def is_euro(column: str) -> bool:
    """Whether a column holds euros: its label ends with the unit "(€)"."""
    return str(column).endswith("(€)")


# --------------------------------------------------------------------------- projection
# A municipality's tables are views of the service's tables: computing the service tables
# once per year and projecting is what lets a batch of hundreds of scopes stay cheap.

PEILDATUM_TABLES = ("bijlage_2_1_trede", "bijlage_2_1_leeftijd", "bijlage_2_2_uitkeringsduur",
                    "bijlage_2_2_geslacht")
BLOCK_TABLES = ("bijlage_2_3_uitstroom", "bijlage_2_3_indirect", "bijlage_2_4_instroom_reden",
                "bijlage_2_5_instroom_groep")


def block_rows(table: pd.DataFrame, config: Config, scope: str) -> list[int]:
    """Row positions of a municipality's block and of the service rows after the blocks."""
    labels = list(table.index)
    start = labels.index(scope)
    end = start + 1
    while end < len(labels) and labels[end] not in config.municipalities and \
            labels[end] != "Eindtotaal":
        end += 1
    tail = labels.index("Eindtotaal")
    return list(range(start, end)) + list(range(tail, len(labels)))


def project(tid: str, full: dict[str, pd.DataFrame], scope: str, config: Config,
            year: int) -> pd.DataFrame:
    """A municipality's table from the service's tables of the same year."""
    t = full[tid]
    if tid in PEILDATUM_TABLES:
        out = t[[scope, config.short]].copy()
        base = out.loc["Totaal", scope]
        out.insert(1, PCT, 100 * out[scope] / base if base else np.nan)
        return out
    if tid == "bijlage_2_2_migratie":
        out = t[[scope, config.short]].copy()
        base = full["bijlage_2_1_trede"].loc["Totaal", scope]
        out.insert(1, PCT, 100 * out[scope] / base if base else np.nan)
        return out
    if tid in BLOCK_TABLES:
        return t.iloc[block_rows(t, config, scope)].copy()
    if tid == "bijlage_2_3_totaal":
        counts = (full["bijlage_2_3_uitstroom"].loc[scope, [*schema.ACHTERGROND, "Eindtotaal"]]
                  + full["bijlage_2_3_indirect"].loc[scope, [*schema.ACHTERGROND, "Eindtotaal"]])
        table = _frame([(f"Totale uitstroom {year}", _row(counts)),
                        (f"% op totale uitstroom {year}", _pct_row(counts))])
        return table.drop(columns=PCT)
    if tid == "bijlage_2_6_dossiers":
        return t.loc[[scope, config.name]].copy()
    if tid == "bijlage_1_treden":
        out = t.copy()
        out["Aantal klanten"] = full["bijlage_2_1_trede"][scope].iloc[:len(out)].to_numpy()
        return out
    raise KeyError(tid)
