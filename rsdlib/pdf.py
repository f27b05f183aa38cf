"""bijlagen.pdf from the page: the page's own HTML read into a list of blocks (headings,
paragraphs, lists, tables, charts), which a fixed Typst template (PDF_TEMPLATE) sets as an A4
PDF, tagged for accessibility (PDF/UA-1).

Why Typst and not an HTML engine: the page is ours and has few kinds of element, and Typst
(the `typst` wheel, a compiled typesetter) sets its 15-20 pages in a tenth of a second where
WeasyPrint took two; with four PDFs per batch that decided whether the batch keeps within
1,5 x papermill's floor. The text reaches Typst as data (JSON in `sys.inputs`), never as
markup: nothing in a table cell or a label is read as Typst code. What an analyst adds to the
notebook (markdown: nested lists, links, code; printed text; tables with spans; plots) is
read too, in its place.
"""

from __future__ import annotations

import base64
import binascii
import collections
import functools
import html
import io
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rsdlib.page import NO_ALT

# Typst source: page set-up, styles and one function per kind of block. The document arrives
# as JSON in sys.inputs.doc ({"title", "blocks"}); `blocks` below says what each kind holds.
PDF_TEMPLATE = r"""
#let doc = json(bytes(sys.inputs.doc))
#let blauw = rgb("#1f3b73")
#let grijs = rgb("#333333")
#set document(title: doc.title)
#set text(lang: "nl", region: "NL", size: 10pt, font: ("Liberation Sans", "Arial", "DejaVu Sans"),
          hyphenate: false)
#set par(justify: false, leading: 0.55em, spacing: 0.8em)
#set page(paper: "a4", margin: (top: 20mm, x: 15mm, bottom: 18mm),
  header: align(center, text(9pt, fill: grijs, doc.title)),
  footer: context align(right, text(9pt, fill: grijs,
    [pagina #counter(page).display() van #counter(page).final().first()])))
#show heading: set text(fill: blauw)
#show heading.where(level: 1): set text(size: 17pt)
#show heading.where(level: 2): set text(size: 13.5pt)
#show heading.where(level: 3): set text(size: 11pt)
#show heading: set block(above: 1.2em, below: 0.6em)
#show figure: set block(breakable: true)
#show figure: set align(left)
#show figure.where(kind: table): set figure.caption(position: top)
#show figure.caption: set align(left)
#show figure.caption: set text(weight: "bold")
#show figure.caption: it => block(sticky: true, it)    // a caption never ends a page alone
#set figure.caption(separator: none)
#set table.cell(breakable: false)

#let run(r) = {
  let (s, st, href) = r
  if st == "b" { strong(s) }
  else if st == "i" { emph(s) }
  else if st == "code" { raw(s) }
  else if st == "nowrap" { box(s) }
  else if st == "del" { strike(s) }
  else if st == "link" { link(href, s) }
  else { s }
}
#let runs(rs) = rs.map(run).join()

#let a-list(l) = {
  let item(it) = {
    runs(it.runs)
    for sub in it.subs { a-list(sub) }
    if it.tail.len() > 0 { if it.subs.len() == 0 { " " } else { parbreak() }; runs(it.tail) }
  }
  if l.numbered { enum(start: l.start, ..l.items.map(item)) } else { list(..l.items.map(item)) }
}

#let a-heading(b) = heading(level: b.level,
  text(size: (17pt, 13.5pt, 11pt).at(calc.min(b.page, 3) - 1), runs(b.runs)))

#let side(c) = if c.align == "left" { left } else if c.align == "center" { center } else { right }

#let a-table(b) = {
  // 0: as wide as the content; > 0: points; < 0: a share of what is left
  let widths = b.widths.map(w => if w == 0 { auto } else if w > 0 { w * 1pt } else { -w * 1fr })
  let cell(c, row, first) = {
    let body = runs(c.runs)
    if row.kind == "totaal" { body = strong(body) }
    if first and row.kind == "sub" { body = pad(left: 1.2em, body) }
    table.cell(align: side(c), colspan: c.colspan, rowspan: c.rowspan, body)
  }
  let head = b.head.map(row => row.cells.map(c => table.cell(fill: blauw, align: side(c),
    colspan: c.colspan, rowspan: c.rowspan,
    text(fill: white, weight: "bold", runs(c.runs))))).flatten()
  let body = b.rows.map(row => row.cells.enumerate().map(((i, c)) => cell(c, row, i == 0)))
  // a short table is not split over two pages
  show figure: set block(breakable: b.rows.len() > 8)
  figure(kind: table, supplement: none, numbering: none,
    caption: if b.caption != "" { figure.caption(b.caption) },
    text(size: b.size * 1pt,
    table(columns: widths, inset: (x: if b.size < 8 { 3pt } else { 4pt }, y: 2.5pt),
      stroke: (x, y) => (bottom: 0.5pt + rgb("#bbbbbb")),
      ..if head.len() > 0 { (table.header(..head),) },
      ..body.flatten())))
}

#for b in doc.blocks {
  if b.t == "h" {
    if b.page == 2 and not b.first { pagebreak(weak: true) }
    a-heading(b)
  } else if b.t == "p" {
    if b.note { text(8.5pt, fill: grijs, runs(b.runs)) ; parbreak() } else { par(runs(b.runs)) }
  } else if b.t == "summary" {
    par(strong(runs(b.runs)))
  } else if b.t == "list" {
    a-list(b.list)
  } else if b.t == "pre" {
    block(fill: rgb("#f4f4f4"), inset: 6pt, width: 100%, raw(b.text, block: true))
  } else if b.t == "kern" {
    // a grid's cells in one row share its height: the boxes line up
    grid(columns: (1fr,) * calc.min(b.items.len(), 4), gutter: 6pt, inset: 6pt,
      stroke: 0.8pt + blauw,
      ..b.items.map(it => stack(spacing: 4pt, text(8.5pt, runs(it.at(0))),
        text(15pt, weight: "bold", runs(it.at(1))), text(8.5pt, runs(it.at(2))))))
  } else if b.t == "dl" {
    grid(columns: (auto, 1fr), column-gutter: 1.2em, row-gutter: 0.5em,
      ..b.items.map(it => (strong(runs(it.at(0))), runs(it.at(1)))).flatten())
  } else if b.t == "table" {
    if b.landscape {
      page(flipped: true, {
        if "heading" in b { a-heading(b.heading) }
        a-table(b)
      })
    } else { a-table(b) }
  } else if b.t == "img" {
    figure(image(b.src, width: b.width * 1%, alt: b.alt))
  }
}
"""

_INLINE = {"b": "b", "strong": "b", "code": "code", "em": "i", "i": "i", "del": "del",
           "s": "del", "strike": "del", "a": "link", "abbr": "", "span": "", "small": "",
           "sup": "", "sub": "", "u": "", "mark": "", "kbd": "code", "samp": "code",
           "label": "", "time": "", "q": "", "cite": "i", "var": "i", "ins": "", "bdi": ""}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
# elements whose end closes loose text (a div's, a blockquote's) as a paragraph
_CONTAINERS = {"div", "section", "blockquote", "main", "body", "details", "aside", "figure",
               "figcaption", "article", "header", "footer", "nav", "center", "form"}
_LONG_TEXT = 40            # characters: in a table wider than the page, longer cells wrap
_SHORT_TEXT = 14           # characters: and shorter ones (a figure, a status) do not
_TEXT_WIDTH_PX = 680       # the A4 text width (180 mm) in CSS pixels: a chart no wider than it
_PORTRAIT_PT = 510         # the text width of an upright A4 page, in points
_LANDSCAPE_PT = 755        # and of one turned sideways
_CHAR_EM = 0.6             # the mean width of a character (Liberation Sans, bold), in em
_SVG_TAG = re.compile(r"<(/?)svg\b[^>]*>", re.I)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}

Run = list[str]            # [text, style, href]; style "", "b", "i", "code", "nowrap", "del",
Runs = list[Run]           # "link" (href: its address)


def _new_list(numbered: bool, start: int = 1) -> dict[str, Any]:
    return {"numbered": numbered, "start": start, "items": []}


class _Reader(HTMLParser):
    """The page's body as blocks, its few kinds of element each as the PDF shows them; text in
    any other element still reaches the PDF, in its place."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self._titled = False                # the page's own title read: an output's is not
        self.blocks: list[dict[str, Any]] = []
        self._runs: Runs | None = None      # the text of the element being read
        self._owner = ""                    # the element whose text it is
        self._style: list[tuple[str, str, str]] = []   # inline elements open: tag, style, href
        self._skip: list[str] = []          # inside <style>, <script>, <title>, <template>
        self._hidden = ("", 0)              # an element not shown (hidden, display:none), depth
        self._nested = 0                    # tables inside a table cell: their text is the cell's
        self._pre = False
        self._cls: set[str] = set()         # the class of the block being read
        self._table: dict[str, Any] | None = None
        self._row: dict[str, Any] | None = None
        self._cell: dict[str, Any] | None = None
        self._in_head = False               # in a table's <thead>
        self._kern: list[list[Runs]] | None = None
        self._kern_depth = 0                # inline elements open in a figure's box line
        self._lists: list[dict[str, Any]] = []      # the lists open, outermost first
        self._dl: list[list[Runs]] | None = None

    # -- text
    def handle_data(self, data: str) -> None:
        if self._skip or self._hidden[1]:
            if self._skip and self._skip[-1] == "title" and not self._titled:
                self.title += data
            return
        if self._runs is None:
            if not data.strip():
                return
            if self._lists:                 # text in a list item after a list inside it
                self._resume_item()
            else:                           # loose text (a div's, a blockquote's)
                self._open("loose", set())
        assert self._runs is not None
        text = data if self._pre else re.sub(r"\s+", " ", data)
        style, href = "", ""
        for _, s, h in reversed(self._style):
            if s:
                style, href = s, h
                break
        if self._runs and self._runs[-1][1:] == [style, href]:
            self._runs[-1][0] += text
        else:
            self._runs.append([text, style, href])

    def _open(self, owner: str, cls: set[str]) -> None:
        self._end_block()
        self._runs, self._owner, self._cls = [], owner, cls

    def _end_block(self) -> None:
        """A block that starts ends the paragraph, heading or term still open, as a browser
        does (<p>a<ul>, <dd>b<table>): its text is kept, before the new block."""
        owner = self._owner
        if owner == "loose":
            self._flush()
        elif owner in ("p", "summary", "dt", "dd", "pre") or owner in _HEADINGS:
            self.handle_endtag(owner)
        elif owner == "li":
            self._park_item_text()

    def _park_item_text(self) -> None:
        """A list item's text read so far, kept in its item, before a list or table in it."""
        item = self._lists[-1]["items"][-1] if self._lists and self._lists[-1]["items"] else None
        if item is None or self._owner != "li":
            return
        tail = self._runs is item["tail"]
        runs = self._close()
        (item["tail"] if tail else item["runs"])[:] = runs

    def _resume_item(self) -> None:
        """Text in a list item after a list inside it: the item's tail."""
        self._runs, self._owner = self._lists[-1]["items"][-1]["tail"], "li"

    def _close(self) -> Runs:
        runs, self._runs, self._owner = self._runs or [], None, ""
        return _trimmed(runs) if not self._pre else [r for r in runs if r[0]]

    def _flush(self) -> None:
        """Loose text ends as a paragraph where a block starts."""
        if self._owner == "loose":
            if runs := self._close():
                self.blocks.append({"t": "p", "runs": runs, "note": False})

    def _in_text_block(self) -> bool:
        """Inside a table cell, a list item, a term or a heading: a block inside it (a
        paragraph, a list in a cell) goes on as its text."""
        return self._cell is not None or self._owner in (
            "li", "dt", "dd", "caption", "summary", *_HEADINGS)

    # -- elements
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        cls = set(a.get("class", "").split())
        hidden_tag, depth = self._hidden
        if depth:
            self._hidden = (hidden_tag, depth + (tag == hidden_tag))
            return
        if tag in ("style", "script", "title", "template", "noscript"):
            self._skip.append(tag)
            return
        if self._skip:
            return
        if "hidden" in a or re.search(r"display\s*:\s*none", a.get("style", "")):
            if tag not in _VOID:                # not shown on the page: not in the PDF
                self._hidden = (tag, 1)
            return
        if tag == "table" and self._cell is not None:
            self._nested += 1
        if tag in _INLINE:
            if self._kern is not None and self._kern and self._kern_depth == 0 \
                    and tag in ("span", "b"):
                self._runs, self._style = [], []        # a line of a figure's box
                self._kern_depth = 1
                return
            self._kern_depth += self._kern_depth > 0
            style = "nowrap" if "nowrap" in a.get("style", "") else _INLINE[tag]
            href = a.get("href", "")
            if style == "link" and not re.match(r"(https?:|mailto:)", href):
                style = ""                  # a link within the page or to a file: its text
            self._style.append((tag, style, href))
        elif tag == "br":
            if self._runs is not None:
                self.handle_data("\n" if self._pre else " ")
        elif tag == "img":
            self._image(a)
        elif self._cell is not None:        # a block inside a table cell: part of its text
            if self._runs:
                self.handle_data(" ")
        elif tag == "table":
            self._end_block()
            self._table = {"t": "table", "caption": "", "head": [], "rows": []}
        elif self._table is not None and tag in ("thead", "tbody", "tfoot", "tr", "th", "td",
                                                 "caption", "colgroup", "col"):
            self._table_start(tag, a, cls)
        elif tag in ("ul", "ol", "li") and self._owner in ("dd", "dt"):
            self.handle_data(" ")           # a list in a description: its text
        elif tag in ("ul", "ol") and "kerncijfers" in cls and not self._lists:
            self._end_block()
            self._kern = []
        elif tag in ("ul", "ol"):
            start = a.get("start", "").strip()
            new = _new_list(tag == "ol", min(int(start), 10**9) if start.isdigit() else 1)
            if self._lists and self._lists[-1]["items"]:
                self._park_item_text()      # the item's text so far comes before the list
                self._lists[-1]["items"][-1]["subs"].append(new)
            else:
                self._end_block()
                self._runs, self._owner = None, ""
            self._lists.append(new)
        elif tag == "li":
            if self._kern is not None:
                self._kern.append([])
            elif self._lists:
                item: dict[str, Any] = {"runs": [], "subs": [], "tail": []}  # its text, lists

                self._lists[-1]["items"].append(item)
                self._runs, self._owner, self._style = item["runs"], "li", []
        elif tag == "dl":
            self._end_block()
            self._dl = []
        elif tag in ("p", "pre", "dt", "dd", "summary") or tag in _HEADINGS:
            if self._lists and self._dl is None and self._owner in ("", "li"):
                # in a list item (a loose list's paragraphs, a heading in an item, the text
                # after a sub-list): the item's text
                if self._runs is None:
                    self._resume_item()
                self.handle_data(" ")
                return
            if self._in_text_block() and tag in ("p", "pre"):
                self.handle_data(" ")
                return
            self._open(tag, cls)
            self._pre = tag == "pre"
        elif tag == "hr" or tag in _CONTAINERS:
            if self._owner == "loose":
                self._flush()

    def _table_start(self, tag: str, a: dict[str, str], cls: set[str]) -> None:
        assert self._table is not None
        if tag == "thead":
            self._in_head = True
        elif tag in ("tbody", "tfoot"):
            self._in_head = False
        elif tag == "tr":
            kind = "totaal" if "totaal" in cls else "sub" if "sub" in cls else ""
            self._row = {"kind": kind, "cells": [], "head": self._in_head}
        elif tag == "caption":
            self._open("caption", cls)
        elif tag in ("th", "td"):
            if self._row is None:           # a cell without its row
                self._table_start("tr", {}, set())
            assert self._row is not None
            m = re.search(r"text-align:\s*(left|right|center)", a.get("style", ""))
            align = m.group(1) if m else a.get("align", "").lower()
            if align not in ("left", "right", "center"):
                # the page's rule: row labels, text columns and the first header left
                first = not self._row["cells"]
                align = "left" if "tekst" in cls or (
                    tag == "th" and (a.get("scope") != "col" or first)) else "right"
            self._cell = {"align": align, "colspan": _span(a.get("colspan")),
                          "rowspan": _span(a.get("rowspan")), "col": a.get("scope") == "col"}
            self._open(tag, cls)

    def handle_endtag(self, tag: str) -> None:
        hidden_tag, depth = self._hidden
        if depth:
            self._hidden = (hidden_tag, depth - (tag == hidden_tag))
            return
        if tag in ("style", "script", "title", "template", "noscript"):
            if tag in self._skip:
                while self._skip and self._skip.pop() != tag:
                    pass
                self._titled |= tag == "title"
            return
        if self._skip:
            return
        if self._owner == "li" and (tag in ("p", "pre", "dt", "dd") or tag in _HEADINGS):
            self.handle_data(" ")               # a block in a list item ended: a space
            return
        if self._nested and tag in ("table", "tr", "td", "th", "caption", "thead", "tbody"):
            self._nested -= tag == "table"      # a table in a cell ended: the cell goes on
            if self._runs is not None:
                self.handle_data(" ")
            return
        if tag in _INLINE:
            if self._kern_depth == 1 and tag in ("span", "b") and self._kern:
                self._kern[-1].append(self._close())
                self._kern_depth, self._style = 0, []
                return
            self._kern_depth -= self._kern_depth > 1
            for i in range(len(self._style) - 1, -1, -1):
                if self._style[i][0] == tag:
                    del self._style[i:]
                    break
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._cell["runs"] = self._close()
            self._row["cells"].append(self._cell)
            self._cell = None
        elif self._cell is not None:
            return                          # a block inside a cell ended: the cell goes on
        elif tag == "tr" and self._row is not None and self._table is not None:
            row, self._row = self._row, None
            cells = row["cells"]
            head = row["head"] or (not self._table["rows"] and not self._table["head"] and
                                   cells and all(c["col"] for c in cells))
            if cells:
                (self._table["head"] if head else self._table["rows"]).append(row)
        elif tag == "caption" and self._owner == "caption" and self._table is not None:
            self._table["caption"] = _plain(self._close())
        elif tag == "table" and self._table is not None:
            self._end_table()
        elif tag == "li" and self._kern is not None:
            parts = [p for p in self._kern[-1] if p] if len(self._kern[-1]) > 3 else []
            if parts:                       # more than three lines: the rest on the third
                self._kern[-1][2:] = [[r for p in parts[2:] for r in [*p, [" ", "", ""]]][:-1]]
            while len(self._kern[-1]) < 3:
                self._kern[-1].append([])
        elif tag == "li" and self._lists:
            self._park_item_text()
        elif tag in ("ul", "ol") and self._kern is not None and not self._lists:
            self.blocks.append({"t": "kern", "items": self._kern})
            self._kern = None
        elif tag in ("ul", "ol") and self._lists:
            if self._owner == "li":
                self.handle_endtag("li")
            done = self._lists.pop()
            for it in done["items"]:
                it["runs"], it["tail"] = _trimmed(it["runs"]), _trimmed(it["tail"])
            if not self._lists:
                self.blocks.append({"t": "list", "list": done})
        elif tag == "dt" and self._dl is not None and self._owner == "dt":
            runs = self._close()
            if self._dl and not self._dl[-1][1]:        # two terms for one description
                self._dl[-1][0] += [[" · ", "", ""], *runs]
            else:
                self._dl.append([runs, []])
        elif tag == "dd" and self._dl is not None and self._owner == "dd":
            runs = self._close()
            if not self._dl or self._dl[-1][1]:         # a description without its term
                self._dl.append([[], []])
            self._dl[-1][1] = runs
        elif tag == "dl" and self._dl is not None:
            self.blocks.append({"t": "dl", "items": self._dl})
            self._dl = None
        elif tag in _HEADINGS and self._owner == tag:
            runs = self._close()
            if runs:                        # an empty heading (markdown "#" alone) is no heading
                self.blocks.append({"t": "h", "level": _HEADINGS[tag], "runs": runs,
                                    "first": "eerste" in self._cls})
        elif tag in ("p", "summary") and self._owner == tag:
            runs = self._close()
            if runs:
                self.blocks.append({"t": tag if tag == "summary" else "p", "runs": runs,
                                    "note": "noot" in self._cls})
        elif tag == "pre" and self._owner == "pre":
            text = _plain(self._close())
            self._pre = False
            if text.strip():
                self.blocks.append({"t": "pre", "text": text.strip("\n")})
        elif tag in _CONTAINERS:
            self._flush()

    def _image(self, a: dict[str, str]) -> None:
        """A chart or picture: a block of its own where it stands; inside a line of text (a
        cell, a list item, a heading) its alternative text in its place."""
        alt = a.get("alt", "").strip()
        if self._in_text_block():
            self.handle_data(f" [{alt or NO_ALT}] ")
            return
        split = self._owner == "p"          # an image in a paragraph divides it in two
        cls = self._cls
        if split:
            self.handle_endtag("p")
        self._flush()
        self.blocks.append({"t": "img", "src": a.get("data-bestand", ""), "alt": alt or NO_ALT,
                            "data": a.get("src", ""), "width": _css_px(a.get("width"))})
        if split:
            self._open("p", cls)

    def _end_table(self) -> None:
        table, self._table = self._table, None
        assert table is not None
        if self._owner == "caption":
            table["caption"] = _plain(self._close())
        columns = _columns([*table["head"], *table["rows"]])
        if not columns:                     # no cell: its caption, if any, as text
            if table["caption"]:
                self.blocks.append({"t": "p", "runs": [[table["caption"], "b", ""]],
                                    "note": False})
            return
        table["columns"] = columns
        _place(table)
        self.blocks.append(table)


def _trimmed(runs: Runs) -> Runs:
    """Runs without the white space at their edges, as a browser shows them."""
    runs = [list(r) for r in runs if r[0]]
    if runs:
        runs[0][0] = runs[0][0].lstrip()
        runs[-1][0] = runs[-1][0].rstrip()
    return [r for r in runs if r[0]]


def _span(value: str | None) -> int:
    return max(1, min(int(value), 1000)) if value and value.strip().isdigit() else 1


def _css_px(value: str | None) -> float | None:
    """An img's width attribute in CSS pixels (a number, or one in px); else None."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(px)?\s*", value or "")
    return float(m.group(1)) if m else None


def _columns(rows: list[dict[str, Any]]) -> int:
    """The number of columns the rows fill, with their cells' spans (HTML's table model); a
    row that fills fewer gets empty cells at its end, as a browser leaves them empty (Typst
    would move the next row's cells up into them)."""
    taken: set[tuple[int, int]] = set()
    for y, row in enumerate(rows):
        x = 0
        for c in row["cells"]:
            while (y, x) in taken:
                x += 1
            taken |= {(y + dy, x + dx) for dy in range(c["rowspan"]) for dx in range(c["colspan"])}
            x += c["colspan"]
    width = max((x + 1 for _, x in taken), default=0)
    filled = collections.Counter(y for y, _ in taken)
    for y, row in enumerate(rows):
        free = width - filled[y]
        row["cells"] += [{"runs": [], "align": "right", "colspan": 1, "rowspan": 1,
                          "col": False} for _ in range(free)]
    return width


def _plain(runs: Runs) -> str:
    """The text of runs, without their styles."""
    return "".join(r[0] for r in runs)


def _widths(table: dict[str, Any], width: float, size: float) -> list[float] | None:
    """Per column at font `size`: 0 (as wide as its content) for all when the table fits
    `width` so. Else a column of short cells (figures, a status) gets its content's width in
    points, and the columns of longer text share what is left (a negative number: their
    weight), so that their text wraps and a figure never does. None when the short columns
    alone leave too little."""
    n = table["columns"]
    head = {id(r) for r in table["head"]}
    natural, word, whole = [0] * n, [0] * n, [0] * n     # whole: with the header unwrapped
    for row in [*table["head"], *table["rows"]]:
        x = 0
        for c in row["cells"]:
            if c["colspan"] == 1 and x < n:
                text = _plain(c["runs"])
                word[x] = max(word[x], *(len(w) for w in text.split()), 0)
                whole[x] = max(whole[x], len(text))
                if id(row) not in head:
                    natural[x] = max(natural[x], len(text))
            x += c["colspan"]
    inset = 3 if size < 8 else 4

    def points(chars: int) -> float:
        return round(chars * _CHAR_EM * size + 2 * inset + 1, 1)

    if sum(points(m) for m in whole) <= width:
        return [0] * n
    need = [points(max(m, w)) for m, w in zip(natural, word, strict=True)]
    short = [m <= _SHORT_TEXT for m in natural]
    # the long-text columns need room for 15 characters a line at least
    if sum(p if s else points(15) for p, s in zip(need, short, strict=True)) > width:
        return None
    return [p if s else -max(w, min(m, _LONG_TEXT))
            for p, s, m, w in zip(need, short, natural, word, strict=True)]


def _place(table: dict[str, Any]) -> None:
    """The table's font size and column widths: upright where it fits, else on a page of its
    own turned sideways (landscape), and wider still, in a smaller font that fits that."""
    size = 7.5 if table["columns"] > 7 else 8.5
    widths = _widths(table, _PORTRAIT_PT, size)
    table["landscape"] = widths is None
    if widths is None:
        widths = _widths(table, _LANDSCAPE_PT, size)
    while widths is None and size > 4:
        size -= 0.5
        widths = _widths(table, _LANDSCAPE_PT, size)
    table["size"] = size
    table["widths"] = widths or [0] * table["columns"]


def blocks(page: str) -> dict[str, Any]:
    """The page (page.notebook_html's HTML) as {"title", "blocks", "svgs"} for PDF_TEMPLATE.

    A block is a dict with "t": "h" (level, runs, first), "p" (runs, note), "summary" (runs),
    "list" (list: numbered, start, items of runs, subs and tail), "pre" (text), "kern" (the
    Samenvatting's figures: three runs each), "dl" (items: term and description), "table"
    (caption, head and rows of cells with runs, align, colspan, rowspan; columns, widths,
    size, landscape) or "img" (src: a file in the PDF's folder, data: its data URI, alt,
    width). "svgs" holds the page's inline SVGs, which an img's data "svg:N" names."""
    svgs: list[str] = []
    reader = _Reader()
    reader.feed(_without_svgs(page, svgs))
    reader.close()
    reader._flush()
    out: list[dict[str, Any]] = []
    level = 0
    for b in reader.blocks:
        if b["t"] == "h":       # PDF/UA: the first heading is h1 and no level is skipped;
            b["page"] = b["level"]           # its size and page break stay the page's own
            b["level"] = level = min(b["level"], level + 1)
        # a heading goes with the sideways table it stands above
        if b["t"] == "table" and b["landscape"] and out and out[-1]["t"] == "h":
            b["heading"] = out.pop()
        out.append(b)
    title = reader.title.strip() or next(
        (_plain(b["runs"]) for b in out if b["t"] == "h"), "Bijlagen")
    return {"title": title, "blocks": out, "svgs": svgs}


def _without_svgs(page: str, svgs: list[str]) -> str:
    """The page with each inline SVG (nested ones inside it included) taken out into `svgs`
    and an img in its place, which names it ("svg:N") and carries its title as alt text."""
    parts, depth, start, pos = [], 0, 0, 0
    for m in _SVG_TAG.finditer(page):
        closing, selfclosing = m.group(1) == "/", m.group(0).endswith("/>")
        if not closing and depth == 0:
            parts.append(page[pos:m.start()])
            start = m.start()
        depth += 0 if selfclosing else (-1 if closing else 1)
        if depth <= 0:
            depth = 0
            svg = page[start:m.end()]
            svgs.append(svg)
            parts.append(f'<img src="svg:{len(svgs) - 1}" alt="{_svg_title(svg)}" '
                         f'width="{_svg_width(svg) or ""}">')
            pos = m.end()
    parts.append(page[pos:] if depth == 0 else page[pos:start])
    return "".join(parts)


def _svg_width(svg: str) -> float | None:
    """An SVG's own width in CSS pixels: its width attribute, else its viewBox's."""
    root = re.match(r"<svg\b[^>]*>", svg, re.I)
    if root is None:
        return None
    m = re.search(r"""\swidth\s*=\s*["']?\s*(\d+(?:\.\d+)?)\s*(px|pt)?["'\s>/]""", root.group(0))
    if m:
        return float(m.group(1)) * (4 / 3 if m.group(2) == "pt" else 1)
    m = re.search(r"""viewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+(\d+(?:\.\d+)?)""",
                  root.group(0))
    return float(m.group(1)) if m else None


def _svg_title(svg: str) -> str:
    """An inline SVG's own title (its text alternative), for the PDF's alt text."""
    m = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
    return html.escape(m.group(1).strip() if m else NO_ALT, quote=True)


class PdfUnavailable(RuntimeError):
    """The typesetter (the `typst` package) is not installed."""


PDF_MISSING = ("PDF niet mogelijk: het pakket typst ontbreekt (make install installeert het), "
               "of zet pdf = false onder [publication] in de configuratie, of gebruik "
               "--zonder-pdf")


def check() -> None:
    """PdfUnavailable when the PDF cannot be written here."""
    import importlib.util

    if importlib.util.find_spec("typst") is None:
        raise PdfUnavailable(PDF_MISSING)


@functools.cache
def _fonts() -> Any:
    """The fonts, found once per process: the system's (the template asks for Liberation
    Sans, Arial or DejaVu Sans), and Typst's own (a serif) where none of them is there."""
    import typst

    return typst.Fonts()


def warm() -> None:
    """Load the typesetter and find the fonts (a batch worker does this ahead, ~0,1 s)."""
    try:
        _fonts()
    except ImportError:                 # write says so when a PDF is asked for
        pass


_DATA_URI = re.compile(r"data:image/(png|jpeg|svg\+xml);base64,(.*)", re.S)
_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg"}
# an SVG that refers to anything but itself (an image, a font, a stylesheet): not read
_SVG_REFERS = re.compile(r"""(?:href|src)\s*=\s*["'](?!#|data:)|@import|url\(\s*["']?(?!#)""",
                         re.I)


def _kind(content: bytes) -> str | None:
    """"png", "jpg" or "svg" from the bytes themselves when they are a whole, readable image
    of that kind (what Typst would refuse, and stop the PDF for, is not); else None."""
    for magic, kind in _MAGIC.items():
        if content.startswith(magic):
            from PIL import Image

            try:
                with Image.open(io.BytesIO(content)) as im:
                    im.verify() if kind == "png" else im.load()   # PNG: every chunk's CRC
            except Exception:           # Pillow raises many kinds for a damaged image
                return None
            return kind
    head = content[:1000].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) and b"<svg" in head:
        import xml.etree.ElementTree as ET

        text = content.decode("utf-8", "replace")
        if _SVG_REFERS.search(text):
            return None
        try:
            ET.fromstring(text)             # HTML that is no XML (&nbsp;, an open tag)
        except ET.ParseError:
            return None
        return "svg"
    return None


def _png_width(content: bytes) -> int | None:
    return int.from_bytes(content[16:20], "big") if content.startswith(b"\x89PNG") else None


def write(page: str, path: Path) -> None:
    """`page` as an A4 PDF, tagged (PDF/UA-1), at `path`.

    A chart is read from its file beside the PDF (the img's data-bestand) or else from the
    page itself (its data URI); a plot or inline SVG the notebook shows is written beside the
    PDF for as long as it takes. Nothing else is read: an image from another host, outside the
    PDF's folder, or of another kind (or an SVG that refers to other files) keeps its
    alternative text in its place."""
    try:
        import typst

        fonts = _fonts()
    except ImportError as exc:
        raise PdfUnavailable(f"{PDF_MISSING}: {exc}") from exc
    doc = blocks(page)
    folder = path.parent.resolve()
    loose: list[Path] = []
    try:
        for b in doc["blocks"]:
            if b["t"] == "img" and not _place_image(b, folder, doc["svgs"], loose):
                _as_alt_text(b)
        del doc["svgs"]

        def compiled(**standard: Any) -> bytes:
            compiler = typst.Compiler(PDF_TEMPLATE.encode(), root=str(folder), font_paths=fonts,
                                      sys_inputs={"doc": json.dumps(doc, ensure_ascii=False)})
            data = compiler.compile(format="pdf", **standard)
            assert isinstance(data, bytes)
            return data

        try:
            try:
                data = compiled(pdf_standards="ua-1")
            except typst.TypstError as exc:
                images = [b for b in doc["blocks"] if b["t"] == "img"]
                if "PDF/UA" in str(exc) or not images:
                    raise
                # an image Typst cannot read after all (the checks above let it through):
                # the PDF is written with the alternative texts in the images' places
                print(f"{path.name}: afbeeldingen als tekst ({exc})", file=sys.stderr)
                for b in images:
                    _as_alt_text(b)
                data = compiled(pdf_standards="ua-1")
        except typst.TypstError as exc:
            if "PDF/UA" not in str(exc):
                raise
            # what the notebook added breaks a rule of PDF/UA-1 that the reader cannot mend:
            # the PDF is written all the same, tagged, and the run says why it is not PDF/UA
            print(f"{path.name}: geen PDF/UA-1 ({exc}); wel getagd", file=sys.stderr)
            data = compiled()
    finally:
        for f in loose:
            f.unlink(missing_ok=True)
    path.write_bytes(data)


def _as_alt_text(b: dict[str, Any]) -> None:
    """An img block turned into a note with its alternative text, where the image cannot go."""
    b.update(t="p", runs=[[b["alt"], "", ""]], note=True)


def _place_image(b: dict[str, Any], folder: Path, svgs: list[str], loose: list[Path]) -> bool:
    """Give the img block a file in `folder` that Typst may read (b["src"]) and its width as
    a percentage of the text's; False when there is none to give."""
    uri = b.pop("data")
    content: bytes | None = None
    if b["src"]:
        target = (folder / b["src"]).resolve()
        if target.is_relative_to(folder) and target.is_file():
            content = target.read_bytes()
            if _kind(content) is None:
                content = None
        b["src"] = ""
        if content is not None:
            b["src"] = target.relative_to(folder).as_posix()
    if content is None:
        if uri.startswith("svg:"):          # an inline SVG of the page
            content = svgs[int(uri[4:])].encode()
        elif m := _DATA_URI.match(uri):
            try:
                content = base64.b64decode(m.group(2), validate=False)
            except (binascii.Error, ValueError):
                return False
        if content is None or (kind := _kind(content)) is None:
            return False
        loose.append(folder / f".pdf-afbeelding-{len(loose)}.{kind}")
        loose[-1].write_bytes(content)
        b["src"] = loose[-1].name
    px = b.pop("width") or _png_width(content) or _TEXT_WIDTH_PX
    b["width"] = round(min(100.0, 100 * px / _TEXT_WIDTH_PX), 1)
    return True
