"""Small-cell suppression for the public version, decided once per year over every table of
every scope together.

The count cells of all published tables of a year (the service's page and each
municipality's page) are named by the keys of `rsdlib.tabledefs`: one key wherever the same
people are counted, so a count hidden in one table is hidden wherever it is published.
`tabledefs.relations` ties the keys together (categories add up to totals, municipalities to
the service, 2.3 totaal = uitstroom + indirect, waarvan-rows at most their total; counts are
non-negative integers).

Primary: counts from 1 to threshold-1 (and zeros when configured). Secondary: for every
hidden key in turn, the cheapest set of published keys whose suppression lets that key move
by the threshold while every relation holds, with integer counts (a mixed-integer program
solved by HiGHS): then no combination of the published cells, within a table, across tables
or across the pages of a year, narrows a hidden count to a range below the threshold. A
key's cost grows with its size and is much larger for totals and population counts, so those
stay published where at all possible. Keys are handled in a fixed order and the solver is
deterministic, so the same tables give the same pattern. Percentages are hidden with any
count they use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rsdlib import tabledefs
from rsdlib.config import Config
from rsdlib.tabledefs import Cell, Key, Relations

POPULATION_WEIGHT = 1000.0     # a population count is hidden only when nothing else can do
# Search limits that do not depend on the machine's speed (a time limit would): the best
# pattern found within them is used, so the same tables always give the same pattern.
MILP_OPTIONS = {"node_limit": 200, "mip_rel_gap": 0.02}
TOTAL_WEIGHT = 3.0             # a total of other cells (an area's row, a column total, the service)


@dataclass
class Decision:
    """The keys a year's public version hides: primary (small counts) and all (with the
    secondary keys that protect them)."""

    threshold: int
    primary: set[Key] = field(default_factory=set)
    hidden: set[Key] = field(default_factory=set)

    def payload(self) -> dict:
        """As JSON data (the batch's cache): keys as lists, in a fixed order."""
        return {"threshold": self.threshold,
                "primary": [_json(k) for k in sorted(self.primary, key=_order)],
                "secondary": [_json(k) for k in sorted(self.hidden - self.primary, key=_order)]}

    @classmethod
    def from_payload(cls, data: dict) -> Decision:
        primary = {_key(k) for k in data["primary"]}
        return cls(int(data["threshold"]), primary,
                   primary | {_key(k) for k in data["secondary"]})

    def cells(self, tid: str, table: pd.DataFrame, config: Config,
              scope: str) -> tuple[set[Cell], set[Cell]]:
        """A published table's hidden cells (counts and the percentages that use them) and,
        of those, the primary count cells."""
        lay = tabledefs.layout(tid, table, config, scope)
        hidden = {c for c, k in lay.counts.items() if k in self.hidden}
        hidden |= {c for c, uses in lay.pct.items() if any(k in self.hidden for k in uses)}
        return hidden, {c for c, k in lay.counts.items() if k in self.primary}


def _json(key: Key) -> list:
    return [_json(p) if isinstance(p, tuple) else p for p in key]


def _key(data: list) -> Key:
    return tuple(_key(p) if isinstance(p, list) else p for p in data)


def key_values(published: dict[str, dict[str, pd.DataFrame]], config: Config) -> dict[Key, float]:
    """The value of every count key of a year's published tables ({scope: {tid: table}}).
    The same key must have the same value wherever it is published."""
    values: dict[Key, float] = {}
    for scope, tabs in published.items():
        for tid, table in tabs.items():
            if tid not in tabledefs.DESCRIBE:
                continue
            for (r, c), key in tabledefs.layout(tid, table, config, scope).counts.items():
                v = float(table.iloc[r][c])
                if key in values and values[key] != v:
                    raise ValueError(f"{tid} ({scope}): {key} is {v}, elders {values[key]}")
                values[key] = v
    return values


def _order(key: Key) -> tuple:
    return tuple("" if p is None else str(p) for p in key)


def components(keys: list[Key], rel: Relations) -> list[tuple[list[Key], Relations]]:
    """The keys split into groups no relation connects (clients at 31-12, inflow, outflow,
    dossiers, ...), each with its relations: each group is protected on its own."""
    parent = {k: k for k in keys}

    def find(k: Key) -> Key:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for parts, total in rel.equations:
        for p in parts:
            parent[find(p)] = find(total)
    for x, y in rel.at_most:
        parent[find(x)] = find(y)
    groups: dict[Key, list[Key]] = {}
    for k in keys:
        groups.setdefault(find(k), []).append(k)
    out = []
    for members in groups.values():
        inside = set(members)
        sub = Relations([(ps, t) for ps, t in rel.equations if t in inside],
                        [(x, y) for x, y in rel.at_most if x in inside])
        out.append((members, sub))
    return out


class _System:
    """The relations of one group of keys as matrices (keys in a fixed order)."""

    def __init__(self, keys: list[Key], values: dict[Key, float], rel: Relations,
                 cost: Callable[[Key, float], float]) -> None:
        self.keys = sorted(keys, key=_order)
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.x = np.array([values[k] for k in self.keys])
        n = len(self.keys)
        eq = np.zeros((len(rel.equations), n))
        for i, (parts, total) in enumerate(rel.equations):
            for p in parts:
                eq[i, self.index[p]] += 1
            eq[i, self.index[total]] -= 1
        ub = np.zeros((len(rel.at_most), n))
        for i, (a, b) in enumerate(rel.at_most):
            ub[i, self.index[a]] += 1
            ub[i, self.index[b]] -= 1
        self.eq, self.ub = eq, ub
        self.cost = np.array([cost(k, values[k]) for k in self.keys])
        self.bound = 4                # a key moves by at most this many thresholds

    def _move(self, cell: Key, cols: np.ndarray, cost: np.ndarray,
              threshold: int) -> np.ndarray | None:
        """An integer move w of the keys `cols` (the others stay) with w[cell] = threshold,
        every relation kept and every count >= 0, costing sum(cost |w|) the least; None when
        there is none. Solved as an LP first: these systems nearly always have an integral
        optimal vertex; a mixed-integer program only when it is not."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        h = len(cols)
        cons = []
        if len(self.eq):
            e = self.eq[:, cols]
            cons.append(LinearConstraint(np.hstack([e, -e]), 0, 0))
        if len(self.ub):                     # x_a + w_a <= x_b + w_b
            u = self.ub[:, cols]
            cons.append(LinearConstraint(np.hstack([u, -u]), -np.inf, -self.ub @ self.x))
        one = np.zeros(2 * h)
        j = int(np.flatnonzero(cols == self.index[cell])[0])
        one[j], one[h + j] = 1, -1
        cons.append(LinearConstraint(one, threshold, threshold))
        big = float(self.bound * threshold)
        bounds = Bounds(np.zeros(2 * h), np.concatenate([np.full(h, big),
                                                          np.minimum(self.x[cols], big)]))
        c = np.concatenate([cost, cost])
        res = milp(c, constraints=cons, bounds=bounds)
        if res.x is None:
            return None
        if np.allclose(res.x, np.round(res.x), atol=1e-7):
            x = np.round(res.x)
        else:
            res = milp(c, constraints=cons, bounds=bounds, integrality=np.ones(2 * h),
                       options=MILP_OPTIONS)
            if res.x is None:
                return None
            x = np.round(res.x)
        return x[:h] - x[h:]

    def safe(self, cell: Key, hidden: set[Key], threshold: int) -> bool:
        """Whether `cell` can already be `threshold` larger moving hidden keys only."""
        cols = np.array([i for i, k in enumerate(self.keys) if k in hidden])
        return self._move(cell, cols, np.ones(len(cols)), threshold) is not None

    def protect(self, cell: Key, hidden: set[Key], threshold: int) -> set[Key] | None:
        """The cheapest published keys to hide so that `cell` can be `threshold` larger with
        all relations holding and all counts non-negative integers (None: it cannot). A
        published key's cost per unit it moves is its `_cost`; hidden keys move for free."""
        cols = np.arange(len(self.keys))
        cost = np.array([1e-3 if k in hidden else c for k, c in zip(self.keys, self.cost,
                                                                      strict=True)])
        w = self._move(cell, cols, cost, threshold)
        if w is None:
            return None
        return {k for k, v in zip(self.keys, w, strict=True) if v != 0 and k not in hidden}


def _cost(key: Key, value: float, short: str) -> float:
    """What hiding a key loses: about one cell (a little more for a larger count), more for a
    total of other cells, much more for a population count. Measured on the demo exports,
    costs by cell rather than by size hide the fewest cells."""
    base = 1.0 + 0.01 * value
    if tabledefs.is_population(key):
        return base * POPULATION_WEIGHT
    if key[1] == short or key[2] is None or key[3] is None and key[0] != "klanten":
        return base * TOTAL_WEIGHT
    return base


def primary(values: dict[Key, float], threshold: int, zeros: bool) -> set[Key]:
    """Counts from 1 to threshold-1 (and zeros when they are disclosive)."""
    return {k for k, v in values.items() if 0 < v < threshold or (zeros and v == 0)}


def decide(published: dict[str, dict[str, pd.DataFrame]], config: Config) -> Decision:
    """The year's suppression over every published table of every scope ({scope: {tid:
    table}}): the keys and relations of the tables (`tabledefs`), then `solve`."""
    values = key_values(published, config)
    rel = tabledefs.relations(set(values), config).holding(values)
    bad = tabledefs.check(rel, values)
    if bad:
        raise ValueError("de tabelbeschrijving klopt niet met de cijfers: " + "; ".join(bad[:5]))
    short = config.short
    return solve(values, rel, config.publication.threshold, config.publication.zeros_disclosive,
                 lambda key, value: _cost(key, value, short))


def solve(values: dict[Key, float], rel: Relations, threshold: int, zeros: bool,
          cost: Callable[[Key, float], float]) -> Decision:
    """The suppression of a set of count keys, whatever tables they come from: primary (counts
    from 1 to threshold-1, and zeros when `zeros`), then secondary until every hidden key can
    move by the threshold with every relation (`rel`) holding. `cost(key, value)` is what
    hiding a key loses (totals and populations cost more, so they stay published)."""
    first = primary(values, threshold, zeros)
    decision = Decision(threshold, first, set(first))
    if not first:
        return decision
    systems: dict[Key, _System] = {}
    for members, sub in components(sorted(values, key=_order), rel):
        system = _System(members, values, sub, cost)
        systems |= dict.fromkeys(members, system)
    hidden = decision.hidden
    queue = sorted(first, key=_order)
    done: set[Key] = set()
    while queue:
        key = queue.pop(0)
        if key in done:
            continue
        done.add(key)
        system = systems[key]
        if system.safe(key, hidden, threshold):
            continue
        extra = system.protect(key, hidden, threshold)
        if extra is None:            # cannot move up: a bound holds it (never for counts >= 0)
            continue
        hidden |= extra
        queue.extend(sorted(extra, key=_order))
    return decision


def ranges(values: dict[Key, float], rel: Relations, hidden: set[Key],
           integer: bool = False) -> dict[Key, tuple[float, float]]:
    """Feasible [min, max] of every hidden key given the published ones and the relations
    (LP, or integer programming): what an attacker with these relations can learn."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    keys = sorted(values, key=_order)
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    lo = np.array([0.0 if k in hidden else values[k] for k in keys])
    hi = np.array([np.inf if k in hidden else values[k] for k in keys])
    cons = []
    if rel.equations:
        a = np.zeros((len(rel.equations), n))
        for i, (parts, total) in enumerate(rel.equations):
            for p in parts:
                a[i, index[p]] += 1
            a[i, index[total]] -= 1
        cons.append(LinearConstraint(a, 0, 0))
    if rel.at_most:
        a = np.zeros((len(rel.at_most), n))
        for i, (x, y) in enumerate(rel.at_most):
            a[i, index[x]] += 1
            a[i, index[y]] -= 1
        cons.append(LinearConstraint(a, -np.inf, 0))
    out = {}
    for k in sorted(hidden, key=_order):
        ends = []
        for sign in (1, -1):
            c = np.zeros(n)
            c[index[k]] = sign
            res = milp(c, constraints=cons, bounds=Bounds(lo, hi),
                       integrality=np.ones(n) if integer else None)
            ends.append(np.inf if res.status != 0 else sign * res.fun)
        out[k] = (ends[0], ends[1])
    return out
