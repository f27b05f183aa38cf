"""A service's domain: its participation ladder, units, bands, outflow reasons and page texts.

Read from the configuration (sections [ladder], [[ladder.step]], [[unit]], [bands],
[outflow_reasons], [texts]); the values of RSD de Liemers are in the default file
config/liemers.toml. A configuration that leaves a section out takes that section from the
default file. Validated when read: a ConfigError names the file, the section and the reason.
Nothing here imports pandas, so that the command can check a configuration cheaply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PLACEMENT, INDIRECT = "plaatsing", "indirect"
REASON_CLASSES = (PLACEMENT, INDIRECT)
# Inflow rows of these reasons go to the NUG unit row whatever their step; an intake step
# in no unit is "GEEN". Unit codes may not take these names.
NUG_UNIT, NO_UNIT = "NUG", "GEEN"

# The sections of a configuration that make up the domain (taken from the default file when
# a configuration leaves them out).
SECTIONS = ("ladder", "unit", "units", "bands", "outflow_reasons", "texts")


class DomainError(ValueError):
    """A domain section is inconsistent; the configuration loader adds the file name."""


@dataclass(frozen=True)
class Step:
    """One step of the ladder: its export code, its row label in Bijlage 2.1 and its
    Bijlage 1 lines (label, description, explanation)."""

    code: str
    label: str
    bijlage_1: tuple[str, str, str]


@dataclass(frozen=True)
class Unit:
    """A unit of Bijlage 2.5 and the intake steps that belong to it."""

    code: str
    label: str          # row label in a municipality's block
    short: str          # after the service's short name in the service rows
    steps: tuple[str, ...]


@dataclass(frozen=True)
class Band:
    label: str
    low: int
    high: int           # inclusive


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    cls: str            # PLACEMENT (to work, school or business) or INDIRECT


@dataclass(frozen=True)
class Domain:
    """Everything about a service's ladder, units, bands and reasons that tables, KPIs,
    validation and the demo read instead of constants."""

    ladder_name: str
    steps: tuple[Step, ...]                 # display order (Bijlage 1 and 2.1 rows)
    order: tuple[str, ...]                  # low to high: a step forward goes up this order
    no_step: tuple[str, ...]                # valid codes that mean "not on the ladder"
    empty_label: str                        # Bijlage 2.1 row of clients without a step
    active_steps: tuple[str, ...]           # steps of the monthly "actief traject" trend
    units: tuple[Unit, ...]
    nug_unit: tuple[str, str]               # (label, short) of the NUG unit row
    no_unit: tuple[str, str]                # (label, short) of the "no step" unit row
    age_bands: tuple[Band, ...]
    duration_bands: tuple[Band, ...]
    duration_none: str                      # row of clients without benefit (nuggers)
    outflow_reasons: tuple[Reason, ...]
    title: str = "Bijlagen"
    notes: dict[str, str] = field(default_factory=dict)

    # ------------------------------------------------------------------ derived views
    @property
    def codes(self) -> tuple[str, ...]:
        """Step codes in display order."""
        return tuple(s.code for s in self.steps)

    @property
    def step_labels(self) -> dict[str | None, str]:
        """Bijlage 2.1 row label per code; None is the empty step."""
        return {**{s.code: s.label for s in self.steps}, None: self.empty_label}

    def step(self, code: str) -> Step:
        return next(s for s in self.steps if s.code == code)

    @property
    def placement_reasons(self) -> dict[str, str]:
        """Outflow to work, school or business: code -> label, in configured order."""
        return {r.code: r.label for r in self.outflow_reasons if r.cls == PLACEMENT}

    @property
    def indirect_reasons(self) -> dict[str, str]:
        return {r.code: r.label for r in self.outflow_reasons if r.cls == INDIRECT}

    @property
    def reason_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.outflow_reasons)

    @property
    def age(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((b.label, b.low, b.high) for b in self.age_bands)

    @property
    def duration(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((b.label, b.low, b.high) for b in self.duration_bands)

    @property
    def unit_rows(self) -> dict[str, tuple[str, str]]:
        """Bijlage 2.5 rows: unit code -> (label, short), the NUG and no-step rows last."""
        return {**{u.code: (u.label, u.short) for u in self.units}, NUG_UNIT: self.nug_unit,
                NO_UNIT: self.no_unit}

    def above(self, codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Codes in ladder order (low to high)."""
        return tuple(c for c in self.order if c in codes)

    def summary(self) -> str:
        """One line: the ladder's name and steps, low to high."""
        return f"{self.ladder_name}: {', '.join(self.order)}" + (
            f" (geen trede: {', '.join(self.no_step)})" if self.no_step else "")


# ---------------------------------------------------------------------------- reading


def _need(raw: dict, key: str, where: str) -> Any:
    if key not in raw:
        raise DomainError(f"[{where}] mist {key!r}")
    return raw[key]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError(f"{where}: verwacht een niet-lege tekst, gevonden {value!r}")
    return value


def _codes(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError(f"{where}: verwacht een lijst van codes")
    return tuple(value)


def _pair(value: Any, where: str) -> tuple[str, str]:
    """[label, short]: two texts (the configuration's schema has checked them already)."""
    if not isinstance(value, list | tuple) or len(value) != 2 or not all(
            isinstance(v, str) for v in value):
        raise DomainError(f"{where}: verwacht [label, kort]")
    return value[0], value[1]


def _section(merged: dict[str, Any], key: str) -> dict:
    """A table of the configuration ([ladder], [bands], ...), here or in the default file."""
    value = merged[key]
    if not isinstance(value, dict):
        raise DomainError(f"[{key}] ontbreekt (ook in het standaardbestand)")
    return value


def _bands(value: Any, where: str) -> tuple[Band, ...]:
    """[[label, low, high], ...]: consecutive whole numbers from 0, no gaps or overlaps."""
    if not isinstance(value, list) or not value:
        raise DomainError(f"[bands] {where}: verwacht een lijst [label, van, tot en met]")
    out, expect = [], 0
    for item in value:
        if (not isinstance(item, list) or len(item) != 3 or not isinstance(item[0], str)
                or not all(isinstance(x, int) for x in item[1:])):
            raise DomainError(f"[bands] {where}: {item!r} is geen [label, van, tot en met]")
        label, low, high = item
        if low != expect or high < low:
            raise DomainError(f"[bands] {where}: band {label!r} begint bij {low}, verwacht "
                              f"{expect} (banden sluiten aan, vanaf 0, zonder overlap)")
        out.append(Band(label, low, high))
        expect = high + 1
    if len({b.label for b in out}) != len(out):
        raise DomainError(f"[bands] {where}: labels moeten uniek zijn")
    return tuple(out)


def parse(raw: dict, default: dict | None = None) -> Domain:
    """The domain of a configuration's raw TOML; sections it lacks come from `default`."""
    merged = {k: raw[k] if k in raw else (default or {}).get(k) for k in SECTIONS}
    lad, bands, outflow = (_section(merged, k) for k in ("ladder", "bands", "outflow_reasons"))
    unit_list = merged["unit"]
    if not isinstance(unit_list, list):
        raise DomainError("[[unit]] ontbreekt (ook in het standaardbestand)")
    steps_raw = _need(lad, "step", "ladder")
    steps = []
    for i, s in enumerate(steps_raw):
        where = f"[[ladder.step]] {i + 1}"
        code = _text(_need(s, "code", "ladder.step"), f"{where} code")
        b1 = s.get("bijlage_1", [s.get("label", code), "", ""])
        if not isinstance(b1, list) or len(b1) != 3 or not all(isinstance(x, str) for x in b1):
            raise DomainError(f"{where} ({code}): bijlage_1 is [label, omschrijving, toelichting]")
        steps.append(Step(code, _text(_need(s, "label", "ladder.step"), f"{where} label"),
                          (b1[0], b1[1], b1[2])))
    codes = [s.code for s in steps]
    if len(set(codes)) != len(codes) or not codes:
        raise DomainError("[ladder] treden moeten bestaan en unieke codes hebben")
    if any(c != c.lower() or c != c.strip() for c in codes):
        raise DomainError(f"[ladder] trede-codes in kleine letters zonder spaties: {codes}")
    order = _codes(lad.get("order", codes), "[ladder] order")
    if sorted(order) != sorted(codes):
        raise DomainError(f"[ladder] order {list(order)} moet precies de treden {codes} noemen")
    no_step = _codes(lad.get("no_step", []), "[ladder] no_step")
    if set(no_step) & set(codes):
        raise DomainError("[ladder] no_step: een code is een trede of geen trede, niet beide")
    active = _codes(lad.get("active_steps", list(order)), "[ladder] active_steps")
    _known(active, codes, "[ladder] active_steps")

    units: list[Unit] = []
    seen: set[str] = set()
    for i, u in enumerate(unit_list):
        code = _text(_need(u, "code", "unit"), f"[[unit]] {i + 1} code")
        if code in (NUG_UNIT, NO_UNIT) or code in {x.code for x in units}:
            raise DomainError(f"[[unit]] code {code!r} is al in gebruik (NUG en GEEN zijn vast)")
        ust = _codes(_need(u, "steps", "unit"), f"[[unit]] {code} steps")
        _known(ust, codes, f"[[unit]] {code} steps")
        if seen & set(ust):
            raise DomainError(f"[[unit]] {code}: trede {sorted(seen & set(ust))} hoort al bij "
                              "een andere unit")
        seen |= set(ust)
        label = _text(_need(u, "label", "unit"), f"[[unit]] {code} label")
        units.append(Unit(code, label, u.get("short", label), ust))
    extra = merged.get("units") or {}
    reasons = []
    for code, r in outflow.items():
        if not isinstance(r, dict) or r.get("class") not in REASON_CLASSES:
            raise DomainError(f"[outflow_reasons] {code}: class moet een van "
                              f"{', '.join(REASON_CLASSES)} zijn")
        if code != code.upper():
            raise DomainError(f"[outflow_reasons] code {code!r} in hoofdletters")
        reasons.append(Reason(code, _text(r.get("label"), f"[outflow_reasons] {code} label"),
                              r["class"]))
    if not any(r.cls == PLACEMENT for r in reasons):
        raise DomainError("[outflow_reasons] ten minste één reden met class = \"plaatsing\"")
    texts = merged.get("texts") or {}
    notes = texts.get("notes", {})
    if not isinstance(notes, dict) or not all(isinstance(v, str) for v in notes.values()):
        raise DomainError("[texts] notes: verwacht kop = \"tekst\"")
    return Domain(
        ladder_name=lad.get("name", "Participatieladder"),
        steps=tuple(steps), order=order, no_step=no_step,
        empty_label=lad.get("empty_label", "Overige"), active_steps=tuple(
            c for c in order if c in active),
        units=tuple(units),
        nug_unit=_pair(extra.get("nug", ["Niet-Uitkeringsgerechtigden",
                                         "Niet-uitkeringsgerechtigden"]), "[units] nug"),
        no_unit=_pair(extra.get("none", ["Geen Trede", "Geen trede"]), "[units] none"),
        age_bands=_bands(_need(bands, "age", "bands"), "age"),
        duration_bands=_bands(_need(bands, "duration", "bands"), "duration"),
        duration_none=bands.get("duration_none", "Geen uitkering"),
        outflow_reasons=tuple(reasons),
        title=texts.get("title", "Bijlagen"),
        notes=dict(notes),
    )


def _known(codes: tuple[str, ...], valid: list[str], where: str) -> None:
    unknown = [c for c in codes if c not in valid]
    if unknown:
        raise DomainError(f"{where}: onbekende trede {', '.join(unknown)} "
                          f"(de ladder kent {', '.join(valid)})")


def check_kpis(periods, dom: Domain) -> list[str]:
    """Steps named by configured KPIs (actief: steps; werkfit: from, to) that the ladder
    does not know."""
    errors = []
    for i, period in enumerate(periods):
        for j, k in enumerate(period.kpis):
            for key, codes in (("steps", k.steps), ("from", k.from_steps), ("to", k.to_steps)):
                if unknown := [c for c in codes or () if c not in dom.order]:
                    errors.append(f"kpi_period[{i + 1}].kpis[{j + 1}].{key}: onbekende trede "
                                  f"{', '.join(unknown)} (de ladder kent "
                                  f"{', '.join(dom.order)})")
    return errors
