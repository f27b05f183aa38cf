"""Codes, labels and column specs of the caseload export: the one source of truth."""

from __future__ import annotations

from dataclasses import dataclass

# The service's domain (ladder, units, bands, outflow reasons) is configuration: see
# rsdlib/domain.py and config/liemers.toml. What stays here is the export format itself.

GESLACHT_LABELS = {"M": "Man", "V": "Vrouw", "X": "Onbekend"}

REGELINGEN = ("PW", "IOAW", "IOAZ", "BBZ")
INSTROOM_REDENEN = ("DIRECT", "INDIRECT", "NUG")
UITKOMSTEN = ("UITKERING", "WERK", "SCHOOL", "ANDERS")

# Background class of a client (Bijlage 2.3-2.5 columns), in column order.
ACHTERGROND = ("Migratie achtergrond", "Status houder", "Overig")


@dataclass(frozen=True)
class Column:
    """One column of an export file: its name, kind and whether it must be filled."""

    name: str
    kind: str            # "text", "date", "flag", "code", "trede", "uitstroomreden", "gemeente"
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
        Column("reden", "uitstroomreden"),      # codes: the configuration's outflow reasons
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
