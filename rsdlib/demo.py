"""A deterministic synthetic caseload export, 2018-2025, whose 2019 figures are exact.

The export is a simulation of client histories (benefit spells, trede changes, flags) so that
snapshots and flows agree: a client in a snapshot has a spell that covers it, an inflow row
starts a spell and an outflow row ends one. The snapshot at 31-12-2019 and the 2019 flows
are built first, to the targets of `demo_targets`; attributes are assigned by ranking on a
latent "distance to work" with noise, so that the marginals are exact while age, trede,
benefit duration and background stay related. Nothing here is real personal data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

import numpy as np
import pandas as pd

from rsdlib import demo_targets as T
from rsdlib.config import Config, default_domain
from rsdlib.domain import REASON_CLASSES, Domain

FIRST_YEAR, LAST_YEAR = 2018, 2025
Y19_END = dt.date(2019, 12, 31)
Y19_START = dt.date(2019, 1, 1)
STEP_ORDER = ("1", "2a", "2b", "3", "4", "5", "6n", "6z", "6g")
CLOSE_TO_WORK = ("6g", "6z", "6n", "5", "4", "3", "2b", "2a", "1")  # rank order of latent u
# Plausible moves between steps: school (3) is a detour, not a stage on the way to work.
FORWARD = {"1": ("2a",), "2a": ("2b",), "2b": ("4", "4", "5", "3"), "3": ("4", "5"),
           "4": ("5", "5", "6n"), "5": ("6g", "6z", "6n"), "6n": ("6g", "6z")}
BACKWARD = {"2a": ("1",), "2b": ("2a",), "3": ("2b",), "4": ("2b",), "5": ("4",),
            "6n": ("5",), "6z": ("6n",), "6g": ("6z",)}
MEAN_STAY_YEARS = {"1": 7.0, "2a": 5.0, "2b": 3.0, "3": 2.5, "4": 2.0, "5": 1.0, "6g": 1.8,
                   "6z": 4.0, "6n": 2.5, None: 2.5}
INDIRECT_WEIGHTS = {"VERHUIZING": 0.30, "PARTNER": 0.18, "PENSIOEN": 0.14,
                    "ANDERE_UITKERING": 0.14, "DETENTIE": 0.04, "OVERLIJDEN": 0.05, "OVERIG": 0.15}
INFLOW_TREND = {2018: 1.0, 2020: 1.05, 2021: 0.95, 2022: 1.0, 2023: 1.25, 2024: 1.3, 2025: 1.3}
ACTIVE_RATE = {2017: 0.78, 2018: 0.78, 2019: T.ACTIVE_SHARE, 2020: 0.86, 2021: 0.86, 2022: 0.87,
               2023: 0.88, 2024: 0.88, 2025: 0.89}


def add_months(d: dt.date, months: int) -> dt.date:
    """A date plus whole calendar months, the day clipped to the month's end."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def whole_months(start: dt.date, end: dt.date) -> int:
    """The largest m with start + m months <= end."""
    m = (end.year - start.year) * 12 + end.month - start.month
    while m > 0 and add_months(start, m) > end:
        m -= 1
    return m


def month_ends() -> list[dt.date]:
    """Snapshot dates: 31-12-2017 and every month end of 2018-2025."""
    out = [dt.date(FIRST_YEAR - 1, 12, 31)]
    for y in range(FIRST_YEAR, LAST_YEAR + 1):
        out += [dt.date(y, m, calendar.monthrange(y, m)[1]) for m in range(1, 13)]
    return out


@dataclass
class Client:
    """A synthetic person: fixed attributes and latent propensities."""

    id: str
    gemeente: str
    birth: dt.date
    sex: str
    cls: str                  # M, S or O
    doelgroep: bool
    u: float                  # latent distance to work (high = far)
    act: float                # propensity to be active
    lks: float                # propensity to work with wage-cost subsidy
    onth: float               # propensity to be exempt


@dataclass
class _Member:
    """A client of the 31-12-2019 snapshot with the step and the benefit spell 2019 gave them:
    their later years are simulated from these."""

    client: Client
    s19: str | None           # the step on 31-12-2019 (None: no step)
    spell: dict               # World.spells' entry of the spell running on 31-12-2019


class _Event(TypedDict):
    """A 2019 inflow event of one municipality: background class, reason, unit, re-entry; the
    snapshot client it became (`member`, an index), and for a re-entrant the client."""

    cls: str
    reason: str
    unit: str
    reentry: bool
    member: NotRequired[int]
    client: NotRequired[Client]
    day: NotRequired[dt.date]


@dataclass
class World:
    """Everything the simulation builds; turned into the five export files at the end."""

    rng: np.random.Generator
    config: Config
    clients: dict[str, Client] = field(default_factory=dict)
    spells: list[dict] = field(default_factory=list)     # client, start, end, dossier, benefit
    tredes: list[tuple[str, dt.date, str | None, bool]] = field(default_factory=list)
    inflow: list[dict] = field(default_factory=list)
    outflow: list[dict] = field(default_factory=list)
    talks: list[dict] = field(default_factory=list)
    _next: dict[str, int] = field(default_factory=dict)

    def new_id(self, prefix: str) -> str:
        self._next[prefix] = self._next.get(prefix, 0) + 1
        return f"{prefix}{self._next[prefix]:06d}"

    def date_between(self, a: dt.date, b: dt.date) -> dt.date:
        """A uniform date in [a, b]."""
        return a + dt.timedelta(days=int(self.rng.integers(0, (b - a).days + 1)))

    def new_client(self, gemeente: str, cls: str, age: int | None = None, u: float | None = None,
                   doelgroep: bool | None = None, on: dt.date = Y19_END) -> Client:
        rng = self.rng
        u = float(rng.normal()) if u is None else u
        if age is None:
            age = int(np.clip(round(38 + 11 * u + rng.normal(0, 9)), 18, 66))
        birth = add_months(on, -12 * age - int(rng.integers(1, 12))) - dt.timedelta(
            days=int(rng.integers(0, 28)))
        c = Client(self.new_id("K"), gemeente, birth, "V" if rng.random() < 0.55 else "M", cls,
                   bool(rng.random() < 0.09) if doelgroep is None else doelgroep, u,
                   float(rng.random()), float(rng.random()), float(rng.random()))
        self.clients[c.id] = c
        return c

    def flags(self, c: Client) -> dict:
        return {"migratieachtergrond": c.cls in ("M", "S"), "statushouder": c.cls == "S",
                "doelgroepregister": c.doelgroep}

    def add_inflow(self, c: Client, day: dt.date, reason: str, trede: str | None,
                   regeling: str = "PW") -> None:
        self.inflow.append({"klantnummer": c.id, "gemeente": c.gemeente, "instroomdatum": day,
                            "regeling": regeling, "reden": reason, "trede": trede,
                            **self.flags(c)})

    def add_outflow(self, c: Client, day: dt.date, reason: str, lks: bool = False) -> None:
        self.outflow.append({"klantnummer": c.id, "gemeente": c.gemeente, "uitstroomdatum": day,
                             "reden": reason, **self.flags(c), "loonkostensubsidie": lks})

    def add_spell(self, c: Client, start: dt.date, end: dt.date | None, benefit: bool,
                  dossier: str | None = None) -> dict:
        spell = {"client": c.id, "start": start, "end": end, "benefit": benefit,
                 "dossier": (dossier or self.new_id("D")) if benefit else None}
        self.spells.append(spell)
        return spell


def _rank_assign(rng: np.random.Generator, key: np.ndarray, labels, counts) -> np.ndarray:
    """Give labels (in order, with exact counts) to items sorted by key plus noise."""
    order = np.argsort(key + rng.normal(0, 0.6, len(key)), kind="stable")
    out = np.empty(len(key), dtype=object)
    out[order] = np.repeat(np.array(labels, dtype=object), counts)
    return out


def _date_in_band(w: World, band: int, lo_date: dt.date | None = None) -> dt.date:
    """A uitkering_sinds whose whole months to 31-12-2019 fall in duration band `band`."""
    lo, hi = [(0, 6), (7, 11), (12, 23), (24, 59), (60, 180)][band]
    while True:
        m = int(w.rng.integers(lo, hi + 1))
        day = add_months(Y19_END, -m) - dt.timedelta(days=int(w.rng.integers(0, 28)))
        if lo <= whole_months(day, Y19_END) <= hi and (lo_date is None or day >= lo_date):
            return day


def _trede_in_unit(w: World, unit: str, prefer: str | None) -> str | None:
    members = {"ZO": ("1", "2a", "6z"), "WERK": ("2b", "3", "4", "5", "6g", "6n"), "GEEN": ()}
    if unit == "GEEN":
        return None
    if prefer in members[unit]:
        return prefer
    return str(w.rng.choice(members[unit]))


def _exit_after(w: World, c: Client, start: dt.date, trede: str | None) -> tuple[dt.date, str]:
    """When and why a spell ends after `start` (possibly beyond the export)."""
    years = w.rng.exponential(MEAN_STAY_YEARS[trede])
    end = start + dt.timedelta(days=max(20, int(years * 365)))
    aow = add_months(c.birth, 67 * 12)
    if aow < end:
        return max(aow, start + dt.timedelta(days=1)), "PENSIOEN"
    near = trede in ("5", "6g", "6z", "6n", "4", "3", "2b")
    if w.rng.random() < (0.62 if near else 0.25):
        reason = str(w.rng.choice(["ARBEID", "PARTTIME", "STUDIE", "ZELFSTANDIG"],
                                  p=[0.62, 0.2, 0.1, 0.08]))
    else:
        keys = list(INDIRECT_WEIGHTS)
        reason = str(w.rng.choice(keys, p=list(INDIRECT_WEIGHTS.values())))
    return end, reason


def _markov(w: World, c: Client, start: dt.date, end: dt.date | None, trede: str | None,
            after: dt.date) -> None:
    """Trede changes of a spell after `after`: about one every three years, mostly forward."""
    stop = min(end or dt.date(LAST_YEAR, 12, 31), dt.date(LAST_YEAR, 12, 31))
    day = max(start, after)
    while trede is not None:
        day = day + dt.timedelta(days=int(w.rng.exponential(900)) + 30)
        if day >= stop:
            return
        if w.rng.random() < 0.6:
            options = FORWARD.get(trede, ())
        else:
            options = BACKWARD.get(trede, ())
        if not options:
            continue
        new = str(w.rng.choice(options))
        w.tredes.append((c.id, day, new, True))
        trede = new


# --------------------------------------------------------------------------- 2019, exact


def _build_2019(w: World, m: int, muni: str, t: T.Targets) -> dict:
    """The snapshot 31-12-2019 and the flows of 2019 for one municipality, to its targets."""
    rng = w.rng
    n = t.size
    u = rng.normal(size=n)
    empty = rng.choice(n, size=t.trede[9], replace=False)
    trede_full = np.empty(n, dtype=object)
    keep = np.setdiff1d(np.arange(n), empty)
    trede_full[keep] = _rank_assign(rng, u[keep], CLOSE_TO_WORK,
                                    [t.trede[T.TREDE_CODES.index(c)] for c in CLOSE_TO_WORK])
    trede_full[empty] = None
    age_band = _rank_assign(rng, 0.7 * u, range(6), t.age).astype(int)
    # duration: nuggers at random, the rest longer when further from work
    dur = np.empty(n, dtype=int)
    nug = rng.choice(n, size=t.duration[5], replace=False)
    rest = np.setdiff1d(np.arange(n), nug)
    dur[nug] = 5
    dur[rest] = _rank_assign(rng, 0.8 * u[rest], range(5), t.duration[:5]).astype(int)
    # the young are nuggers or recent: swap with an adult nugger where needed
    for young in np.flatnonzero((age_band == 0) & (dur != 5) & (dur != 0)):
        j = next(j for j in rng.permutation(n) if dur[j] == 5 and age_band[j] != 0)
        dur[young], dur[j] = dur[j], dur[young]
    sex = _rank_assign(rng, -0.3 * u, ("M", "V"), t.gender)
    doel = _rank_assign(rng, -np.abs(u - 0.3), (True, False), (t.doelgroep, n - t.doelgroep))

    # 2019 inflow events of this municipality, exact by class, reason, re-entry and unit
    events: list[_Event] = []
    for ci, cls in enumerate(T.CLASSES):
        reasons = (["DIRECT"] * t.inflow["DIRECT"][ci] + ["INDIRECT"] * t.inflow["INDIRECT"][ci])
        units = (["ZO"] * t.units["ZO"][ci] + ["WERK"] * t.units["WERK"][ci]
                 + ["GEEN"] * t.units["GEEN"][ci])
        rng.shuffle(units)
        reent = np.zeros(len(reasons), dtype=bool)
        reent[rng.choice(len(reasons), size=t.reentry[ci], replace=False)] = True
        events += [{"cls": cls, "reason": r, "unit": un, "reentry": bool(re)}
                   for r, un, re in zip(reasons, units, reent, strict=True)]
        events += [{"cls": cls, "reason": "NUG", "unit": "NUG", "reentry": False}
                   for _ in range(t.inflow["NUG"][ci])]
    rng.shuffle(events)

    # which snapshot clients entered in 2019: the recent benefit ones and some nuggers
    recent = np.flatnonzero(dur <= 1)
    benefit_events = [e for e in events if e["reason"] != "NUG"]
    nug_events = [e for e in events if e["reason"] == "NUG"]
    if len(recent) > len(benefit_events):
        raise ValueError(f"{muni}: more recent clients than 2019 benefit inflow")
    for member, e in zip(recent, benefit_events, strict=False):
        e["member"] = int(member)
    nug_members = [i for i in nug if age_band[i] != 0][: int(len(nug_events) * 0.6)]
    for member, e in zip(nug_members, nug_events, strict=False):
        e["member"] = int(member)
    background = np.empty(n, dtype=object)
    linked = [e for e in events if "member" in e]
    for e in linked:
        background[e["member"]] = e["cls"]
    free = np.flatnonzero(background == None)  # noqa: E711
    need = {"S": t.status - sum(c == "S" for c in background), "M": t.migratie - t.status
            - sum(c == "M" for c in background)}
    need["O"] = len(free) - need["S"] - need["M"]
    if min(need.values()) < 0:
        raise ValueError(f"{muni}: background targets do not fit the 2019 inflow")
    background[free] = _rank_assign(rng, 0.5 * u[free], ("S", "M", "O"),
                                    (need["S"], need["M"], need["O"]))

    members: list[Client] = []
    for i in range(n):
        lo, hi = [(16, 17), (18, 27), (28, 35), (36, 45), (46, 55), (56, 66)][age_band[i]]
        if dur[i] == 4:
            lo = max(lo, 23)
        c = w.new_client(muni, background[i], age=int(rng.integers(lo, hi + 1)), u=float(u[i]),
                         doelgroep=bool(doel[i]))
        c.sex = sex[i]
        members.append(c)

    # benefit start dates and dossiers (partners share both; pairs within a duration band)
    linked_starts: dict[int, dt.date] = {}
    for e in linked:
        i = e["member"]
        lo = dt.date(2019, 2, 1) if e["reentry"] else None
        linked_starts[i] = (_date_in_band(w, int(dur[i]), lo) if dur[i] <= 1
                            else w.date_between(Y19_START, dt.date(2019, 12, 20)))
    starts = [linked_starts[i] if i in linked_starts
              else _date_in_band(w, int(dur[i])) if dur[i] < 5
              else w.date_between(dt.date(2014, 1, 1), dt.date(2018, 12, 31)) for i in range(n)]
    old_benefit = [i for i in range(n) if 2 <= dur[i] <= 4]
    new_benefit = [i for i in range(n) if dur[i] <= 1]
    pairs19 = len(old_benefit) + len(new_benefit) - t.dossiers_end
    leavers_plan = _outflow_events(w, t)
    in_out = [e for e in events if "member" not in e]
    # benefit leavers that were on the caseload at 31-12-2018 (estimate; exact after linking)
    benefit_leavers = sum(1 for o in leavers_plan if not o["reason"].endswith("_NUG")) - sum(
        1 for e in in_out if e["reason"] != "NUG")
    need_pairs = len(old_benefit) + benefit_leavers - t.dossiers_start   # p_old + q
    max_new = sum(sum(1 for i in new_benefit if dur[i] == b) // 2 for b in (0, 1))
    p_old = max(0, min(pairs19, need_pairs - benefit_leavers // 4, len(old_benefit) // 2))
    p_new = pairs19 - p_old
    if p_new > max_new or p_new < 0:
        raise ValueError(f"{muni}: the dossier targets cannot be met ({p_old=}, {p_new=})")
    dossier: list[str | None] = [None] * n
    for group, npairs in ((old_benefit, p_old), (new_benefit, p_new)):
        by_band: dict[int, list[int]] = {}
        for i in group:
            by_band.setdefault(int(dur[i]), []).append(i)
        pool = [pair for b in sorted(by_band) for pair in
                zip(by_band[b][0::2], by_band[b][1::2], strict=False)]
        for a, b in [pool[k] for k in rng.permutation(len(pool))[:npairs]]:
            dossier[a] = dossier[b] = w.new_id("D")
            starts[b] = starts[a]
    for i in range(n):
        if dur[i] < 5 and dossier[i] is None:
            dossier[i] = w.new_id("D")

    # spells of the snapshot clients, their intake inflow (from 2018 on) and intake trede
    forward_quota = round(T.STEP_FORWARD * n / t.extra.get("service_size", n))
    forward: set[str] = set()
    event_of = {e["member"]: e for e in linked}
    snapshot: list[_Member] = []
    for i, c in enumerate(members):
        s19 = trede_full[i]
        start = starts[i]
        end, _ = _exit_after(w, c, Y19_END, s19)
        spell = w.add_spell(c, start, end, benefit=dur[i] < 5, dossier=dossier[i])
        spell["exit_reason"] = _
        ev = event_of.get(i)
        if ev is not None:
            intake = s19 if ev["reason"] == "NUG" else _trede_in_unit(w, ev["unit"], s19)
            w.add_inflow(c, start, ev["reason"], intake)
            w.tredes.append((c.id, start, intake, False))
            if intake != s19:
                day = w.date_between(start, max(start, dt.date(2019, 12, 30)))
                w.tredes.append((c.id, day, s19, True))
                if (intake is not None and s19 is not None
                        and STEP_ORDER.index(s19) > STEP_ORDER.index(intake)):
                    forward.add(c.id)
            if ev["reentry"]:
                ev["client"] = c
        else:
            w.tredes.append((c.id, start, s19, False))
            if start.year == 2018:
                w.add_inflow(c, start, "NUG" if dur[i] == 5 else str(
                    rng.choice(["DIRECT", "INDIRECT"], p=[0.56, 0.44])), s19)
        snapshot.append(_Member(c, s19, spell))
    # forward steps in 2019 up to the quota; a few backward steps too
    candidates = [(s.client, s.s19) for i, s in enumerate(snapshot) if i not in event_of
                  and s.s19 is not None and s.s19 != "1"
                  and s.spell["start"] < dt.date(FIRST_YEAR, 1, 1)]
    for c, s19 in [candidates[k] for k in rng.permutation(len(candidates))]:
        idx = STEP_ORDER.index(s19)
        if len(forward) < forward_quota:
            old = STEP_ORDER[int(rng.integers(max(0, idx - 2), idx))]
            forward.add(c.id)
        elif rng.random() < 0.08 and idx < len(STEP_ORDER) - 1:
            old = STEP_ORDER[idx + 1]
        else:
            continue
        _retrede(w, c.id, old)
        w.tredes.append((c.id, w.date_between(dt.date(2019, 1, 15), dt.date(2019, 12, 15)),
                         s19, True))
    return {"members": snapshot, "events": events, "in_out": in_out, "leavers": leavers_plan,
            "old_dossiers": len(old_benefit) - p_old, "dossiers_start": t.dossiers_start,
            "forward": len(forward)}


def _retrede(w: World, client: str, trede: str) -> None:
    """Set the intake trede of a client's current spell (before a 2019 change)."""
    for k in range(len(w.tredes) - 1, -1, -1):
        cid, day, _, mut = w.tredes[k]
        if cid == client and not mut:
            w.tredes[k] = (cid, day, trede, False)
            return


def _outflow_events(w: World, t: T.Targets) -> list[dict]:
    """The 2019 outflow events of one municipality, exact by reason and class."""
    out = []
    for reason, cells in t.placements.items():
        for ci, k in enumerate(cells):
            out += [{"reason": reason, "cls": T.CLASSES[ci], "placement": True}
                    for _ in range(k)]
    keys = list(INDIRECT_WEIGHTS)
    for ci, k in enumerate(t.indirect):
        for _ in range(k):
            reason = str(w.rng.choice(keys, p=list(INDIRECT_WEIGHTS.values())))
            out.append({"reason": reason, "cls": T.CLASSES[ci], "placement": False})
    return [out[k] for k in w.rng.permutation(len(out))]


def _flows_2019(w: World, muni: str, plan: dict) -> list[dict]:
    """Tie the 2019 in-and-out clients, re-entrants and leavers to the outflow events."""
    rng = w.rng
    leavers = plan["leavers"]

    def take(cls: str, kinds: tuple[str, ...]) -> dict:
        """The first free outflow of a class, by preference of kind (indirect, placement, nug)."""
        for kind in kinds:
            for o in leavers:
                if "client" in o or o["cls"] != cls:
                    continue
                is_nug = o["reason"].endswith("_NUG")
                if kind == ("nug" if is_nug else "placement" if o["placement"] else "indirect"):
                    return o
        raise ValueError(f"{muni}: not enough 2019 outflow of class {cls} for the flows")

    # re-entrants: their previous spell ended with an indirect outflow within six months
    for e in plan["events"]:
        if not e["reentry"]:
            continue
        if "client" not in e:      # an in-and-out re-entrant
            e["client"] = w.new_client(muni, e["cls"])
            e["day"] = w.date_between(dt.date(2019, 2, 1), dt.date(2019, 10, 31))
        c = e["client"]
        day = e.get("day") or next(s["start"] for s in w.spells[::-1] if s["client"] == c.id)
        o = take(e["cls"], ("indirect",))
        o["client"], o["prior"] = c, True
        o["day"] = max(Y19_START, day - dt.timedelta(days=int(rng.integers(10, 170))))
    # in-and-out clients: entered in 2019 and left again before its end
    for e in plan["in_out"]:
        nug = e["reason"] == "NUG"
        c = e.get("client") or w.new_client(muni, e["cls"])
        day = e.get("day") or w.date_between(Y19_START, dt.date(2019, 10, 31))
        o = take(e["cls"], ("nug", "indirect") if nug else ("placement", "indirect"))
        o["client"], o["in_out"] = c, True
        o["day"] = w.date_between(day + dt.timedelta(days=14), dt.date(2019, 12, 30))
        trede = (str(rng.choice(STEP_ORDER)) if nug else _trede_in_unit(w, e["unit"], None))
        w.add_inflow(c, day, e["reason"], trede)
        w.tredes.append((c.id, day, trede, False))
        w.add_spell(c, day, o["day"], benefit=not nug)
    _leaver_spells(w, muni, plan, [o for o in leavers if not o.get("in_out")])
    return leavers


def _leaver_spells(w: World, muni: str, plan: dict, leavers: list[dict]) -> None:
    """Spells that cover 31-12-2018 and end with a 2019 outflow; q pairs share a dossier."""
    rng = w.rng
    benefit = [o for o in leavers if not o["reason"].endswith("_NUG")]
    q = plan["old_dossiers"] + len(benefit) - plan["dossiers_start"]
    pairable = [o for o in benefit if not o.get("prior")]
    if q < 0 or 2 * q > len(pairable):
        raise ValueError(f"{muni}: the dossier count at 1-1-2019 cannot be met ({q=})")
    order = [pairable[k] for k in rng.permutation(len(pairable))]
    mates = dict(zip(map(id, order[1:2 * q:2]), order[0:2 * q:2], strict=True))
    for o in sorted(leavers, key=lambda o: id(o) in mates):
        near = o["placement"]
        nug = o["reason"].endswith("_NUG")
        if id(o) in mates:
            mate = mates[id(o)]
            o["day"] = mate["day"] = o.get("day") or mate["day"]
        o.setdefault("day", w.date_between(Y19_START, dt.date(2019, 12, 30)))
        c = o.get("client") or w.new_client(
            muni, o["cls"], u=float(rng.normal(-0.6 if near else 0.2, 0.8)), on=o["day"])
        o["client"] = c
        trede = str(rng.choice(["4", "5", "6g", "6z", "2b"] if near else list(STEP_ORDER)))
        if id(o) in mates:
            spell = mates[id(o)]["spell"]
            start, dossier = spell["start"], spell["dossier"]
            spell["end"] = o["day"]
            mates[id(o)]["day"] = o["day"]
        else:
            start = w.date_between(dt.date(2012, 1, 1), dt.date(2018, 12, 20))
            dossier = None
        o["spell"] = w.add_spell(c, start, o["day"], benefit=not nug, dossier=dossier)
        w.tredes.append((c.id, start, trede, False))
        if start.year == 2018:
            w.add_inflow(c, start, "NUG" if nug else "DIRECT", trede)


def _emit_outflow_2019(w: World, leavers: list[dict], dgr_quota: int, lks_share: float) -> None:
    """Write the 2019 outflow rows; a fixed number of placements are in the doelgroepregister."""
    rng = w.rng
    placements = [o for o in leavers if o["placement"]]
    chosen = {id(placements[k]) for k in rng.permutation(len(placements))[:dgr_quota]}
    for o in leavers:
        c: Client = o["client"]
        if o["placement"]:        # placed clients left before 31-12-2019: free to set
            c.doelgroep = id(o) in chosen
        w.add_outflow(c, o["day"], o["reason"], lks=bool(o["placement"] and
                                                          rng.random() < lks_share))


# --------------------------------------------------------------------------- other years


def _simulate_year(w: World, year: int, base: dict[str, float]) -> None:
    """New clients entering in `year` (not 2019) and their spells, exits and steps."""
    rng = w.rng
    for muni, rate in base.items():
        n = rng.poisson(rate * INFLOW_TREND[year])
        for _ in range(n):
            cls = str(rng.choice(["M", "S", "O"], p=[0.15, 0.12, 0.73]))
            c = w.new_client(muni, cls, on=dt.date(year, 6, 30))
            day = w.date_between(dt.date(year, 1, 1), dt.date(year, 12, 31))
            reason = str(rng.choice(["DIRECT", "INDIRECT", "NUG"], p=[0.55, 0.33, 0.12]))
            trede = (None if rng.random() < 0.01 else
                     str(rng.choice(STEP_ORDER, p=[.15, .1, .2, .03, .17, .15, .05, .05, .1])))
            w.add_inflow(c, day, reason, trede)
            if rng.random() < 0.02:
                w.add_inflow(w.new_client(muni, cls), day, "DIRECT", None, regeling="BBZ")
            _spell_with_future(w, c, day, trede, benefit=reason != "NUG")


def _spell_with_future(w: World, c: Client, day: dt.date, trede: str | None,
                       benefit: bool) -> None:
    """A spell from `day` with its exit (and outflow row when inside the export) and steps."""
    end, reason = _exit_after(w, c, day, trede)
    inside = end <= dt.date(LAST_YEAR, 12, 31)
    w.add_spell(c, day, end if inside else None, benefit=benefit)
    w.tredes.append((c.id, day, trede, False))
    _markov(w, c, day, end, trede, day)
    if inside:
        if not benefit and reason in ("ARBEID", "STUDIE"):
            reason = "WERK_NUG" if reason == "ARBEID" else "SCHOLING_NUG"
        placement = reason in ("ARBEID", "PARTTIME", "STUDIE", "ZELFSTANDIG", "WERK_NUG",
                               "SCHOLING_NUG")
        lks_share = 0.12 * 1.12 ** (end.year - 2019)
        w.add_outflow(c, end, reason, lks=placement and w.rng.random() < lks_share)
        # about one in eight re-enters, some within six months
        if end.year >= 2020 and w.rng.random() < 0.12:
            back = end + dt.timedelta(days=int(w.rng.integers(20, 500)))
            if back <= dt.date(LAST_YEAR, 12, 31):
                w.add_inflow(c, back, "DIRECT", trede)
                w.add_spell(c, back, None if w.rng.random() < 0.5 else min(
                    back + dt.timedelta(days=400), dt.date(LAST_YEAR, 12, 31)), benefit=benefit)
                w.tredes.append((c.id, back, trede, False))


def _futures_of_2019(w: World, members: list[_Member]) -> None:
    """Exits after 2019 of the snapshot clients, and their later steps."""
    for member in members:
        c, spell = member.client, member.spell
        end = spell["end"]
        if end is not None and end > dt.date(LAST_YEAR, 12, 31):
            spell["end"] = None
        _markov(w, c, spell["start"], spell["end"], member.s19, dt.date(2020, 1, 1))
        if spell["end"] is not None:
            reason = spell["exit_reason"]
            if not spell["benefit"] and reason in ("ARBEID", "STUDIE"):
                reason = "WERK_NUG" if reason == "ARBEID" else "SCHOLING_NUG"
            w.add_outflow(c, spell["end"], reason,
                          lks=reason in ("ARBEID", "PARTTIME") and w.rng.random() < 0.15)


def _non_durable(w: World, count: int) -> None:
    """`count` placements of 2019 come back within twelve months, all in 2020."""
    rng = w.rng
    pl = [o for o in w.outflow if o["uitstroomdatum"].year == 2019
          and o["reden"] in T.PLACEMENTS[0] | T.PLACEMENTS[1] | T.PLACEMENTS[2]
          and o["uitstroomdatum"] >= dt.date(2019, 3, 1)]
    seen: set[str] = set()
    chosen = []
    for k in rng.permutation(len(pl)):
        if pl[k]["klantnummer"] not in seen:
            chosen.append(pl[k])
            seen.add(pl[k]["klantnummer"])
        if len(chosen) == count:
            break
    for o in chosen:
        c = w.clients[o["klantnummer"]]
        last = add_months(o["uitstroomdatum"], 12) - dt.timedelta(days=1)
        back = w.date_between(dt.date(2020, 1, 2), last)
        w.add_inflow(c, back, "DIRECT", "4")
        _spell_with_future(w, c, back, "4", benefit=True)


def _before_2019(w: World, base: dict[str, float]) -> None:
    """Clients who entered and left in 2018, or left in 2018 after an earlier start."""
    rng = w.rng
    for muni, rate in base.items():
        for _ in range(rng.poisson(rate * 0.3)):
            c = w.new_client(muni, str(rng.choice(["M", "S", "O"], p=[.15, .12, .73])),
                             on=dt.date(2018, 6, 30))
            day = w.date_between(dt.date(2018, 1, 1), dt.date(2018, 9, 30))
            trede = str(rng.choice(STEP_ORDER))
            w.add_inflow(c, day, "DIRECT", trede)
            end = w.date_between(day + dt.timedelta(days=30), dt.date(2018, 12, 30))
            w.add_spell(c, day, end, benefit=True)
            w.tredes.append((c.id, day, trede, False))
            w.add_outflow(c, end, str(rng.choice(["ARBEID", "VERHUIZING", "PARTTIME"])))
        for _ in range(rng.poisson(rate * 1.1)):
            c = w.new_client(muni, str(rng.choice(["M", "S", "O"], p=[.15, .12, .73])),
                             on=dt.date(2018, 6, 30))
            start = w.date_between(dt.date(2012, 1, 1), dt.date(2017, 12, 1))
            end = w.date_between(dt.date(2018, 1, 1), dt.date(2018, 12, 30))
            trede = str(rng.choice(STEP_ORDER))
            w.add_spell(c, start, end, benefit=True)
            w.tredes.append((c.id, start, trede, False))
            _, reason = _exit_after(w, c, start, trede)
            w.add_outflow(c, end, reason)


def _sync_flags(w: World) -> None:
    """Flow rows carry the person's background and register flags, as the system would."""
    for row in (*w.inflow, *w.outflow):
        c = w.clients[row["klantnummer"]]
        row.update(w.flags(c))


def _talks(w: World) -> None:
    rng = w.rng
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for muni in w.config.municipalities:
            for _ in range(rng.poisson(200 / len(w.config.municipalities))):
                w.talks.append({"klantnummer": w.new_id("J"), "gemeente": muni,
                                "datum": w.date_between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
                                "uitkomst": str(rng.choice(["UITKERING", "WERK", "SCHOOL",
                                                            "ANDERS"], p=[.2, .3, .35, .15]))})


# --------------------------------------------------------------------------- snapshots


def _snapshots(w: World) -> pd.DataFrame:
    """Every client on the caseload at every snapshot date, with trede and flags then."""
    spells = pd.DataFrame(w.spells)
    spells["start"] = pd.to_datetime(spells["start"])
    spells["end"] = pd.to_datetime(spells["end"])
    tre = pd.DataFrame(w.tredes, columns=["client", "date", "trede", "mutation"])
    tre["date"] = pd.to_datetime(tre["date"])
    tre = tre.sort_values(["date", "mutation"], kind="stable")
    attrs = pd.DataFrame([vars(c) for c in w.clients.values()]).set_index("id")
    frames = []
    for day in month_ends():
        d = pd.Timestamp(day)
        on = spells[(spells["start"] <= d) & (spells["end"].isna() | (spells["end"] > d))]
        on = on.drop_duplicates("client", keep="last")
        known = tre[tre["date"] <= d].drop_duplicates("client", keep="last").set_index("client")
        snap = pd.DataFrame({"peildatum": d, "klantnummer": on["client"].to_numpy(),
                             "uitkering_sinds": on["start"].where(on["benefit"]).to_numpy(),
                             "dossiernummer": on["dossier"].to_numpy()})
        snap["trede"] = snap["klantnummer"].map(known["trede"])
        frames.append(snap)
    snaps = pd.concat(frames, ignore_index=True)
    a = attrs.loc[snaps["klantnummer"]].reset_index(drop=True)
    snaps["gemeente"] = a["gemeente"].to_numpy()
    snaps["geboortedatum"] = pd.to_datetime(a["birth"]).to_numpy()
    snaps["geslacht"] = a["sex"].to_numpy()
    snaps["migratieachtergrond"] = a["cls"].isin(["M", "S"]).to_numpy()
    snaps["statushouder"] = (a["cls"] == "S").to_numpy()
    snaps["doelgroepregister"] = a["doelgroep"].to_numpy()
    year = snaps["peildatum"].dt.year
    step = snaps["trede"]
    # active: per snapshot, exactly the year's share of clients on 2a-5, by propensity
    act = a["act"].to_numpy()
    snaps["actief_traject"] = False
    eligible = step.isin(["2a", "2b", "3", "4", "5"])
    for (_, y), idx in snaps[eligible].groupby(["peildatum", year[eligible]]).groups.items():
        k = int(round(ACTIVE_RATE[int(y)] * len(idx)))
        top = np.asarray(idx)[np.argsort(act[idx])][:k]
        snaps.loc[top, "actief_traject"] = True
    snaps.loc[step.isin(["1"]) & (act < 0.32), "actief_traject"] = True
    snaps.loc[step.isin(["6g", "6z", "6n"]) & (act < 0.5), "actief_traject"] = True
    snaps["loonkostensubsidie"] = step.isin(["6g", "6z", "6n", "5"]) & (
        a["lks"].to_numpy() < 0.25 * 1.12 ** (year - 2019))
    snaps["ontheffing"] = np.where(step.isin(["1", "2a"]), a["onth"].to_numpy() < 0.45,
                                   a["onth"].to_numpy() < 0.03)
    snaps["_bsn"] = "999" + (pd.Series(snaps["klantnummer"]).str[1:].astype(int) % 1_000_000
                             ).astype(str).str.zfill(6)
    return snaps.sort_values(["peildatum", "gemeente", "klantnummer"], kind="stable")


def _mutations(w: World) -> pd.DataFrame:
    tre = pd.DataFrame(w.tredes, columns=["client", "date", "trede", "mutation"])
    tre = tre.sort_values(["client", "date", "mutation"], kind="stable")
    prev = tre.groupby("client")["trede"].shift()
    rows = tre[tre["mutation"]].assign(trede_oud=prev[tre["mutation"]])
    rows = rows[rows["trede_oud"].astype(object) != rows["trede"].astype(object)]
    gem = {cid: c.gemeente for cid, c in w.clients.items()}
    return pd.DataFrame({"klantnummer": rows["client"], "gemeente": rows["client"].map(gem),
                         "datum": rows["date"], "trede_oud": rows["trede_oud"],
                         "trede_nieuw": rows["trede"]}).sort_values(["datum", "klantnummer"])


# --------------------------------------------------------------------------- entry point


def generate(config: Config, seed: int = 2019) -> dict[str, pd.DataFrame]:
    """Build the five export files as frames of typed values (dates, booleans, codes)."""
    every, config = config, config.for_year(2019)     # simulated as the service was in 2019
    w = World(np.random.default_rng(seed), config)
    targets = T.targets_for(config)
    service_size = sum(t.size for t in targets)
    for t in targets:
        t.extra["service_size"] = service_size
    members: list[_Member] = []
    base: dict[str, float] = {}
    quota_left = round(T.PLACEMENTS_DOELGROEP * service_size / 2095)
    for m, (muni, t) in enumerate(zip(config.municipalities, targets, strict=True)):
        plan = _build_2019(w, m, muni, t)
        leavers = _flows_2019(w, muni, plan)
        quota = min(quota_left, round(T.PLACEMENTS_DOELGROEP * t.size / service_size) + 1)
        quota_left -= quota
        _emit_outflow_2019(w, leavers, quota, 0.15)
        members += plan["members"]
        base[muni] = sum(sum(v) for v in t.inflow.values())
        for _ in range(int(w.rng.poisson(3))):
            w.add_inflow(w.new_client(muni, "O"), w.date_between(Y19_START, Y19_END), "DIRECT",
                         None, regeling="BBZ")
    _futures_of_2019(w, members)
    _non_durable(w, round(T.NON_DURABLE * service_size / 2095))
    _before_2019(w, base)
    for year in (2020, 2021, 2022, 2023, 2024, 2025):
        _simulate_year(w, year, base)
    _talks(w)
    _sync_flags(w)
    klanten = _snapshots(w)
    instroom = pd.DataFrame(w.inflow).sort_values(["instroomdatum", "klantnummer"], kind="stable")
    uitstroom = pd.DataFrame(w.outflow).sort_values(["uitstroomdatum", "klantnummer"],
                                                    kind="stable")
    return reorganise(translate({
        "klanten": klanten,
        "instroom": instroom[instroom["instroomdatum"] <= dt.date(LAST_YEAR, 12, 31)],
        "uitstroom": uitstroom,
        "trede_mutaties": _mutations(w),
        "jongeren_gesprekken": pd.DataFrame(w.talks).sort_values(["datum", "klantnummer"]),
    }, config.domain), every)


DATE_OF = {"klanten": "peildatum", "instroom": "instroomdatum", "uitstroom": "uitstroomdatum",
           "trede_mutaties": "datum", "jongeren_gesprekken": "datum"}


def _pick(ids: pd.Series, options: tuple[str, ...], salt: str) -> pd.Series:
    """A fixed choice per client among `options` (the same client always gets the same)."""
    h = pd.util.hash_pandas_object(ids.astype(str) + salt, index=False).to_numpy()
    return pd.Series(np.asarray(options, dtype=object)[h % len(options)], index=ids.index)


def reorganise(frames: dict[str, pd.DataFrame], config: Config) -> dict[str, pd.DataFrame]:
    """The simulated export as the configured reorganisations make it. A municipality that
    ended after 2019 (simulated) hands its clients on at the change: each client to one of
    its successors; a client whose successor lies outside the service leaves the export from
    then on. A municipality that ended before 2019 (not simulated) takes a share of its
    successors' clients in the rows before the change."""
    if not config.changes:
        return frames
    out = {name: f.copy() for name, f in frames.items()}
    simulated = set(config.for_year(2019).municipalities)
    for c in config.changes:
        first = pd.Timestamp(c.date)
        for name, f in out.items():
            day = pd.to_datetime(f[DATE_OF[name]])
            muni = f["gemeente"].astype(object)
            if set(c.ended) & simulated:
                rows = muni.isin(c.ended) & (day >= first)
                dest = _pick(f.loc[rows, "klantnummer"], c.to, str(c.date))
                f.loc[rows, "gemeente"] = dest
                f = f[~(rows & ~f["gemeente"].isin(config.municipalities))]
            else:                     # before the change: a quarter of the successors' clients
                rows = muni.isin(c.to) & (day < first)
                pick = _pick(f.loc[rows, "klantnummer"], ("", "", "", *c.ended), str(c.date))
                f.loc[pick[pick != ""].index, "gemeente"] = pick[pick != ""]
            out[name] = f.reset_index(drop=True)
    return out


def step_map(dom: Domain) -> dict[str, str]:
    """The simulation's steps (the default ladder) onto a service's ladder by relative height:
    the lowest onto the lowest, the highest onto the highest, the rest in proportion."""
    own, target = STEP_ORDER, dom.order
    if own == target:
        return {c: c for c in own}
    scale = (len(target) - 1) / (len(own) - 1)
    return {c: target[int(i * scale + 0.5)] for i, c in enumerate(own)}


def reason_map(dom: Domain) -> dict[str, str | None]:
    """The simulation's outflow reasons onto a service's: each class onto the same class, in
    turn (a reason of the simulation that the service has keeps its code; None, an empty
    reason, where the service has no reason of that class)."""
    default = default_domain()
    out: dict[str, str | None] = {}
    for cls in REASON_CLASSES:
        theirs = [r.code for r in dom.outflow_reasons if r.cls == cls]
        ours = [r.code for r in default.outflow_reasons if r.cls == cls]
        for i, code in enumerate(ours):
            out[code] = code if code in theirs else theirs[i % len(theirs)] if theirs else None
    return out


def translate(frames: dict[str, pd.DataFrame], dom: Domain) -> dict[str, pd.DataFrame]:
    """The simulated export in a service's own ladder and outflow reasons (the simulation
    runs on the default ladder; for RSD de Liemers this changes nothing)."""
    steps, reasons = step_map(dom), reason_map(dom)
    if all(k == v for k, v in steps.items()) and all(k == v for k, v in reasons.items()):
        return frames
    out = dict(frames)
    for name, cols in (("klanten", ["trede"]), ("instroom", ["trede"]),
                       ("trede_mutaties", ["trede_oud", "trede_nieuw"])):
        f = out[name].copy()
        for col in cols:
            f[col] = f[col].map(steps, na_action="ignore")
        out[name] = f
    m = out["trede_mutaties"]      # two old steps can land on one: then it is no change
    out["trede_mutaties"] = m[m["trede_oud"].astype(object).fillna("") !=
                              m["trede_nieuw"].astype(object).fillna("")]
    u = out["uitstroom"].copy()
    u["reden"] = u["reden"].map(reasons)
    out["uitstroom"] = u
    return out


COLUMNS = {
    "klanten": ["peildatum", "klantnummer", "_bsn", "gemeente", "geboortedatum", "geslacht",
                "trede", "migratieachtergrond", "statushouder", "doelgroepregister",
                "uitkering_sinds", "dossiernummer", "loonkostensubsidie", "actief_traject",
                "ontheffing"],
    "instroom": ["klantnummer", "gemeente", "instroomdatum", "regeling", "reden", "trede",
                 "migratieachtergrond", "statushouder", "doelgroepregister"],
    "uitstroom": ["klantnummer", "gemeente", "uitstroomdatum", "reden", "migratieachtergrond",
                  "statushouder", "doelgroepregister", "loonkostensubsidie"],
    "trede_mutaties": ["klantnummer", "gemeente", "datum", "trede_oud", "trede_nieuw"],
    "jongeren_gesprekken": ["klantnummer", "gemeente", "datum", "uitkomst"],
}


def as_text(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A frame as the field writes it: dd-mm-jjjj dates, J/N flags, empty for missing."""
    out = pd.DataFrame(index=frame.index)
    for col in COLUMNS[name]:
        s = frame[col]
        header = "bsn" if col == "_bsn" else col
        if s.dtype == bool:
            out[header] = np.where(s, "J", "N")
        elif col in ("peildatum", "geboortedatum", "uitkering_sinds", "instroomdatum",
                     "uitstroomdatum", "datum"):
            # each distinct date written once (184.468 snapshot rows hold a few thousand)
            dates = pd.Categorical(pd.to_datetime(s))
            text = pd.Index(dates.categories.strftime("%d-%m-%Y"), dtype=object)
            out[header] = np.where(dates.codes >= 0, text.take(dates.codes.clip(0)), "")
        else:
            out[header] = s.astype(object).where(s.notna(), "").astype(str)
    return out


def write_export(config: Config, folder: Path, seed: int = 2019, xlsx: bool = False) -> list[Path]:
    """Write the demo export as `;`-separated CSV files (or one xlsx) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    frames = {name: as_text(f, name) for name, f in generate(config, seed).items()}
    mapping = config.import_mapping       # the export as the configured source system writes it
    if mapping is not None:
        from rsdlib.io.mapping import unmap

        frames = {mapping.source_file(name): unmap(name, f, mapping) for name, f in frames.items()}
    if xlsx:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        for name, f in frames.items():
            ws = wb.create_sheet(name)
            ws.append(list(f.columns))
            for row in f.itertuples(index=False):
                ws.append(list(row))
        path = folder / "export.xlsx"
        wb.save(path)
        return [path]
    paths = []
    for name, f in frames.items():
        path = folder / f"{name}.csv"
        f.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\r\n")
        paths.append(path)
    return paths
