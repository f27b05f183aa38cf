"""An auditor of the "Samenvatting": every number a sentence states is a cell of a table the
page publishes (as its CSV holds it: a hidden cell is empty there), or the difference of two
such cells of one row. It reads the page and the CSV files, never the code that wrote them."""

from __future__ import annotations

import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from rsdlib.publish import read_csv_table

NUMBER = re.compile(r"[−+-]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?")
DATE = re.compile(r"\b\d{1,2}-\d{1,2}-\d{4}\b")


def summary_sentences(page: str) -> list[str]:
    """The sentences (paragraphs) of the page's Samenvatting section."""
    section = page[page.index(">Samenvatting</h2>"):]
    section = section[:section.index("</section>")]
    out: list[str] = []

    class P(HTMLParser):
        inside = False

        def handle_starttag(self, tag, attrs):
            if tag == "p":
                self.inside = True
                out.append("")

        def handle_endtag(self, tag):
            self.inside = self.inside and tag != "p"

        def handle_data(self, data):
            if self.inside:
                out[-1] += data

    P().feed(section)
    return [s for s in out if s.strip()]


def numbers(sentence: str, year: int, years: tuple[int, ...] = ()) -> list[float]:
    """The numbers a sentence states (dates and the years it names left out: the year and
    the one before, and `years`, those of a period), as values."""
    text = DATE.sub(" ", sentence)
    found = []
    for token in NUMBER.findall(text):
        value = abs(float(token.replace("−", "-").replace(".", "").replace(",", ".")))
        if value in (year, year - 1, *years) and "," not in token:
            continue
        found.append(value)
    return found


def published(tables_dir: Path) -> list[pd.DataFrame]:
    return [read_csv_table(p) for p in sorted(tables_dir.glob("*.csv"))]


def stated_cells(value: float, frames: list[pd.DataFrame]) -> bool:
    """Whether `value` is a published cell (a percentage to its shown decimals) or the
    difference of two published cells of one row."""
    decimals = 0 if value.is_integer() else len(repr(value).split(".")[1])
    for frame in frames:
        numeric = frame.select_dtypes("number")
        for _, row in numeric.iterrows():
            cells = [abs(v) for v in row.tolist() if not (isinstance(v, float) and math.isnan(v))]
            if any(round(c, decimals) == value for c in cells):
                return True
            if value.is_integer():
                vals = [v for v in row.tolist() if not (isinstance(v, float) and math.isnan(v))]
                if any(abs(a - b) == value for a in vals for b in vals):
                    return True
    return False


def labels(frames: list[pd.DataFrame]) -> list[str]:
    """The published texts (row labels and text cells, such as a KPI's name), longest first:
    a number inside one ("langer dan 6 maanden") names something, it states no figure."""
    found = set()
    for frame in frames:
        found.update(str(i) for i in frame.index)
        for col in frame.columns:
            found.update(v for v in frame[col].tolist() if isinstance(v, str))
    return sorted((t for t in found if len(t) >= 5), key=len, reverse=True)


def assert_summary_states_published_cells(folder: Path, year: int,
                                          years: tuple[int, ...] = ()) -> int:
    """Check every number of every sentence; the count of numbers checked. A period's page:
    `year` its last year, `years` all of its years."""
    page = (folder / "bijlagen.html").read_text(encoding="utf-8")
    frames = published(folder / "tables")
    texts = labels(frames)
    checked = 0
    for sentence in summary_sentences(page):
        for text in texts:
            sentence = sentence.replace(text, " ")
        for value in numbers(sentence, year, years):
            assert stated_cells(value, frames), f"{folder.name}: {value} in {sentence!r}"
            checked += 1
    return checked
