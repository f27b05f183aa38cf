"""A service's domain: its participation ladder, units, bands, outflow reasons and page texts.

The domain is the configuration's sections [ladder] with its [[ladder.step]], [[unit]],
[units], [bands], [outflow_reasons] and [texts], as `rsdlib.config` validated them (one
schema: the models, their defaults and their checks are there). A `Domain` holds those
validated sections and gives the views the tables, KPIs, validation and the demo read
(steps, units, bands, reasons, labels, `placement_reasons`, `unit_rows`, `step_labels`,
`above`, `summary()`); nothing here reads the file, fills in a default or checks a value.
The values of RSD de Liemers are in the default file config/liemers.toml; a configuration
that leaves a section out takes that section from there. Nothing here imports pandas, so
that the command can check a configuration cheaply.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:          # the sections' models; rsdlib.config builds a Domain from them
    from rsdlib.config import Band, Bands, Config, Ladder, LadderStep, OutflowReason, Texts, UnitRows
    from rsdlib.config import UnitSection as Unit

PLACEMENT, INDIRECT = "plaatsing", "indirect"
REASON_CLASSES = (PLACEMENT, INDIRECT)
# Inflow rows of these reasons go to the NUG unit row whatever their step; an intake step
# in no unit is "GEEN". Unit codes may not take these names.
NUG_UNIT, NO_UNIT = "NUG", "GEEN"


@dataclass(frozen=True)
class Reason:
    """An outflow reason: its export code (the key in [outflow_reasons]), label and class."""

    code: str
    label: str
    cls: str            # PLACEMENT (to work, school or business) or INDIRECT


@dataclass(frozen=True)
class Domain:
    """Everything about a service's ladder, units, bands and reasons that tables, KPIs,
    validation and the demo read instead of constants: the validated sections themselves
    (`Domain.of(config)`), and views on them."""

    ladder: Ladder                          # [ladder] and its [[ladder.step]]
    units: tuple[Unit, ...]                 # [[unit]]: the units of Bijlage 2.5
    fixed_units: UnitRows                   # [units]: the NUG and no-step rows
    bands: Bands                            # [bands]
    reasons: Mapping[str, OutflowReason]    # [outflow_reasons], in configured order
    texts: Texts                            # [texts]

    @classmethod
    def of(cls, config: Config) -> Domain:
        """The domain of a validated configuration (rsdlib.config.Config)."""
        return cls(config.ladder, tuple(config.unit), config.units, config.bands,
                   config.outflow_reasons, config.texts)

    # ------------------------------------------------------------------ the ladder
    @property
    def ladder_name(self) -> str:
        return self.ladder.name

    @cached_property
    def steps(self) -> tuple[LadderStep, ...]:
        """The steps in display order (Bijlage 1 and 2.1 rows): code, label, bijlage_1."""
        return tuple(self.ladder.step)

    @cached_property
    def codes(self) -> tuple[str, ...]:
        """Step codes in display order."""
        return tuple(s.code for s in self.steps)

    @cached_property
    def order(self) -> tuple[str, ...]:
        """Step codes low to high (a step forward goes up this order); without [ladder]
        order, the display order."""
        return self.codes if self.ladder.order is None else tuple(self.ladder.order)

    @cached_property
    def no_step(self) -> tuple[str, ...]:
        """Valid codes that mean "not on the ladder" (read as empty)."""
        return tuple(self.ladder.no_step)

    @property
    def empty_label(self) -> str:
        """The Bijlage 2.1 row of clients without a step."""
        return self.ladder.empty_label

    @cached_property
    def active_steps(self) -> tuple[str, ...]:
        """The steps of the monthly "actief traject" trend, low to high (default: all)."""
        chosen = self.order if self.ladder.active_steps is None else self.ladder.active_steps
        return tuple(c for c in self.order if c in chosen)

    @property
    def step_labels(self) -> dict[str | None, str]:
        """Bijlage 2.1 row label per code; None is the empty step."""
        return {**{s.code: s.label for s in self.steps}, None: self.empty_label}

    def step(self, code: str) -> LadderStep:
        return next(s for s in self.steps if s.code == code)

    def above(self, codes: tuple[str, ...] | list[str]) -> tuple[str, ...]:
        """Codes in ladder order (low to high)."""
        return tuple(c for c in self.order if c in codes)

    def summary(self) -> str:
        """One line: the ladder's name and steps, low to high."""
        return f"{self.ladder_name}: {', '.join(self.order)}" + (
            f" (geen trede: {', '.join(self.no_step)})" if self.no_step else "")

    # ------------------------------------------------------------------ units
    @property
    def nug_unit(self) -> tuple[str, str]:
        """(label, short) of the NUG unit row."""
        return self.fixed_units.nug

    @property
    def no_unit(self) -> tuple[str, str]:
        """(label, short) of the "no step" unit row."""
        return self.fixed_units.none

    @property
    def unit_rows(self) -> dict[str, tuple[str, str]]:
        """Bijlage 2.5 rows: unit code -> (label, short), the NUG and no-step rows last."""
        return {**{u.code: (u.label, u.short) for u in self.units}, NUG_UNIT: self.nug_unit,
                NO_UNIT: self.no_unit}

    # ------------------------------------------------------------------ bands
    @cached_property
    def age_bands(self) -> tuple[Band, ...]:
        """Age bands (whole years): label, low, high (inclusive)."""
        return tuple(self.bands.age)

    @cached_property
    def duration_bands(self) -> tuple[Band, ...]:
        """Benefit duration bands (whole months): label, low, high (inclusive)."""
        return tuple(self.bands.duration)

    @property
    def duration_none(self) -> str:
        """The row of clients without benefit (nuggers)."""
        return self.bands.duration_none

    @property
    def age(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((b.label, b.low, b.high) for b in self.age_bands)

    @property
    def duration(self) -> tuple[tuple[str, int, int], ...]:
        return tuple((b.label, b.low, b.high) for b in self.duration_bands)

    # ------------------------------------------------------------------ outflow reasons
    @cached_property
    def outflow_reasons(self) -> tuple[Reason, ...]:
        """The reasons in configured order: code, label, class."""
        return tuple(Reason(code, r.label, r.class_) for code, r in self.reasons.items())

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

    # ------------------------------------------------------------------ page texts
    @property
    def title(self) -> str:
        """The page title's first word(s): "<title> <year> — <scope>"."""
        return self.texts.title

    @property
    def notes(self) -> dict[str, str]:
        """The service's own notes (heading -> text), on the page and the notes sheet."""
        return dict(self.texts.notes)
