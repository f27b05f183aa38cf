"""Writers for the outputs: HTML fragments, CSV per table, the Excel workbook, atomic folders."""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsdlib.config import Config
from rsdlib.io import FORMULA_START, ValidationReport
from rsdlib.tables import is_euro, is_pct

SUPPRESSED = "•"


# --------------------------------------------------------------------------- Dutch numbers


def fmt_count(value: float) -> str:
    """A count in Dutch notation: 1.608 (empty when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{int(round(value)):,}".replace(",", ".")


def fmt_pct(value: float, decimals: int = 2) -> str:
    """A percentage (0-100) in Dutch notation: 25,68% (empty when missing)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"{text}%"


def fmt_euro(value: float) -> str:
    """An amount in euros in Dutch notation: € 1.400.000."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    sign = "-" if value < 0 else ""
    return f"€ {sign}{fmt_count(abs(value))}"


def cell_kind(table: pd.DataFrame, row: str, column: str, value: object) -> str:
    """What a cell holds: text, pct (0-100), euro or count. A table may mark whole rows as
    percentages in `attrs["pct_rows"]` (the KPI scorecard does)."""
    if isinstance(value, str):
        return "text"
    if is_pct(row, column) or row in table.attrs.get("pct_rows", ()):
        return "pct"
    if is_euro(column):
        return "euro"
    return "count"


def cell_text(table: pd.DataFrame, row: str, column: str, value: object) -> str:
    """One cell as the council reads it: count, percentage, euros, or text."""
    kind = cell_kind(table, row, column, value)
    if kind == "text":
        return value  # type: ignore[return-value]
    return {"pct": fmt_pct, "euro": fmt_euro, "count": fmt_count}[kind](value)  # type: ignore


# --------------------------------------------------------------------------- HTML


@dataclass
class TableMeta:
    """What a published table needs besides its cells."""

    id: str
    title: str
    note: str = ""
    suppressed: set[tuple[int, str]] = field(default_factory=set)   # (row position, column)


def is_total_row(label: str, config: Config) -> bool:
    """Rows printed bold: totals, municipality block rows and the service row."""
    return (label in ("Totaal", "Eindtotaal") or label.endswith(" totaal")
            or label in config.municipalities or label == config.name
            or label.startswith("Totale uitstroom"))


def html_table(table: pd.DataFrame, meta: TableMeta, config: Config) -> str:
    """An accessible HTML table (caption, header scopes), every label escaped."""
    esc = html.escape
    head = "".join(f'<th scope="col">{esc(str(c))}</th>' for c in table.columns)
    body = []
    blocks = any(str(label) in config.municipalities for label in table.index)
    for pos, (label, row) in enumerate(table.iterrows()):
        cls = (' class="totaal"' if is_total_row(str(label), config)
               else ' class="sub"' if blocks and not str(label).startswith("%") else "")
        cells = []
        for col, value in row.items():
            text = (SUPPRESSED if (pos, col) in meta.suppressed
                    else cell_text(table, str(label), str(col), value))
            align = ' class="tekst"' if isinstance(value, str) else ""
            cells.append(f"<td{align}>{esc(text)}</td>")
        body.append(f'<tr{cls}><th scope="row">{esc(str(label))}</th>{"".join(cells)}</tr>')
    note = f'<p class="noot">{esc(meta.note)}</p>' if meta.note else ""
    return (f'<table class="rsd" id="{esc(meta.id)}"><caption>{esc(meta.title)}</caption>'
            f'<thead><tr><td></td>{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{note}')


TABLE_CSS = """
<style>
table.rsd{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}
table.rsd caption{text-align:left;font-weight:bold;padding:0.3em 0}
table.rsd th,table.rsd td{border-bottom:1px solid #ccc;padding:0.2em 0.6em}
table.rsd thead th{background:#1f3b73;color:#fff;text-align:right}
table.rsd thead th:first-child{text-align:left}
table.rsd td{text-align:right;font-variant-numeric:tabular-nums}
table.rsd td.tekst{text-align:left;max-width:32em}
table.rsd tbody th{text-align:left !important;font-weight:normal}
table.rsd tr.sub th{padding-left:1.6em}
table.rsd tr.totaal th,table.rsd tr.totaal td{font-weight:bold}
p.noot{font-size:0.85em;color:#444}
</style>
"""


# --------------------------------------------------------------------------- CSV


def csv_value(table: pd.DataFrame, row: str, column: str, value: object,
              suppressed: bool) -> str:
    """A cell as the machine-readable CSV holds it: integer count, 2-decimal %, or text."""
    if suppressed or value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    kind = cell_kind(table, row, column, value)
    if kind == "text":
        return value  # type: ignore[return-value]
    if kind == "pct" or (kind == "euro" and not float(value).is_integer()):  # type: ignore
        return f"{float(value):.2f}"  # type: ignore[arg-type]
    return str(int(round(float(value))))  # type: ignore[arg-type]


def write_csv(table: pd.DataFrame, path: Path, meta: TableMeta) -> None:
    """Write one table as UTF-8, `,`-separated CSV with a `rij` column first."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["rij", *map(str, table.columns)])
        for pos, (label, row) in enumerate(table.iterrows()):
            w.writerow([label, *(csv_value(table, str(label), str(c), v,
                                           (pos, c) in meta.suppressed)
                                 for c, v in row.items())])


def read_csv_table(path: Path) -> pd.DataFrame:
    """Read a table CSV back (rij as index, numbers as floats, empty as NaN)."""
    return pd.read_csv(path, index_col="rij", keep_default_na=False, na_values=[""])


# --------------------------------------------------------------------------- Excel


def _inert(cell, value: object) -> None:
    """Write a value so that text stays text: `=`, `+`, `-`, `@` never start a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True


def _reproducible_zip(path: Path, stamp: dt.datetime) -> None:
    """Rewrite a zip (xlsx) with every entry dated `stamp`, so equal content gives equal bytes."""
    with zipfile.ZipFile(path) as z:
        parts = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts = [(name, re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + when, data)
              if name == "docProps/core.xml" else data) for name, data in parts]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    os.replace(tmp, path)


def write_xlsx(tables: dict[str, pd.DataFrame], metas: dict[str, TableMeta], path: Path,
               cover: list[tuple[str, str]], notes: list[tuple[str, str]],
               config: Config, stamp: dt.datetime | None = None) -> None:
    """A workbook: cover sheet, one formatted table per sheet, and a notes sheet. The file
    depends only on its content and `stamp` (the run date), never on the time of writing."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "Voorblad"
    bold = Font(bold=True)
    _inert(ws.cell(1, 1), cover[0][1])
    ws.cell(1, 1).font = Font(bold=True, size=14)
    for r, (key, value) in enumerate(cover[1:], start=3):
        _inert(ws.cell(r, 1), key)
        ws.cell(r, 1).font = bold
        _inert(ws.cell(r, 2), value)
    r += 2
    _inert(ws.cell(r, 1), "Tabellen")
    ws.cell(r, 1).font = bold
    for tid, meta in metas.items():
        r += 1
        _inert(ws.cell(r, 1), tid)
        _inert(ws.cell(r, 2), meta.title)
    ws.column_dimensions["A"].width = 30
    ws.column_dimensions["B"].width = 80

    header_fill = PatternFill("solid", fgColor="1F3B73")
    for tid, table in tables.items():
        meta = metas[tid]
        sh = wb.create_sheet(tid[:31])
        _inert(sh.cell(1, 1), meta.title)
        sh.cell(1, 1).font = Font(bold=True, size=12)
        headers = ["rij", *map(str, table.columns)]
        for c, name in enumerate(headers, start=1):
            cell = sh.cell(3, c)
            _inert(cell, name if c > 1 else "")
            cell.font = Font(bold=True, color="FFFFFF")
            cell.fill = header_fill
            cell.alignment = Alignment(horizontal="left" if c == 1 else "right", wrap_text=True)
        for i, (label, row) in enumerate(table.iterrows()):
            rr = 4 + i
            total = is_total_row(str(label), config)
            _inert(sh.cell(rr, 1), str(label))
            for c, (col, value) in enumerate(row.items(), start=2):
                cell = sh.cell(rr, c)
                if (i, col) in meta.suppressed:
                    _inert(cell, SUPPRESSED)
                    cell.alignment = Alignment(horizontal="right")
                elif isinstance(value, str):
                    _inert(cell, value)
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
                elif value is None or (isinstance(value, float) and math.isnan(value)):
                    pass
                elif cell_kind(table, str(label), str(col), value) == "pct":
                    cell.value = float(value) / 100
                    cell.number_format = "0.00%"
                elif is_euro(str(col)):
                    cell.value = float(value)
                    cell.number_format = '"€" #,##0'
                else:
                    cell.value = int(round(float(value)))
                    cell.number_format = "#,##0"
                if total:
                    cell.font = bold
            if total:
                sh.cell(rr, 1).font = bold
        rr = 4 + len(table) + 1
        if meta.note:
            _inert(sh.cell(rr, 1), meta.note)
        sh.column_dimensions["A"].width = 44
        for c in range(2, len(headers) + 1):
            text = any(isinstance(v, str) for v in table.iloc[:, c - 2])
            sh.column_dimensions[get_column_letter(c)].width = 60 if text else 16
        sh.freeze_panes = "B4"

    nt = wb.create_sheet("Toelichting")
    _inert(nt.cell(1, 1), "Toelichting en definities")
    nt.cell(1, 1).font = Font(bold=True, size=12)
    for r, (key, text) in enumerate(notes, start=3):
        _inert(nt.cell(r, 1), key)
        nt.cell(r, 1).font = bold
        _inert(nt.cell(r, 2), text)
        nt.cell(r, 2).alignment = Alignment(wrap_text=True, vertical="top")
    nt.column_dimensions["A"].width = 34
    nt.column_dimensions["B"].width = 100
    stamp = stamp or dt.datetime.combine(dt.date.today(), dt.time())
    wb.properties.creator = "rsdlib"
    wb.properties.created = wb.properties.modified = stamp
    wb.save(path)
    _reproducible_zip(path, stamp)


# --------------------------------------------------------------------------- validation page


def validation_html(report: ValidationReport, config: Config) -> str:
    """The validation report as a standalone HTML page (no client data, only positions)."""
    esc = html.escape
    rows = "".join(
        f"<tr><th scope='row'>{esc(f.source)}</th><td>{fmt_count(f.rows_read)}</td>"
        f"<td>{fmt_count(f.rows_used)}</td><td>{fmt_count(f.rows_refused)}</td>"
        f"<td class='tekst'>{esc(', '.join(f.extra_columns))}</td></tr>"
        for f in report.files.values())
    refused = "".join(
        f"<tr><td class='tekst'>{esc(r.file)}</td><td>{r.line}</td>"
        f"<td class='tekst'>{esc(r.column)}</td><td class='tekst'>{esc(r.reason)}</td></tr>"
        for r in report.refusals)
    refused_block = (
        "<table class='rsd'><caption>Geweigerde regels</caption><thead><tr>"
        "<th scope='col'>bestand</th><th scope='col'>regel</th><th scope='col'>kolom</th>"
        f"<th scope='col'>reden</th></tr></thead><tbody>{refused}</tbody></table>"
        if refused else "<p>Geen regels geweigerd.</p>")
    return (
        f"<!DOCTYPE html><html lang='nl'><head><meta charset='utf-8'>"
        f"<title>Validatie export {esc(config.name)}</title>{TABLE_CSS}</head><body>"
        f"<h1>Validatie van de export</h1><p>{esc(config.name)}</p>"
        "<table class='rsd'><caption>Regels per bestand</caption><thead><tr>"
        "<th scope='col'>bestand</th><th scope='col'>gelezen</th><th scope='col'>gebruikt</th>"
        "<th scope='col'>geweigerd</th><th scope='col'>genegeerde kolommen</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>{refused_block}</body></html>")


def write_validation_html(report: ValidationReport, out: Path, config: Config) -> Path:
    """Write validatie.html into `out` atomically."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "validatie.html"
    write_text_atomic(path, validation_html(report, config))
    return path


# --------------------------------------------------------------------------- atomic output


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file via a temporary name in the same folder, then rename it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def staging_dir(final: Path) -> Path:
    """A fresh temporary folder beside `final`, hidden by its leading dot."""
    final.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-"))
    path.chmod(0o755)   # mkdtemp makes it private; the promoted folder is a normal one
    return path


def promote(staging: Path, final: Path) -> None:
    """Move a complete staging folder into place, replacing an older `final`."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """A folder that appears at `final` only when the block finishes without error."""
    staging = staging_dir(final)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    promote(staging, final)
