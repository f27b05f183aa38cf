"""Labels for people: what HTML, Excel and PDF print where the CSV and the notes keep ids.

Sheet names, the label above the row labels, column headers and footnotes as the 2019
appendix (Bestuursrapportage 2019, Bijlage 1 and 2.1-2.6) prints them. A table this module
does not know keeps its own labels, so a new table is never unlabelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rsdlib.config import Config

# Excel sheet names (at most 31 characters, no []:*?/\).
SHEETS = {
    "bijlage_1_treden": "1 Indeling treden",
    "bijlage_2_1_trede": "2.1 Treden",
    "bijlage_2_1_leeftijd": "2.1 Leeftijd",
    "bijlage_2_2_uitkeringsduur": "2.2 Uitkeringsduur",
    "bijlage_2_2_geslacht": "2.2 Geslacht",
    "bijlage_2_2_migratie": "2.2 Migratie en doelgroep",
    "bijlage_2_3_uitstroom": "2.3 Uitstroom werk",
    "bijlage_2_3_indirect": "2.3 Indirecte uitstroom",
    "bijlage_2_3_totaal": "2.3 Totale uitstroom",
    "bijlage_2_4_instroom_reden": "2.4 Redenen instroom",
    "bijlage_2_5_instroom_groep": "2.5 Instroom per groep",
    "bijlage_2_6_dossiers": "2.6 Uitkeringsdossiers",
    "kpi_scorecard": "Resultaatafspraken",
    "kpi_gemeente": "Resultaatafspraken",
    "periode_kpi": "Resultaatafspraken periode",
    "periode_prognose": "Dossiers en prognose",
    "jaarvergelijking_trede": "Treden vorig jaar",
    "trend_stromen": "Stromen per maand",
    "trend_dossiers": "Dossiers per maand",
    "trend_actief": "Actief traject per maand",
    "cohort_uitstroom": "Cohorten instroom",
    "besparing": "Besparing prognose",
    "besparing_totaal": "Besparing totaal",
    "besparing_realisatie": "Besparing realisatie",
    "maatschappelijke_baten": "Maatschappelijke baten",
    "kostenverdeling": "Kostenverdeling",
    "buig": "BUIG",
}

# The header cell above the row labels, as the source prints it (2.2's duration table says
# "Leeftijdscategoriën" in the source, a slip that is not copied).
CORNERS = {
    "bijlage_1_treden": "Participatietreden",
    "bijlage_2_1_trede": "Aantal klanten per participatietrede",
    "bijlage_2_1_leeftijd": "Leeftijdscategoriën",
    "bijlage_2_2_uitkeringsduur": "Uitkeringsduur",
    "bijlage_2_2_geslacht": "Geslacht",
    "bijlage_2_2_migratie": "Kenmerk",
    "bijlage_2_3_uitstroom": "Per gemeente",
    "bijlage_2_3_indirect": "Per gemeente",
    "bijlage_2_3_totaal": "Uitstroom",
    "bijlage_2_4_instroom_reden": "Per gemeente",
    "bijlage_2_5_instroom_groep": "Per gemeente",
    "bijlage_2_6_dossiers": "Bestandsontwikkeling",
    "kpi_scorecard": "Resultaatafspraak",
    "kpi_gemeente": "Resultaatafspraak",
    "periode_kpi": "Resultaatafspraak",
    "periode_prognose": "Jaar",
    "besparing_totaal": "Onderdeel",
    "jaarvergelijking_trede": "Participatietrede",
    "trend_stromen": "Maand",
    "trend_dossiers": "Maand",
    "trend_actief": "Maand",
    "cohort_uitstroom": "Instroomjaar",
    "besparing": "Plaatsingsjaar",
    "besparing_realisatie": "Plaatsingsjaar",
    "maatschappelijke_baten": "Jaar",
    "kostenverdeling": "Gemeente",
    "buig": "Gemeente en jaar",
}

# Column headers that differ from the CSV's (which keep the contract's `%`).
_PCT_HEADERS = {
    "bijlage_2_2_migratie": "% totaal klanten",
    "bijlage_2_3_uitstroom": "% per gemeente",
    "bijlage_2_3_indirect": "% per gemeente",
    "bijlage_2_4_instroom_reden": "% per gemeente",
    "bijlage_2_5_instroom_groep": "% per gemeente",
}

# Footnotes the source prints under a table.
NOTES = {
    "bijlage_2_2_migratie": "Niet te totaliseren ivm dubbeltellingen.",
    "bijlage_2_6_dossiers": (
        "* Toelichting: De som van instroom en uitstroom komt niet overeen met het aantal "
        "uitkeringsdossiers. Dit heeft verschillende oorzaken, aangezien instroom van een "
        "niet-uitkeringsgerechtigde hier niet wordt meegenomen en daarnaast kan een uitkering "
        "bestaan uit meerdere personen."),
    "bijlage_2_4_instroom_reden": (
        "'Binnen periode van 6 mnd weer ingestroomd' is een waarvan-regel: deze instroom zit "
        "ook in de regels eronder en telt niet apart mee in het totaal."),
}

MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def month(label: str) -> str:
    """A month key `2019-03` as people write it: `mrt 2019` (other labels unchanged)."""
    text = str(label)
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit():
        m = int(text[5:])
        if 1 <= m <= 12:
            return f"{MONTHS[m - 1]} {text[:4]}"
    return text


@dataclass
class Labels:
    """How one table is labelled for people: sheet, corner, headers, rows, footnote."""

    sheet: str
    corner: str
    headers: dict[str, str] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)
    hidden: tuple[str, ...] = ()          # columns people do not need (the row label says it)
    note: str = ""


def for_table(tid: str, table, config: Config, scope: str) -> Labels:
    """The labels of table `tid` on the page of `scope`."""
    service, name = config.short, config.name
    own = scope == service
    headers: dict[str, str] = {}
    rows: dict[str, str] = {}
    hidden: tuple[str, ...] = ()
    if tid in _PCT_HEADERS and "%" in table.columns:
        headers["%"] = _PCT_HEADERS[tid]
    if not own:
        if service in table.columns:
            headers[service] = f"{service} (hele dienst)"
        if "%" in table.columns and tid.startswith(("bijlage_2_1", "bijlage_2_2")):
            headers["%"] = headers.get("%", f"% van {scope}")
        # 2.3-2.5 on a municipality's page: the totals below its block are the service's
        for label in ("Eindtotaal", "% per achtergrond klant"):
            if label in table.index and tid != "bijlage_2_3_totaal":
                rows[label] = f"{label} {name}"
    if tid in ("kpi_scorecard", "kpi_gemeente", "periode_kpi") and "KPI" in table.columns:
        rows = {str(i): str(v) for i, v in table["KPI"].items()}
        hidden = ("KPI",)
    if tid.startswith("trend_"):
        rows = {str(i): month(i) for i in table.index}
    return Labels(SHEETS.get(tid, tid[:31]), CORNERS.get(tid, ""), headers, rows, hidden,
                  NOTES.get(tid, ""))
