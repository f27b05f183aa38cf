"""Municipal reorganisations: which municipalities exist in a year, and where the clients of
one that ended went.

Configured as [[reorganisation]] entries (see docs/configuration.md):

    [[reorganisation]]
    date = 2021-01-01                 # the first day of the new situation (a 1 January)
    ended = ["Haaren"]                # municipalities that end the day before
    to = ["Boxtel", "Oisterwijk", "Vught", "Tilburg"]   # where their clients went
    new = []                          # municipalities that begin on `date`

A merger has one `to`; a split several, of which some may lie outside the service (their
clients leave it). An export may name an ended municipality in rows before `date`; the
reports of a year show the municipalities that exist in that year. No pandas here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


class ReorganisationError(ValueError):
    """A [[reorganisation]] entry is inconsistent; the loader adds the file name."""


@dataclass(frozen=True)
class Change:
    date: dt.date
    ended: tuple[str, ...]
    to: tuple[str, ...]
    new: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return "samenvoeging" if len(self.to) == 1 else "splitsing"

    def describe(self) -> str:
        """One Dutch sentence for notes and `rsd config check`."""
        day = self.date.strftime("%d-%m-%Y")
        ended = _words(self.ended)
        if len(self.to) == 1:
            return f"{ended} per {day} opgegaan in {self.to[0]}."
        return f"{ended} per {day} opgeheven en verdeeld over {_words(self.to)}."


def _words(names) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} en {names[-1]}"


def parse(raw: list, municipalities: tuple[str, ...]) -> tuple[Change, ...]:
    """The [[reorganisation]] entries, checked against the configured municipalities."""
    out = []
    for i, item in enumerate(raw or ()):
        where = f"[[reorganisation]] {i + 1}"
        if not isinstance(item, dict):
            raise ReorganisationError(f"{where}: verwacht date, ended en to")
        day = item.get("date")
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ReorganisationError(f"{where}: date is een datum (bijvoorbeeld 2021-01-01)")
        if (day.month, day.day) != (1, 1):
            raise ReorganisationError(f"{where}: date {day} is geen 1 januari (een herindeling "
                                      "gaat per 1 januari in)")
        ended, to, new = (tuple(item.get(k, ())) for k in ("ended", "to", "new"))
        if not ended or not to:
            raise ReorganisationError(f"{where}: ended en to mogen niet leeg zijn")
        for name in (*ended, *new):
            if name not in municipalities:
                raise ReorganisationError(f"{where}: {name!r} staat niet in [service] "
                                          "municipalities (ook een opgeheven gemeente staat daar)")
        if set(ended) & set(to):
            raise ReorganisationError(f"{where}: een gemeente kan niet in zichzelf opgaan")
        out.append(Change(day, ended, to, new))
    ends = [m for c in out for m in c.ended]
    if len(set(ends)) != len(ends):
        raise ReorganisationError("[[reorganisation]]: een gemeente eindigt maar één keer")
    return tuple(sorted(out, key=lambda c: c.date))


def exists_in(changes: tuple[Change, ...], name: str, year: int) -> bool:
    """Whether a municipality exists during the whole of `year` (changes are on 1 January)."""
    for c in changes:
        if name in c.ended and year >= c.date.year:
            return False
        if name in c.new and year < c.date.year:
            return False
    return True


def active(changes: tuple[Change, ...], municipalities: tuple[str, ...],
           year: int) -> tuple[str, ...]:
    """The configured municipalities that exist in `year`, in configured order."""
    return tuple(m for m in municipalities if exists_in(changes, m, year))


def at_start(changes: tuple[Change, ...], year: int) -> tuple[Change, ...]:
    """The changes that take effect on 1 January of `year`."""
    return tuple(c for c in changes if c.date.year == year)


def valid_until(changes: tuple[Change, ...], name: str) -> dt.date | None:
    """The last day a municipality exists, or None while it does."""
    for c in changes:
        if name in c.ended:
            return c.date - dt.timedelta(days=1)
    return None


def valid_from(changes: tuple[Change, ...], name: str) -> dt.date | None:
    for c in changes:
        if name in c.new:
            return c.date
    return None
