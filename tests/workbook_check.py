"""An auditor of a written workbook's print set-up, read with openpyxl (not from the code
that wrote it): what a committee member gets on paper from Excel or LibreOffice."""

from __future__ import annotations

import math

DEFAULT_WIDTH = 8.43          # Excel's column width when none is set
DEFAULT_HEIGHT = 15           # a row of one line at 11 pt
PORTRAIT_WIDTH = 115          # column-width units across A4 portrait at about 90 %


def _width(ws, col: int) -> float:
    """The width of column `col` (1-based): a <col> element may cover a range of columns."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= (dim.max or dim.min) and dim.width:
            return dim.width
    return DEFAULT_WIDTH


def _lines(text: str, width: float) -> int:
    """The fewest lines `text` can take in a column `width` wide (a generous 1,25 characters
    per width unit: a row must be at least this high)."""
    per_line = max(1, int(width * 1.25))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def problems(wb) -> list[str]:
    """What would print badly, sheet by sheet (empty: nothing)."""
    found = []
    for ws in wb.worksheets:
        name, ps = ws.title, ws.page_setup
        setup = ws.sheet_properties.pageSetUpPr
        if ps.paperSize != 9:
            found.append(f"{name}: not A4")
        if not (setup is not None and setup.fitToPage and ps.fitToWidth in (None, 1)
                and ps.fitToHeight == 0):
            found.append(f"{name}: not fitted to one page wide")
        used = sum(_width(ws, c) for c in range(1, ws.max_column + 1))
        if ps.orientation != "landscape" and used > PORTRAIT_WIDTH:
            found.append(f"{name}: {used:.0f} wide, printed portrait")
        if "&P" not in ws.oddFooter.right.text or "&N" not in ws.oddFooter.right.text:
            found.append(f"{name}: no page numbers")
        title = str(ws["A1"].value or "")
        if not title or title.replace("&", "&&") not in ws.oddHeader.left.text:
            found.append(f"{name}: its title {title!r} is not in the page header")
        for row in ws.iter_rows():
            for cell in row:
                if not (isinstance(cell.value, str) and cell.alignment.wrap_text):
                    continue
                lines = _lines(cell.value, _width(ws, cell.column))
                height = ws.row_dimensions[cell.row].height or DEFAULT_HEIGHT
                if lines > 1 and height < 12 * lines:
                    found.append(f"{name}!{cell.coordinate}: {lines} lines in a row "
                                 f"{height} pt high")
    return found


def table_problems(ws, header_row: int = 3) -> list[str]:
    """A table sheet: its header rows repeated on every page, a label in every header cell,
    and an empty cell in the table explained under it."""
    found = []
    if ws.print_title_rows != f"${header_row}:${header_row}":
        found.append(f"{ws.title}: header row not repeated ({ws.print_title_rows})")
    header = [c.value for c in ws[header_row]]
    if not all(header):
        found.append(f"{ws.title}: empty header cell in {header}")
    body, r = [], header_row + 1
    while r <= ws.max_row and any(c.value is not None for c in ws[r]):
        body.append([c.value for c in ws[r]][:len(header)])
        r += 1
    below = " ".join(str(c.value) for row in ws.iter_rows(min_row=r) for c in row if c.value)
    if any(v is None for row in body for v in row[1:]) and "lege cel" not in below.lower():
        found.append(f"{ws.title}: empty cells not explained under the table")
    return found
