"""The privacy scan: the identifiers of the export a run used, whatever their format, looked
for in every file the run wrote and in everything it printed.

The identifiers are the values of the export's id columns (docs/export-format.md): `bsn`
(klanten), `klantnummer` (every file) and `dossiernummer` (klanten), read from the export's
own files, so that a service whose numbers look like "20417733" or "CL/2019/17" is scanned
for those, not for the demo's `K000123`.

Each output is read as a person or a program would read its text: HTML, CSV, Markdown,
logs as text; a notebook as every string in its JSON; an xlsx as every part of the
workbook (cells, sheet names, properties) with XML entities resolved; a PDF as `pdftotext`
extracts it; a PNG as its text chunks; a Parquet file (the batch's cache) as its column
names and every value of its text columns; anything else as its bytes. The pixels of an
image are not read (a chart's words are in its alt text, on the page).

An identifier is found where it stands on its own: not inside a longer run of letters and
digits (the bsn 999000017 is found in "bsn 999000017," and in "2019-999000017.log", not in
the number 1999000017 or a hash). One of digits only is also found written in groups, as a
table formats a number or people write a bsn: 999.000.017, 999 000 017, 99-90-00-017.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ID_COLUMNS = ("bsn", "klantnummer", "dossiernummer")
_SEPARATOR = re.compile(r"[^0-9A-Za-z]")
# digits in groups, as a number is written for people: 999.000.017, 999 000 017, 12-34-56-782
_GROUPED = re.compile("\\d+(?:[ .\u00a0\u202f-]\\d+)+")


def identifiers(export: Path) -> dict[str, set[str]]:
    """Every value of the id columns in the export's CSV files, per column."""
    found: dict[str, set[str]] = {c: set() for c in ID_COLUMNS}
    for path in sorted(export.glob("*.csv")):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False,
                            usecols=lambda c: c in ID_COLUMNS)
        for col in frame.columns:
            found[col] |= {v.strip() for v in frame[col].unique() if v.strip()}
    assert found["klantnummer"], f"{export}: no client numbers found (is it an export?)"
    return found


@dataclass
class Scan:
    """What a scan found: (file or message, id column, value), and the files it could not read."""

    leaks: list[tuple[str, str, str]] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    files: int = 0


class Scanner:
    def __init__(self, ids: dict[str, set[str]]):
        self.ids = {c: set(v) for c, v in ids.items() if v}
        values = set().union(*self.ids.values())
        alphabet = sorted({ch for v in values for ch in v})
        # a token: a maximal run of the characters the identifiers are written with
        self.token = re.compile("[" + "".join(re.escape(ch) for ch in alphabet) + "]+")
        self.lengths = sorted({len(v) for v in values})
        self.numeric = {c: {v for v in vs if v.isdigit()} for c, vs in self.ids.items()}
        self.numeric_lengths = {len(v) for vs in self.numeric.values() for v in vs}

    def find(self, text: str, columns: Iterable[str] | None = None) -> set[tuple[str, str]]:
        """(column, value) of every identifier that stands as a token of its own in `text`.
        A token is a maximal run of the characters identifiers are written with; inside one,
        an identifier may also stand between its ends and the characters that are neither
        letters nor digits ('2019-60417733.log' holds 60417733 when '-' and '.' occur in
        identifiers), never inside a longer run of letters and digits."""
        wanted = [self.ids[c] for c in (columns or self.ids) if c in self.ids]
        names = [c for c in (columns or self.ids) if c in self.ids]
        hits = set()
        for tok in set(self.token.findall(text)):
            if len(tok) < self.lengths[0]:
                continue
            cuts = {0, len(tok)}
            for m in _SEPARATOR.finditer(tok):
                cuts |= {m.start(), m.end()}
            for a in cuts:
                for n in self.lengths:
                    if a + n in cuts:
                        part = tok[a:a + n]
                        hits.update((c, part) for c, ids in zip(names, wanted, strict=True)
                                    if part in ids)
        if self.numeric_lengths:
            hits |= self._grouped(text, names)
        return hits

    def _grouped(self, text: str, names: list[str]) -> set[tuple[str, str]]:
        """Identifiers of digits only, written in groups (as a number is formatted for a
        table, or a bsn for people): whole groups that together give one."""
        longest = max(self.numeric_lengths)
        hits = set()
        for run in set(_GROUPED.findall(text)):
            groups = re.findall(r"\d+", run)
            for i in range(len(groups)):
                joined = groups[i]
                for g in groups[i + 1:]:
                    joined += g
                    if len(joined) > longest:
                        break
                    if len(joined) in self.numeric_lengths:
                        hits.update((c, joined) for c in names if joined in self.numeric[c])
        return hits

    def scan(self, paths: Iterable[Path], columns: Iterable[str] | None = None,
             messages: dict[str, str] | None = None) -> Scan:
        """Scan every file of `paths` (folders: all files below them) and the `messages`
        (name: text) for the identifiers of `columns` (default: all)."""
        cols = list(columns or self.ids)
        result = Scan()
        for name, text in (messages or {}).items():
            result.leaks += [(name, c, v) for c, v in sorted(self.find(text, cols))]
        for path in _files(paths):
            result.files += 1
            try:
                texts = list(texts_of(path))
            except Unreadable as exc:
                result.unread.append(f"{path}: {exc}")
                continue
            for text in texts:
                result.leaks += [(str(path), c, v) for c, v in sorted(self.find(text, cols))]
        return result


class Unreadable(Exception):
    pass


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for p in paths:
        if p.is_dir():
            yield from sorted(q for q in p.rglob("*") if q.is_file())
        elif p.is_file():
            yield p


def texts_of(path: Path) -> Iterator[str]:
    """The text of one output file, as a reader or a program would get it."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".docx", ".zip"):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                yield name
                yield html.unescape(z.read(name).decode("utf-8", errors="replace"))
    elif suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            raise Unreadable("pdftotext (poppler-utils) is not installed")
        yield subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                             check=True).stdout
    elif suffix == ".png":
        yield from png_texts(path.read_bytes())
    elif suffix == ".parquet":
        yield from parquet_texts(path)
    elif suffix in (".ipynb", ".json"):
        raw = path.read_text(encoding="utf-8", errors="replace")
        try:
            yield from _strings(json.loads(raw))
        except json.JSONDecodeError:
            yield raw
    else:
        data = path.read_bytes()
        try:
            yield data.decode("utf-8")
        except UnicodeDecodeError:
            yield data.decode("latin-1")
    yield path.name


def _strings(obj) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _strings(v)
    elif obj is not None:
        yield str(obj)


def png_texts(data: bytes) -> Iterator[str]:
    """The text chunks (tEXt, zTXt, iTXt) of a PNG."""
    pos = 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"tEXt":
            yield body.decode("latin-1")
        elif kind == b"zTXt":
            key, _, rest = body.partition(b"\0")
            yield key.decode("latin-1") + " " + zlib.decompress(rest[1:]).decode("latin-1")
        elif kind == b"iTXt":
            key, _, rest = body.partition(b"\0")
            compressed, rest = rest[0], rest[2:]
            _lang, _, rest = rest.partition(b"\0")
            _tkey, _, text = rest.partition(b"\0")
            text = zlib.decompress(text) if compressed else text
            yield key.decode("latin-1") + " " + text.decode("utf-8", errors="replace")
        pos += 12 + length


def parquet_texts(path: Path) -> Iterator[str]:
    """A Parquet file's column names, metadata and the distinct values of every column."""
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    yield " ".join(table.column_names)
    meta = table.schema.metadata or {}
    yield " ".join(v.decode("utf-8", errors="replace") for v in meta.values())
    for name in table.column_names:
        column = table.column(name)
        yield "\n".join(str(v) for v in pc.unique(column).to_pylist() if v is not None)


def other_format(value: str, column: str) -> str:
    """An identifier of the demo (K000123, J000100, D000087, 999000123) in another service's
    format: client numbers of 8 digits, dossiers like "Z-780000", the bsn's digits reversed.
    One to one, so the export stays valid."""
    if not value:
        return value
    if column == "klantnummer":
        return f"{'6' if value[0] == 'K' else '7'}{int(value[1:]) * 37 % 10**7:07d}"
    if column == "dossiernummer":
        return f"Z-{value[:0:-1]}"
    return value[::-1]


def write_with_other_identifiers(source: Path, dest: Path) -> None:
    """The export of `source` with every identifier rewritten by other_format."""
    dest.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.csv")):
        frame = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        for col in ID_COLUMNS:
            if col in frame:
                values = frame[col].unique()
                frame[col] = frame[col].map(dict(zip(values, (other_format(v, col) for v in values),
                                                     strict=True)))
        frame.to_csv(dest / path.name, sep=";", index=False, lineterminator="\r\n")
