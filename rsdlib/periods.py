"""Assignment periods: the result agreements, finance and cost split that belong to a period.

A service works under assignments of a few years (RSD de Liemers: the business case
2018-2020, the assignment 2021-2023, the assignment 2024-2026). Each `[[kpi_period]]` of the
configuration (rsdlib.config.KpiPeriod, checked when the file is read) holds what belongs to
it: its KPI set, results entered by hand per year, its savings model
(`[kpi_period.finance]`) and its cost split (`[kpi_period.cost_split]`). A year's appendix
shows the period that contains the year, and only that one.
"""

from __future__ import annotations

from rsdlib.config import Config, ConfigError, KpiPeriod

Period = KpiPeriod


def period_for(config: Config, year: int) -> Period | None:
    """The configured assignment period that contains the year, if any."""
    return next((p for p in config.kpi_periods if p.contains(year)), None)


def find(config: Config, text: str) -> Period:
    """A period by its key ("2024-2026") or its name, case and spacing ignored."""
    want = " ".join(str(text).split()).casefold()
    for p in config.kpi_periods:
        if want in (p.label.casefold(), " ".join(p.name.split()).casefold()):
            return p
    names = "; ".join(f"{p.label} ({p.name})" for p in config.kpi_periods) or "geen"
    raise ConfigError(f"onbekende periode {text!r}; geconfigureerd: {names}")
