"""An export in another case system's shape, read through an import mapping ([mapping] in the
configuration; docs/mapping.md): its file names, column names, code values and date format
are put onto the export format before validation, so that validation, the tables and
everything after them are the same as for an export in the format itself. Refusals still
name the user's own file, line and column, and quote the user's own value.

A mapped export is read by the exact reader (every row in Python), not pyarrow's fast path:
a service's export of a few hundred thousand rows reads in seconds.

`unmap` does the reverse: the demo export written in the source system's shape.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from rsdlib import schema
from rsdlib.errors import ExportError
from rsdlib.io.model import FileReport, Refusal
from rsdlib.io.read import RawTable, read_csv_raw, read_xlsx_raw, the_workbook

FILES = (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES)
EXPORT_DATE = "%d-%m-%Y"


@dataclass(frozen=True)
class Mapping:
    """The mapping of one source system onto the export format (see the module docstring).

    `columns[file][export column]` is the source column; `values[key][source value]` the
    export value, where key is "file.column" or, for every file with that column, "column";
    `flags` the source texts that mean J and N."""

    system: str = ""
    date_format: str | None = None
    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def source_file(self, name: str) -> str:
        return self.files.get(name, name)

    def source_column(self, name: str, column: str) -> str:
        return self.columns.get(name, {}).get(column, column)

    def value_map(self, name: str, column: str) -> dict[str, str]:
        """The codes of one column: "file.column", else "column", else for a step column
        (trede, trede_oud, trede_nieuw) "trede"."""
        for key in (f"{name}.{column}", column):
            if key in self.values:
                return self.values[key]
        is_step = _kinds(name).get(column) == "trede"
        return self.values.get("trede", {}) if is_step else {}


def _kinds(name: str) -> dict[str, str]:
    return {c.name: c.kind for c in schema.FILES[name]}


def _date(text: str, fmt: str, cache: dict) -> str:
    """A source date in the export's dd-mm-jjjj; a text that is not a date in `fmt` is left
    as it is, so that validation refuses it quoting the user's own value."""
    if text not in cache:
        try:
            cache[text] = dt.datetime.strptime(text.strip(), fmt).strftime(EXPORT_DATE)
        except ValueError:
            cache[text] = text
    return cache[text]


def _dates_in(fmt: str) -> Callable[[str], str]:
    """A column's converter: a source date in `fmt` to dd-mm-jjjj, an empty cell left empty."""
    cache: dict[str, str] = {}
    return lambda t: _date(t, fmt, cache) if t.strip() else t


def _looked_up(table: dict[str, str]) -> Callable[[str], str]:
    """A column's converter: a source text to its code (case and outer spaces ignored), a text
    not in `table` left as it is."""
    return lambda t: table.get(t.strip().casefold(), t)


def apply(name: str, raw: RawTable, m: Mapping) -> RawTable:
    """One file's text cells in the export format: renamed columns, mapped values, dates as
    dd-mm-jjjj. Rows and line numbers are unchanged."""
    rename = {src.strip().casefold(): col for col, src in m.columns.get(name, {}).items()}
    header = [rename.get(h.replace("\ufeff", "").strip().casefold(), h) for h in raw.header]
    missing = [c.name for c in schema.FILES[name]
               if c.required and c.name not in [h.strip().lower() for h in header]]
    if missing:
        col = missing[0]
        raise ExportError(f"{raw.source}: verplichte kolom '{m.source_column(name, col)}' "
                          f"ontbreekt (in de exportindeling: {col}; koppeling {m.system})")
    kinds = _kinds(name)
    flags = {v.strip().casefold(): code for code, texts in m.flags.items() for v in texts}
    convert: dict[int, Callable[[str], str]] = {}
    for i, h in enumerate(header):
        col = h.strip().lower()
        kind = kinds.get(col)
        values = {k.strip().casefold(): v for k, v in m.value_map(name, col).items()}
        if kind == "date" and m.date_format:
            convert[i] = _dates_in(m.date_format)
        elif kind == "flag" and flags:
            convert[i] = _looked_up(flags)
        elif values:
            convert[i] = _looked_up(values)
    rows = [[convert[i](c) if i in convert else c for i, c in enumerate(row)]
            for row in raw.rows]
    return replace(raw, header=header, rows=rows, cells=None, size=0)


def report_in_source_terms(report: FileReport, name: str, m: Mapping) -> FileReport:
    """The file's report as the user knows the file: refusals name the source column, and a
    date is expected in the source's format."""
    fmt = _shown(m.date_format) if m.date_format else None
    out = []
    for r in report.refusals:
        reason = r.reason.replace("(verwacht dd-mm-jjjj)", f"(verwacht {fmt})") if fmt else \
            r.reason
        out.append(Refusal(r.file, r.line, m.source_column(name, r.column), reason))
    report.refusals = out
    report.dropped_columns = [m.source_column(name, c) for c in report.dropped_columns]
    return report


def _shown(fmt: str) -> str:
    """A strftime format in the user's words: %Y-%m-%d -> jjjj-mm-dd."""
    for code, text in (("%Y", "jjjj"), ("%m", "mm"), ("%d", "dd"), ("%H", "uu"), ("%M", "mm")):
        fmt = fmt.replace(code, text)
    return fmt


def read_mapped(folder: Path, m: Mapping) -> Iterator[tuple[str, RawTable]]:
    """Every file of a folder in the source system's shape, put onto the export format: each
    a CSV under its source name, or a sheet of one xlsx."""
    if not folder.is_dir():
        raise ExportError(f"{folder}: exportmap niet gevonden")
    found = {p.stem.strip().casefold(): p for p in folder.glob("*.csv")}
    sheets: dict[str, RawTable] = {}
    missing = [n for n in FILES if m.source_file(n).casefold() not in found]
    workbook = the_workbook(folder) if missing else None
    if workbook is not None:
        sheets = read_xlsx_raw(workbook, [m.source_file(n).casefold() for n in missing])
    for name in FILES:
        key = m.source_file(name).casefold()
        if key in found:
            raw = read_csv_raw(found[key])
        elif key in sheets:
            raw = sheets[key]
        elif name in schema.REQUIRED_FILES:
            raise ExportError(f"{folder}: verplicht bestand '{m.source_file(name)}' ontbreekt "
                              f"(als {m.source_file(name)}.csv of als werkblad; in de "
                              f"exportindeling: {name}; koppeling {m.system})")
        else:
            continue
        if not raw.header or not any(h.strip() for h in raw.header):
            raise ExportError(f"{raw.source}: leeg bestand (geen kopregel)")
        yield name, apply(name, raw, m)


# ---------------------------------------------------------------------------- the reverse


def unmap(name: str, frame, m: Mapping):
    """A file of the export format (text cells, as `demo.as_text` writes them) in the source
    system's shape: source column names, the first source value of each code, dates in the
    source format. The file's name is `m.source_file(name)`."""
    out = frame.copy()
    kinds = _kinds(name)
    yes, no = (m.flags.get("J", ("J",))[0], m.flags.get("N", ("N",))[0])
    for col in out.columns:
        kind = kinds.get(col)
        values = m.value_map(name, col)
        if kind == "date" and m.date_format:
            out[col] = out[col].map(
                lambda t, f=m.date_format: dt.datetime.strptime(t, EXPORT_DATE).strftime(f)
                if t else t)
        elif kind == "flag" and m.flags:
            out[col] = out[col].map({"J": yes, "N": no})
        elif values:
            back: dict[str, str] = {}
            for src, code in values.items():
                back.setdefault(code, src)
            out[col] = out[col].map(lambda t, b=back: b.get(t, t))
    return out.rename(columns={c: m.source_column(name, c) for c in out.columns})
