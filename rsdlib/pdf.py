"""bijlagen.pdf from the page: the page's own HTML read into a list of blocks (headings,
paragraphs, tables, charts), which a fixed Typst template (PDF_TEMPLATE) sets as an A4 PDF,
tagged for accessibility (PDF/UA-1).

Why Typst and not an HTML engine: the page is ours and has few kinds of element, and Typst
(the `typst` wheel, a compiled typesetter with no system libraries) sets its 15-20 pages in a
tenth of a second where WeasyPrint took two; with four PDFs per batch that decided whether
the batch keeps within 1,5 x papermill's floor. The figures reach Typst as data (JSON in
`sys.inputs`), never as markup: nothing in a table cell or a label is read as Typst code.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rsdlib.page import NO_ALT

# Typst source: page set-up, styles and one function per kind of block. The document arrives
# as JSON in sys.inputs.doc ({"title", "blocks"}); see `blocks` for the kinds.
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
#set figure.caption(separator: none)
#set table.cell(breakable: false)

#let run(r) = {
  let (s, st) = r
  if st == "b" { strong(s) }
  else if st == "i" { emph(s) }
  else if st == "code" { raw(s) }
  else if st == "nowrap" { box(s) }
  else { s }
}
#let runs(rs) = rs.map(run).join()

#let rsd-table(b) = {
  let n = b.head.len()
  // 0: as wide as the content; > 0: points; < 0: a share of what is left
  let widths = b.widths.map(w => if w == 0 { auto } else if w > 0 { w * 1pt } else { -w * 1fr })
  let aligns = b.head.map(c => if c.left { left } else { right })
  let cells = ()
  for row in b.rows {
    let bold = row.kind == "totaal"
    for (i, c) in row.cells.enumerate() {
      let body = runs(c.runs)
      if bold { body = strong(body) }
      if i == 0 and row.kind == "sub" { body = pad(left: 1.2em, body) }
      cells.push(table.cell(align: if c.left { left } else { right }, body))
    }
  }
  figure(kind: table, supplement: none, numbering: none,
    caption: figure.caption(b.caption),
    text(size: if n > 7 { 7.5pt } else { 8.5pt },
    table(columns: widths, align: aligns, inset: (x: if n > 7 { 3pt } else { 4pt }, y: 2.5pt),
      stroke: (x, y) => (bottom: 0.5pt + rgb("#bbbbbb")),
      table.header(..b.head.map(c => table.cell(fill: blauw,
        align: if c.left { left } else { right },
        text(fill: white, weight: "bold", hyphenate: true, c.text)))),
      ..cells)))
}

#for b in doc.blocks {
  if b.t == "h" {
    if b.level == 2 and not b.first { pagebreak(weak: true) }
    heading(level: b.level, runs(b.runs))
  } else if b.t == "p" {
    if b.note { text(8.5pt, fill: grijs, runs(b.runs)) ; parbreak() } else { par(runs(b.runs)) }
  } else if b.t == "summary" {
    par(strong(runs(b.runs)))
  } else if b.t == "ul" {
    if b.numbered { enum(..b.items.map(runs)) } else { list(..b.items.map(runs)) }
  } else if b.t == "pre" {
    block(fill: rgb("#f4f4f4"), inset: 6pt, width: 100%, raw(b.text, block: true))
  } else if b.t == "kern" {
    grid(columns: (1fr,) * calc.min(b.items.len(), 4), gutter: 6pt,
      ..b.items.map(it => block(stroke: 0.8pt + blauw, inset: 6pt, width: 100%, breakable: false,
        stack(spacing: 4pt, text(8.5pt, runs(it.at(0))), text(15pt, weight: "bold", runs(it.at(1))),
          text(8.5pt, runs(it.at(2)))))))
  } else if b.t == "dl" {
    grid(columns: (auto, 1fr), column-gutter: 1.2em, row-gutter: 0.5em,
      ..b.items.map(it => (strong(runs(it.at(0))), runs(it.at(1)))).flatten())
  } else if b.t == "table" {
    if b.landscape {
      page(flipped: true, {
        if "heading" in b { heading(level: b.heading.level, runs(b.heading.runs)) }
        rsd-table(b)
      })
    } else { rsd-table(b) }
  } else if b.t == "img" {
    figure(image(b.src, width: b.width * 1%, alt: b.alt))
  }
}
"""

_INLINE = {"b": "b", "strong": "b", "code": "code", "em": "i", "i": "i", "abbr": "",
           "span": "", "a": "", "small": "", "sup": "", "sub": "", "u": "", "mark": ""}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 3, "h5": 3, "h6": 3}
_LONG_TEXT = 40            # characters: in a table wider than the page, longer cells wrap
_SHORT_TEXT = 14           # characters: and shorter ones (a figure, a status) do not
_TEXT_WIDTH_PX = 680       # the A4 text width (180 mm) in CSS pixels: a chart no wider than it
_TEXT_WIDTH_PT = 510       # and in points
_TEXT_HEIGHT_PT = 755      # the width of a landscape page's text
_CHAR_EM = 0.55            # the mean width of a character (Liberation Sans), in em
_SVG = re.compile(r"<svg\b.*?</svg>", re.S | re.I)

Runs = list[list[str]]     # [text, style] pairs; style "", "b", "i", "code" or "nowrap"


class _Reader(HTMLParser):
    """The page's body as blocks, its few kinds of element each as the PDF shows them; text in
    any other element still reaches the PDF, as a paragraph."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.blocks: list[dict[str, Any]] = []
        self._runs: Runs | None = None      # the text of the element being read
        self._owner = ""                    # the element whose text it is
        self._style: list[str] = []         # the inline styles open
        self._skip = 0                      # inside <style>, <script> or <title>
        self._pre = False
        self._cls: set[str] = set()         # the class of the block being read
        self._table: dict[str, Any] | None = None
        self._row: dict[str, Any] | None = None
        self._cell: dict[str, Any] | None = None
        self._kern: list[list[Runs]] | None = None
        self._list: list[Runs] | None = None
        self._numbered = False
        self._dl: list[list[Runs]] | None = None

    # -- text
    def handle_data(self, data: str) -> None:
        if self._skip:
            if self._owner == "title":
                self.title += data
            return
        if self._runs is None:              # loose text (a div's, a blockquote's)
            if not data.strip():
                return
            self._open("loose", set())
        assert self._runs is not None
        text = data if self._pre else re.sub(r"\s+", " ", data)
        style = next((s for s in reversed(self._style) if s), "")
        if self._runs and self._runs[-1][1] == style:
            self._runs[-1][0] += text
        else:
            self._runs.append([text, style])

    def _open(self, owner: str, cls: set[str]) -> None:
        self._flush()
        self._runs, self._owner, self._cls, self._style = [], owner, cls, []

    def _close(self) -> Runs:
        runs, self._runs, self._owner = self._runs or [], None, ""
        if runs and not self._pre:          # trim the edges, as a browser does
            runs[0][0] = runs[0][0].lstrip()
            runs[-1][0] = runs[-1][0].rstrip()
        return [r for r in runs if r[0]]

    def _flush(self) -> None:
        """Loose text, or a list item with a list inside, ends where a block starts."""
        if self._owner == "loose":
            if runs := self._close():
                self.blocks.append({"t": "p", "runs": runs, "note": False})
        elif self._owner == "li" and self._list is not None:
            if runs := self._close():
                self._list.append(runs)

    # -- elements
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        cls = set(a.get("class", "").split())
        if tag in ("style", "script", "title", "head"):
            self._skip += 1
            self._owner = tag if tag == "title" else self._owner
        elif self._skip:
            return
        elif tag in _INLINE and self._runs is not None:
            self._style.append("nowrap" if "nowrap" in a.get("style", "") else _INLINE[tag])
        elif tag in ("span", "b") and self._kern:
            self._runs = []                 # a line of the figure's box
        elif tag == "br" and self._runs is not None:
            self.handle_data("\n" if self._pre else " ")
        elif tag == "img":
            self._flush()
            width = float(a.get("width") or _TEXT_WIDTH_PX)
            self.blocks.append({"t": "img", "src": a.get("data-bestand", ""),
                                "alt": a.get("alt", ""), "data": a.get("src", ""),
                                "width": round(min(100.0, 100 * width / _TEXT_WIDTH_PX), 1)})
        elif tag == "table":
            self._flush()
            self._table = {"t": "table", "caption": "", "head": [], "rows": []}
        elif tag == "tr" and self._table is not None:
            kind = "totaal" if "totaal" in cls else "sub" if "sub" in cls else ""
            self._row = {"kind": kind, "cells": [], "head": False}
        elif tag in ("th", "td") and self._row is not None:
            column_head = tag == "th" and a.get("scope") == "col"
            self._row["head"] |= column_head
            left = "tekst" in cls or (not self._row["cells"] if column_head else tag == "th")
            self._cell = {"left": left}
            self._open(tag, cls)
        elif tag == "caption":
            self._open(tag, cls)
        elif tag in ("ul", "ol"):
            self._flush()
            if "kerncijfers" in cls:
                self._kern = []
            elif self._list is None:        # a list in a list: its items join the outer one
                self._list, self._numbered = [], tag == "ol"
        elif tag == "li":
            if self._kern is not None:
                self._kern.append([])
            else:
                self._open("li", cls)
        elif tag == "dl":
            self._flush()
            self._dl = []
        elif tag == "p" and self._owner == "li":
            self.handle_data(" ")           # a loose list's item: its paragraphs are the item
        elif tag in ("dt", "dd", "p", "summary", "pre") or tag in _HEADINGS:
            self._open(tag, cls)
            self._pre = tag == "pre"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title", "head"):
            self._skip = max(0, self._skip - 1)
            self._owner = "" if tag == "title" else self._owner
        elif self._skip:
            return
        elif tag in ("span", "b") and self._kern:
            self._kern[-1].append(self._close())
        elif tag in _INLINE and self._runs is not None and self._style:
            self._style.pop()
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._cell["runs"] = self._close()
            self._row["cells"].append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            if self._row["head"]:
                self._table["head"] = [{"text": "".join(r[0] for r in c["runs"]),
                                        "left": c["left"]} for c in self._row["cells"]]
            else:
                self._table["rows"].append({"kind": self._row["kind"],
                                            "cells": self._row["cells"]})
            self._row = None
        elif tag == "caption" and self._table is not None:
            self._table["caption"] = "".join(r[0] for r in self._close())
        elif tag == "table" and self._table is not None:
            table, self._table = self._table, None
            if not table["head"] and table["rows"]:     # no header row: the first row is it
                first = table["rows"].pop(0)["cells"]
                table["head"] = [{"text": "".join(r[0] for r in c["runs"]), "left": c["left"]}
                                 for c in first]
            width = max([len(table["head"]), *(len(r["cells"]) for r in table["rows"])])
            if width:
                table["head"] += [{"text": "", "left": False}] * (width - len(table["head"]))
                for r in table["rows"]:
                    r["cells"] += [{"left": False, "runs": []}] * (width - len(r["cells"]))
                _place(table)
                self.blocks.append(table)
        elif tag == "li":
            if self._kern is not None:
                while len(self._kern[-1]) < 3:
                    self._kern[-1].append([])
            elif self._list is not None and self._owner == "li":
                self._list.append(self._close())
        elif tag in ("ul", "ol"):
            if self._kern is not None:
                self.blocks.append({"t": "kern", "items": self._kern})
                self._kern = None
            elif self._list is not None and self._runs is None:
                self.blocks.append({"t": "ul", "items": [i for i in self._list if i],
                                    "numbered": self._numbered})
                self._list = None
        elif tag == "dt" and self._dl is not None:
            self._dl.append([self._close()])
        elif tag == "dd" and self._dl is not None:
            if not self._dl or len(self._dl[-1]) == 2:
                self._dl.append([[]])
            self._dl[-1].append(self._close())
        elif tag == "dl" and self._dl is not None:
            self.blocks.append({"t": "dl", "items": self._dl})
            self._dl = None
        elif tag in _HEADINGS and self._owner == tag:
            self.blocks.append({"t": "h", "level": _HEADINGS[tag], "runs": self._close(),
                                "first": "eerste" in self._cls})
        elif tag == "p" and self._owner == "p":
            self.blocks.append({"t": "p", "runs": self._close(), "note": "noot" in self._cls})
        elif tag == "summary" and self._owner == "summary":
            self.blocks.append({"t": "summary", "runs": self._close()})
        elif tag == "pre" and self._owner == "pre":
            text = "".join(r[0] for r in self._close())
            self._pre = False
            self.blocks.append({"t": "pre", "text": text.strip("\n")})
        elif tag in ("div", "section", "blockquote", "main", "body", "details", "aside",
                     "figure", "figcaption"):
            self._flush()


def _widths(table: dict[str, Any], width: float = _TEXT_WIDTH_PT) -> list[float] | None:
    """Per column: 0 (as wide as its content) for all when the table fits `width` so. Else a
    column of short cells (figures, a status) gets its content's width in points, and the
    columns of longer text share what is left (a negative number: their weight), so that their
    text wraps and a figure never does. None when the short columns alone leave too little."""
    cells = [[c["text"] for c in table["head"]]]
    cells += [["".join(r[0] for r in c["runs"]) for c in row["cells"]] for row in table["rows"]]
    columns = list(zip(*cells, strict=True))
    natural = [max(len(t) for t in col[1:]) if len(col) > 1 else 0 for col in columns]
    word = [max((len(w) for t in col for w in t.split()), default=0) for col in columns]
    size, inset = (7.5, 3) if len(columns) > 7 else (8.5, 4)

    def points(chars: int) -> float:
        return round(chars * _CHAR_EM * size + 2 * inset + 1, 1)

    need = [points(max(n, w)) for n, w in zip(natural, word, strict=True)]
    if sum(need) <= width:
        return [0] * len(columns)
    short = [n <= _SHORT_TEXT for n in natural]
    if sum(p for p, s in zip(need, short, strict=True) if s) > 0.7 * width:
        return None
    return [p if s else -max(w, min(n, _LONG_TEXT))
            for p, s, n, w in zip(need, short, natural, word, strict=True)]


def _place(table: dict[str, Any]) -> None:
    """The table's column widths, on a page of its own turned sideways (landscape) when it
    does not fit the page's width upright; wider still, every column wraps in proportion."""
    widths = _widths(table)
    table["landscape"] = widths is None
    if widths is None:
        widths = _widths(table, _TEXT_HEIGHT_PT)
    if widths is None:
        natural = [max([len(c["text"]), *(sum(len(r[0]) for r in row["cells"][i]["runs"])
                                          for row in table["rows"])])
                   for i, c in enumerate(table["head"])]
        widths = [-max(1, min(n, _LONG_TEXT)) for n in natural]
    table["widths"] = widths


def blocks(page: str) -> dict[str, Any]:
    """The page (page.notebook_html's HTML) as {"title", "blocks"} for PDF_TEMPLATE."""
    svgs: list[str] = []

    def placeholder(m: re.Match[str]) -> str:
        svgs.append(m.group(0))
        return f'<img src="svg:{len(svgs) - 1}" alt="{_svg_title(m.group(0))}">'

    reader = _Reader()
    reader.feed(_SVG.sub(placeholder, page))
    reader.close()
    reader._flush()
    out: list[dict[str, Any]] = []
    level = 0
    for b in reader.blocks:
        if b["t"] == "h":       # PDF/UA: the first heading is h1 and no level is skipped
            b["level"] = level = min(b["level"], level + 1)
        elif b["t"] == "img" and not b["alt"].strip():
            b["alt"] = NO_ALT
        # a heading goes with the sideways table it stands above
        if b["t"] == "table" and b["landscape"] and out and out[-1]["t"] == "h":
            b["heading"] = out.pop()
        out.append(b)
    return {"title": reader.title.strip(), "blocks": out, "svgs": svgs}


def _svg_title(svg: str) -> str:
    """An inline SVG's own title (its text alternative), for the PDF's alt text."""
    m = re.search(r"<title[^>]*>(.*?)</title>", svg, re.S)
    return html.escape(m.group(1).strip() if m else "Afbeelding", quote=True)


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
    """The fonts, found once per process: the system's, and Typst's own as the fallback."""
    import typst

    return typst.Fonts()


def warm() -> None:
    """Load the typesetter and find the fonts (a batch worker does this ahead, ~0,1 s)."""
    try:
        _fonts()
    except ImportError:                 # write says so when a PDF is asked for
        pass


_DATA_URI = re.compile(r"data:image/(png|jpeg|svg\+xml);base64,(.*)", re.S)


def write(page: str, path: Path) -> None:
    """`page` as an A4 PDF, tagged (PDF/UA-1), at `path`. A chart is read from its file beside
    the PDF (the img's data-bestand, inside the PDF's folder: Typst reads nothing outside its
    root); an image that is only a data URI (a plot the notebook shows) is written beside it
    for as long as the PDF takes."""
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
            if b["t"] != "img":
                continue
            uri = b.pop("data")                 # the chart's file is what the PDF takes
            if b["src"] and not (folder / b["src"]).resolve().is_relative_to(folder):
                b.update(t="p", runs=[[b["alt"], ""]], note=True)   # not read: its text kept
                continue
            if not b["src"]:
                m = _DATA_URI.match(uri)
                if uri.startswith("svg:"):      # an inline SVG of the page
                    kind, content = "svg", doc["svgs"][int(uri[4:])].encode()
                elif m is not None:
                    kind, content = m.group(1)[:4], base64.b64decode(m.group(2))
                else:                   # an image from elsewhere: not fetched, its text kept
                    b.update(t="p", runs=[[b["alt"], ""]], note=True)
                    continue
                loose.append(folder / f".pdf-afbeelding-{len(loose)}.{kind}")
                loose[-1].write_bytes(content)
                b["src"] = loose[-1].name
        del doc["svgs"]
        compiler = typst.Compiler(PDF_TEMPLATE.encode(), root=str(folder), font_paths=fonts,
                                  sys_inputs={"doc": json.dumps(doc, ensure_ascii=False)})
        try:
            data = compiler.compile(format="pdf", pdf_standards="ua-1")
        except typst.TypstError as exc:
            if "PDF/UA" not in str(exc):
                raise
            # what the notebook added breaks a rule of PDF/UA-1 that the page cannot mend: the
            # PDF is still written, tagged, and the run says why it is not PDF/UA
            print(f"{path}: geen PDF/UA-1 ({exc}); de PDF is wel getagd", file=sys.stderr)
            data = compiler.compile(format="pdf")
    finally:
        for f in loose:
            f.unlink(missing_ok=True)
    assert isinstance(data, bytes)
    path.write_bytes(data)
