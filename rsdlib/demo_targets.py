"""The 2019 figures the demo export is built to (RSD de Liemers, Bijlage 2), and their scaling.

A configuration with other municipalities gets the same shape scaled by inhabitants:
municipality i takes template municipality i mod 3, scaled to its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from rsdlib.config import Config

TEMPLATE_INHABITANTS = (24937, 15114, 45042)
CLASSES = ("M", "S", "O")   # Migratie achtergrond, Status houder, Overig

# Snapshot 31-12-2019 per municipality (Duiven, Westervoort, Zevenaar).
TREDE = {  # order: 1, 2a, 2b, 3, 4, 5, 6g, 6z, 6n, empty
    0: (156, 100, 127, 8, 65, 13, 34, 47, 6, 13),
    1: (116, 110, 85, 5, 31, 7, 37, 29, 7, 21),
    2: (266, 232, 203, 12, 112, 33, 82, 90, 10, 38),
}
TREDE_CODES = ("1", "2a", "2b", "3", "4", "5", "6g", "6z", "6n", None)
AGE = {0: (2, 70, 76, 94, 143, 184), 1: (1, 55, 56, 82, 123, 131), 2: (1, 180, 136, 204, 245, 312)}
DURATION = {  # <=6, 6-12, 12-24, 24-60, >=60 months, nugger
    0: (36, 34, 75, 167, 195, 62), 1: (22, 35, 45, 123, 170, 53), 2: (76, 75, 124, 279, 389, 135),
}
GENDER = {0: (240, 329), 1: (179, 269), 2: (470, 608)}          # M, V
MIGRATIE = {0: 248, 1: 184, 2: 279}                             # incl. statushouders
STATUS = {0: 93, 1: 66, 2: 80}
DOELGROEP = {0: 64, 1: 50, 2: 157}
DOSSIERS_START = {0: 435, 1: 356, 2: 865}
DOSSIERS_END = {0: 421, 1: 339, 2: 848}

# Outflow 2019 per municipality: reason -> (M, S, O).
PLACEMENTS = {
    0: {"STUDIE": (0, 5, 1), "ARBEID": (9, 7, 33), "PARTTIME": (2, 1, 3), "WERK_NUG": (0, 0, 17),
        "ZELFSTANDIG": (1, 0, 2)},
    1: {"STUDIE": (1, 1, 0), "ARBEID": (7, 9, 24), "PARTTIME": (4, 3, 6),
        "SCHOLING_NUG": (0, 0, 3), "WERK_NUG": (0, 0, 11), "ZELFSTANDIG": (0, 1, 2)},
    2: {"STUDIE": (0, 0, 8), "ARBEID": (14, 2, 60), "PARTTIME": (5, 0, 27),
        "SCHOLING_NUG": (1, 1, 1), "WERK_NUG": (2, 0, 26), "ZELFSTANDIG": (0, 1, 3)},
}
INDIRECT = {0: (19, 7, 31), 1: (9, 9, 34), 2: (21, 9, 126)}
# Inflow 2019 excl. BBZ per municipality: (M, S, O) per reason, re-entries and unit.
INFLOW = {
    0: {"DIRECT": (9, 8, 39), "INDIRECT": (12, 5, 27), "NUG": (0, 0, 8)},
    1: {"DIRECT": (8, 12, 32), "INDIRECT": (1, 8, 14), "NUG": (0, 0, 10)},
    2: {"DIRECT": (13, 21, 105), "INDIRECT": (13, 1, 57), "NUG": (6, 1, 28)},
}
REENTRY = {0: (3, 3, 13), 1: (0, 4, 6), 2: (8, 1, 20)}
UNITS = {  # non-NUG inflow: Z&O, Werk, Geen trede -> (M, S, O)
    0: {"ZO": (5, 2, 14), "WERK": (16, 11, 52), "GEEN": (0, 0, 0)},
    1: {"ZO": (3, 9, 19), "WERK": (6, 11, 26), "GEEN": (0, 0, 1)},
    2: {"ZO": (10, 9, 34), "WERK": (16, 13, 126), "GEEN": (0, 0, 2)},
}
# Headline KPIs 2019 (service-wide).
STEP_FORWARD = 331
ACTIVE_SHARE = 0.85
PLACEMENTS_DOELGROEP = 34
NON_DURABLE = 60     # 244 of 304 placements durable: 80%


@dataclass
class Targets:
    """The 2019 targets for one municipality of the configuration."""

    trede: tuple[int, ...]
    age: tuple[int, ...]
    duration: tuple[int, ...]
    gender: tuple[int, ...]
    migratie: int
    status: int
    doelgroep: int
    dossiers_start: int
    dossiers_end: int
    placements: dict[str, tuple[int, int, int]]
    indirect: tuple[int, int, int]
    inflow: dict[str, tuple[int, int, int]]
    reentry: tuple[int, int, int]
    units: dict[str, tuple[int, int, int]]
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(self.trede)


def _share(counts: tuple[int, ...], total: int) -> tuple[int, ...]:
    """Scale counts to a total by largest remainder (the total is exact)."""
    raw = np.asarray(counts, dtype=float)
    if raw.sum() == 0:
        return tuple(0 for _ in counts)
    raw = raw * total / raw.sum()
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out), kind="stable")[: total - out.sum()]:
        out[i] += 1
    return tuple(int(x) for x in out)


def _scale3(cells: tuple[int, int, int], f: float) -> tuple[int, int, int]:
    a, b, c = cells
    return int(round(a * f)), int(round(b * f)), int(round(c * f))


def targets_for(config: Config) -> list[Targets]:
    """2019 targets per configured municipality: the template, scaled by inhabitants."""
    # the inhabitants of the year nearest 2019 (the year the targets are for)
    latest = (config.inhabitants[min(config.inhabitants, key=lambda y: (abs(y - 2019), -y))]
              if config.inhabitants else {})
    out = []
    for i, muni in enumerate(config.municipalities):
        t = i % 3
        f = latest.get(muni, TEMPLATE_INHABITANTS[t]) / TEMPLATE_INHABITANTS[t]
        if abs(f - 1) < 1e-9:
            out.append(Targets(TREDE[t], AGE[t], DURATION[t], GENDER[t], MIGRATIE[t], STATUS[t],
                               DOELGROEP[t], DOSSIERS_START[t], DOSSIERS_END[t], PLACEMENTS[t],
                               INDIRECT[t], INFLOW[t], REENTRY[t], UNITS[t]))
            continue
        n = int(round(sum(TREDE[t]) * f))
        inflow = {k: _scale3(v, f) for k, v in INFLOW[t].items()}
        non_nug = tuple(inflow["DIRECT"][c] + inflow["INDIRECT"][c] for c in range(3))
        unit_cols = [_share(tuple(UNITS[t][u][c] for u in ("ZO", "WERK", "GEEN")), non_nug[c])
                     for c in range(3)]
        units = {u: (unit_cols[0][j], unit_cols[1][j], unit_cols[2][j])
                 for j, u in enumerate(("ZO", "WERK", "GEEN"))}
        indirect = _scale3(INDIRECT[t], f)
        r0, r1, r2 = _scale3(REENTRY[t], f)
        reentry = (min(r0, indirect[0], non_nug[0]), min(r1, indirect[1], non_nug[1]),
                   min(r2, indirect[2], non_nug[2]))
        out.append(Targets(
            _share(TREDE[t], n), _share(AGE[t], n), _share(DURATION[t], n), _share(GENDER[t], n),
            int(round(MIGRATIE[t] * f)), int(round(STATUS[t] * f)), int(round(DOELGROEP[t] * f)),
            int(round(DOSSIERS_START[t] * f)), int(round(DOSSIERS_END[t] * f)),
            {k: _scale3(v, f) for k, v in PLACEMENTS[t].items()}, indirect, inflow,
            reentry, units))
    return out
