"""Text columns as pyarrow hands them over, worked on without a pass per row where possible:
dictionary-encoded columns (`Encoded`), the byte spans behind a text column, stripping,
empty cells as missing by a validity bitmap, and integer keys for short texts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


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
