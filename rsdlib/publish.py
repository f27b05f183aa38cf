"""Writers for the outputs: HTML fragments, CSV per table, the Excel workbook, the validation page."""

from __future__ import annotations

import csv
import datetime as dt
import html
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from rsdlib.atomic import write_text_atomic
from rsdlib.config import Config
from rsdlib.io.model import FORMULA_START, ValidationReport
from rsdlib.labels import Labels
from rsdlib.tabledefs import Layout, generic_layout, layout
from rsdlib.tables import is_euro

SUPPRESSED = "•"
SUPPRESSED_WORD = "afgeschermd"      # what a screen reader says for the mark
SUPPRESSED_HTML = (f'<abbr title="{SUPPRESSED_WORD}" aria-label="{SUPPRESSED_WORD}">'
                   f'{SUPPRESSED}</abbr>')
SUPPRESSED_NOTE = (f"{SUPPRESSED} (voorgelezen als \"{SUPPRESSED_WORD}\"): dit aantal of "
                   "percentage is in de publieke versie afgeschermd, omdat het klein is of "
                   "omdat een klein aantal er anders uit af te leiden zou zijn. Een leeg vak "
                   "betekent: niet van toepassing.")


# --------------------------------------------------------------------------- Dutch numbers

NBSP = "\u00a0"        # between a number and its sign: a cell never wraps between them


def _missing(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def fmt_decimal(value: float, decimals: int) -> str:
    """A number with `decimals` decimals in Dutch notation: 1234.5 -> 1.234,5."""
    return f"{value:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def fmt_count(value: float | None) -> str:
    """A count in Dutch notation: 1.608 (empty when missing)."""
    if value is None or _missing(value):
        return ""
    return f"{int(round(value)):,}".replace(",", ".")


def fmt_pct(value: float | None, decimals: int = 2, signed: bool = False) -> str:
    """A percentage (0-100) in Dutch notation with a non-breaking space before the sign:
    25,68 % (empty when missing). `signed`: +2,9 % / −2,9 % (a real minus sign), as a
    change is written in a sentence."""
    if value is None or _missing(value):
        return ""
    text = f"{fmt_decimal(abs(value) if signed else value, decimals)}{NBSP}%"
    if signed:
        return ("+" if value > 0 else "−" if value < 0 else "") + text
    return text


def fmt_mark(value: float | None) -> str:
    """A mark (rapportcijfer) with one decimal: 7,5 (empty when missing)."""
    return "" if value is None or _missing(value) else fmt_decimal(value, 1)


def fmt_euro(value: float | None) -> str:
    """An amount in euros in Dutch notation: € 1.400.000."""
    if value is None or _missing(value):
        return ""
    sign = "-" if value < 0 else ""
    return f"€ {sign}{fmt_count(abs(value))}"


def cell_kind(lay: Layout, pos: int, column: str, value: object) -> str:
    """What a cell holds: text, pct (0-100), mark, euro or count, as the table's description
    says."""
    if isinstance(value, str):
        return "text"
    if lay.is_pct(pos, column):
        return "pct"
    if lay.is_mark(pos):
        return "mark"
    if is_euro(column):
        return "euro"
    return "count"


def cell_text(lay: Layout, pos: int, column: str, value: str | float | None,
              pct_decimals: int = 2) -> str:
    """One cell as the council reads it: count, percentage, mark, euros, or text."""
    if isinstance(value, str):
        return value
    kind = cell_kind(lay, pos, column, value)
    if kind == "pct":
        return fmt_pct(value, pct_decimals)
    return (fmt_mark(value) if kind == "mark" else fmt_euro(value) if kind == "euro"
            else fmt_count(value))


# --------------------------------------------------------------------------- HTML


@dataclass
class TableMeta:
    """What a published table needs besides its cells."""

    id: str
    title: str
    note: str = ""
    suppressed: set[tuple[int, str]] = field(default_factory=set)   # (row position, column)
    primary: set[tuple[int, str]] = field(default_factory=set)      # of those: small counts
    layout: Layout | None = None            # the table's description (tabledefs.layout)
    labels: Labels | None = None      # sheet, headers, row labels and footnote for people

    @property
    def sheet(self) -> str:
        return self.labels.sheet if self.labels else self.id[:31]

    def header(self, column: object) -> str:
        return self.labels.headers.get(str(column), str(column)) if self.labels else str(column)

    def row(self, label: object) -> str:
        return self.labels.rows.get(str(label), str(label)) if self.labels else str(label)

    def shown(self, table: pd.DataFrame) -> list:
        """The columns people read (an id column the row labels replace is left out)."""
        hidden = self.labels.hidden if self.labels else ()
        return [c for c in table.columns if c not in hidden]

    @property
    def footnote(self) -> str:
        return " ".join(t for t in ((self.labels.note if self.labels else ""), self.note) if t)


def _layout(table: pd.DataFrame, meta: TableMeta, config: Config | None) -> Layout:
    if meta.layout is not None and len(meta.layout.rows) == len(table):
        return meta.layout
    if config is None:            # a table written on its own: its % columns and rows
        return generic_layout(meta.id, table)
    return layout(meta.id, table, config)


TEXT_CLASS = ' class="tekst"'


def html_table(table: pd.DataFrame, meta: TableMeta, config: Config) -> str:
    """An accessible HTML table (caption, header scopes, a label above the row labels), every
    label escaped and written for people (meta.labels)."""
    esc = html.escape
    columns = meta.shown(table)
    corner = meta.labels.corner if meta.labels else ""
    text_cols = {c for c in columns if any(isinstance(v, str) for v in table[c])}
    head = "".join(f'<th scope="col"{TEXT_CLASS if c in text_cols else ""}>'
                   f'{esc(meta.header(c))}</th>' for c in columns)
    body = []
    lay = _layout(table, meta, config)
    blocks = any(r.area is not None and r.part is not None for r in lay.rows) and \
        any(r.total and r.area in config.municipalities for r in lay.rows)
    for pos, (label, row) in enumerate(table.iterrows()):
        cls = (' class="totaal"' if lay.is_total(pos)
               else ' class="sub"' if blocks and not lay.rows[pos].pct else "")
        cells = []
        for col in columns:
            value = row[col]
            text = (SUPPRESSED_HTML if (pos, col) in meta.suppressed
                    else esc(cell_text(lay, pos, str(col), value)))
            align = ' class="tekst"' if isinstance(value, str) else ""
            cells.append(f"<td{align}>{text}</td>")
        body.append(f'<tr{cls}><th scope="row">{esc(meta.row(label))}</th>{"".join(cells)}</tr>')
    note = f'<p class="noot">{esc(meta.footnote)}</p>' if meta.footnote else ""
    first = f'<th scope="col">{esc(corner)}</th>' if corner else "<td></td>"
    return (f'<table class="rsd" id="{esc(meta.id)}"><caption>{esc(meta.title)}</caption>'
            f'<thead><tr>{first}{head}</tr></thead>'
            f'<tbody>{"".join(body)}</tbody></table>{note}')


TABLE_CSS = """
<style>
table.rsd{border-collapse:collapse;margin:0.5em 0 1.5em;font-size:0.9em}
table.rsd caption{text-align:left;font-weight:bold;padding:0.3em 0}
table.rsd th,table.rsd td{border-bottom:1px solid #ccc;padding:0.2em 0.6em}
table.rsd thead th{background:#1f3b73;color:#fff;text-align:right}
table.rsd thead th:first-child,table.rsd thead th.tekst{text-align:left}
table.rsd td{text-align:right;font-variant-numeric:tabular-nums}
table.rsd td.tekst{text-align:left;max-width:32em}
table.rsd tbody th{text-align:left !important;font-weight:normal}
table.rsd tr.sub th{padding-left:1.6em}
table.rsd tr.totaal th,table.rsd tr.totaal td{font-weight:bold}
p.noot{font-size:0.85em;color:#444}
</style>
"""


# --------------------------------------------------------------------------- CSV


def csv_value(lay: Layout, pos: int, column: str, value: str | float | None,
              suppressed: bool) -> str:
    """A cell as the machine-readable CSV holds it: integer count, 2-decimal %, 1-decimal
    mark (unit cijfer), or text."""
    if suppressed or value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str):
        return value
    kind = cell_kind(lay, pos, column, value)
    if kind == "pct" or (kind == "euro" and not float(value).is_integer()):
        return f"{float(value):.2f}"
    if kind == "mark":
        return f"{float(value):.1f}"
    return str(int(round(float(value))))


def write_csv(table: pd.DataFrame, path: Path, meta: TableMeta,
              config: Config | None = None) -> None:
    """Write one table as UTF-8, `,`-separated CSV with a `rij` column first (percentages
    as the table's description says: `meta.layout`, or read from `config`)."""
    lay = _layout(table, meta, config)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["rij", *map(str, table.columns)])
        for pos, (label, row) in enumerate(table.iterrows()):
            w.writerow([label, *(csv_value(lay, pos, str(c), v, (pos, c) in meta.suppressed)
                                 for c, v in row.items())])


def read_csv_table(path: Path) -> pd.DataFrame:
    """Read a table CSV back (rij as index, numbers as floats, empty as NaN)."""
    return pd.read_csv(path, index_col="rij", keep_default_na=False, na_values=[""])


# --------------------------------------------------------------------------- Excel


class _Sheet:
    """One worksheet with the workbook's shared formats; text written so that it stays text."""

    def __init__(self, wb, formats: dict, name: str) -> None:
        self.ws, self._wb, self._formats = wb.add_worksheet(name), wb, formats

    def fmt(self, **props):
        """A cell format, created once per workbook for each combination of properties."""
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self._wb.add_format(dict(key))
        return self._formats[key]

    def text(self, row: int, col: int, value: object, **props) -> None:
        """Text cell (0-based): `=`, `+`, `-`, `@` never start a formula, even on retyping."""
        value = str(value)
        if value.startswith(FORMULA_START):
            props["quote_prefix"] = True
        self.ws.write_string(row, col, value, self.fmt(**props) if props else None)

    def number(self, row: int, col: int, value: float, num_format: str, **props) -> None:
        self.ws.write_number(row, col, value, self.fmt(num_format=num_format, **props))


EMPTY_CELL = ("Een lege cel betekent: niet van toepassing (zoals een percentage op een "
              "redenregel) of nog niet bekend (zoals een 12-maandstotaal of een cohortpercentage "
              "waarvan de periode nog niet voorbij is).")
# Number formats: Excel and LibreOffice show the decimal separator of the reader's locale
# (a Dutch one: 25,68 %, 1.608); the space before % is a literal of the format.
XLSX_PCT = "0.00 %"
XLSX_MARK = "0.0"
WIDE = 6            # tables with more columns than this print landscape


def _lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` characters wide."""
    per_line = max(int(width * 1.1), 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def _print_setup(ws, title: str, header_row: int | None, landscape: bool) -> None:
    """A4, fit to one page wide, the header rows repeated, the title and page in the header."""
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
    ws.set_header(f"&L&8{title.replace('&', '&&')}", {"margin": 0.3})
    ws.set_footer("&R&8pagina &P van &N", {"margin": 0.3})
    if header_row is not None:
        ws.repeat_rows(header_row)


def write_xlsx(tables: dict[str, pd.DataFrame], metas: dict[str, TableMeta], path: Path,
               cover: list[tuple[str, str]], notes: list[tuple[str, str]],
               config: Config, stamp: dt.datetime | None = None) -> None:
    """A workbook: cover sheet (its table list as links), one formatted table per sheet named
    for people, and a notes sheet. Every sheet prints on A4, one page wide, its header rows
    repeated. The file depends only on its content and `stamp` (the run date), never on the
    time of writing (XlsxWriter dates every zip entry 1-1-1980; the properties carry `stamp`).

    XlsxWriter rather than openpyxl: it imports in a quarter of the time and writes faster,
    which counts once per notebook in a batch of hundreds."""
    import xlsxwriter

    stamp = stamp or dt.datetime.combine(dt.date.today(), dt.time())
    tmp = path.with_name(f".{path.name}.tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    wb.set_properties({"author": "rsdlib", "created": stamp, "title": cover[0][1]})
    formats: dict = {}
    cv = _Sheet(wb, formats, "Voorblad")
    cv.text(0, 0, cover[0][1], bold=True, font_size=14)
    r = 1
    for r, (key, value) in enumerate(cover[1:], start=2):
        cv.text(r, 0, key, bold=True, valign="top")
        cv.text(r, 1, value, text_wrap=True, valign="top")
        if _lines(value, 80) > 1:
            cv.ws.set_row(r, 15 * _lines(value, 80))
    r += 2
    cv.text(r, 0, "Tabellen", bold=True)
    cv.text(r, 1, "Inhoud", bold=True)
    for meta in metas.values():
        r += 1
        sheet = meta.sheet.replace("'", "''")
        cv.ws.write_url(r, 0, f"internal:'{sheet}'!A1", cv.fmt(font_color="#1F3B73",
                                                                 underline=1),
                        string=meta.sheet)
        cv.text(r, 1, meta.title, text_wrap=True)
        if _lines(meta.title, 80) > 1:
            cv.ws.set_row(r, 15 * _lines(meta.title, 80))
    cv.ws.set_column(0, 0, 30)
    cv.ws.set_column(1, 1, 80)
    _print_setup(cv.ws, cover[0][1], None, False)

    header = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F3B73", "pattern": 1,
              "text_wrap": True, "valign": "bottom"}
    for tid, table in tables.items():
        meta = metas[tid]
        columns = meta.shown(table)
        sh = _Sheet(wb, formats, meta.sheet)
        sh.text(0, 0, meta.title, bold=True, font_size=12)
        corner = (meta.labels.corner if meta.labels else "") or "Omschrijving"
        sh.text(2, 0, corner, align="left", **header)
        widths = [44.0]
        for c, col in enumerate(columns, start=1):
            has_text = any(isinstance(v, str) for v in table[col])
            widths.append(60.0 if has_text else 16.0)
            sh.text(2, c, meta.header(col), align="left" if has_text else "right", **header)
        sh.ws.set_row(2, 15 * max(_lines(meta.header(c), w) for c, w in
                                  zip([corner, *columns], widths, strict=True)))
        empty = False
        lay = _layout(table, meta, config)
        for i, (label, row) in enumerate(table.iterrows()):
            rr = 3 + i
            bold = {"bold": True} if lay.is_total(i) else {}
            sh.text(rr, 0, meta.row(label), text_wrap=True, valign="top", **bold)
            lines = _lines(meta.row(label), widths[0])
            for c, col in enumerate(columns, start=1):
                value = row[col]
                if (i, col) in meta.suppressed:
                    sh.text(rr, c, SUPPRESSED, align="right", valign="top", **bold)
                elif isinstance(value, str):
                    sh.text(rr, c, value, text_wrap=True, valign="top", **bold)
                    lines = max(lines, _lines(value, widths[c]))
                elif value is None or (isinstance(value, float) and math.isnan(value)):
                    empty = True
                    sh.ws.write_blank(rr, c, None, sh.fmt(valign="top", **bold))
                elif cell_kind(lay, i, str(col), value) == "pct":
                    sh.number(rr, c, float(value) / 100, XLSX_PCT, valign="top", **bold)
                elif cell_kind(lay, i, str(col), value) == "mark":
                    sh.number(rr, c, float(value), XLSX_MARK, valign="top", **bold)
                elif is_euro(str(col)):
                    sh.number(rr, c, float(value), '"€" #,##0', valign="top", **bold)
                else:
                    sh.number(rr, c, int(round(float(value))), "#,##0", valign="top", **bold)
            if lines > 1:
                sh.ws.set_row(rr, 15 * lines)
        below = 3 + len(table) + 1
        for text in (meta.footnote, EMPTY_CELL if empty else ""):
            if text:
                sh.text(below, 0, text)
                below += 1
        for c, w in enumerate(widths):
            sh.ws.set_column(c, c, w)
        sh.ws.freeze_panes(3, 1)
        _print_setup(sh.ws, meta.title, 2, len(columns) >= WIDE or sum(widths) > 110)

    nt = _Sheet(wb, formats, "Toelichting")
    nt.text(0, 0, "Toelichting en definities", bold=True, font_size=12)
    r = 1
    for r, (key, text) in enumerate([*notes, ("Lege cellen", EMPTY_CELL)], start=2):
        nt.text(r, 0, key, bold=True, text_wrap=True, valign="top")
        nt.text(r, 1, text, text_wrap=True, valign="top")
        nt.ws.set_row(r, 15 * max(_lines(text, 100), _lines(key, 34)))
    nt.ws.set_column(0, 0, 34)
    nt.ws.set_column(1, 1, 100)
    _print_setup(nt.ws, "Toelichting en definities", None, True)
    wb.close()
    os.replace(tmp, path)


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
