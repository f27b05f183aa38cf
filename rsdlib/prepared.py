"""The scope-independent work of one report year, done once per batch.

`prepare` computes the service's tables and the bases every scope's tables are projected from;
a batch pickles the result (a common part and a small part per scope) and each notebook loads
its own slice. This module does not import matplotlib: the batch's own process never draws.
"""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsdlib import finance, kpi, suppress, tables, trends
from rsdlib.config import Config
from rsdlib.errors import ExportError
from rsdlib.io.model import Export, ValidationReport, require_year


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
    patterns: dict[str, set] = field(default_factory=dict)

    def slice(self, scope: str, config: Config) -> Prepared:
        """What one scope's notebook needs."""
        return dataclasses.replace(self, **self.scope_part(scope, config))

    def scope_part(self, scope: str, config: Config) -> dict:
        """The fields that differ per scope, cut to what that scope needs."""
        own = scope == config.short
        return {"trend": self.trend.slice(None if own else scope) if self.trend else None,
                "age_gender": {k: v for k, v in self.age_gender.items() if k == scope},
                "inflow_reasons": (self.inflow_reasons if own
                                   else self.inflow_reasons.loc[[scope]])}

    def common(self) -> Prepared:
        """Everything but the per-scope fields: a batch writes it once per year, not once per
        scope (hundreds of copies of the service tables and the validation report)."""
        return dataclasses.replace(self, trend=None, age_gender={},
                                   inflow_reasons=self.inflow_reasons.iloc[:0])


def prepare(exp: Export, year: int, cfg: Config, mode: str = "intern") -> Prepared:
    """Compute once what all scopes of a year share: the service tables and the bases."""
    require_year(exp, year)
    short = cfg.short
    full = tables.all_tables(exp, year, short, cfg)
    public = mode == "publiek"
    previous = None
    if not public and _has_year(exp, year - 1):
        previous = tables.bijlage_2_1_trede(exp, year - 1, short, cfg)
    scorecard = (kpi.kpi_scorecard(exp, year, cfg) if kpi.period_for(cfg, year) is not None
                 else None)
    start = full["bijlage_2_6_dossiers"].iloc[:, 0]
    money = finance.finance_tables(cfg, exp["uitstroom"], {m: int(start[m])
                                                          for m in cfg.municipalities}, year)
    ages = tables.age_by_gender_all(exp, year, cfg)
    patterns = ({tid: suppress.suppress(tid, t, cfg, short) for tid, t in full.items()}
                if public else {})
    return Prepared(year, mode, exp.report, full, previous,
                    None if public else trends.trend_base(exp, year), scorecard, money, ages,
                    tables.inflow_reasons(exp, year, short, cfg), patterns)


def _has_year(export: Export, year: int) -> bool:
    """Whether the export has the start and end snapshot of `year` (see require_year)."""
    try:
        require_year(export, year)
    except ExportError:
        return False
    return True


def precomputed(folder: Path, year: int, scope: str, mode: str) -> Path:
    """Where a batch leaves one scope's part of the prepared year (`Prepared.scope_part`)."""
    return folder / "runs" / str(year) / f"{scope}.{mode}.pkl"


def precomputed_common(folder: Path, year: int, mode: str) -> Path:
    """Where a batch leaves the part of the prepared year all scopes share."""
    return folder / "runs" / str(year) / f"{mode}.gedeeld.pkl"


def load_prepared(folder: Path, year: int, scope: str, mode: str) -> Prepared | None:
    """One scope's prepared year from a batch's cache, or None when the batch left none."""
    common, part = precomputed_common(folder, year, mode), precomputed(folder, year, scope, mode)
    if not (common.is_file() and part.is_file()):
        return None
    with common.open("rb") as fh:
        shared = pickle.load(fh)
    with part.open("rb") as fh:
        return dataclasses.replace(shared, **pickle.load(fh))
