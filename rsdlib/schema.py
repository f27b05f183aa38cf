"""Codes, labels and column specs of the caseload export: the one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Participation steps, low to high ("stap voorwaarts" is a change to a higher step).
TREDE_ORDER: tuple[str, ...] = ("1", "2a", "2b", "3", "4", "5", "6n", "6z", "6g")
TREDE_DTYPE = pd.CategoricalDtype(list(TREDE_ORDER), ordered=True)

# Bijlage 2.1 rows in the source's order; None is the empty trede ("Overige").
TREDE_LABELS: dict[str | None, str] = {
    "1": "Trede 1 Geen aanbod",
    "2a": "Trede 2a Basis dienstverlening",
    "2b": "Trede 2b Intensieve dienstverlening",
    "3": "Trede 3 Schoolgaand",
    "4": "Trede 4 Aanbod < 1 jaar",
    "5": "Trede 5 Direct bemiddelbaar",
    "6g": "Trede 6 Betaald werk met groeipotentie",
    "6z": "Trede 6 Betaald werk znd groeipotentie",
    "6n": "Trede 6 Niet Werk Fit",
    None: "Overige",
}

# Bijlage 1: label, description and explanation per step, as the 2019 report prints them.
BIJLAGE_1: dict[str, tuple[str, str, str]] = {
    "1": ("Trede 1.", "Geen aanbod arbeidsmarkt",
          "Bewuste keus geen inspanningen naar werk op te starten. Wel actieve verwijzing naar "
          "vrijwilligerswerk, dagbesteding of mantelzorg."),
    "2a": ("Trede 2a.", "Aanbod arbeidsmarkt lange termijn, > 1 jaar",
           "Kandidaat kan t.z.t. de stap naar de arbeidsmarkt maken, maar heeft een tijdelijke "
           "ontheffing of belemmering waardoor activering (nog) niet kan worden ingezet."),
    "2b": ("Trede 2b.", "Aanbod arbeidsmarkt lange termijn, > 1 jaar",
           "Kandidaat kan t.z.t. de stap naar de arbeidsmarkt maken en is op dit moment in staat "
           "om een activerend traject te volgen."),
    "3": ("Trede 3.", "Schoolgaand/ studerend", "Daardoor niet beschikbaar voor arbeidsmarkt."),
    "4": ("Trede 4.", "Aanbod arbeidsmarkt op termijn, < 1 jaar",
          "Tijdelijk niet beschikbaar voor arbeidsmarkt i.v.m. lopend traject, "
          "(medische)behandeling/therapie e.d. of het verlenen van mantelzorg."),
    "5": ("Trede 5.", "Direct aanbod arbeidsmarkt",
          "Ongeacht het aantal uren en de noodzaak van ondersteuning (Bijvoorbeeld jobcoaching "
          "en/of loonkostensubsidie)"),
    "6g": ("Trede 6. Groeipotentie", "Betaald werk",
           "Kandidaat werkt parttime en kan nu of op den duur meer uren werken in huidige of "
           "andere functie"),
    "6z": ("Trede 6. Zonder groeipotentie", "Betaald werk (parttime)",
           "Kandidaat werkt parttime en kan structureel niet meer werken of een andere functie "
           "vervullen"),
    "6n": ("Trede 6. Niet Werk-fit", "Betaald werk (parttime)",
           "Kandidaat werkt parttime. Er is nog niet vastgesteld of er wel/geen groeipotentie is."),
}

AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("17 en jonger", 0, 17), ("18-27", 18, 27), ("28-35", 28, 35),
    ("36-45", 36, 45), ("46-55", 46, 55), ("56 en ouder", 56, 200),
)

DURATION_NUGGER = "Nuggers geen uitkering gehad"
DURATION_BANDS: tuple[tuple[str, int, int], ...] = (   # whole months, inclusive bounds
    ("6 maanden of minder", 0, 6), ("6 tot 12 maanden", 7, 11), ("12 tot 24 maanden", 12, 23),
    ("24 tot 60 maanden", 24, 59), ("60 maanden en meer", 60, 10_000),
)

GESLACHT_LABELS = {"M": "Man", "V": "Vrouw", "X": "Onbekend"}

REGELINGEN = ("PW", "IOAW", "IOAZ", "BBZ")
INSTROOM_REDENEN = ("DIRECT", "INDIRECT", "NUG")

PLAATSING_REDENEN: dict[str, str] = {
    "STUDIE": "KPI: Aanv.studie met studiefinanciering",
    "ARBEID": "KPI: Inkomsten uit arbeid",
    "PARTTIME": "KPI: Parttime werk",
    "SCHOLING_NUG": "KPI: Plaatsing scholing NUG",
    "WERK_NUG": "KPI: Plaatsing werk NUG",
    "ZELFSTANDIG": "KPI: Zelfstandig beroep of bedrijf",
}
INDIRECT_REDENEN: dict[str, str] = {
    "VERHUIZING": "Verhuizing",
    "PARTNER": "Samenwonen of huwelijk",
    "PENSIOEN": "Pensioen (AOW)",
    "ANDERE_UITKERING": "Andere uitkering",
    "DETENTIE": "Detentie",
    "OVERLIJDEN": "Overlijden",
    "OVERIG": "Overige reden",
}
UITSTROOM_REDENEN: dict[str, str] = PLAATSING_REDENEN | INDIRECT_REDENEN
UITKOMSTEN = ("UITKERING", "WERK", "SCHOOL", "ANDERS")

# Background class of a client (Bijlage 2.3-2.5 columns), in column order.
ACHTERGROND = ("Migratie achtergrond", "Status houder", "Overig")

# Units of Bijlage 2.5 by intake trede (NUG inflow goes to its own row whatever the trede).
UNIT_ZO = ("1", "2a", "6z")
UNIT_WERK = ("2b", "3", "4", "5", "6g", "6n")


@dataclass(frozen=True)
class Column:
    """One column of an export file: its name, kind and whether it must be filled."""

    name: str
    kind: str            # "text", "date", "flag", "code", "trede", "gemeente"
    required: bool = True  # the column must exist
    nullable: bool = False  # an empty cell is allowed
    codes: tuple[str, ...] = ()


def _flags(*names: str) -> tuple[Column, ...]:
    return tuple(Column(n, "flag") for n in names)


FILES: dict[str, tuple[Column, ...]] = {
    "klanten": (
        Column("peildatum", "date"),
        Column("klantnummer", "text"),
        Column("gemeente", "gemeente"),
        Column("geboortedatum", "date"),
        Column("geslacht", "code", codes=("M", "V", "X")),
        Column("trede", "trede", nullable=True),
        *_flags("migratieachtergrond", "statushouder", "doelgroepregister"),
        Column("uitkering_sinds", "date", nullable=True),
        Column("dossiernummer", "text", nullable=True),
        *_flags("loonkostensubsidie", "actief_traject", "ontheffing"),
    ),
    "instroom": (
        Column("klantnummer", "text"),
        Column("gemeente", "gemeente"),
        Column("instroomdatum", "date"),
        Column("regeling", "code", codes=REGELINGEN),
        Column("reden", "code", codes=INSTROOM_REDENEN),
        Column("trede", "trede", nullable=True),
        *_flags("migratieachtergrond", "statushouder", "doelgroepregister"),
    ),
    "uitstroom": (
        Column("klantnummer", "text"),
        Column("gemeente", "gemeente"),
        Column("uitstroomdatum", "date"),
        Column("reden", "code", codes=tuple(UITSTROOM_REDENEN)),
        *_flags("migratieachtergrond", "statushouder", "doelgroepregister", "loonkostensubsidie"),
    ),
    "trede_mutaties": (
        Column("klantnummer", "text"),
        Column("gemeente", "gemeente"),
        Column("datum", "date"),
        Column("trede_oud", "trede", nullable=True),
        Column("trede_nieuw", "trede", nullable=True),
    ),
    "jongeren_gesprekken": (
        Column("klantnummer", "text"),
        Column("gemeente", "gemeente"),
        Column("datum", "date"),
        Column("uitkomst", "code", codes=UITKOMSTEN),
    ),
}
REQUIRED_FILES = ("klanten", "instroom", "uitstroom")
OPTIONAL_FILES = ("trede_mutaties", "jongeren_gesprekken")
DROPPED_COLUMNS = ("bsn",)   # read, never kept: it must not reach any frame or output
DATE_FORMAT = "%d-%m-%Y"
