"""Compare appendix tables (however obtained) with the published 2019 figures."""

from collections.abc import Callable

import pandas as pd
import reference_2019 as ref

Tables = Callable[[str], pd.DataFrame]
COLS = [*ref.MUNIS, "RSD"]
BLOCK = ["Migratie achtergrond", "Status houder", "Overig", "Eindtotaal"]


def _rows(table: pd.DataFrame) -> list[tuple]:
    return [(label, *row) for label, row in zip(table.index, table[BLOCK].to_numpy().tolist(),
                                                strict=True)]


def assert_reference_2019(get: Tables) -> int:
    """Assert every published figure; return how many numbers were compared."""
    n = 0
    for tid, expected in (("bijlage_2_1_trede", ref.TREDE), ("bijlage_2_1_leeftijd", ref.LEEFTIJD),
                          ("bijlage_2_2_uitkeringsduur", ref.DUUR),
                          ("bijlage_2_2_geslacht", ref.GESLACHT),
                          ("bijlage_2_2_migratie", ref.MIGRATIE)):
        table = get(tid)
        assert list(table.index) == list(expected), tid
        assert list(table.columns) == [*COLS, "%"], tid
        for label, values in expected.items():
            assert table.loc[label, COLS].tolist() == list(values), (tid, label)
            n += 4
            total = expected.get("Totaal", (0, 0, 0, 2095))[3]
            assert round(table.loc[label, "%"], 2) == round(100 * values[3] / total, 2)
    assert get("bijlage_2_1_trede").loc["Trede 1 Geen aanbod", "%"].round(2) == 25.68
    for label, pct in ref.MIGRATIE_PCT.items():
        assert round(get("bijlage_2_2_migratie").loc[label, "%"], 2) == pct

    out = get("bijlage_2_3_uitstroom")
    got = _rows(out)[: len(ref.UITSTROOM)]
    assert got == [tuple(map(lambda v: v if isinstance(v, str) else float(v), r))
                   for r in ref.UITSTROOM]
    n += 4 * len(ref.UITSTROOM)
    assert out.loc["Duiven", "%"].round(2) == 26.64
    ind = get("bijlage_2_3_indirect")
    assert _rows(ind)[:4] == [tuple(float(v) if not isinstance(v, str) else v for v in r)
                              for r in ref.INDIRECT]
    tot = get("bijlage_2_3_totaal")
    assert tot.loc[ref.TOTAAL[0], BLOCK].tolist() == list(ref.TOTAAL[1:])
    assert tot.loc["% op totale uitstroom 2019", "Overig"].round(2) == 73.46
    n += 4 * 5

    inflow = get("bijlage_2_4_instroom_reden")
    assert _rows(inflow)[: len(ref.INSTROOM)] == [
        tuple(float(v) if not isinstance(v, str) else v for v in r) for r in ref.INSTROOM]
    for label, total in ref.INSTROOM_RSD.items():
        assert inflow.loc[label, "Eindtotaal"] == total
    assert inflow.loc["RSD Instroom Direct", "%"].round(2) == 56.39
    n += 4 * len(ref.INSTROOM) + len(ref.INSTROOM_RSD)

    groep = get("bijlage_2_5_instroom_groep")
    assert _rows(groep)[: len(ref.GROEP)] == [
        tuple(float(v) if not isinstance(v, str) else v for v in r) for r in ref.GROEP]
    for label, total in ref.GROEP_RSD.items():
        assert groep.loc[label, "Eindtotaal"] == total
    for label, pct in ref.GROEP_RSD_PCT.items():
        assert round(groep.loc[label, "%"], 2) == pct
    n += 4 * len(ref.GROEP) + len(ref.GROEP_RSD)

    dossiers = get("bijlage_2_6_dossiers")
    for label, (start, end, pct) in ref.DOSSIERS.items():
        assert dossiers.loc[label].round(2).tolist() == [start, end, pct], label
        n += 3
    return n
