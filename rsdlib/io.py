"""Read an export folder (CSV in the field's dialects, or one xlsx) into validated frames.

Every input row is either used or refused with file, line, column and reason; a file that
cannot be read at all raises one ExportError naming the file and the problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io as _io
import json
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rsdlib import schema
from rsdlib.config import Config
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


# --------------------------------------------------------------------------- raw reading


@dataclass
class Encoded:
    """A text column as its distinct values and, per row, which one, in blocks: each block has
    a table from its own numbering to the distinct values, and its rows' numbers. This is
    how pyarrow's parse hands over codes, flags and dates; a lookup per row (`take`) then
    costs one pass over the block's numbers, whatever the column becomes."""

    uniques: np.ndarray                          # the distinct texts (object array)
    blocks: list[tuple[np.ndarray, np.ndarray]]  # (block number -> unique, each row's number)
    size: int

    @classmethod
    def of_arrow(cls, column) -> Encoded:
        """From a dictionary-encoded Arrow column (a dictionary per parse block)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        chunks = [c for c in column.chunks if len(c)]
        if not chunks:
            return cls(np.zeros(0, dtype=object), [], 0)
        merged = pa.concat_arrays([c.dictionary for c in chunks])
        distinct = pc.unique(merged)
        where = np.asarray(pc.index_in(merged, value_set=distinct))
        blocks, seen = [], 0
        for chunk in chunks:
            size = len(chunk.dictionary)
            blocks.append((where[seen:seen + size], np.asarray(chunk.indices)))
            seen += size
        return cls(np.asarray(distinct.to_pylist(), dtype=object), blocks, len(column))

    @classmethod
    def of_series(cls, values: pd.Series) -> Encoded:
        """From text in pandas (the exact reader's cells): one block, numbered by factorize."""
        codes, uniques = pd.factorize(values, sort=False)
        return cls(np.asarray(uniques, dtype=object),
                   [(np.arange(len(uniques)), codes)], len(values))

    def take(self, table: np.ndarray) -> np.ndarray:
        """`table[unique]` for each row's unique: one pass over each block's numbers."""
        out = np.empty(self.size, dtype=table.dtype)
        row = 0
        for where, numbers in self.blocks:
            np.take(table[where], numbers, out=out[row:row + len(numbers)],
                    mode="clip")      # in range (Arrow checked them); "raise" would buffer
            row += len(numbers)
        return out

    def at(self, positions: np.ndarray) -> np.ndarray:
        """The texts at some row positions (a refused row's value, for its reason)."""
        starts = np.cumsum([0, *(len(n) for _, n in self.blocks)])
        block = np.searchsorted(starts, positions, side="right") - 1
        return np.array([self.uniques[self.blocks[b][0][self.blocks[b][1][p - starts[b]]]]
                         for p, b in zip(positions, block, strict=True)], dtype=object)

    def series(self) -> pd.Series:
        """The texts as a pandas column."""
        return pd.Series(self.uniques[self.take(np.arange(len(self.uniques)))], dtype="str")


@dataclass
class RawTable:
    """A file's cells as text: header, rows, and each row's line number as the user sees it."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    source: str
    form: str
    encoding: str
    sha256: str | Future[str]
    cells: dict[int, pd.Series | Encoded] | None = None   # fast path: whole rows, by position
    size: int = 0                                          # the fast path's number of rows

    def digest(self) -> str:
        """The file's SHA-256 (the fast reader computes it while the rows are validated)."""
        return self.sha256 if isinstance(self.sha256, str) else self.sha256.result()


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
    data = path.read_bytes()
    source = path.name
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
    for row in reader:
        rows.append(row)
        lines.append(start)
        start = reader.line_num + 1
    return RawTable(header, rows, lines, source, "csv", encoding, hashlib.sha256(data).hexdigest())


_DIGESTS: dict[tuple, str] = {}


def file_sha256(path: Path) -> str:
    """A file's SHA-256, computed once per process while the file is unchanged (same size,
    modification time and inode): a batch hashes the export for its cache key and then
    loads it, and 700 MB take 0,65 s to hash."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
    if key not in _DIGESTS:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
        _DIGESTS[key] = h.hexdigest()
    return _DIGESTS[key]


def _as_text(column):
    """A parsed column as text, or as dictionary-encoded text (kept encoded, one dictionary
    per parse block)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        if not pa.types.is_string(column.type.value_type):
            column = column.cast(pa.dictionary(column.type.index_type, pa.string()))
        return column
    return column if column.type == pa.string() else column.cast(pa.string())


def _cells(column) -> pd.Series | Encoded:
    """An Arrow text column as the validator takes it: plain text as a pandas Series (no copy),
    dictionary-encoded text as an Encoded column (its blocks kept as Arrow made them)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return Encoded.of_arrow(column)
    return column.to_pandas()


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


def _blank_rows(table) -> np.ndarray:
    """Rows whose parsed cells are all empty or spaces (a line of only separators)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    blank = np.ones(table.num_rows, dtype=bool)
    for column in table.columns:
        if pa.types.is_dictionary(column.type):
            parts = [np.asarray(pc.equal(pc.utf8_trim_whitespace(c.dictionary), ""),
                                dtype=bool)[np.asarray(c.indices)] for c in column.chunks]
        else:
            parts = [np.asarray(pc.equal(pc.utf8_trim_whitespace(c), ""), dtype=bool)
                     for c in column.chunks]
        blank &= np.concatenate(parts) if parts else np.zeros(0, dtype=bool)
        if not blank.any():
            break
    return blank


def read_csv_fast(path: Path, columns: tuple[schema.Column, ...] | None = None
                  ) -> RawTable | None:
    """Read a clean CSV with pyarrow (all cells as text); None when any row is malformed,
    so that the exact reader can report it with its line number. With the file's schema
    `columns`, only those are converted, each into its type (see `_header_types`)."""
    source = path.name
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
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
    digest = hasher.submit(file_sha256, path)
    hasher.shutdown(wait=False)
    table, header, at, encoding = parsed
    if table.num_rows and table.num_columns and _blank_rows(table).any():
        return None                     # a blank line: the exact reader reports it
    cells = {i: _cells(c) for i, c in zip(at, table.columns, strict=True)}
    name = "utf-8-sig" if bom else ("utf-8" if encoding == "utf8" else "windows-1252")
    return RawTable(header, [], [], source, "csv", name, digest, cells=cells,
                    size=table.num_rows)


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


def _check_utf8(table) -> None:
    """Raise ArrowInvalid when a text is not UTF-8. Checked here on the distinct values of the
    dictionary-encoded columns, where the parser (check_utf8) would check every cell."""
    import pyarrow as pa

    for column in table.columns:
        for chunk in column.chunks:
            text = chunk.dictionary if pa.types.is_dictionary(chunk.type) else chunk
            if len(text) and pa.types.is_string(text.type):
                starts, ends, body = _spans(text)
                if body[starts[0]:ends[-1]].max(initial=0) < 0x80:
                    continue              # ASCII only: UTF-8 (checked in one numpy pass)
            text.validate(full=True)


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

    data = path.read_bytes()
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
        cells = [[_cell_text(v) for v in row] for row in wb[real].iter_rows(values_only=True)]
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
    xlsxs = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    if missing and len(xlsxs) > 1:
        raise ExportError(
            f"{folder}: meer dan één Excel-werkmap ({', '.join(p.name for p in xlsxs)}); "
            "lever er één aan met een werkblad per bestand"
        )
    if not xlsxs:
        _require(folder, csvs)
    reader = ThreadPoolExecutor(1, thread_name_prefix="parse")
    try:
        parsing = {n: reader.submit(_read_csv, path, n)
                   for n, path in sorted(csvs.items(), key=lambda item: item[1].stat().st_size)}
        sheets = reader.submit(read_xlsx_raw, xlsxs[0], missing) if missing and xlsxs else None
        for name, job in parsing.items():
            yield name, job.result()
        if sheets is not None:
            raws = sheets.result()
            _require(folder, {**csvs, **raws})
            yield from raws.items()
    finally:
        reader.shutdown(wait=True, cancel_futures=True)


def _require(folder: Path, found: dict) -> None:
    """An ExportError naming the first required file that is not among those `found`."""
    for name in schema.REQUIRED_FILES:
        if name not in found:
            raise ExportError(f"{folder}: verplicht bestand '{name}' ontbreekt (als {name}.csv "
                              "of als werkblad in één .xlsx)")


# --------------------------------------------------------------------------- validation


def _distinct(values: pd.Series | Encoded) -> tuple[Encoded, list[str], np.ndarray]:
    """A column as distinct values and each row's, the distinct values stripped, and which of
    them are empty: work on those, not on millions of rows. The fast reader's codes, flags and
    dates come encoded; other text is factorized here."""
    cells = values if isinstance(values, Encoded) else Encoded.of_series(values)
    stripped = [str(u).strip() for u in cells.uniques]
    return cells, stripped, np.array([not u for u in stripped], dtype=bool)


def _at(flags: np.ndarray, cells: Encoded) -> np.ndarray | None:
    """Per row, the flag of its distinct value; None when no distinct value is flagged, the
    usual case, so that no pass over millions of rows is made to find nothing."""
    return cells.take(flags) if flags.any() else None


def _parse_dates(values: pd.Series | Encoded
                 ) -> tuple[pd.Series, np.ndarray | None, np.ndarray | None]:
    """Parse dd-mm-jjjj text to dates via the unique values (fast on long files); NaT if bad.
    Also says which cells were empty and which were not a date (each None: no such cell)."""
    cells, uniques, blank = _distinct(values)
    ok = np.array([bool(re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", u)) for u in uniques], dtype=bool)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object).where(ok), format=schema.DATE_FORMAT,
                            errors="coerce")
    parsed = parsed.where((parsed.dt.year >= 1900) & (parsed.dt.year <= 2100))
    table = parsed.to_numpy(dtype="datetime64[us]")
    return (pd.Series(cells.take(table), dtype="datetime64[us]", copy=False),
            _at(blank, cells), _at(~blank & np.isnat(table), cells))


class _Checker:
    """Collects refusals for one file while its columns are converted."""

    def __init__(self, source: str, rows: int, lines: np.ndarray | None = None) -> None:
        self.source = source
        self._lines = lines     # None: row i is on line i + 2 (a CSV whose rows are all whole)
        self.bad = np.zeros(rows, dtype=bool)
        self.structural: np.ndarray | None = None   # blank or wrong field count
        self.refusals: list[tuple[int, int, str, str]] = []   # (position, order, column, reason)

    def lines(self, positions: np.ndarray) -> np.ndarray:
        """The line numbers, as the user sees them, of rows at `positions`."""
        return positions + 2 if self._lines is None else self._lines[positions]

    def refuse(self, mask: np.ndarray | pd.Series | None, column: str, reasons) -> None:
        """Refuse the rows in `mask` (None: no row); `reasons` is one text, a Series, or a
        function that gives the texts for the refused positions (so texts are built for bad
        rows only)."""
        if mask is None:
            return
        mask = np.asarray(mask, dtype=bool)
        if self.structural is not None:
            mask = mask & ~self.structural
        if not mask.any():
            return
        positions = np.flatnonzero(mask)
        if isinstance(reasons, str):
            texts = [reasons] * len(positions)
        elif callable(reasons):
            texts = list(reasons(positions))
        else:
            texts = list(pd.Series(reasons).to_numpy()[positions])
        order = len(self.refusals)
        self.refusals.extend(
            (int(p), order, column, t) for p, t in zip(positions, texts, strict=True))
        self.bad |= mask

    def result(self) -> list[Refusal]:
        return [Refusal(self.source, int(self.lines(p)), c, r)
                for p, _, c, r in sorted(self.refusals)]


def _quoted(text: pd.Series | Encoded, template: str):
    """Refusal texts for bad positions only: the template with the offending value quoted."""
    def texts(positions: np.ndarray) -> list[str]:
        values = text.at(positions) if isinstance(text, Encoded) else text.to_numpy()[positions]
        return [template.format(f"'{str(v).strip()}'") for v in values]
    return texts


def _coded(text: pd.Series | Encoded, lookup, categories: list[str]
           ) -> tuple[Encoded, np.ndarray, np.ndarray]:
    """The column's distinct values, each one's position in `categories` (-1: none) and
    whether it is empty: stripped and looked up once per distinct value, not per row."""
    cells, stripped, blank = _distinct(text)
    width = np.int8 if len(categories) < 127 else np.int16 if len(categories) < 32767 else np.int32
    mapped = np.array([categories.index(v) if u and (v := lookup(u)) in categories else -1
                       for u in stripped], dtype=width)
    return cells, mapped, blank


def _arrow_chunks(text: pd.Series) -> list | None:
    """The Arrow string arrays behind a text column, or None when it has none."""
    import pyarrow as pa

    get = getattr(text.array, "__arrow_array__", None)
    if get is None:
        return None
    arrow = get()
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    if not all(pa.types.is_string(c.type) or pa.types.is_large_string(c.type) for c in chunks):
        return None
    return chunks


def _spans(chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's start and end in its chunk's UTF-8 bytes, and those bytes (a view)."""
    import pyarrow as pa

    width = np.dtype(np.int64 if pa.types.is_large_string(chunk.type) else np.int32)
    _, offsets, data = chunk.buffers()
    off = (np.frombuffer(offsets, dtype=width, count=len(chunk) + 1,
                         offset=chunk.offset * width.itemsize) if len(chunk)
           else np.zeros(1, dtype=width))
    body = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    return off[:-1], off[1:], body


def _edges(text: pd.Series) -> tuple[bool, np.ndarray] | None:
    """From the bytes behind an Arrow text column without missing cells: whether any cell may
    start or end with whitespace (a byte up to a space, or any non-ASCII byte), and which cells
    are empty. None when the column is not such a column."""
    chunks = _arrow_chunks(text)
    if chunks is None or any(c.null_count for c in chunks):
        return None
    padded, empty = False, []
    for chunk in chunks:
        starts, ends, body = _spans(chunk)
        filled = ends > starts
        empty.append(~filled)
        if not padded and filled.any():
            for edge in (body[starts[filled]], body[ends[filled] - 1]):
                padded = padded or bool(((edge <= 32) | (edge >= 128)).any())
    return padded, (np.concatenate(empty) if empty else np.zeros(0, dtype=bool))


def _clean_text(text: pd.Series | Encoded) -> tuple[pd.Series, np.ndarray | None]:
    """Text stripped, empty cells as missing, and which cells were empty (None: none). Pure
    (no checker), so that a helper thread can do it while other columns convert. A column of
    which no cell can start or end with a space is not stripped: that is a copy of 8M cells
    that changes none."""
    if isinstance(text, Encoded):
        text = text.series()
    edges = _edges(text)
    if edges is None or edges[0]:
        text = text.str.strip()
        empty = (text == "").to_numpy(dtype=bool)
    else:
        empty = edges[1]
    if not empty.any():
        return text.astype("str"), None
    return _as_missing(text, empty), empty


def _as_missing(text: pd.Series, empty: np.ndarray) -> pd.Series:
    """The text with the `empty` cells missing: for Arrow text by a validity bitmap over the
    same bytes (no copy of 8M cells), else with Series.where."""
    import pyarrow as pa

    chunks = _arrow_chunks(text)
    if chunks is None or any(c.null_count for c in chunks):
        return text.where(~empty, None).astype("str")
    masked, row = [], 0
    for chunk in chunks:
        valid = np.concatenate([np.zeros(chunk.offset, dtype=bool), ~empty[row:row + len(chunk)]])
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        masked.append(pa.Array.from_buffers(chunk.type, len(chunk), [bitmap, *chunk.buffers()[1:]],
                                            offset=chunk.offset))
        row += len(chunk)
    out = pa.chunked_array(masked, type=chunks[0].type).to_pandas()
    out.index = text.index
    return out.astype("str")


def _convert(col: schema.Column, text: pd.Series | Encoded, chk: _Checker, config: Config,
             cleaned: tuple[pd.Series, np.ndarray | None] | None = None) -> pd.Series:
    """Convert one column's text to its type, refusing cells that do not fit. A text column
    may come `cleaned` already (`_clean_text`, done in a helper thread)."""
    if col.kind == "text":
        values, empty = cleaned if cleaned is not None else _clean_text(text)
        if not col.nullable:
            chk.refuse(empty, col.name, "verplicht veld is leeg")
        return values
    if col.kind == "date":
        dates, empty, bad = _parse_dates(text)
        if not col.nullable:
            chk.refuse(empty, col.name, "verplicht veld is leeg")
        chk.refuse(bad, col.name, _quoted(text, "ongeldige datum {} (verwacht dd-mm-jjjj)"))
        return dates
    lookups = {"flag": (lambda u: u.upper(), ["N", "J"], False),
               "trede": (lambda u: u.lower(), list(schema.TREDE_ORDER), True),
               "code": (lambda u: u.upper(), list(col.codes), False),
               "gemeente": (config.municipality, list(config.municipalities), False)}
    lookup, categories, ordered = lookups[col.kind]
    cells, mapped, blank = _coded(text, lookup, categories)
    if not col.nullable:
        chk.refuse(_at(blank, cells), col.name, "verplicht veld is leeg")
    template = {"flag": "ongeldige waarde {} (verwacht J of N)", "trede": "onbekende trede {}",
                "code": "onbekende code {}" + f" (verwacht {', '.join(col.codes)})",
                "gemeente": "gemeente {} staat niet in de configuratie"}[col.kind]
    chk.refuse(_at(~blank & (mapped < 0), cells), col.name, _quoted(cells, template))
    if col.kind == "flag":
        return pd.Series(cells.take(mapped == 1), copy=False)
    return pd.Series(pd.Categorical.from_codes(cells.take(mapped), categories=categories,
                                               ordered=ordered, validate=False), copy=False)


def _text_keys(text: pd.Series) -> np.ndarray:
    """An integer per cell, equal exactly when the texts are equal, without hashing 8M texts
    when they are short (client numbers are): the cell's UTF-8 bytes read as one number when
    every cell has 8 bytes (a view of the Arrow buffer), or its bytes and its length when no
    cell has more than 7; else codes from pd.factorize. Missing cells get some number."""
    chunks = _arrow_chunks(text)
    spans = [_spans(c) for c in chunks or [] if len(c)]
    lengths = [ends - starts for starts, ends, _ in spans]
    if chunks is None or not spans:
        return pd.factorize(text)[0]
    if all((n == 8).all() for n in lengths):
        return np.concatenate([np.frombuffer(body, dtype="<u8", count=len(starts),
                                             offset=int(starts[0]))
                               for starts, _, body in spans])
    top = max(int(n.max()) for n in lengths)
    if top > 7:
        return pd.factorize(text)[0]
    keys = []
    for (starts, _, body), n in zip(spans, lengths, strict=True):
        padded = np.concatenate([body, np.zeros(8, dtype=np.uint8)])
        key = n.astype(np.uint64) << np.uint64(56)
        for j in range(top):
            byte = padded[starts + j].astype(np.uint64)
            key |= np.where(n > j, byte, np.uint64(0)) << np.uint64(8 * j)
        keys.append(key)
    return np.concatenate(keys)


def _repeated(day: np.ndarray, key: np.ndarray) -> np.ndarray:
    """Which rows share both their day and their key with another row. The rows are taken
    day by day (an export lists one snapshot after another; else they are put in day order
    first) and each day's keys are sorted, so that equal keys are neighbours: no hash table
    of 8M pairs."""
    n = len(key)
    order = None
    if n and (day[1:] < day[:-1]).any():
        codes, days = pd.factorize(day, sort=True)
        order = np.argsort(codes.astype(np.int16) if len(days) < 2**15 else codes, kind="stable")
        day, key = day[order], key[order]
    cuts = np.flatnonzero(day[1:] != day[:-1]) + 1
    out = np.zeros(n, dtype=bool)
    for a, b in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
        seg = key[a:b]
        ranked = np.sort(seg)
        twice = ranked[1:][ranked[1:] == ranked[:-1]]
        if len(twice):
            out[a:b] = np.isin(seg, twice)
    if order is None:
        return out
    back = np.empty_like(out)
    back[order] = out
    return back


def _cross_checks(name: str, frame: pd.DataFrame, chk: _Checker) -> None:
    """Rules that relate columns of one row, or rows of one file."""
    if "statushouder" in frame:
        chk.refuse(frame["statushouder"] & ~frame["migratieachtergrond"], "statushouder",
                   "statushouder = J maar migratieachtergrond = N")
    if name != "klanten":
        return
    day = frame["peildatum"].to_numpy()
    benefit = frame["uitkering_sinds"].to_numpy()
    chk.refuse(frame["geboortedatum"].to_numpy() > day, "geboortedatum",
               "geboortedatum na peildatum")
    chk.refuse(benefit > day, "uitkering_sinds", "uitkering_sinds na peildatum")
    has_dossier = frame["dossiernummer"].notna().to_numpy()   # cleaned: empty is missing
    chk.refuse(~np.isnat(benefit) & ~has_dossier, "dossiernummer",
               "leeg terwijl uitkering_sinds gevuld is")
    chk.refuse(np.isnat(benefit) & has_dossier & ~np.isnat(day),
               "uitkering_sinds", "leeg terwijl dossiernummer gevuld is")
    keyed = ~np.isnat(day) & frame["klantnummer"].notna().to_numpy()
    days, keys = day.view(np.int64), _text_keys(frame["klantnummer"])
    if keyed.all():
        dup = _repeated(days, keys)
    else:
        dup = np.zeros(len(frame), dtype=bool)
        dup[keyed] = _repeated(days[keyed], keys[keyed])
    if dup.any():
        lines = pd.Series(chk.lines(np.flatnonzero(dup)), index=frame.index[dup])
        groups = frame[dup].groupby(["peildatum", "klantnummer"], sort=False).ngroup()
        listed = lines.groupby(groups).transform(lambda s: ", ".join(map(str, s)))
        chk.refuse(dup, "klantnummer",
                   ("komt meer dan eens voor op deze peildatum (regels " + listed + ")")
                   .reindex(frame.index))


def validate_table(name: str, raw: RawTable, config: Config) -> tuple[pd.DataFrame, FileReport]:
    """Turn one file's text cells into a typed frame of used rows, and its report."""
    header = [h.replace("\ufeff", "").strip().lower() for h in raw.header]
    dupes = sorted({h for h in header if header.count(h) > 1 and h})
    if dupes:
        raise ExportError(f"{raw.source}: kolom '{dupes[0]}' staat meer dan eens in de kopregel")
    columns = schema.FILES[name]
    missing = [c.name for c in columns if c.required and c.name not in header]
    if missing:
        raise ExportError(f"{raw.source}: verplichte kolom '{missing[0]}' ontbreekt"
                          + (f" (en {len(missing) - 1} andere)" if len(missing) > 1 else ""))
    known = {c.name for c in columns}
    n_rows = raw.size if raw.cells is not None else len(raw.rows)
    report = FileReport(
        name=name, source=raw.source, form=raw.form, encoding=raw.encoding, sha256="",
        rows_read=n_rows,
        extra_columns=[h for h in header if h and h not in known and h not in
                       schema.DROPPED_COLUMNS],
        dropped_columns=[h for h in header if h in schema.DROPPED_COLUMNS],
    )
    positions = {h: i for i, h in enumerate(header)}
    take = [c for c in columns if c.name in positions]
    if raw.cells is not None:           # fast path: every row well-formed, line = row + 2
        cells = {c.name: raw.cells[positions[c.name]] for c in take}
        return _finish(name, cells, n_rows, take, _Checker(raw.source, n_rows), report, config,
                       raw)
    lines = np.asarray(raw.lines, dtype=np.int64)
    chk = _Checker(raw.source, len(lines), lines)
    width = len(raw.header)
    sizes = np.fromiter((len(r) for r in raw.rows), dtype=np.int64, count=len(raw.rows))
    blank = np.fromiter((not any(c.strip() for c in r) for r in raw.rows), dtype=bool,
                        count=len(raw.rows))
    chk.refuse(blank, "-", "lege regel")
    wrong = (sizes != width) & ~blank
    if wrong.any():
        chk.refuse(wrong, "-", pd.Series([f"{n} velden, verwacht {width}" for n in sizes]))
    chk.structural = blank | wrong     # their cells are not checked one by one
    shaped = [r if len(r) == width else [""] * width for r in raw.rows]
    if shaped:
        matrix = np.asarray(shaped, dtype=object)[:, [positions[c.name] for c in take]]
    else:
        matrix = np.empty((0, len(take)), dtype=object)
    text = pd.DataFrame(matrix, columns=[c.name for c in take]).astype(str)
    return _finish(name, {c.name: text[c.name] for c in take}, len(text), take, chk, report,
                   config, raw)


def _finish(name: str, columns: dict[str, pd.Series | Encoded], rows: int,
            take: list[schema.Column], chk: _Checker, report: FileReport, config: Config,
            raw: RawTable) -> tuple[pd.DataFrame, FileReport]:
    """Convert and check the text columns; keep the used rows. Each text column is let go
    once it is converted, so a long file is not held twice."""
    typed: dict[str, pd.Series] = {}
    with ThreadPoolExecutor(1) as helper:
        # the text columns (client and dossier numbers) are cleaned beside the others; the
        # refusals are still made here, in column order, so the report stays the same
        cleaned = {c.name: helper.submit(_clean_text, columns[c.name])
                   for c in take if c.kind == "text"}
        for col in take:
            done = cleaned.pop(col.name, None)
            typed[col.name] = _convert(col, columns.pop(col.name), chk, config,
                                       done.result() if done is not None else None)
    frame = pd.DataFrame(typed, index=pd.RangeIndex(rows), copy=False)
    del typed
    _cross_checks(name, frame, chk)
    report.refusals = chk.result()
    report.sha256 = raw.digest()
    used = frame.loc[~chk.bad].reset_index(drop=True) if chk.bad.any() else frame
    report.rows_used = len(used)
    assert report.rows_used + report.rows_refused == report.rows_read, "rows lost in validation"
    return used, report


def read_export(folder: str | Path, config: Config) -> Export:
    """Read and validate an export folder; raise ExportError when it cannot be used."""
    folder = Path(folder)
    report = ValidationReport(folder=str(folder))
    frames: dict[str, pd.DataFrame] = {}
    for name, raw in read_sources(folder):
        frames[name], report.files[name] = validate_table(name, raw, config)
        del raw                       # let each file's text go once it is validated
    order = [*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES]
    report.files = dict(sorted(report.files.items(), key=lambda item: order.index(item[0])))
    for name in schema.OPTIONAL_FILES:
        if name not in frames:
            frames[name] = _empty(name, config)
    if frames["klanten"].empty:
        raise ExportError(f"{report.files['klanten'].source}: geen bruikbare regels "
                          f"({report.files['klanten'].rows_refused} geweigerd)")
    return Export(frames, report)


def _empty(name: str, config: Config) -> pd.DataFrame:
    """An empty frame of one file with the types a validated frame has."""
    dummy = RawTable([c.name for c in schema.FILES[name]], [], [], name, "none", "", "")
    frame, _ = validate_table(name, dummy, config)
    return frame


def require_year(export: Export, year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The start and end snapshot of a report year, or an ExportError saying which is missing."""
    dates = set(export.peildata)
    end = pd.Timestamp(year, 12, 31)
    start = pd.Timestamp(year, 1, 1)
    if start not in dates:
        start = pd.Timestamp(year - 1, 12, 31)
    if end not in dates or start not in dates:
        absent = [d.strftime("%d-%m-%Y") for d in (start, end) if d not in dates]
        raise ExportError(f"klanten: geen peildatum {' en '.join(absent)} voor verslagjaar {year} "
                          f"(nodig: 01-01-{year} of 31-12-{year - 1}, en 31-12-{year})")
    return start, end


# --------------------------------------------------------------------------- columnar cache


def save_cache(export: Export, folder: Path) -> None:
    """Write validated frames as Parquet plus the report, for notebooks of one batch."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in export.frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    payload = {"folder": export.report.folder, "files": {
        n: {**{k: v for k, v in vars(f).items() if k != "refusals"},
            "refusals": [vars(r) for r in f.refusals]}
        for n, f in export.report.files.items()}}
    (folder / "report.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def load_cache(folder: Path, config: Config) -> Export:
    """Read validated frames written by save_cache, with the categories the schema defines."""
    payload = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report = ValidationReport(folder=payload["folder"])
    for name, f in payload["files"].items():
        refusals = [Refusal(**r) for r in f.pop("refusals")]
        report.files[name] = FileReport(**f, refusals=refusals)
    frames = {}
    for name in (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES):
        frame = pd.read_parquet(folder / f"{name}.parquet")
        template = _empty(name, config)
        for col in template.columns:
            dtype = template[col].dtype
            if isinstance(dtype, pd.CategoricalDtype):   # Parquet keeps them: checked, not
                frame[col] = frame[col].astype(dtype)    # rebuilt through Python objects
        frames[name] = frame
    return Export(frames, report)


def load(path: str | Path, config: Config) -> Export:
    """Load an export folder, or a batch's validated cache (a folder with report.json)."""
    path = Path(path)
    if (path / "report.json").is_file():
        return load_cache(path, config)
    return read_export(path, config)
