"""bijlagen.pdf (rsdlib.pdf) as its reader gets it: read back with poppler (pdftotext, pdfinfo,
pdfimages), from pages built the way a batch builds them (rsdlib.page from a notebook's
outputs), never from the writer's own structures."""

from __future__ import annotations

import base64
import html
import io
import re
import shutil
import subprocess

import nbformat
import numpy as np
import pandas as pd
import pytest
from PIL import Image

from rsdlib import charts, page, pdf

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdftotext) ontbreekt")


def built(tmp_path, *outputs: str, markdown: str = "", title: str = "Bijlagen 2019 — Proef"):
    """The PDF of a page whose notebook displays `outputs` (HTML) after a markdown cell."""
    nb = nbformat.v4.new_notebook()
    if markdown:
        nb.cells.append(nbformat.v4.new_markdown_cell(markdown))
    cell = nbformat.v4.new_code_cell()
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/html": o})
                    for o in (f"<h1>{html.escape(title)}</h1>", *outputs)]
    nb.cells.append(cell)
    path = tmp_path / "bijlagen.pdf"
    pdf.write(page.notebook_html(nb, title), path)
    return path


def text(path, layout: bool = True) -> str:
    return subprocess.run(["pdftotext", *(["-layout"] if layout else []), str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def info(path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return dict(line.split(":", 1) for line in out.splitlines() if ":" in line)


def table(caption: str, head: list[str], rows: list[list[str]], kinds=()) -> str:
    """A table as rsdlib.report writes one: row labels as th, figures as td."""
    body = "".join(
        f'<tr class="{kind}"><th scope="row">{r[0]}</th>'
        + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>"
        for r, kind in zip(rows, [*kinds, *[""] * len(rows)], strict=False))
    return (f'<table class="rsd"><caption>{caption}</caption><thead><tr>'
            + "".join(f'<th scope="col">{h}</th>' for h in head)
            + f"</tr></thead><tbody>{body}</tbody></table>")


def test_a_table_reads_back_row_by_row_under_its_caption(tmp_path):
    rows = [["Trede 1 Geen aanbod", "156", "116", "266", "538", "25,68 %"],
            ["Trede 2a Basis dienstverlening", "127", "85", "230", "442", "21,10 %"],
            ["Totaal", "569", "448", "1.078", "2.095", "100,00 %"]]
    path = built(tmp_path, "<h2 class='eerste'>Bijlagen</h2>" + table(
        "Bijlage 2.1. Bestandsopbouw — RSD 2019",
        ["Trede", "Duiven", "Westervoort", "Zevenaar", "RSD", "%"], rows,
        kinds=["", "sub", "totaal"]))
    got = text(path)
    assert "Bijlage 2.1. Bestandsopbouw — RSD 2019" in got
    assert re.search(r"Trede\s+Duiven\s+Westervoort\s+Zevenaar\s+RSD\s+%", got)
    lines = [re.sub(r"\s+", " ", line).strip() for line in got.splitlines()]
    found = [lines.index(" ".join(r)) for r in rows]          # each row whole, on one line
    assert found == sorted(found)


def test_a_long_table_repeats_its_header_and_never_splits_a_row(tmp_path):
    rows = [[f"Maand {i:03d} met een omschrijving", str(1000 + i), f"{i},5 %"]
            for i in range(150)]
    path = built(tmp_path, table("Maandcijfers", ["Maand", "Dossiers", "Aandeel"], rows))
    pages = text(path).split("\f")[:-1]
    assert len(pages) >= 3 and int(info(path)["Pages"]) == len(pages)
    for p in pages:
        assert re.search(r"Maand\s+Dossiers\s+Aandeel", p)            # header on every page
    flat = re.sub(r"\s+", " ", " ".join(pages))
    for r in rows:
        assert " ".join(r) in flat


def test_a4_tagged_pdf_ua_with_title_header_and_page_numbers(tmp_path):
    path = built(tmp_path, "<h2 class='eerste'>Eén</h2><p>tekst</p>", "<h2>Twee</h2><p>meer</p>",
                 title="Bijlagen 2019 — Duiven")
    meta = info(path)
    assert re.match(r"\s*595\.\d* x 841\.\d* pts", meta["Page size"])            # A4
    assert meta["Tagged"].strip() == "yes" and meta["Title"].strip() == "Bijlagen 2019 — Duiven"
    assert re.search(rb"pdfuaid:part>\s*1\s*<", path.read_bytes())              # PDF/UA-1
    pages = text(path).split("\f")[:-1]
    assert len(pages) == 2                                          # a section: a new page
    for i, p in enumerate(pages, start=1):
        assert "Bijlagen 2019 — Duiven" in p and f"pagina {i} van 2" in p


@pytest.mark.parametrize("odd", [
    '#panic("x")', "$x^2$", "*vet* _schuin_", "<label> @ref", "]) [", "\\ // /* */",
    '#set text(size: 40pt)', "`raw`", "= kop", "- lijst", "~ ' \"",
])
def test_text_is_set_as_text_never_as_typst(tmp_path, odd):
    """Whatever a label or cell holds, the PDF prints it as it is: nothing of it is read as
    Typst markup or code."""
    escaped = odd.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path = built(tmp_path, f"<h2 class='eerste'>Kop {escaped}</h2><p>Alinea {escaped}</p>"
                 + table(f"Tabel {escaped}", ["Regel", f"Kolom {escaped}"],
                         [[f"Rij {escaped}", f"cel {escaped}"]]),
                 title=f"Titel {odd}")
    got = re.sub(r"\s+", " ", text(path, layout=False))
    odd = re.sub(r"\s+", " ", odd)
    for where in ("Kop", "Alinea", "Tabel", "Rij", "cel", "Kolom", "Titel"):
        assert f"{where} {odd}" in got, where


def test_charts_keep_their_pixels_and_nothing_is_left_beside_the_pdf(tmp_path):
    """A chart is read from its file (data-bestand); a plot the notebook shows only as a data
    URI (with transparency) is written beside the PDF for as long as it takes. Both come out
    of the PDF pixel for pixel (pdfimages)."""
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages (poppler-utils) ontbreekt")
    chart = charts.bars("proef", pd.Series([5, 8, 3], index=["a", "b", "c"]), "Klanten",
                        "Groep", "Aantal")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "proef.png").write_bytes(chart.png())
    rgba = np.zeros((20, 30, 4), dtype=np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, np.arange(30, dtype=np.uint8) * 8   # transparency
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    uri = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    path = built(tmp_path, '<figure><img src="data:image/png;base64,AA" width="800" '
                 'height="400" alt="grafiek" data-bestand="figures/proef.png"></figure>',
                 f'<img src="{uri}" alt="alfa">')
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bijlagen.pdf", "figures"]
    subprocess.run(["pdfimages", "-png", str(path), str(tmp_path / "x")], check=True)
    got = [np.asarray(Image.open(p)) for p in sorted(tmp_path.glob("x-*.png"))]
    assert len(got) == 3                                # the chart, alfa and alfa's mask
    chart_pixels = np.asarray(Image.open(io.BytesIO(chart.png())).convert("RGB"))
    assert np.array_equal(got[0], chart_pixels)
    assert np.array_equal(got[1], rgba[..., :3]) and np.array_equal(got[2], rgba[..., 3])


def test_nothing_is_read_from_outside_the_pdfs_folder_or_another_host(tmp_path):
    """An image outside the PDF's folder or on another host is not read: its alt text
    stands in its place."""
    if shutil.which("pdfimages") is None:
        pytest.skip("pdfimages (poppler-utils) ontbreekt")
    secret = tmp_path / "geheim.png"
    Image.new("RGB", (10, 10), "red").save(secret)
    folder = tmp_path / "scope"
    folder.mkdir()
    path = built(folder, '<img src="x" alt="buiten de map" data-bestand="../geheim.png">',
                 '<img src="https://example.org/a.png" alt="van elders">')
    listing = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True,
                             text=True, check=True).stdout
    assert len(listing.strip().splitlines()) == 2                 # its header only: no image
    got = text(path)
    assert "buiten de map" in got and "van elders" in got


def test_markdown_lists_code_and_loose_text_all_reach_the_pdf(tmp_path):
    """What an analyst adds to the notebook (markdown, printed text, a bare div) is in the
    PDF too, in the page's order."""
    nb_md = "## Toelichting\n\nEen *korte* uitleg.\n\n1. eerste punt\n2. tweede punt\n"
    path = built(tmp_path, "<div>losse tekst in een div</div>",
                 "<pre>regel een\n  regel twee</pre>", markdown=nb_md)
    got = text(path)
    order = [got.index(s) for s in ("Toelichting", "Een korte uitleg.", "eerste punt",
                                    "tweede punt", "losse tekst in een div", "regel een",
                                    "regel twee")]
    assert order == sorted(order)
    assert re.search(r"1\.\s+eerste punt", got) and re.search(r"2\.\s+tweede punt", got)


def test_a_table_too_wide_for_the_page_gets_a_page_turned_sideways(tmp_path):
    head = ["Resultaatafspraak", *[f"Kolom {i}" for i in range(14)]]
    rows = [[f"Afspraak {r} met een lange omschrijving", *[f"{r}{i},00 %" for i in range(14)]]
            for r in range(5)]
    path = built(tmp_path, "<h2 class='eerste'>Samenvatting</h2><p>eerst dit</p>",
                 "<h2>Breed</h2>" + table("Brede tabel", head, rows))
    sizes = subprocess.run(["pdfinfo", "-f", "1", "-l", "9", str(path)], capture_output=True,
                           text=True, check=True).stdout
    pages = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", sizes)
    assert [float(w) > float(h) for w, h in pages] == [False, True]   # the second: landscape
    second = text(path).split("\f")[1]
    assert "Breed" in second                                # its heading went with it
    for r in rows:
        assert re.search(r"\s+".join(map(re.escape, r[1:])), second)   # no figure wrapped


def test_headings_an_analyst_adds_keep_the_pdf_ua(tmp_path):
    """A notebook whose first heading is a level-4 one (markdown ####, before the page's
    title) still gives a PDF/UA-1 document, the heading's text in its place."""
    path = built(tmp_path, "<p>na de kop</p>", markdown="#### Eigen toelichting\n\ntekst\n")
    assert re.search(rb"pdfuaid:part>\s*1\s*<", path.read_bytes())
    got = text(path)
    assert got.index("Eigen toelichting") < got.index("tekst") < got.index("na de kop")


def test_nested_lists_keep_every_item_and_the_text_after_them(tmp_path):
    """Markdown's nested and numbered lists: every item, the sub-items under theirs, and the
    paragraphs after the list, in the page's order."""
    md = ("- een\n  - een a\n  - een b\n- twee na de geneste\n- drie\n\nslot na de lijst\n\n"
          "3. derde\n   1. derde a\n4. vierde\n\nallerlaatste alinea\n\n"
          "- los item\n\n  tweede alinea\n\n  - daaronder\n\n  alinea na de sublijst\n"
          "- laatste item\n")
    got = text(built(tmp_path, "<p>na de markdown</p>", markdown=md))
    order = [got.index(s) for s in ("een a", "een b", "twee na de geneste", "drie",
                                    "slot na de lijst", "derde a", "vierde",
                                    "allerlaatste alinea", "los item", "tweede alinea",
                                    "daaronder", "alinea na de sublijst", "laatste item",
                                    "na de markdown")]
    assert order == sorted(order)
    assert re.search(r"3\.\s+derde", got) and re.search(r"4\.\s+vierde", got)   # ol start=3


def test_a_spanned_cell_keeps_every_figure_under_its_own_column(tmp_path):
    """A pandas table with a MultiIndex (rowspan) and a header over two columns (colspan):
    each figure stays in its column, as in the page."""
    df = pd.DataFrame({"klanten": [11, 22, 33, 44], "uitstroom": [1, 2, 3, 4]},
                      index=pd.MultiIndex.from_product([["Duiven", "Zevenaar"], [2018, 2019]],
                                                       names=["gemeente", "jaar"]))
    spanned = ('<table><thead><tr><th scope="col">Groep</th><th scope="col" colspan="2">'
               "Beide jaren</th><th scope='col'>Los</th></tr></thead><tbody><tr><th>a</th>"
               "<td>1</td><td>2</td><td>3</td></tr><tr><th>b</th><td colspan='2'>breed</td>"
               "<td>c3</td></tr></tbody></table>")
    path = built(tmp_path, df.to_html(), spanned)
    lines = text(path).splitlines()
    wide = next(line for line in lines if "breed" in line)
    assert wide.index("c3") + 2 == lines[lines.index(wide) - 1].rindex("3") + 1   # over the 3
    lines = [line.split() for line in text(path).splitlines()]
    assert ["2019", "22", "2"] in lines and ["2019", "44", "4"] in lines   # under their heads
    assert ["Zevenaar", "2018", "33", "3"] in lines
    head = next(line for line in text(path).splitlines() if "Beide jaren" in line)
    row = next(line for line in text(path).splitlines() if line.split() == ["a", "1", "2", "3"])
    assert head.index("Los") > row.index("2")                    # "Los" stands over the 3


def test_a_caption_never_ends_a_page_and_a_short_table_is_never_split(tmp_path):
    """Text enough to fill a page up to its last lines, then a captioned table of five rows:
    the caption and all five rows stand on one page."""
    rows = [[f"rij {i}", str(i)] for i in range(5)]
    for lines in range(34, 52, 2):
        filler = "".join(f"<p>regel {i}</p>" for i in range(lines))
        path = built(tmp_path, filler + table("Bijlage 9.9. De tabel", ["Kop", "Getal"], rows))
        pages = text(path).split("\f")[:-1]
        for p in pages:
            body = [ln for ln in p.splitlines() if ln.strip() and "pagina" not in ln
                    and "Bijlagen 2019" not in ln]
            assert not body or "Bijlage 9.9." not in body[-1], lines
        holding = [p for p in pages if "Bijlage 9.9." in p]
        assert len(holding) == 1 and all(f"rij {i}" in holding[0] for i in range(5)), lines


@pytest.mark.parametrize("odd", [
    "<dl><dt>term zonder</dt><dt>tweede term</dt><dd>beschrijving</dd><dt>laatste</dt></dl>",
    '<img src="https://example.org/a.png" alt="breed plaatje" width="100%">',
    '<img src="data:image/png;base64,AAA" alt="kapotte data">',
    '<img src="x" alt="ontbrekend bestand" data-bestand="figures/bestaat-niet.png">',
    "<svg xmlns='http://www.w3.org/2000/svg'><title>svg met extern beeld</title>"
    "<image href='https://example.org/a.png' width='5' height='5'/></svg>",
    "<h2></h2><h3> </h3>", "<table><caption>Lege tabel</caption></table>",
    "<table><tr><td>rij zonder</td></tr><tr><td>twee</td><td>cellen</td></tr></table>",
])
def test_what_an_analyst_may_add_never_stops_the_pdf(tmp_path, odd):
    """Valid but odd HTML in a notebook's output gives a PDF with the rest of the page and
    the text of what it could not show."""
    path = built(tmp_path, "<p>ervoor</p>", odd, "<p>erna</p>")
    got = text(path)
    assert got.index("ervoor") < got.index("erna")
    for words in re.findall(r'alt="([^"]+)"|<title>([^<]+)<|>([^<>]*[a-z][^<>]*)<', odd):
        for w in filter(None, words):
            assert w.strip() in re.sub(r"\s+", " ", got), w


def test_a_broken_accessibility_rule_still_gives_a_tagged_pdf_and_says_why(tmp_path, capsys,
                                                                          monkeypatch):
    """Should the document break a PDF/UA-1 rule the reader cannot mend (here: a template
    that starts with a level-3 heading), the PDF is written all the same, tagged, without the
    PDF/UA claim, and the run says why."""
    monkeypatch.setattr(pdf, "PDF_TEMPLATE", "#heading(level: 3)[Eerst]\n" + pdf.PDF_TEMPLATE)
    path = built(tmp_path, "<p>de inhoud</p>")
    assert "de inhoud" in text(path) and info(path)["Tagged"].strip() == "yes"
    assert not re.search(rb"pdfuaid:part", path.read_bytes())
    assert "geen PDF/UA-1" in capsys.readouterr().err


def test_the_summary_figures_and_the_term_lists_reach_the_pdf(tmp_path):
    """The Samenvatting's boxed figures (label, figure, change; a fourth line joins the
    third) and a term list (term and description on one line)."""
    kern = ('<ul class="kerncijfers"><li><span>Klanten op <span style="white-space:nowrap">'
            '31-12-2019</span></span><b>2.095</b><span>−131 t.o.v. 31-12-2018</span></li>'
            "<li><span>Instroom 2019</span><b>438</b><span>−29</span><span>extra regel</span>"
            "</li></ul>")
    terms = "<dl><dt>Peildatum</dt><dd>Tabellen over het klantenbestand</dd></dl>"
    got = text(built(tmp_path, kern, terms))
    for part in ("Klanten op 31-12-2019", "2.095", "−131 t.o.v. 31-12-2018", "Instroom 2019",
                 "438", "−29 extra regel"):
        assert part in got, part
    assert re.search(r"Peildatum\s+Tabellen over het klantenbestand", got)


def test_an_outputs_own_head_title_and_hidden_text_stay_out(tmp_path):
    """A full HTML document as an output (<head> left open, its own <title>) and text the
    page does not show (hidden, display:none): the rest of the page is all there, the page's
    title alone in the header, nothing hidden in the PDF."""
    path = built(tmp_path, "<p>voor</p><html><head><title>Kaart van iemand</title>"
                 "<meta charset='utf-8'><body><p>uitvoer</p></body></html>",
                 "<div hidden>verborgen een</div><p style='display: none'>verborgen twee</p>",
                 "<h2>Volgende sectie</h2><p>nog veel meer</p>")
    got = text(path)
    assert all(w in got for w in ("voor", "uitvoer", "Volgende sectie", "nog veel meer"))
    assert "Kaart" not in got and "verborgen" not in got
    assert info(path)["Title"].strip() == "Bijlagen 2019 — Proef"


@pytest.mark.parametrize("odd", [
    '<img alt="beschadigd plaatje" src="data:image/png;base64,'
    + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 40).decode() + '">',
    "<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'><title>geen xml</title>"
    "<text y='8'>a&nbsp;b</text></svg>",
    "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='40'><title>genest</title>"
    "<svg x='0'><rect width='5' height='5'/></svg><rect width='9' height='9'/></svg>",
    '<ol start="-1"><li>min een</li></ol>', "<h2></h2>",
])
def test_images_typst_cannot_read_and_odd_lists_keep_the_pdf_ua(tmp_path, odd):
    """A damaged image, an SVG that is HTML but no XML, a nested SVG, a negative list start
    or an empty heading: the PDF is written, PDF/UA-1, with the text in its place."""
    path = built(tmp_path, "<p>ervoor</p>", odd, "<p>erna</p>")
    got = text(path)
    assert got.index("ervoor") < got.index("erna")
    assert re.search(rb"pdfuaid:part>\s*1\s*<", path.read_bytes())
    for words in re.findall(r'alt="([^"]+)"|<li>([^<]+)<', odd):
        assert all(w in got for w in words if w)


def test_a_heading_under_the_title_keeps_its_size_and_page(tmp_path):
    """Markdown ### straight under the title: levelled for PDF/UA, but no page break (the page
    breaks before its own sections only)."""
    path = built(tmp_path, "<p>inleiding</p><h3>Toelichting</h3><p>tekst</p>")
    assert int(info(path)["Pages"]) == 1
    assert re.search(rb"pdfuaid:part>\s*1\s*<", path.read_bytes())
