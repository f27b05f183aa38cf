"""The scope-independent work of one report year, done once per batch.

`prepare` computes the service's tables and the bases every scope's tables are projected from;
a batch writes the result (a common part and a small part per scope, as JSON and Arrow IPC,
never pickle) and each notebook loads its own slice. This module does not import matplotlib:
the batch's own process never draws.
"""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa

from rsdlib import finance, kpi, suppress, tabledefs, tables, trends
from rsdlib.config import Config
from rsdlib.digest import read_checked, write_checked
from rsdlib.errors import CacheError, ExportError
from rsdlib.io.cache import report_from_payload, report_payload
from rsdlib.io.model import Export, ReportYear, ValidationReport, checked_year, require_year


@dataclass
class Prepared:
    """The scope-independent work of one report year, done once per batch.

    Every scope's tables are projections of these; `slice(scope)` keeps what one scope needs,
    so that a notebook loads a small file instead of the export.
    """

    year: int
    mode: str
    validation: ValidationReport
    full: dict[str, pd.DataFrame]
    previous_trede: pd.DataFrame | None
    trend: trends.TrendBase | None
    scorecard: pd.DataFrame | None
    finance: dict[str, pd.DataFrame]
    age_gender: dict[str, pd.DataFrame]
    inflow_reasons: pd.DataFrame
    municipal_cards: dict[str, pd.DataFrame] = field(default_factory=dict)
    suppression: suppress.Decision | None = None

    def scope_tables(self, scope: str, config: Config) -> dict[str, pd.DataFrame]:
        """One scope's tables: the service's own, or a municipality's projections; its
        scorecard, the trend section, the year comparison, and its finance."""
        year, own = self.year, scope == config.short
        computed = (dict(self.full) if own else
                    {tid: tables.project(tid, self.full, scope, config, year)
                     for tid in tables.TABLES})
        if own and self.scorecard is not None:
            computed["kpi_scorecard"] = self.scorecard
        if not own and scope in self.municipal_cards and self.mode != "publiek":
            computed["kpi_gemeente"] = self.municipal_cards[scope]
        if self.trend is not None:
            computed |= trends.tables_from(self.trend, scope, config)
        if self.previous_trede is not None and scope in self.previous_trede.columns:
            previous = (self.previous_trede if own else
                        tables.project("bijlage_2_1_trede",
                                       {"bijlage_2_1_trede": self.previous_trede}, scope,
                                       config, year - 1))
            computed["jaarvergelijking_trede"] = trends.year_over_year(
                computed["bijlage_2_1_trede"], previous, scope, year)
        if own and config.groups and self.mode != "publiek":
            computed["groepen"] = tables.by_group(self.full, config, year)
        computed |= (self.finance if own else finance.municipal_finance(self.finance, scope))
        if self.mode == "publiek" and "besparing_realisatie" in computed:
            computed = self._year_of_realised(computed, year)
        return computed

    def _year_of_realised(self, computed: dict[str, pd.DataFrame], year: int
                          ) -> dict[str, pd.DataFrame]:
        """The public page's realised savings: this year's row only (the other years' rows
        are counts of other years, decided there), its placements marked as the scorecard's
        where they are the same counts."""
        table = computed["besparing_realisatie"]
        mine = table.loc[[str(label) == str(year) for label in table.index]].copy()
        if mine.empty:
            return {k: v for k, v in computed.items() if k != "besparing_realisatie"}
        card = computed.get("kpi_scorecard")
        same = []
        for col, kid in tabledefs.REALISED_COUNTS.items():
            if (col in mine and card is not None and kid in card.index
                    and card.loc[kid, "Realisatie"] == mine.iloc[0][col]):
                same.append(col)
        mine.attrs["kpi_columns"] = same
        return computed | {"besparing_realisatie": mine}

    def slice(self, scope: str, config: Config) -> Prepared:
        """What one scope's notebook needs."""
        return dataclasses.replace(self, **self.scope_part(scope, config))

    def scope_part(self, scope: str, config: Config) -> dict:
        """The fields that differ per scope, cut to what that scope needs."""
        own = scope == config.short
        return {"trend": self.trend.slice(None if own else scope) if self.trend else None,
                "age_gender": {k: v for k, v in self.age_gender.items() if k == scope},
                "inflow_reasons": (self.inflow_reasons if own
                                   else self.inflow_reasons.loc[[scope]]),
                "municipal_cards": {k: v for k, v in self.municipal_cards.items()
                                    if k == scope}}

    def replace_part(self, part: dict) -> Prepared:
        """This with one scope's part (scope_part) put in."""
        return dataclasses.replace(self, **part)

    def fields(self) -> dict:
        """Every field by name (what save_part writes)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def common(self) -> Prepared:
        """Everything but the per-scope fields: a batch writes it once per year, not once per
        scope (hundreds of copies of the service tables and the validation report)."""
        return dataclasses.replace(self, trend=None, age_gender={}, municipal_cards={},
                                   inflow_reasons=self.inflow_reasons.iloc[:0])


def prepare(exp: Export, year: int, cfg: Config, mode: str = "intern") -> Prepared:
    """Compute once what all scopes of a year share: the service tables and the bases. The
    year is checked here unless the caller (the batch) has (`checked_year`)."""
    year = checked_year(exp, year)
    every, cfg = cfg, cfg.for_year(year)      # the municipalities as they are in `year`
    short = cfg.short
    full = tables.all_tables(exp, year, short, cfg)
    public = mode == "publiek"
    previous = None
    before = None if public else _covered(exp, year - 1)
    if before is not None:                          # as they were a year before
        previous = tables.bijlage_2_1_trede(exp, before, short, every.for_year(before))
    scorecard = kpi.kpi_scorecard(exp, year, cfg)
    scorecard = None if scorecard.empty else scorecard
    # a municipality's own scorecard is internal: published, its small counts would follow
    # from the service's scorecard and the other municipalities' (they add up)
    cards = (kpi.municipal_scorecards(exp, year, cfg)
             if scorecard is not None and mode != "publiek" else {})
    money = finance.finance_tables(cfg, exp, year)
    ages = tables.age_by_gender_all(exp, year, cfg)
    trend = None if public else trends.trend_base(exp, year, cfg.domain.active_steps)
    p = Prepared(int(year), mode, exp.report, full, previous, trend, scorecard, money, ages,
                 tables.inflow_reasons(exp, year, short, cfg), cards)
    if public:      # one decision over every table of every scope of the year
        p.suppression = suppress.decide({s: p.scope_tables(s, cfg) for s in cfg.scopes}, cfg)
    return p


def _covered(export: Export, year: int) -> ReportYear | None:
    """`year` checked when the export has its start and end snapshot, else None."""
    try:
        return require_year(export, year)
    except ExportError:
        return None


def precomputed(folder: Path, year: int, scope: str, mode: str) -> Path:
    """Where a batch leaves one scope's part of the prepared year (`Prepared.scope_part`)."""
    return folder / "runs" / str(year) / f"{scope}.{mode}.zip"


def precomputed_common(folder: Path, year: int, mode: str) -> Path:
    """Where a batch leaves the part of the prepared year all scopes share."""
    return folder / "runs" / str(year) / f"{mode}.gedeeld.zip"


# A prepared part on disk: a zip (stored, not compressed) of meta.json, which says what each
# field is, and one Arrow IPC stream per frame. Only data: nothing in it names code to run.

def _frame_bytes(frame: pd.DataFrame) -> bytes:
    table = pa.Table.from_pandas(frame, preserve_index=True)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _levels(index: pd.Index, i: int) -> pd.Index:
    return index.levels[i] if isinstance(index, pd.MultiIndex) else index


def _frame(data: bytes) -> pd.DataFrame:
    with pa.ipc.open_stream(pa.py_buffer(data)) as reader:
        return reader.read_all().to_pandas()


def encode_part(fields: dict) -> bytes:
    """The fields of a Prepared (all, or a scope's part) as a zip of JSON and Arrow IPC."""
    blobs: list[bytes] = []

    def frame(df: pd.DataFrame) -> dict:
        # months (a period index) go to Arrow as their first day: pandas' own Arrow type for
        # periods is only known to a process that has converted a period before, so a kernel
        # reading the cache first would get the bare ordinals (576, 577, ... for 2018-01)
        periods = {}
        if isinstance(df.index, pd.PeriodIndex):
            periods = {"index": df.index.freqstr}
            df = df.set_axis(df.index.to_timestamp(), axis=0)
        blobs.append(_frame_bytes(df))
        return {"frame": len(blobs) - 1, "attrs": df.attrs, "periods": periods,
                "object_labels": [_levels(df.columns, i).dtype == object
                                  for i in range(df.columns.nlevels)]}

    meta: dict[str, dict[str, object]] = {}      # meta.json: per field, what it is
    for name, value in fields.items():
        if value is None or isinstance(value, int | str):
            meta[name] = {"value": value}
        elif isinstance(value, pd.DataFrame):
            meta[name] = frame(value)
        elif isinstance(value, trends.TrendBase):
            meta[name] = {"trend": {f.name: frame(getattr(value, f.name))
                                    for f in dataclasses.fields(value)}}
        elif isinstance(value, ValidationReport):
            meta[name] = {"report": report_payload(value)}
        elif isinstance(value, suppress.Decision):
            meta[name] = {"suppression": value.payload()}
        elif isinstance(value, dict):
            meta[name] = {"frames": {k: frame(v) for k, v in value.items()}}
        else:
            raise TypeError(f"{name}: {type(value).__name__} kan niet in de cache")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        z.writestr("meta.json", json.dumps(meta, ensure_ascii=False))
        for i, blob in enumerate(blobs):
            z.writestr(f"{i}.arrow", blob)
    return buf.getvalue()


def decode_part(data: bytes) -> dict:
    """The fields encode_part wrote."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        meta = json.loads(z.read("meta.json"))

        def frame(spec: dict) -> pd.DataFrame:
            df = _frame(z.read(f"{int(spec['frame'])}.arrow"))
            df.attrs.update(spec["attrs"])
            if "index" in spec.get("periods", {}):
                df.index = pd.DatetimeIndex(df.index).to_period(spec["periods"]["index"])
            # Arrow has one string type: column labels that were Python objects come back
            # as pandas' str; give them back their dtype
            objects = spec["object_labels"]
            if isinstance(df.columns, pd.MultiIndex):
                df.columns = df.columns.set_levels(
                    [lv.astype(object) if o else lv for lv, o in zip(df.columns.levels, objects,
                                                                     strict=True)])
            elif objects[0]:
                df.columns = df.columns.astype(object)
            return df

        out = {}
        for name, spec in meta.items():
            if "value" in spec:
                out[name] = spec["value"]
            elif "frame" in spec:
                out[name] = frame(spec)
            elif "trend" in spec:
                out[name] = trends.TrendBase(**{k: frame(v) for k, v in spec["trend"].items()})
            elif "report" in spec:
                out[name] = report_from_payload(spec["report"])
            elif "suppression" in spec:
                out[name] = suppress.Decision.from_payload(spec["suppression"])
            else:
                out[name] = {k: frame(v) for k, v in spec["frames"].items()}
    return out


def save_part(fields: dict, path: Path) -> None:
    """Write a prepared part into the batch's cache, with its digest."""
    write_checked(path, encode_part(fields))


def read_part(path: Path) -> dict:
    """A prepared part written by save_part; CacheError when it fails its check."""
    data = read_checked(path)
    try:
        return decode_part(data)
    except Exception as exc:      # intact but unreadable: still only a cache
        raise CacheError(f"{path.name}: onleesbaar ({type(exc).__name__})") from exc


def load_prepared(folder: Path, year: int, scope: str, mode: str) -> Prepared | None:
    """One scope's prepared year from a batch's cache, or None when the batch left none (or
    left one that fails its check: the caller then prepares from the validated export)."""
    common, part = precomputed_common(folder, year, mode), precomputed(folder, year, scope, mode)
    if not (common.is_file() and part.is_file()):
        return None
    try:
        return Prepared(**read_part(common)).replace_part(read_part(part))
    except CacheError:
        return None
