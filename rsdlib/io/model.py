"""The data types of a read export, which the rest of rsdlib imports: the validated frames
(`Export`), the validation report (`ValidationReport`, `FileReport`, `Refusal`), the year
check (`require_year`, giving a `ReportYear`) and the first characters a spreadsheet takes
for a formula.

This module imports nothing else of rsdlib.io: the other modules of the package build these
types, the rest of the code reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from rsdlib.errors import ExportError

FORMULA_START = ("=", "+", "-", "@")


@dataclass(frozen=True)
class Refusal:
    """One reason a row was refused: where it is, which column, and why."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass
class FileReport:
    """What happened to one input file: rows read, used and refused."""

    name: str
    source: str
    form: str                 # "csv" or "xlsx"
    encoding: str
    sha256: str
    rows_read: int = 0
    rows_used: int = 0
    refusals: list[Refusal] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    dropped_columns: list[str] = field(default_factory=list)

    @property
    def rows_refused(self) -> int:
        """Refused rows (a row with two problems counts once)."""
        return len({r.line for r in self.refusals})


@dataclass
class ValidationReport:
    """The validation report of one export folder."""

    folder: str
    files: dict[str, FileReport] = field(default_factory=dict)

    @property
    def refusals(self) -> list[Refusal]:
        """Every refusal, in file order then line order."""
        return [r for f in self.files.values() for r in f.refusals]

    def summary_lines(self) -> list[str]:
        """Per file: rows read / used / refused, then each refusal as FILE:LINE: COLUMN: REASON."""
        out = [f"{'bestand':<28}{'gelezen':>10}{'gebruikt':>10}{'geweigerd':>11}"]
        for f in self.files.values():
            out.append(f"{f.source:<28}{f.rows_read:>10}{f.rows_used:>10}{f.rows_refused:>11}")
            if f.extra_columns:
                out.append(f"  onbekende kolommen genegeerd: {', '.join(f.extra_columns)}")
            if f.dropped_columns:
                out.append(f"  verwijderd bij inlezen: {', '.join(f.dropped_columns)}")
        out.extend(str(r) for r in self.refusals)
        return out


@dataclass
class Export:
    """Validated frames of one export, with the report of how they were read."""

    frames: dict[str, pd.DataFrame]
    report: ValidationReport
    derived: dict = field(default_factory=dict, repr=False, compare=False)
    """Selections derived from the frames (a snapshot, a year's flows), each computed once:
    the tables of one year ask for the same ones many times. The frames are not changed
    after loading."""

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    @property
    def peildata(self) -> list[pd.Timestamp]:
        """The snapshot dates present, sorted."""
        return list(self.memo("peildata", lambda: sorted(
            pd.to_datetime(self.frames["klanten"]["peildatum"].unique()))))

    def memo(self, key, make):
        """`make()`, computed once per export and key. A frame comes back as a shallow copy,
        so that a caller adding columns does not change what the next caller gets."""
        if key not in self.derived:
            self.derived[key] = make()
        value = self.derived[key]
        return value.copy(deep=False) if isinstance(value, pd.DataFrame) else value

    @property
    def export_date(self) -> pd.Timestamp:
        """The export's date: its latest peildatum."""
        return self.peildata[-1]


class ReportYear(int):
    """A report year checked against an export: the year (an int wherever a year is one)
    with its start and end snapshot. `require_year` makes one where a run starts (the batch,
    `prepared.prepare`, `tables.all_tables`, a table function called on its own); the
    functions it is handed to take it as checked and do not look again."""

    start: pd.Timestamp
    end: pd.Timestamp

    def __new__(cls, year: int, start: pd.Timestamp, end: pd.Timestamp) -> ReportYear:
        self = super().__new__(cls, year)
        self.start, self.end = start, end
        return self

    def __reduce__(self) -> tuple[type[ReportYear], tuple[int, pd.Timestamp, pd.Timestamp]]:
        return ReportYear, (int(self), self.start, self.end)


def _snapshots(dates: set[pd.Timestamp], year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The start snapshot of `year` (1 January, else 31 December before) and its end."""
    start = pd.Timestamp(year, 1, 1)
    if start not in dates:
        start = pd.Timestamp(year - 1, 12, 31)
    return start, pd.Timestamp(year, 12, 31)


def report_years(export: Export) -> list[int]:
    """The report years the export covers: those with a start and an end snapshot."""
    dates = set(export.peildata)
    return sorted({d.year for d in dates
                   if all(s in dates for s in _snapshots(dates, d.year))})


def _years_text(years: list[int]) -> str:
    if not years:
        return "de export dekt geen enkel verslagjaar"
    if len(years) == 1:
        return f"de export dekt verslagjaar {years[0]}"
    if years == list(range(years[0], years[-1] + 1)):
        return f"de export dekt de verslagjaren {years[0]} t/m {years[-1]}"
    return f"de export dekt de verslagjaren {', '.join(map(str, years[:-1]))} en {years[-1]}"


def require_year(export: Export, year: int) -> ReportYear:
    """The report year checked: its start and end snapshot, or an ExportError naming the
    missing snapshots and the report years the export does cover. Called where a run starts;
    what it returns is handed on (see `checked_year`)."""
    dates = set(export.peildata)
    start, end = _snapshots(dates, year)
    if end not in dates or start not in dates:
        absent = [d.strftime("%d-%m-%Y") for d in (start, end) if d not in dates]
        raise ExportError(f"klanten: geen peildatum {' en '.join(absent)} voor verslagjaar {year} "
                          f"(nodig: 01-01-{year} of 31-12-{year - 1}, en 31-12-{year}); "
                          f"{_years_text(report_years(export))}")
    return ReportYear(year, start, end)


def checked_year(export: Export, year: int) -> ReportYear:
    """`year` as a checked report year: a ReportYear as it is (checked where the run
    started), a plain year checked now (`require_year`)."""
    return year if isinstance(year, ReportYear) else require_year(export, year)
