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
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
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
class RawTable:
    """A file's cells as text: header, rows, and each row's line number as the user sees it."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    source: str
    form: str
    encoding: str
    sha256: str
    frame: pd.DataFrame | None = None   # fast path: well-formed rows, columns by position


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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 22), b""):
            h.update(block)
    return h.hexdigest()


def _as_text(column):
    """A parsed column as text, or as dictionary-encoded text (kept encoded)."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        if not pa.types.is_string(column.type.value_type):
            column = column.cast(pa.dictionary(column.type.index_type, pa.string()))
        return column.unify_dictionaries() if hasattr(column, "unify_dictionaries") else column
    return column.cast(pa.string())


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
    with ThreadPoolExecutor(1) as hasher:   # hashlib releases the GIL: hash while parsing
        digest = hasher.submit(_sha256, path)
        parsed = _parse_csv(path, first, columns)
    if parsed is None:
        return None
    table, header, at, encoding = parsed
    if table.num_rows and table.num_columns and _blank_rows(table).any():
        return None                     # a blank line: the exact reader reports it
    frame = table.rename_columns([str(i) for i in at]).to_pandas()
    frame.columns = at
    name = "utf-8-sig" if bom else ("utf-8" if encoding == "utf8" else "windows-1252")
    return RawTable(header, [], [], source, "csv", name, digest.result(), frame=frame)


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
                    check_utf8=True, timestamp_parsers=[], null_values=[], true_values=[],
                    false_values=[], **convert),
            )
            table = pa.Table.from_arrays([_as_text(c) for c in table.columns],
                                         names=table.column_names)
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


def find_sources(folder: Path) -> dict[str, RawTable]:
    """Read every file of the export folder, CSV first, else one xlsx with a sheet per file."""
    if not folder.is_dir():
        raise ExportError(f"{folder}: exportmap niet gevonden")
    names = (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES)
    csvs = {p.stem.strip().casefold(): p for p in folder.glob("*.csv")}
    xlsxs = sorted(p for p in folder.glob("*.xlsx") if not p.name.startswith("~$"))
    raw: dict[str, RawTable] = {}
    for name in names:
        if name in csvs:
            raw[name] = (read_csv_fast(csvs[name], schema.FILES[name])
                         or read_csv_raw(csvs[name]))
    missing = [n for n in names if n not in raw]
    if missing and xlsxs:
        if len(xlsxs) > 1:
            raise ExportError(
                f"{folder}: meer dan één Excel-werkmap ({', '.join(p.name for p in xlsxs)}); "
                "lever er één aan met een werkblad per bestand"
            )
        raw |= read_xlsx_raw(xlsxs[0], missing)
    for name in schema.REQUIRED_FILES:
        if name not in raw:
            raise ExportError(f"{folder}: verplicht bestand '{name}' ontbreekt (als {name}.csv "
                              "of als werkblad in één .xlsx)")
    return raw


# --------------------------------------------------------------------------- validation


def _factor(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes per row and the distinct values: work on those, not on millions of rows. A
    categorical column (the fast reader's codes, flags and dates) has them already;
    pd.factorize would hash its codes again (~20 ms per million rows)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return (values.cat.codes.to_numpy(),
                np.asarray(values.cat.categories.astype(object), dtype=object))
    codes, uniques = pd.factorize(values, sort=False)
    return codes, np.asarray(uniques, dtype=object)


def _parse_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Parse dd-mm-jjjj text to dates via the unique values (fast on long files); NaT if bad.
    Also says which cells were empty."""
    codes, uniques = _factor(values)
    uniques = np.array([str(u).strip() for u in uniques], dtype=object)
    blank = np.array([not u for u in uniques], dtype=bool)
    ok = np.array([bool(re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", u)) for u in uniques], dtype=bool)
    parsed = pd.to_datetime(pd.Series(uniques, dtype=object).where(ok), format=schema.DATE_FORMAT,
                            errors="coerce")
    parsed = parsed.where((parsed.dt.year >= 1900) & (parsed.dt.year <= 2100))
    table = parsed.to_numpy(dtype="datetime64[us]")
    out = table[codes] if len(codes) else np.array([], dtype="datetime64[us]")
    empty = blank[codes] if len(codes) else np.array([], dtype=bool)
    return pd.Series(out, index=values.index, dtype="datetime64[us]"), empty


class _Checker:
    """Collects refusals for one file while its columns are converted."""

    def __init__(self, source: str, lines: np.ndarray) -> None:
        self.source = source
        self.lines = lines
        self.bad = np.zeros(len(lines), dtype=bool)
        self.structural = np.zeros(len(lines), dtype=bool)   # blank or wrong field count
        self.refusals: list[tuple[int, int, str, str]] = []   # (position, order, column, reason)

    def refuse(self, mask: np.ndarray | pd.Series, column: str, reasons) -> None:
        """Refuse the rows in `mask`; `reasons` is one text, a Series, or a function that
        gives the texts for the refused positions (so texts are built for bad rows only)."""
        mask = np.asarray(mask, dtype=bool) & ~self.structural
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
        return [Refusal(self.source, int(self.lines[p]), c, r)
                for p, _, c, r in sorted(self.refusals)]


def _quoted(text: pd.Series, template: str):
    """Refusal texts for bad positions only: the template with the offending value quoted."""
    return lambda pos: [template.format(f"'{str(text.iloc[p]).strip()}'") for p in pos]


def _coded(text: pd.Series, lookup, categories: list[str], ordered: bool = False):
    """Map text to a categorical via its distinct values (stripped there, not per row); also
    say which cells were empty and which were unknown."""
    codes, uniques = _factor(text)
    stripped = [str(u).strip() for u in uniques]
    mapped = np.array([categories.index(v) if u and (v := lookup(u)) in categories else -1
                       for u in stripped], dtype=np.int64)
    blank = np.array([not u for u in stripped], dtype=bool)
    cat = mapped[codes] if len(codes) else np.array([], dtype=np.int64)
    empty = blank[codes] if len(codes) else np.array([], dtype=bool)
    values = pd.Series(pd.Categorical.from_codes(cat, categories=categories, ordered=ordered),
                       index=text.index)
    return values, empty, cat < 0


def _clean_text(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Text stripped, empty cells as missing, and which cells were empty. Pure (no checker),
    so that a helper thread can do it while other columns convert: Arrow releases the GIL."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        text = text.astype(str)
    text = text.str.strip()
    empty = (text == "").to_numpy(dtype=bool)
    if not empty.any():
        return text.astype("str"), empty
    return text.where(~empty, None).astype("str"), empty


def _convert(col: schema.Column, text: pd.Series, chk: _Checker, config: Config,
             cleaned: tuple[pd.Series, np.ndarray] | None = None) -> pd.Series:
    """Convert one column's text to its type, refusing cells that do not fit. A text column
    may come `cleaned` already (`_clean_text`, done in a helper thread)."""
    if col.kind == "text":
        values, empty = cleaned if cleaned is not None else _clean_text(text)
        if not col.nullable:
            chk.refuse(empty, col.name, "verplicht veld is leeg")
        return values
    if col.kind == "date":
        dates, empty = _parse_dates(text)
        if not col.nullable:
            chk.refuse(empty, col.name, "verplicht veld is leeg")
        chk.refuse(~empty & dates.isna().to_numpy(), col.name,
                   _quoted(text, "ongeldige datum {} (verwacht dd-mm-jjjj)"))
        return dates
    lookups = {"flag": (lambda u: u.upper(), ["N", "J"], False),
               "trede": (lambda u: u.lower(), list(schema.TREDE_ORDER), True),
               "code": (lambda u: u.upper(), list(col.codes), False),
               "gemeente": (config.municipality, list(config.municipalities), False)}
    lookup, categories, ordered = lookups[col.kind]
    values, empty, bad = _coded(text, lookup, categories, ordered)
    if not col.nullable:
        chk.refuse(empty, col.name, "verplicht veld is leeg")
    template = {"flag": "ongeldige waarde {} (verwacht J of N)", "trede": "onbekende trede {}",
                "code": "onbekende code {}" + f" (verwacht {', '.join(col.codes)})",
                "gemeente": "gemeente {} staat niet in de configuratie"}[col.kind]
    chk.refuse(~empty & bad, col.name, _quoted(text, template))
    if col.kind == "flag":
        return pd.Series(np.asarray(values.cat.codes) == 1, index=text.index)
    return values


def _repeated(keys: np.ndarray, size: int, where: np.ndarray) -> np.ndarray:
    """Which of the rows in `where` have a key (0 <= key < size) that occurs more than once;
    by counting into an array when the key space is small enough, else by hashing."""
    out = np.zeros(len(where), dtype=bool)
    if size <= 64 * max(len(keys), 1_000_000):
        out[where] = np.bincount(keys, minlength=size)[keys] > 1
    else:
        out[where] = pd.Series(keys).duplicated(keep=False).to_numpy()
    return out


def _cross_checks(name: str, frame: pd.DataFrame, chk: _Checker,
                  clients: tuple[np.ndarray, object] | None = None) -> None:
    """Rules that relate columns of one row, or rows of one file. `clients` is
    pd.factorize(frame["klantnummer"]) when the caller already has it."""
    if "statushouder" in frame:
        chk.refuse(frame["statushouder"] & ~frame["migratieachtergrond"], "statushouder",
                   "statushouder = J maar migratieachtergrond = N")
    if name != "klanten":
        return
    chk.refuse(frame["geboortedatum"] > frame["peildatum"], "geboortedatum",
               "geboortedatum na peildatum")
    chk.refuse(frame["uitkering_sinds"] > frame["peildatum"], "uitkering_sinds",
               "uitkering_sinds na peildatum")
    has_dossier = frame["dossiernummer"].notna() & (frame["dossiernummer"] != "")
    chk.refuse(frame["uitkering_sinds"].notna() & ~has_dossier, "dossiernummer",
               "leeg terwijl uitkering_sinds gevuld is")
    chk.refuse(frame["uitkering_sinds"].isna() & has_dossier & frame["peildatum"].notna(),
               "uitkering_sinds", "leeg terwijl dossiernummer gevuld is")
    keyed = (frame["peildatum"].notna() & frame["klantnummer"].notna()).to_numpy()
    client, clients = clients if clients is not None else pd.factorize(frame["klantnummer"])
    day, days = pd.factorize(frame["peildatum"])
    key = client.astype(np.int64) * (len(days) + 1) + day
    dup = keyed & _repeated(key[keyed], len(clients) * (len(days) + 1), keyed)
    if dup.any():
        lines = pd.Series(chk.lines, index=frame.index)[dup]
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
    n_rows = len(raw.frame) if raw.frame is not None else len(raw.rows)
    report = FileReport(
        name=name, source=raw.source, form=raw.form, encoding=raw.encoding, sha256=raw.sha256,
        rows_read=n_rows,
        extra_columns=[h for h in header if h and h not in known and h not in
                       schema.DROPPED_COLUMNS],
        dropped_columns=[h for h in header if h in schema.DROPPED_COLUMNS],
    )
    positions = {h: i for i, h in enumerate(header)}
    take = [c for c in columns if c.name in positions]
    if raw.frame is not None:           # fast path: every row well-formed, line = row + 2
        chk = _Checker(raw.source, np.arange(2, n_rows + 2, dtype=np.int64))
        text = raw.frame[[positions[c.name] for c in take]]
        text.columns = [c.name for c in take]
        return _finish(name, text, take, chk, report, config)
    lines = np.asarray(raw.lines, dtype=np.int64)
    chk = _Checker(raw.source, lines)
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
    return _finish(name, text, take, chk, report, config)


def _finish(name: str, text: pd.DataFrame, take: list[schema.Column], chk: _Checker,
            report: FileReport, config: Config) -> tuple[pd.DataFrame, FileReport]:
    """Convert and check the text columns; keep the used rows. Each text column is let go
    once it is converted, so a long file is not held twice."""
    frame = pd.DataFrame(index=text.index)
    columns = {c.name: text[c.name] for c in take}
    del text
    keyed = name == "klanten" and "klantnummer" in columns
    with ThreadPoolExecutor(1) as helper:
        # the text columns (client and dossier numbers) are cleaned beside the others; the
        # refusals are still made here, in column order, so the report stays the same
        cleaned = {c.name: helper.submit(_clean_text, columns[c.name])
                   for c in take if c.kind == "text"}
        for col in take:
            done = cleaned.pop(col.name, None)
            frame[col.name] = _convert(col, columns.pop(col.name), chk, config,
                                       done.result() if done is not None else None)
            if keyed and col.name == "klantnummer":   # Arrow releases the GIL: encode the
                clients = helper.submit(pd.factorize, frame[col.name])  # numbers meanwhile
        _cross_checks(name, frame, chk, clients.result() if keyed else None)
    report.refusals = chk.result()
    used = frame.loc[~chk.bad].reset_index(drop=True)
    report.rows_used = len(used)
    assert report.rows_used + report.rows_refused == report.rows_read, "rows lost in validation"
    return used, report


def read_export(folder: str | Path, config: Config) -> Export:
    """Read and validate an export folder; raise ExportError when it cannot be used."""
    folder = Path(folder)
    report = ValidationReport(folder=str(folder))
    frames: dict[str, pd.DataFrame] = {}
    raws = find_sources(folder)
    for name in list(raws):
        raw = raws.pop(name)          # let each file's text go once it is validated
        frames[name], report.files[name] = validate_table(name, raw, config)
        del raw
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
            if isinstance(dtype, pd.CategoricalDtype):
                frame[col] = pd.Categorical(frame[col].astype(object),
                                            categories=dtype.categories, ordered=dtype.ordered)
        frames[name] = frame
    return Export(frames, report)


def load(path: str | Path, config: Config) -> Export:
    """Load an export folder, or a batch's validated cache (a folder with report.json)."""
    path = Path(path)
    if (path / "report.json").is_file():
        return load_cache(path, config)
    return read_export(path, config)
