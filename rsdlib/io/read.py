"""Reading an export folder into text cells: each CSV with pyarrow (or, when a row is not
whole, with the exact reader that can name its line), or one xlsx with a sheet per file; and
each file's SHA-256.

A file that cannot be read at all raises one ExportError naming the file and the problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io as _io
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from rsdlib import schema
from rsdlib.errors import ExportError, describe
from rsdlib.io.arrow import Encoded, _as_text, _blank_rows, _cells, _check_utf8


@dataclass
class RawTable:
    """A file's cells as text: header, rows, and each row's line number as the user sees it."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    source: str
    form: str
    encoding: str
    sha256: str | Future[Scan]
    cells: dict[int, pd.Series | Encoded] | None = None   # fast path: whole rows, by position
    size: int = 0                                          # the fast path's number of rows
    path: Path | None = None

    def _scan(self) -> Scan | None:
        return None if isinstance(self.sha256, str) else self.sha256.result()

    def digest(self) -> str:
        """The file's SHA-256 (the fast reader computes it while the rows are validated); an
        ExportError when the scan found a NUL byte beyond the part the reader looked at."""
        if isinstance(self.sha256, str):
            return self.sha256
        scan = self.sha256.result()
        if scan.nul is not None:
            raise ExportError(f"{self.source}: onleesbaar bestand (binaire inhoud: NUL-byte op "
                              f"positie {scan.nul}, geen CSV-tekst)")
        return scan.sha256

    def exact_lines(self) -> list[int] | None:
        """The fast path's rows' line numbers when they are not row + 2 (a quoted field with
        a line break: the file has more lines than rows), taken from the exact reader; None
        when they are."""
        scan = self._scan()
        if scan is None or self.path is None:
            return None
        if scan.newlines == self.size + (1 if scan.ends_with_newline else 0):
            return None
        lines = read_csv_raw(self.path).lines
        return lines if len(lines) == self.size else None


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """Decode UTF-8 (with or without BOM) or Windows-1252, detected."""
    if b"\x00" in data:
        raise ExportError(f"{source}: onleesbaar bestand (binaire inhoud, geen CSV-tekst)")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ExportError(
            f"{source}: onleesbare codering (geen UTF-8 en geen Windows-1252, byte {exc.start})"
        ) from exc


def read_csv_raw(path: Path) -> RawTable:
    """Read a `;`-separated CSV into text cells, keeping each row's line number."""
    source = path.name
    data = read_bytes(path)
    if not data.strip():
        raise ExportError(f"{source}: leeg bestand (geen kopregel)")
    text, encoding = _decode(data, source)
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=";")
    header = next(reader)
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        raise ExportError(f"{source}: verkeerd scheidingsteken in de kopregel (verwacht ';')")
    rows: list[list[str]] = []
    lines: list[int] = []
    start = reader.line_num + 1
    try:
        for row in reader:
            rows.append(row)
            lines.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            reason = f"een veld is langer dan {csv.field_size_limit() // 1024} KiB"
        else:
            reason = f"geen leesbare CSV ({exc})"
        raise ExportError(f"{source}:{start}: {reason}") from None
    return RawTable(header, rows, lines, source, "csv", encoding, hashlib.sha256(data).hexdigest())


def read_bytes(path: Path) -> bytes:
    """A file's bytes, or an ExportError naming it and what stops it being read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ExportError(f"{path.name}: kan niet gelezen worden ({describe(exc, name=False)})") from None


@dataclass(frozen=True)
class Scan:
    """What one pass over a file's bytes tells: its SHA-256, its number of line breaks (so the
    fast reader knows whether line = row + 2), and where its first NUL byte is, if any."""

    sha256: str
    newlines: int
    ends_with_newline: bool
    nul: int | None


_DIGESTS: dict[tuple, Scan] = {}


def file_scan(path: Path) -> Scan:
    """A file's Scan, made once per process while the file is unchanged (same size,
    modification time and inode): a batch hashes the export for its cache key and then
    loads it, and 700 MB take 0,65 s to hash (counting and finding add two memchr passes)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _DIGESTS:
        h, newlines, nul, at, last = hashlib.sha256(), 0, None, 0, b""
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
                newlines += block.count(b"\n")
                if nul is None and (i := block.find(b"\0")) >= 0:
                    nul = at + i
                at += len(block)
                last = block[-1:]
        _DIGESTS[key] = Scan(h.hexdigest(), newlines, last == b"\n", nul)
    return _DIGESTS[key]


def file_sha256(path: Path) -> str:
    """A file's SHA-256 (see file_scan)."""
    return file_scan(path).sha256


def _header_types(first: bytes, encoding: str, columns: tuple[schema.Column, ...]):
    """The header's names and, for the columns the schema knows, the Arrow type to parse into:
    codes, flags and dates (few distinct values) dictionary-encoded while parsing, so that
    validation works on the distinct values; text as plain strings. None: the header is
    irregular (duplicate or unreadable names), validation will say so."""
    import pyarrow as pa

    try:
        line = first.decode("utf-8-sig" if encoding == "utf8" else "cp1252").rstrip("\r")
    except UnicodeDecodeError:
        return None
    names = next(csv.reader([line], delimiter=";"), [])
    norm = [n.replace("\ufeff", "").strip().lower() for n in names]
    if len(set(norm)) != len(norm):
        return None
    kinds = {c.name: c.kind for c in columns}
    types = {n: pa.string() if kinds[k] == "text" else pa.dictionary(pa.int32(), pa.string())
             for n, k in zip(names, norm, strict=True) if k in kinds}
    return names, types


def read_csv_fast(path: Path, columns: tuple[schema.Column, ...] | None = None
                  ) -> RawTable | None:
    """Read a clean CSV with pyarrow (all cells as text); None when any row is malformed,
    so that the exact reader can report it with its line number. With the file's schema
    `columns`, only those are converted, each into its type (see `_header_types`)."""
    source = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError as exc:
        raise ExportError(f"{source}: kan niet gelezen worden ({describe(exc, name=False)})") from None
    if not head.strip():
        raise ExportError(f"{source}: leeg bestand (geen kopregel)")
    if b"\x00" in head:
        raise ExportError(f"{source}: onleesbaar bestand (binaire inhoud, geen CSV-tekst)")
    first = head.split(b"\n", 1)[0]
    if b";" not in first and (b"," in first or b"\t" in first):
        raise ExportError(f"{source}: verkeerd scheidingsteken in de kopregel (verwacht ';')")
    bom = head.startswith(b"\xef\xbb\xbf")
    parsed = _parse_csv(path, first, columns)
    if parsed is None:
        return None
    # hashlib releases the GIL: the file is hashed on the core that pyarrow's parse used and
    # validation (one thread, mostly) leaves idle
    hasher = ThreadPoolExecutor(1, thread_name_prefix="sha256")
    digest = hasher.submit(file_scan, path)
    hasher.shutdown(wait=False)
    table, header, at, encoding = parsed
    if table.num_rows and table.num_columns and _blank_rows(table).any():
        return None                     # a blank line: the exact reader reports it
    cells = {i: _cells(c) for i, c in zip(at, table.columns, strict=True)}
    name = "utf-8-sig" if bom else ("utf-8" if encoding == "utf8" else "windows-1252")
    return RawTable(header, [], [], source, "csv", name, digest, cells=cells,
                    size=table.num_rows, path=path)


def _parse_csv(path: Path, first: bytes, columns: tuple[schema.Column, ...] | None):
    """pyarrow's parse of a whole file as text: the table, the header, each table column's
    position in the header, the encoding. None when a row is malformed or the text is
    neither UTF-8 nor Windows-1252."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    invalid: list[object] = []

    def handler(row) -> str:
        invalid.append(row)
        return "skip"

    for encoding in ("utf8", "cp1252"):
        known = _header_types(first, encoding, columns) if columns else None
        if known:
            convert = {"column_types": known[1], "include_columns": list(known[1])}
        else:
            # codes, flags and dates have few distinct values: encode them while parsing
            convert = {"column_types": {}, "auto_dict_encode": True,
                       "auto_dict_max_cardinality": 30_000}
        try:
            table = pacsv.read_csv(
                path,
                read_options=pacsv.ReadOptions(encoding=encoding, block_size=1 << 24),
                parse_options=pacsv.ParseOptions(delimiter=";", ignore_empty_lines=False,
                                                 invalid_row_handler=handler),
                convert_options=pacsv.ConvertOptions(
                    strings_can_be_null=False, quoted_strings_can_be_null=False,
                    check_utf8=False, timestamp_parsers=[], null_values=[], true_values=[],
                    false_values=[], **convert),
            )
            table = pa.Table.from_arrays([_as_text(c) for c in table.columns],
                                         names=table.column_names)
            _check_utf8(table)
            break
        except (pa.ArrowInvalid, UnicodeDecodeError):
            if encoding == "cp1252" or invalid:
                return None
            invalid.clear()
    if invalid:
        return None
    if known:
        return table, known[0], [known[0].index(n) for n in table.column_names], encoding
    return table, list(table.column_names), list(range(table.num_columns)), encoding


def _cell_text(value: object) -> str:
    """An xlsx cell as the text the CSV form would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, bool):
        return "J" if value else "N"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx_raw(path: Path, sheets: Iterable[str]) -> dict[str, RawTable]:
    """Read the named sheets of one workbook into text cells (row numbers as Excel shows them)."""
    from openpyxl import load_workbook

    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    try:
        wb = load_workbook(_io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a broken file
        raise ExportError(f"{path.name}: onleesbare Excel-werkmap ({exc})") from exc
    by_key = {name.strip().casefold(): name for name in wb.sheetnames}
    out: dict[str, RawTable] = {}
    for sheet in sheets:
        real = by_key.get(sheet)
        if real is None:
            continue
        try:
            cells = [[_cell_text(v) for v in row]
                     for row in wb[real].iter_rows(values_only=True)]
        except Exception as exc:  # a sheet's XML is only parsed here, row by row
            raise ExportError(f"{path.name}[{real}]: onleesbaar werkblad (beschadigde XML: "
                              f"{type(exc).__name__})") from None
        while cells and not any(c.strip() for c in cells[-1]):
            cells.pop()
        source = f"{path.name}[{real}]"
        if not cells:
            raise ExportError(f"{source}: leeg werkblad (geen kopregel)")
        header = cells[0]
        while header and not header[-1].strip():
            header = header[:-1]
        width = len(header)
        rows = []
        for row in cells[1:]:
            extra = row[width:]
            rows.append(row[:width] + ([] if not any(c.strip() for c in extra) else extra))
        out[sheet] = RawTable(
            header, rows, list(range(2, len(rows) + 2)), source, "xlsx", "xlsx", digest
        )
    wb.close()
    return out


def _read_csv(path: Path, name: str) -> RawTable:
    """One CSV file of the export: pyarrow's parse, or the exact reader when a row is not
    whole (so that it can say which line)."""
    return read_csv_fast(path, schema.FILES[name]) or read_csv_raw(path)


def read_sources(folder: Path) -> Iterator[tuple[str, RawTable]]:
    """Every file of the export folder read into text cells: CSV first, else one xlsx with a
    sheet per file. Given one by one as they are parsed, in a background thread (pyarrow
    releases the GIL), so that the caller validates one file while the next is parsed. The
    smallest CSV comes first: the largest (the client snapshots) is validated last, beside
    only its own hashing, rather than waiting while the small ones are parsed after it."""
    if not folder.is_dir():
        raise ExportError(f"{folder}: exportmap niet gevonden")
    names = (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES)
    found = {p.stem.strip().casefold(): p for p in folder.glob("*.csv")}
    csvs = {n: found[n] for n in names if n in found}
    missing = [n for n in names if n not in csvs]
    workbook = the_workbook(folder) if missing else None
    if workbook is None:
        _require(folder, csvs)
    reader = ThreadPoolExecutor(1, thread_name_prefix="parse")
    try:
        parsing = {n: reader.submit(_read_csv, path, n)
                   for n, path in sorted(csvs.items(), key=lambda item: item[1].stat().st_size)}
        sheets = reader.submit(read_xlsx_raw, workbook, missing) if workbook else None
        for name, job in parsing.items():
            yield name, job.result()
        if sheets is not None:
            raws = sheets.result()
            _require(folder, {**csvs, **raws})
            yield from raws.items()
    finally:
        reader.shutdown(wait=True, cancel_futures=True)


def the_workbook(folder: Path) -> Path | None:
    """The one Excel workbook of a folder whose sheets are needed (an open workbook's lock
    file ~$... is not one), None when there is none; more than one is refused, naming them:
    which of them the user meant is not guessed."""
    xlsxs = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    if len(xlsxs) > 1:
        raise ExportError(
            f"{folder}: meer dan één Excel-werkmap ({', '.join(p.name for p in xlsxs)}); "
            "lever er één aan met een werkblad per bestand"
        )
    return xlsxs[0] if xlsxs else None


def _require(folder: Path, found: dict) -> None:
    """An ExportError naming the first required file that is not among those `found`."""
    for name in schema.REQUIRED_FILES:
        if name not in found:
            raise ExportError(f"{folder}: verplicht bestand '{name}' ontbreekt (als {name}.csv "
                              "of als werkblad in één .xlsx)")
