"""Validation: text cells -> typed frames of the used rows, every other row refused with file,
line, column and reason (`read_export` reads and validates a whole folder).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from rsdlib import schema
from rsdlib.config import Config
from rsdlib.errors import ExportError
from rsdlib.io.arrow import Encoded, _clean_text, _text_keys
from rsdlib.io.mapping import read_mapped, report_in_source_terms
from rsdlib.io.model import Export, FileReport, Refusal, ValidationReport
from rsdlib.io.read import RawTable, read_sources


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

    def __init__(self, source: str, rows: int, lines: np.ndarray | None = None,
                 exact: Callable[[], list[int] | None] | None = None) -> None:
        self.source = source
        self._lines = lines     # None: row i is on line i + 2 (a CSV whose rows are all whole)
        self._exact = exact     # asked once, when a line is first needed: lines, or None
        self.bad = np.zeros(rows, dtype=bool)
        self.structural: np.ndarray | None = None   # blank or wrong field count
        self.refusals: list[tuple[int, int, str, str]] = []   # (position, order, column, reason)

    def lines(self, positions: np.ndarray) -> np.ndarray:
        """The line numbers, as the user sees them, of rows at `positions`."""
        if self._exact is not None:
            exact, self._exact = self._exact(), None
            if exact is not None:
                self._lines = np.asarray(exact, dtype=np.int64)
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
        return [Refusal(self.source, int(self.lines(np.asarray(p))), c, r)
                for p, _, c, r in sorted(self.refusals)]


SHOWN_MAX = 30                   # a longer refused value is described, not quoted
PRIVATE_COLUMNS = ("bsn", "klantnummer")
ID_DIGITS = 8                    # a value with this many digits may be an identifier
_DIGIT_RUN = re.compile(rf"\d{{{ID_DIGITS},}}")
# separators an identifier may be written with: 1234.56.782, 123 456 782, 12-34-56-782
_SEPARATORS = re.compile(r"[\s.,\-/_]+")
# a date (dd-mm-jjjj, jjjj-mm-dd; or with . or /) has 8 digits and is quoted: it is the
# value to correct
_DAY, _MONTH, _YEAR = r"(0?[1-9]|[12]\d|3[01])", r"(0?[1-9]|1[0-2])", r"(1[89]|20)\d\d"
_DATE_SHAPE = re.compile(rf"{_DAY}(?P<s>[-./]){_MONTH}(?P=s){_YEAR}"
                         rf"|{_YEAR}(?P<t>[-./]){_MONTH}(?P=t){_DAY}")


def identifier_like(text: str) -> bool:
    """Whether a text may be a BSN or client number, however written: 8 or more digits once
    separators are left out (a date written dd-mm-jjjj excepted), or any 8 digits in a row."""
    if _DIGIT_RUN.search(text):
        return True
    digits = sum(ch.isdigit() for ch in _SEPARATORS.sub("", text))
    return digits >= ID_DIGITS and not _DATE_SHAPE.fullmatch(text)


def escaped(text: str) -> str:
    """Text with control and other invisible characters written as escapes (\\x1b, \\n):
    nothing from the data moves a terminal's cursor or hides part of a message."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


def shown(value: object, column: str) -> str | None:
    """A refused value as a message may quote it, or None when it may not: too long, from a
    column of identifiers, or with 8 or more digits (a BSN or client number shifted
    into another column, also when written with dots or spaces: 1234.56.782)."""
    text = str(value).strip()
    if column in PRIVATE_COLUMNS or len(text) > SHOWN_MAX or identifier_like(text):
        return None
    return f"'{escaped(text)}'"


def with_value(template: str, value: object, column: str) -> str:
    """The template ("... {} ...") with the value quoted, or without it, saying so."""
    quoted = shown(value, column)
    if quoted is not None:
        return template.format(quoted)
    return template.replace(" {}", "").replace("{} ", "") + " (waarde niet getoond)"


def _quoted(text: pd.Series | Encoded, template: str, column: str):
    """Refusal texts for bad positions only: the template with the offending value quoted
    when it may be (see `shown`)."""
    def texts(positions: np.ndarray) -> list[str]:
        values = text.at(positions) if isinstance(text, Encoded) else text.to_numpy()[positions]
        return [with_value(template, v, column) for v in values]
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
        chk.refuse(bad, col.name, _quoted(text, "ongeldige datum {} (verwacht dd-mm-jjjj)",
                                                 col.name))
        return dates
    dom = config.domain
    codes = dom.reason_codes if col.kind == "uitstroomreden" else col.codes
    lookups = {"flag": (lambda u: u.upper(), ["N", "J"], False),
               "trede": (lambda u: u.lower(), [*dom.order, *dom.no_step], True),
               "code": (lambda u: u.upper(), list(codes), False),
               "uitstroomreden": (lambda u: u.upper(), list(codes), False),
               "gemeente": (config.municipality, list(config.municipalities), False)}
    lookup, categories, ordered = lookups[col.kind]
    cells, mapped, blank = _coded(text, lookup, categories)
    if not col.nullable:
        chk.refuse(_at(blank, cells), col.name, "verplicht veld is leeg")
    template = {"flag": "ongeldige waarde {} (verwacht J of N)",
                "trede": "onbekende trede {}",
                "code": "onbekende code {}" + f" (verwacht {', '.join(codes)})",
                "uitstroomreden": "onbekende code {}" + f" (verwacht {', '.join(codes)})",
                "gemeente": "gemeente {} staat niet in de configuratie"}[col.kind]
    chk.refuse(_at(~blank & (mapped < 0), cells), col.name, _quoted(cells, template, col.name))
    if col.kind == "flag":
        return pd.Series(cells.take(mapped == 1), copy=False)
    if col.kind == "trede":          # a "no step" code is read as an empty step
        categories = list(dom.order)
        mapped = np.where(mapped >= len(categories), -1, mapped).astype(mapped.dtype)
    return pd.Series(pd.Categorical.from_codes(cells.take(mapped), categories=categories,
                                               ordered=ordered, validate=False), copy=False)


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


EVENT_DATE = {"klanten": "peildatum", "instroom": "instroomdatum", "uitstroom": "uitstroomdatum",
              "trede_mutaties": "datum", "jongeren_gesprekken": "datum"}


def _reorganised(name: str, frame: pd.DataFrame, chk: _Checker, config: Config) -> None:
    """A row dated after its municipality ended, or before it began, is refused."""
    day = frame[EVENT_DATE[name]]
    for c in config.changes:
        first = pd.Timestamp(c.date)
        for muni in c.ended:
            chk.refuse((frame["gemeente"] == muni).to_numpy() & (day >= first).to_numpy(),
                       "gemeente", f"gemeente '{muni}' bestaat niet meer op deze datum "
                       f"({c.describe()})")
        for muni in c.new:
            chk.refuse((frame["gemeente"] == muni).to_numpy() & (day < first).to_numpy(),
                       "gemeente", f"gemeente '{muni}' bestaat pas vanaf "
                       f"{c.date.strftime('%d-%m-%Y')}")


def _cross_checks(name: str, frame: pd.DataFrame, chk: _Checker, config: Config) -> None:
    """Rules that relate columns of one row, or rows of one file."""
    if config.changes:
        _reorganised(name, frame, chk, config)
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
        raise ExportError(with_value(f"{raw.source}: kolom {{}} staat meer dan eens in de "
                                     "kopregel", dupes[0], "kopregel"))
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
        extra_columns=[escaped(h) if shown(h, "kopregel") else f"kolom {i + 1} (naam niet getoond)"
                       for i, h in enumerate(header)
                       if h and h not in known and h not in schema.DROPPED_COLUMNS],
        dropped_columns=[h for h in header if h in schema.DROPPED_COLUMNS],
    )
    positions = {h: i for i, h in enumerate(header)}
    take = [c for c in columns if c.name in positions]
    if raw.cells is not None:           # fast path: every row well-formed, line = row + 2
        cells = {c.name: raw.cells[positions[c.name]] for c in take}
        # line = row + 2 unless a quoted field holds a line break: then the exact reader says
        return _finish(name, cells, n_rows, take,
                       _Checker(raw.source, n_rows, exact=raw.exact_lines), report, config, raw)
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
    _cross_checks(name, frame, chk, config)
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
    mapping = config.import_mapping        # another system's shape: put onto the format first
    sources = read_sources(folder) if mapping is None else read_mapped(folder, mapping)
    for name, raw in sources:
        frames[name], report.files[name] = validate_table(name, raw, config)
        if mapping is not None:
            report_in_source_terms(report.files[name], name, mapping)
        del raw                       # let each file's text go once it is validated
    order = [*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES]
    report.files = dict(sorted(report.files.items(), key=lambda item: order.index(item[0])))
    for name in schema.OPTIONAL_FILES:
        if name not in frames:
            frames[name] = _empty(name, config)
    if frames["klanten"].empty:
        klanten = report.files["klanten"]
        common = Counter((r.column, r.reason) for r in klanten.refusals).most_common(3)
        reasons = "; ".join(f"{c}: {r} ({n}x)" for (c, r), n in common)
        raise ExportError(f"{klanten.source}: geen bruikbare regels ({klanten.rows_refused} "
                          f"geweigerd" + (f"; meest voorkomend: {reasons}" if reasons else "")
                          + ")")
    return Export(frames, report)


def _empty(name: str, config: Config) -> pd.DataFrame:
    """An empty frame of one file with the types a validated frame has."""
    dummy = RawTable([c.name for c in schema.FILES[name]], [], [], name, "none", "", "")
    frame, _ = validate_table(name, dummy, config)
    return frame
