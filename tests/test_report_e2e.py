"""End to end: `rsd report` on generated exports, in a temporary folder."""

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from privacy import Scanner, identifiers
from reference_check import assert_reference_2019
from summary_check import (
    assert_summary_states_its_cells,
    assert_summary_states_published_cells,
    summary_sentences,
)

from rsdlib.batch import BIJLAGEN, FAILED_DIR, run_batch
from rsdlib.cli import main
from rsdlib.page import NO_ALT, notebook_html
from rsdlib.paths import CONFIG_DIR
from rsdlib.publish import read_csv_table
from rsdlib.tables import TABLES

TRENDS = ("trend_stromen", "trend_dossiers", "trend_actief", "cohort_uitstroom",
          "jaarvergelijking_trede")
FINANCE = ("besparing", "besparing_realisatie", "buig")      # 2019: the business case 2018-2020
PERIOD = "2024-2026"

SCOPES = ("Duiven", "Westervoort", "Zevenaar", "RSD")

pytestmark = pytest.mark.slow          # each runs the batch (kernels, notebooks)

# Sheet names as people read them (the CSV keeps the ids)
TABLE_SHEETS = ["1 Indeling treden", "2.1 Treden", "2.1 Leeftijd", "2.2 Uitkeringsduur",
                "2.2 Geslacht", "2.2 Migratie en doelgroep", "2.3 Uitstroom werk",
                "2.3 Indirecte uitstroom", "2.3 Totale uitstroom", "2.4 Redenen instroom",
                "2.5 Instroom per groep", "2.6 Uitkeringsdossiers"]
TREND_SHEETS = ["Stromen per maand", "Dossiers per maand", "Actief traject per maand",
                "Cohorten instroom", "Treden vorig jaar"]
FINANCE_SHEETS = ["Besparing prognose", "Besparing realisatie", "BUIG"]


def test_report_writes_every_output_for_every_scope(intern_batch):
    code, out = intern_batch.code, intern_batch.out
    assert code == 0
    assert (out / "2019" / "validatie.html").is_file()
    for scope in SCOPES:
        folder = out / "2019" / scope
        assert {p.name for p in folder.iterdir()} == {
            "bijlagen.html", "bijlagen.pdf", "bijlagen.xlsx", "tables", "figures",
            "notebook.ipynb"}
        own = ({*FINANCE, "kpi_scorecard"} if scope == "RSD"
               else {"kpi_gemeente", "buig"} if scope == "Zevenaar" else {"kpi_gemeente"})
        assert {p.stem for p in (folder / "tables").glob("*.csv")} == {*TABLES, *TRENDS, *own}
        charts = {p.stem for p in (folder / "figures").glob("*.png")}
        assert charts == {"treden", "leeftijd", "uitkeringsduur", "piramide", "instroomredenen",
                          "stromen", "dossiers", "cohorten"} | ({"kpi"} if scope == "RSD" else set())
    assert not [p for p in (out / "2019").iterdir() if p.name.startswith(".")]


def test_report_csv_reproduces_reference_2019(intern_batch):
    out = intern_batch.out
    tables = out / "2019" / "RSD" / "tables"
    assert assert_reference_2019(lambda tid: read_csv_table(tables / f"{tid}.csv")) > 350
    text = (tables / "bijlage_2_1_trede.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == "rij,Duiven,Westervoort,Zevenaar,RSD,%"
    assert text[1] == "Trede 1 Geen aanbod,156,116,266,538,25.68"


def test_html_is_council_ready(intern_batch):
    out = intern_batch.out
    page = (out / "2019" / "RSD" / "bijlagen.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in page
    assert "report.build" not in page and "show_table" not in page   # no code
    assert "<h1>Bijlagen 2019 — RSD</h1>" in page
    assert "<td>1.608</td>" in page and "<td>25,68\u00a0%</td>" in page   # Dutch number format
    assert "Gegevens en methode" in page and "SHA-256" in page
    assert page.count('<table class="rsd"') == len(TABLES) + len(TRENDS) + len(FINANCE) + 1
    assert "<h2>Financiën</h2>" in page and "<td>€ 544.141</td>" in page     # 000's 2020 result
    assert "1.400.000" not in page and "2.632.500" not in page        # no finance of 2024-2026
    assert "opgegeven, niet berekend" in page
    assert "<h2>Resultaatafspraken</h2>" in page and "<h2>Ontwikkeling</h2>" in page
    images = re.findall(r"<img [^>]+>", page)
    assert len(images) == 9
    assert all(re.search(r'alt="[^"]{20,}"', i) and 'src="data:image/png;base64,' in i
               for i in images)


class _Resources:
    """Every resource a page would load: script, link, img, iframe, object, source, the
    url(...) of its styles, and any inline script."""

    def __init__(self, page: str) -> None:
        from html.parser import HTMLParser

        self.urls: list[str] = []
        self.scripts = 0
        found = self

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "script":
                    found.scripts += 1
                for key in ("src", "href", "data", "srcset", "poster"):
                    if a.get(key) and not (tag == "a" and key == "href"):
                        found.urls.append(a[key])
                found.urls += re.findall(r"url\(([^)]*)\)", a.get("style") or "")

            def handle_data(self, data):
                found.urls += re.findall(r"url\(([^)]*)\)|@import\s+([^;]+)", data)

        Parser().feed(page)


@pytest.mark.parametrize("scope", ["RSD", "Duiven"])
def test_page_loads_nothing_from_another_host(intern_batch, scope):
    """The council page is self-contained: no script at all, every image a data URI, no
    stylesheet, font or import from elsewhere, and no notebook-interface CSS."""
    out = intern_batch.out
    page = (out / "2019" / scope / "bijlagen.html").read_text(encoding="utf-8")
    found = _Resources(page)
    assert found.scripts == 0
    assert found.urls and all(str(u).startswith("data:image/png;base64,") for u in found.urls)
    text = re.sub(r"data:image/png;base64,[^\"]*", "", page)
    assert "jp-" not in text and "cdn" not in text.lower() and "mathjax" not in text.lower()
    assert len(text.encode()) <= 150_000                   # the page without its images
    assert "@media print" in page and "@page" in page       # its own print style


def test_pdf_holds_the_pages_figures_in_order(intern_batch):
    """bijlagen.pdf: A4, tagged, its text holds the figures of the tables in the page's order,
    with a sensible number of pages."""
    import subprocess

    out = intern_batch.out
    pdf = out / "2019" / "RSD" / "bijlagen.pdf"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) ontbreekt")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 8 <= pages <= 40
    assert re.search(r"Page size:\s+595\.\d* x 841\.\d* pts", info)           # A4
    assert re.search(r"Tagged:\s+yes", info)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    order = [text.index(s) for s in ("Samenvatting", "Bijlage 2.1. Bestandsopbouw",
                                     "Bijlage 2.6. Ontwikkeling", "Gegevens en methode")]
    assert order == sorted(order)
    trede = read_csv_table(out / "2019" / "RSD" / "tables" / "bijlage_2_1_trede.csv")
    row = re.search(r"Trede 1 Geen aanbod\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+ %)", text)
    assert row.groups() == ("156", "116", "266", "538", "25,68 %")    # pdftotext: a space
    assert trede.loc["Trede 1 Geen aanbod", "RSD"] == 538
    assert re.search(r"RSD de Liemers\s+1\.656\s+1\.608\s+-2,90 %", text)
    assert "pagina 1 van" in text and "Bijlagen 2019 — RSD" in text    # footer and header


def test_the_period_appendix_of_every_scope(intern_batch):
    """`--period 2024-2026` on an export that ends 31-12-2025: four appendices of the period,
    provisional, with the figures of 001 in CSV."""
    out = intern_batch.out
    folder = out / PERIOD
    assert (folder / "validatie.html").is_file()
    for scope in SCOPES:
        assert {p.name for p in (folder / scope).iterdir()} == {
            "bijlagen.html", "bijlagen.pdf", "bijlagen.xlsx", "tables", "figures",
            "notebook.ipynb"}
        money = ({"besparing", "besparing_totaal", "besparing_realisatie", "kostenverdeling"}
                 if scope == "RSD" else {"kostenverdeling"})
        assert {p.stem for p in (folder / scope / "tables").glob("*.csv")} == {
            "periode_kpi", "periode_prognose", "trend_dossiers", *money}
        card = read_csv_table(folder / scope / "tables" / "periode_kpi.csv")
        assert card["2026"].isna().all()
        # its Samenvatting is written from its tables
        assert assert_summary_states_published_cells(folder / scope, 2026,
                                                     (2024, 2025, 2026)) >= 5, scope
        # and each number is the very cell its sentence is about
        assert assert_summary_states_its_cells(folder / scope, 2026, (2024, 2025, 2026)) >= 6
        split = read_csv_table(folder / scope / "tables" / "kostenverdeling.csv")
        assert split.loc["Totaal", "Bijdrage vastgesteld (€)"] == 1_400_000
    tables = folder / "RSD" / "tables"
    card = read_csv_table(tables / "periode_kpi.csv")
    assert card["Status periode"].str.startswith("voorlopig").all()
    assert card.loc["plaatsingen", "Periode"] == card.loc["plaatsingen", ["2024", "2025"]].sum()
    prognosis = read_csv_table(tables / "periode_prognose.csv")
    assert prognosis["Prognose"].tolist() == [1425, 1458, 1503, 1530, 1567]
    assert read_csv_table(tables / "besparing_totaal.csv")["Bedrag (€)"].tolist() == [
        2_632_500, 1_050_000, 1_215_000, 4_897_500]
    assert read_csv_table(tables / "kostenverdeling.csv")["Bijdrage vastgesteld (€)"].tolist(
    ) == [393_865, 275_803, 730_333, 1_400_000]
    page = (folder / "RSD" / "bijlagen.html").read_text(encoding="utf-8")
    assert "<h1>Bijlagen 2024-2026 — RSD</h1>" in page and "(voorlopig)" in page
    missed = card.loc[card["Status periode"] == "voorlopig niet behaald", "KPI"].tolist()
    assert missed and f"Voorlopig niet behaald: {'; '.join(missed)}." in summary_sentences(page)
    assert page.index(">Samenvatting</h2>") < page.index("<h2>Resultaatafspraken</h2>")
    assert "<td>€ 4.897.500</td>" in page and "<td>1.567</td>" in page
    assert {p.stem for p in (folder / "RSD" / "figures").glob("*.png")} == {"dossiers", "kpi"}
    from openpyxl import load_workbook
    from workbook_check import problems

    # on paper: every sheet A4 one page wide, and the cover's long titles in rows that fit
    assert problems(load_workbook(folder / "RSD" / "bijlagen.xlsx")) == []
    duiven = (folder / "Duiven" / "bijlagen.html").read_text(encoding="utf-8")
    assert "geen eigen doel" in duiven and "€ 393.865" in duiven and "€ 730.333" not in duiven


def test_page_gives_an_image_without_alt_text_a_placeholder():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("plot()", outputs=[nbformat.v4.new_output(
        "display_data", data={"image/png": "iVBORw0KGgo="})])]
    page = notebook_html(nb, "t")
    images = re.findall(r"<img\b[^>]*>", page)
    assert len(images) == 1 and f'alt="{NO_ALT}"' in images[0]


def test_summary_sentences_state_the_tables(intern_batch):
    """The Samenvatting first: each sentence's numbers are cells of the page's tables (read
    from the CSV); on the service's page the 2019 sentences match the 2019 publication."""
    out = intern_batch.out
    for scope in SCOPES:
        assert assert_summary_states_published_cells(out / "2019" / scope, 2019) >= 8, scope
        assert assert_summary_states_its_cells(out / "2019" / scope, 2019) >= 8, scope
    page = (out / "2019" / "RSD" / "bijlagen.html").read_text(encoding="utf-8")
    assert page.index(">Samenvatting</h2>") < page.index("<h2>Bijlagen</h2>")
    sentences = summary_sentences(page)
    assert "Het aantal uitkeringsdossiers daalde in 2019 met 48 (−2,9\u00a0%) tot 1.608." in sentences
    assert any(s.startswith("In 2019 stroomden 438 klanten in") and "247" in s and "56,4\u00a0%" in s
               for s in sentences)
    card = read_csv_table(out / "2019" / "RSD" / "tables" / "kpi_scorecard.csv")
    missed = card.loc[card["Status"] == "niet behaald", "KPI"].tolist()
    assert (f"Niet behaald in 2019: {'; '.join(missed)}." if missed
            else "Alle resultaatafspraken voor 2019 zijn behaald.") in sentences
    assert page.index("<h2>Gegevens en methode</h2>") < page.index("<details>")   # monthly last
    duiven = (out / "2019" / "Duiven" / "bijlagen.html").read_text(encoding="utf-8")
    assert "<th scope=\"row\">Eindtotaal RSD de Liemers</th>" in duiven   # the service's total
    assert "Niet te totaliseren ivm dubbeltellingen" in duiven
    assert "stap_voorwaarts" not in page and "% per gemeente" in page


def test_pooled_kernels_leave_no_trace(intern_batch):
    """Each run gets a kernel forked ahead from a zygote that imported rsdlib.report: the
    executed notebook still counts its cells from 1, and the batch leaves no kernel and no
    zygote running (every process seen under `rsd report` while it ran has ended)."""
    import psutil

    out = intern_batch.out
    for scope in SCOPES:
        nb = nbformat.read(out / "2019" / scope / "notebook.ipynb", as_version=4)
        counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
        assert counts == list(range(1, len(counts) + 1))
    kernels = [(pid, started) for pid, started, cmd in intern_batch.descendants
               if "ipykernel" in cmd or "rsdlib.zygote" in cmd]
    assert len(kernels) >= 2                     # it did start kernels (the check can fail)
    left = []
    for pid, started in kernels:
        try:
            p = psutil.Process(pid)
            if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                left.append(" ".join(p.cmdline()))
        except psutil.NoSuchProcess:
            pass
    assert left == []


def test_a_municipal_page_leaves_out_sections_it_has_nothing_for(intern_batch):
    out = intern_batch.out
    page = (out / "2019" / "Duiven" / "bijlagen.html").read_text(encoding="utf-8")
    assert "<h2>Resultaatafspraken</h2>" in page          # its own beside the service's
    assert "geen eigen doel" in page                       # the agreements are service-wide
    assert page.index("<h2>Bijlagen</h2>") < page.index("<h2>Ontwikkeling</h2>")
    assert "<h2>Financiën</h2>" not in page and "Gegevens en methode" in page


def test_service_workbook_has_the_finance_sheets_with_euro_format(intern_batch):
    from openpyxl import load_workbook

    out = intern_batch.out
    wb = load_workbook(out / "2019" / "RSD" / "bijlagen.xlsx")
    assert wb.sheetnames == ["Voorblad", *TABLE_SHEETS, "Resultaatafspraken", *TREND_SHEETS,
                             *FINANCE_SHEETS, "Toelichting"]
    card = wb["Resultaatafspraken"]
    assert card["A4"].value == "Klanten met een stap voorwaarts op de trede"   # not its id
    assert not any(isinstance(c.value, str) and c.value in ("stap_voorwaarts", "plaatsingen")
                   for row in card.iter_rows() for c in row)
    sheet = wb["Besparing prognose"]
    result = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "Budgetresultaat")
    assert result[1].value == -358_647 and "€" in result[1].number_format
    notes = [r[0] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]]
    assert "Financiën: besparing per plaatsing" in notes


def test_workbook_has_cover_tables_and_notes(intern_batch):
    from openpyxl import load_workbook

    out = intern_batch.out
    wb = load_workbook(out / "2019" / "Duiven" / "bijlagen.xlsx")
    assert wb.sheetnames == ["Voorblad", *TABLE_SHEETS, "Resultaatafspraken", *TREND_SHEETS,
                             "Toelichting"]
    cover_sheet = wb["Voorblad"]
    cover = {r[0]: r[1] for r in cover_sheet.iter_rows(values_only=True) if r[0]}
    assert cover["Scope"] == "Duiven" and cover["Verslagjaar"] == "2019"
    assert "klanten.csv" in cover["Bron"] and "sha256" not in cover["Bron"].lower()
    links = {c.value: c.hyperlink.location for row in cover_sheet.iter_rows() for c in row
             if c.hyperlink is not None}
    assert links["2.1 Treden"] == "'2.1 Treden'!A1" and len(links) == len(wb.sheetnames) - 2
    notes = {r[0]: r[1] for r in wb["Toelichting"].iter_rows(values_only=True) if r[0]}
    assert re.search(r"SHA-256 [0-9a-f]{64}", notes["Bron: klanten.csv"])
    assert notes["Blad 2.1 Treden"] == "tables/bijlage_2_1_trede.csv"   # ids only in notes
    assert "Lege cellen" in notes
    sheet = wb["2.1 Treden"]
    assert [c.value for c in sheet[3]] == ["Aantal klanten per participatietrede", "Duiven",
                                           "% van Duiven", "RSD (hele dienst)"]
    for name in wb.sheetnames[1:-1]:      # a label in every header cell, and print set-up
        ws = wb[name]
        assert all(c.value for c in ws[3]), name
        assert ws.print_title_rows == "$3:$3", name
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0, name
        assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.paperSize == 9, name
    wide = wb["2.4 Redenen instroom"]
    assert wide.page_setup.orientation == "landscape"
    bijlage1 = wb["1 Indeling treden"]                   # wrapped text gets its row height
    heights = [bijlage1.row_dimensions[r].height or 15 for r in range(4, 13)]
    assert sum(h >= 30 for h in heights) >= 7 and min(heights) == 15   # wrapped rows only
    migratie = [r[0] for r in wb["2.2 Migratie en doelgroep"].iter_rows(values_only=True)]
    assert "Niet te totaliseren ivm dubbeltellingen." in migratie       # the source's footnote
    assert sheet["A4"].value == "Trede 1 Geen aanbod" and sheet["B4"].value == 156
    assert sheet["B4"].number_format == "#,##0" and sheet["C4"].number_format == "0.00 %"
    assert sheet["C4"].value == pytest.approx(156 / 569)
    total = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "Totaal")
    assert total[0].font.bold and total[1].font.bold and sheet["B3"].font.bold


def broken_notebook(folder: Path, scope: str) -> Path:
    """The appendix notebook with one extra cell that fails for one scope."""
    nb = nbformat.read(BIJLAGEN, as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        f'if scope == "{scope}":\n    raise RuntimeError("kapotte gegevens voor {scope}")'))
    path = folder / "broken.ipynb"
    nbformat.write(nb, path)
    return path


def test_a_failing_scope_exits_1_and_leaves_the_others_complete(tmp_path, other_ids_dir, capsys):
    """One scope's notebook fails: exit 1, that scope has no output that looks complete (its
    notebook is kept aside), the other scope is complete. The export's identifiers are in
    another format than the demo's; none of them reaches an output, the failed notebook or a
    message (the scan takes them from this export: tests/privacy.py)."""
    out = tmp_path / "out"
    (out / "2019" / "Westervoort").mkdir(parents=True)
    (out / "2019" / "Westervoort" / "bijlagen.html").write_text("oude uitvoer")
    code = run_batch(other_ids_dir, [2019], ["Duiven", "Westervoort"], out, jobs=2,
                     notebook=broken_notebook(tmp_path, "Westervoort"), pdf=False)
    assert code == 1
    said = capsys.readouterr()
    printed = said.out
    assert "Mislukt: 2019 Westervoort: RuntimeError: kapotte gegevens voor Westervoort" in printed
    failed = out / FAILED_DIR / "2019-Westervoort.ipynb"
    assert str(failed) in printed and failed.is_file()
    assert not (out / "2019" / "Westervoort").exists()        # nothing that looks complete
    assert (out / "2019" / "Duiven" / "bijlagen.html").is_file()
    assert len(list((out / "2019" / "Duiven" / "tables").glob("*.csv"))) == (
        len(TABLES) + len(TRENDS) + 1)                         # + its own scorecard
    assert not [p for p in (out / "2019").iterdir() if p.name.startswith(".")]
    ids = identifiers(other_ids_dir)
    assert all(re.fullmatch(r"[67]\d{7}", v) for v in ids["klantnummer"])
    scanner = Scanner(ids)
    council = [out / "2019" / "Duiven", failed]
    found = scanner.scan(council, messages={"stdout": said.out, "stderr": said.err})
    assert found.files > 20 and found.leaks == [] and found.unread == []
    assert scanner.scan([out], columns=["bsn"]).leaks == []        # the cache included
    # the scan would have seen one: a client number of this export written into the page
    page = (out / "2019" / "Duiven" / "bijlagen.html").read_text(encoding="utf-8")
    leaked = sorted(ids["klantnummer"])[7]
    (tmp_path / "leak.html").write_text(page.replace("</h1>", f" {leaked}</h1>", 1),
                                        encoding="utf-8")
    assert scanner.scan([tmp_path / "leak.html"]).leaks == [
        (str(tmp_path / "leak.html"), "klantnummer", leaked)]


def test_unusable_export_exits_2_and_writes_nothing(tmp_path, demo_dir, capsys, monkeypatch):
    """Refused before any notebook runs. The batch's workers start their kernels while the
    export is validated (batch._warm_worker); a refusal does not need them, so here they do
    not start (the warm-up's own tests: test_kernels, test_lifetime)."""
    import rsdlib.batch

    warmed = []
    monkeypatch.setattr(rsdlib.batch, "_warm_worker", lambda *a: warmed.append(a))
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in ("klanten", "instroom"):
        (bad / f"{name}.csv").write_bytes((demo_dir / f"{name}.csv").read_bytes())
    out = tmp_path / "out"
    assert main(["report", "--export", str(bad), "--year", "2019", "--out", str(out)]) == 2
    assert "verplicht bestand 'uitstroom' ontbreekt" in capsys.readouterr().err
    assert not out.exists()
    assert main(["report", "--export", str(demo_dir), "--year", "2030", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    # the years it could report on, read from the export: a 31-12 snapshot and the one before
    days = {line.split(";", 1)[0] for line in
            (demo_dir / "klanten.csv").read_text(encoding="utf-8").splitlines()[1:]}
    years = sorted(int(d[-4:]) for d in days
                   if d.startswith("31-12-") and f"31-12-{int(d[-4:]) - 1}" in days)
    assert "geen peildatum" in err and "voor verslagjaar 2030" in err and not out.exists()
    assert f"de export dekt de verslagjaren {years[0]} t/m {years[-1]}" in err
    assert main(["report", "--export", str(demo_dir), "--year", "2019", "--scope", "Arnhem",
                 "--out", str(out)]) == 2
    assert "onbekende scope 'Arnhem'" in capsys.readouterr().err and not out.exists()


def test_another_region_runs_by_configuration_alone(tmp_path, monkeypatch, achterhoek_dir,
                                                    achterhoek_config):
    """The service's page and one municipality's, of a year without agreements (2019) and one
    of its assignment period (2024); `all` is its own three municipalities and the service
    (the Liemers batch runs `--scope all` end to end)."""
    from rsdlib.batch import resolve_scopes

    assert resolve_scopes(["all"], achterhoek_config) == [
        "Berkelland", "Oost Gelre", "Winterswijk", "SDOA"]
    # as the README has it: paths relative to the folder the user works in (issue 14, case 1)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "achterhoek.toml").write_bytes((CONFIG_DIR / "achterhoek.toml").read_bytes())
    (tmp_path / "export").symlink_to(achterhoek_dir)   # made by `rsd --config ... demo-data`
    monkeypatch.chdir(tmp_path)
    config = "config/achterhoek.toml"
    out = tmp_path / "out"
    assert main(["--config", config, "report", "--export", "export", "--year", "2019", "2024",
                 "--scope", "SDOA", "Winterswijk", "--out", "out", "--zonder-pdf"]) == 0
    for year in ("2019", "2024"):
        assert sorted(p.name for p in (out / year).iterdir() if p.is_dir()) == [
            "SDOA", "Winterswijk"]
        assert (out / year / "Winterswijk" / "bijlagen.html").is_file()
    trede = read_csv_table(out / "2024" / "SDOA" / "tables" / "bijlage_2_1_trede.csv")
    assert trede.columns.tolist() == ["Berkelland", "Oost Gelre", "Winterswijk", "SDOA", "%"]
    assert trede.loc["Totaal", "SDOA"] == trede.loc["Totaal", ["Berkelland", "Oost Gelre",
                                                               "Winterswijk"]].sum()
    dossiers = read_csv_table(out / "2024" / "SDOA" / "tables" / "bijlage_2_6_dossiers.csv")
    assert dossiers.index[-1] == "Sociale Dienst Oost Achterhoek"
    inflow = read_csv_table(out / "2019" / "SDOA" / "tables" / "bijlage_2_4_instroom_reden.csv")
    assert "SDOA Instroom Direct" in inflow.index
    # its own units (the routes of reference 003); no savings without a baseline; the values
    # the source does not give are called examples on the page
    units = read_csv_table(out / "2024" / "SDOA" / "tables" / "bijlage_2_5_instroom_groep.csv")
    assert {"SDOA Meedoen", "SDOA Perspectief", "SDOA Werk"} <= set(units.index)
    assert units.loc["SDOA totaal", "Eindtotaal"] == units.loc[
        ["SDOA Meedoen", "SDOA Perspectief", "SDOA Werk", "SDOA Niet-uitkeringsgerechtigden",
         "SDOA Geen trede"], "Eindtotaal"].sum()
    assert not list((out / "2024" / "SDOA" / "tables").glob("besparing*"))
    page = (out / "2024" / "SDOA" / "bijlagen.html").read_text(encoding="utf-8")
    assert "Voorbeeldwaarden" in page and "Route Meedoen" in page
