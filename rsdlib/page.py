"""The executed notebook as the council's page: HTML that stands on its own, and its PDF.

The page is built from what the notebook displays (its HTML, images and text outputs), not
from a notebook-interface template: no script, font or style from another host, no
JupyterLab CSS, no code, prompts or stderr. It carries its own small stylesheet, with a print
style (A4, each section on a new page, table headers repeated, rows never split, the title in
the page header and page numbers in the footer) that WeasyPrint follows for `bijlagen.pdf`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

NO_ALT = "Geen beschrijving bij deze afbeelding"
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)")
_STYLE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)

# One stylesheet for screen, print and the PDF. Colours: text #1a1a1a and headers #1f3b73 on
# white (contrast > 10:1); system fonts only.
PAGE_CSS = """
:root{color:#1a1a1a;background:#fff;font:16px/1.45 system-ui,-apple-system,"Segoe UI",
Roboto,"Liberation Sans",Arial,sans-serif}
body{margin:0 auto;max-width:64em;padding:1em 1.5em 3em}
h1{font-size:1.7em;margin:0.4em 0 0.2em;color:#1f3b73;string-set:titel content()}
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
@top-center{content:string(titel);font-size:9pt;color:#333}
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


def warm(pdf: bool = True) -> None:
    """Import what writing a page and its PDF needs (a batch worker does this ahead); without
    `pdf`, WeasyPrint (~0,5 s) is left out."""
    import mistune  # noqa: F401
    if not pdf:
        return
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError):      # no Pango: write_pdf says so when it is asked for
        pass


class PdfUnavailable(RuntimeError):
    """WeasyPrint or the system's Pango is missing."""


PDF_MISSING = ("PDF niet mogelijk: WeasyPrint of de systeembibliotheek Pango ontbreekt "
               "(Debian/Ubuntu: apt-get install libpango-1.0-0 libpangoft2-1.0-0; macOS: brew "
               "install pango), of zet pdf = false onder [publication] in de configuratie, of "
               "gebruik --zonder-pdf")


def check_pdf() -> None:
    """PdfUnavailable when the PDF cannot be written here (checked without importing
    WeasyPrint, which takes half a second)."""
    import ctypes.util
    import importlib.util

    if importlib.util.find_spec("weasyprint") is None:
        raise PdfUnavailable(f"{PDF_MISSING} (WeasyPrint niet geïnstalleerd)")
    if ctypes.util.find_library("pango-1.0") is None and ctypes.util.find_library(
            "libpango-1.0-0") is None:
        raise PdfUnavailable(f"{PDF_MISSING} (Pango niet gevonden)")


# A chart in the page is a data URI with its file beside it (data-bestand): the PDF takes the
# file, which spares WeasyPrint tokenizing ~300 KB of base64 per page.
_DATA_IMG = re.compile(r'src="data:image/png;base64,[^"]*"([^>]*?)\sdata-bestand="([^"]+)"')


def png_idat(png: bytes) -> bytes | None:
    """The compressed pixel data (IDAT chunks) of an 8-bit RGB PNG without interlacing, which
    a PDF takes as it is (FlateDecode with the PNG predictors); None for any other PNG."""
    if png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        return None
    depth, colour, interlace = png[24], png[25], png[28]
    if (depth, colour, interlace) != (8, 2, 0):
        return None
    parts, pos = [], 8
    while pos + 8 <= len(png):
        size = int.from_bytes(png[pos:pos + 4], "big")
        if png[pos + 4:pos + 8] == b"IDAT":
            parts.append(png[pos + 8:pos + 8 + size])
        pos += size + 12                  # length, type, data, CRC
    return b"".join(parts) or None


def _pass_png_through() -> None:
    """WeasyPrint (70) puts a PNG into the PDF by decoding it and encoding it again at zlib
    level 6 (RasterImage._get_png_data), only to take the IDAT chunks of the result: about
    0,1 s per chart at 2x, half of the PDF's writing. A chart of ours is 8-bit RGB already: its
    own IDAT chunks go into the PDF unchanged (the same pixels; checked in test_page). Any
    other image (alpha, palette, 16 bits, a converted one) goes WeasyPrint's way."""
    from weasyprint.images import RasterImage

    encode = RasterImage._get_png_data
    if getattr(encode, "rsd_passthrough", False):
        return

    def get_png_data(pillow_image):
        fp = getattr(pillow_image, "fp", None)       # the unread PNG it was opened from
        if getattr(pillow_image, "format", None) == "PNG" and hasattr(fp, "getvalue"):
            data = png_idat(fp.getvalue())
            if data is not None:
                return data
        return encode(pillow_image)

    get_png_data.rsd_passthrough = True  # type: ignore[attr-defined]
    RasterImage._get_png_data = staticmethod(get_png_data)


def write_pdf(page: str, path: Path) -> None:
    """The page as an A4 PDF, tagged for accessibility (PDF/UA-1), written to `path`; its
    charts are read from the files beside it."""
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"{PDF_MISSING}: {exc}") from exc
    _pass_png_through()
    folder = path.parent.resolve()
    source = _DATA_IMG.sub(lambda m: f'src="{(folder / m.group(2)).as_uri()}"{m.group(1)}',
                           page)
    # the page's own files only: nothing is fetched from another host, and a missing file fails
    local = URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
    HTML(string=source, base_url=folder.as_uri() + "/", url_fetcher=local).write_pdf(
        str(path), pdf_variant="pdf/ua-1", pdf_tags=True)
