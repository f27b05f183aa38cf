"""The executed notebook as the council's page: HTML that stands on its own.

The page is built from what the notebook displays (its HTML, images and text outputs), not
from a notebook-interface template: no script, font or style from another host, no
JupyterLab CSS, no code, prompts or stderr. It carries its own small stylesheet, with a print
style for a browser (A4, each section on a new page, table headers repeated, rows never
split, page numbers where the browser supports page margin boxes); `bijlagen.pdf` is set from
the same page by rsdlib.pdf.
"""

from __future__ import annotations

import html
import re

NO_ALT = "Geen beschrijving bij deze afbeelding"
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)

# One stylesheet for screen and a browser's print (bijlagen.pdf is set apart: rsdlib.pdf).
# Colours: text #1a1a1a and headers #1f3b73 on white (contrast > 10:1); system fonts only.
PAGE_CSS = """
:root{color:#1a1a1a;background:#fff;font:16px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Liberation Sans",Arial,sans-serif}
body{margin:0 auto;max-width:64em;padding:1em 1.5em 3em}
h1{font-size:1.7em;margin:0.4em 0 0.2em;color:#1f3b73}
h2{font-size:1.35em;margin:1.6em 0 0.4em;padding-top:0.4em;border-top:2px solid #1f3b73;
color:#1f3b73}
h3{font-size:1.1em;margin:1.2em 0 0.3em}
p,li,dd{max-width:48em}
figure{margin:1em 0 1.8em}
figure img{max-width:100%;height:auto}
table.rsd{border-collapse:collapse;margin:0.5em 0 0.4em;font-size:0.9em}
table.rsd caption{text-align:left;font-weight:bold;padding:0.3em 0;caption-side:top}
table.rsd th,table.rsd td{border-bottom:1px solid #bbb;padding:0.2em 0.6em;vertical-align:top}
table.rsd thead th{background:#1f3b73;color:#fff;text-align:right;font-weight:bold}
table.rsd thead th:first-child,table.rsd thead th.tekst{text-align:left}
table.rsd td{text-align:right;font-variant-numeric:tabular-nums}
table.rsd td.tekst{text-align:left;max-width:32em}
table.rsd tbody th{text-align:left;font-weight:normal}
table.rsd tr.sub th{padding-left:1.6em}
table.rsd tr.totaal th,table.rsd tr.totaal td{font-weight:bold}
p.noot{font-size:0.85em;color:#333;margin:0 0 1.5em}
dl.samenvatting{display:grid;grid-template-columns:max-content 1fr;gap:0.2em 1.2em}
ul.kerncijfers{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:0.8em}
ul.kerncijfers li{border:1px solid #1f3b73;padding:0.5em 0.9em;min-width:11em}
ul.kerncijfers b{display:block;font-size:1.5em}
details{margin:1em 0}
summary{cursor:pointer;font-weight:bold;color:#1f3b73}
code{overflow-wrap:anywhere;font-size:0.85em}
@page{size:A4;margin:20mm 15mm 18mm;
@bottom-right{content:"pagina " counter(page) " van " counter(pages);font-size:9pt;color:#333}}
@media print{
:root{font-size:10pt}
body{max-width:none;padding:0}
h2{break-before:page;border-top:0;padding-top:0}
h2.eerste{break-before:auto}
h2,h3,caption{break-after:avoid}
table.rsd{font-size:8.5pt}
thead{display:table-header-group}
tr,figure,img,li{break-inside:avoid}
details>summary{list-style:none}
}
"""


def _output_html(output) -> str:
    """One output of a code cell as HTML: its HTML, an image, or text; stderr left out."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr":
            return ""
        return f"<pre>{html.escape(output.get('text', ''))}</pre>"
    if kind not in ("display_data", "execute_result"):
        return ""
    data = output.get("data", {})
    if "text/html" in data:
        return _STYLE.sub("", "".join(data["text/html"]))
    if "image/svg+xml" in data:
        return "".join(data["image/svg+xml"])
    for mime in ("image/png", "image/jpeg"):
        if mime in data:
            src = "".join(data[mime]).replace("\n", "")
            return f'<img src="data:{mime};base64,{src}" alt="{NO_ALT}">'
    if "text/plain" in data:
        return f"<pre>{html.escape(''.join(data['text/plain']))}</pre>"
    return ""


def notebook_html(notebook, title: str) -> str:
    """The executed notebook (papermill's node) as a page that needs nothing from elsewhere:
    what its cells display, in order, with no code, prompts or stderr."""
    parts: list[str] = []
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            import mistune

            rendered = mistune.html(cell.source)
            # mistune's HTML renderer gives text (its type names the AST renderer's list too)
            assert isinstance(rendered, str)
            parts.append(rendered)
        elif cell.cell_type == "code":
            parts.extend(_output_html(o) for o in cell.get("outputs", ()))
    body = _IMG_NO_ALT.sub(f'<img alt="{NO_ALT}"', "\n".join(p for p in parts if p))
    return ("<!DOCTYPE html>\n"
            f'<html lang="nl"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{PAGE_CSS}</style></head>"
            f"<body><main>\n{body}\n</main></body></html>\n")


def warm() -> None:
    """Import what writing a page needs (a batch worker does this ahead)."""
    import mistune  # noqa: F401
