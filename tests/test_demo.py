"""The synthetic demo export: valid, deterministic, and exact to the published 2019 figures.

The figures are computed here from the raw CSV text with the standard library only,
independently of both the generator's bookkeeping and rsdlib.tables.
"""

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from reference_2019 import (
    DOSSIERS,
    DUUR,
    GESLACHT,
    INDIRECT,
    INSTROOM,
    LEEFTIJD,
    MIGRATIE,
    MUNIS,
    TOTAAL,
    TREDE,
    UITSTROOM,
)

from rsdlib.demo import write_export
from rsdlib.io import read_export

PLACEMENT = {"STUDIE", "ARBEID", "PARTTIME", "SCHOLING_NUG", "WERK_NUG", "ZELFSTANDIG"}


def rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d-%m-%Y").date()


def cls(r: dict[str, str]) -> str:
    return "S" if r["statushouder"] == "J" else "M" if r["migratieachtergrond"] == "J" else "O"


@pytest.fixture(scope="module")
def raw(demo_dir):
    return {n: rows(demo_dir, n) for n in ("klanten", "instroom", "uitstroom")}


def per_muni(counter: Counter, key) -> tuple[int, ...]:
    values = tuple(counter[(m, key)] for m in MUNIS)
    return (*values, sum(values))


def test_demo_export_validates_without_refusals(demo):
    assert demo.report.refusals == []
    assert {f.rows_read for f in demo.report.files.values()} and all(
        f.rows_used == f.rows_read for f in demo.report.files.values())


def test_snapshot_2019_marginals_equal_reference(raw):
    end = [r for r in raw["klanten"] if r["peildatum"] == "31-12-2019"]
    peil = dt.date(2019, 12, 31)
    trede_label = dict(zip(["1", "2a", "2b", "3", "4", "5", "6g", "6z", "6n", ""], list(TREDE)[:10],
                           strict=True))
    c = Counter((r["gemeente"], trede_label[r["trede"]]) for r in end)
    c.update((r["gemeente"], "Totaal") for r in end)
    for label, expected in TREDE.items():
        assert per_muni(c, label) == expected, label

    def age(r):
        b = day(r["geboortedatum"])
        return peil.year - b.year - ((peil.month, peil.day) < (b.month, b.day))

    bands = [(17, "17 en jonger"), (27, "18-27"), (35, "28-35"), (45, "36-45"), (55, "46-55"),
             (999, "56 en ouder")]
    c = Counter((r["gemeente"], next(lab for top, lab in bands if age(r) <= top)) for r in end)
    for label, expected in LEEFTIJD.items():
        if label != "Totaal":
            assert per_muni(c, label) == expected, label

    def months(r):
        s = day(r["uitkering_sinds"])
        m = (peil.year - s.year) * 12 + peil.month - s.month
        return m - (s.day > peil.day)

    def duur(r):
        if not r["uitkering_sinds"]:
            return "Nuggers geen uitkering gehad"
        m = months(r)
        return ("6 maanden of minder" if m <= 6 else "6 tot 12 maanden" if m < 12 else
                "12 tot 24 maanden" if m < 24 else "24 tot 60 maanden" if m < 60 else
                "60 maanden en meer")

    c = Counter((r["gemeente"], duur(r)) for r in end)
    for label, expected in DUUR.items():
        if label != "Totaal":
            assert per_muni(c, label) == expected, label
    c = Counter((r["gemeente"], {"M": "Man", "V": "Vrouw"}[r["geslacht"]]) for r in end)
    for label in ("Man", "Vrouw"):
        assert per_muni(c, label) == GESLACHT[label]
    for label, col in (("Migratieachtergrond", "migratieachtergrond"),
                       ("waarvan Statushouders", "statushouder"),
                       ("Doelgroepregister", "doelgroepregister")):
        c = Counter((r["gemeente"], 1) for r in end if r[col] == "J")
        assert per_muni(c, 1) == MIGRATIE[label]


def test_dossiers_at_start_and_end_of_2019_equal_reference(raw):
    for pos, peil in ((0, "31-12-2018"), (1, "31-12-2019")):
        seen = {(r["gemeente"], r["dossiernummer"]) for r in raw["klanten"]
                if r["peildatum"] == peil and r["dossiernummer"]}
        c = Counter(m for m, _ in seen)
        assert [c[m] for m in MUNIS] + [len(seen)] == [
            DOSSIERS[m][pos] for m in (*MUNIS, "RSD de Liemers")]


def test_outflow_2019_equals_reference(raw):
    out = [r for r in raw["uitstroom"] if r["uitstroomdatum"].endswith("-2019")]
    label = {"STUDIE": "KPI: Aanv.studie met studiefinanciering",
             "ARBEID": "KPI: Inkomsten uit arbeid", "PARTTIME": "KPI: Parttime werk",
             "SCHOLING_NUG": "KPI: Plaatsing scholing NUG", "WERK_NUG": "KPI: Plaatsing werk NUG",
             "ZELFSTANDIG": "KPI: Zelfstandig beroep of bedrijf"}
    c = Counter()
    muni = None
    for r in out:
        if r["reden"] in PLACEMENT:
            c[(r["gemeente"], label[r["reden"]], cls(r))] += 1
            c[(r["gemeente"], r["gemeente"], cls(r))] += 1
            c[("", "Eindtotaal", cls(r))] += 1
    for row, m, s, o, total in UITSTROOM:
        if row in MUNIS:
            muni = row
        key = "" if row == "Eindtotaal" else muni
        got = tuple(c[(key, row, k)] for k in "MSO")
        assert got == (m, s, o) and sum(got) == total, (muni, row)
    ind = Counter((r["gemeente"], cls(r)) for r in out if r["reden"] not in PLACEMENT)
    for row, m, s, o, _ in INDIRECT[:-1]:
        assert tuple(ind[(row, k)] for k in "MSO") == (m, s, o)
    assert tuple(Counter(cls(r) for r in out)[k] for k in "MSO") == TOTAAL[1:4]


def test_inflow_2019_equals_reference_including_reentries(raw):
    inflow = [r for r in raw["instroom"]
              if r["instroomdatum"].endswith("-2019") and r["regeling"] != "BBZ"]
    outs: dict[str, list[dt.date]] = {}
    for r in raw["uitstroom"]:
        outs.setdefault(r["klantnummer"], []).append(day(r["uitstroomdatum"]))

    def six_months_before(d: dt.date) -> dt.date:
        y, m = divmod(d.month - 1 - 6, 12)
        import calendar
        year, month = d.year + y, m + 1
        return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))

    def reentry(r) -> bool:
        d = day(r["instroomdatum"])
        return any(six_months_before(d) <= o <= d for o in outs.get(r["klantnummer"], []))

    names = {"NUG": "Instroom Niet-Uitkeringsgerechtigden",
             "DIRECT": "Direct (Bijv. Ontslag, einde WW etc.)",
             "INDIRECT": "Indirect (Bijv. echtscheiding)"}
    c = Counter()
    for r in inflow:
        c[(r["gemeente"], r["gemeente"], cls(r))] += 1
        c[(r["gemeente"], names[r["reden"]], cls(r))] += 1
        if reentry(r):
            c[(r["gemeente"], "Binnen periode van 6 mnd weer ingestroomd", cls(r))] += 1
        c[("", "Eindtotaal", cls(r))] += 1
    muni = None
    for row, m, s, o, _ in INSTROOM:
        muni = row if row in MUNIS else muni
        key = "" if row == "Eindtotaal" else muni
        assert tuple(c[(key, row, k)] for k in "MSO") == (m, s, o), (muni, row)


@pytest.mark.slow
def test_demo_is_deterministic(tmp_path, config, demo_dir):
    write_export(config, tmp_path / "again")
    for name in ("klanten", "instroom", "uitstroom", "trede_mutaties", "jongeren_gesprekken"):
        assert (tmp_path / "again" / f"{name}.csv").read_bytes() == (
            demo_dir / f"{name}.csv").read_bytes(), name


def test_demo_joint_distributions_are_related(demo):
    """Trede, age and duration are related as in the source, not drawn independently."""
    k = demo["klanten"]
    s = k[k["peildatum"] == "2019-12-31"]
    age = (s["peildatum"] - s["geboortedatum"]).dt.days / 365.25
    far = s["trede"].astype(object).isin(["1", "2a"])
    near = s["trede"].astype(object).isin(["5", "6g", "6z", "6n"])
    assert age[far].mean() > age[near].mean() + 3
    long_benefit = (s["peildatum"] - s["uitkering_sinds"]).dt.days > 5 * 365
    assert long_benefit[far].mean() > long_benefit[near].mean() + 0.1


@pytest.mark.slow
def test_other_region_demo_validates(achterhoek_dir, achterhoek_config):
    export = read_export(achterhoek_dir, achterhoek_config)
    assert export.report.refusals == []
    assert set(export["klanten"]["gemeente"].unique()) == set(achterhoek_config.municipalities)
