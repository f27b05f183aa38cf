"""Service configuration (TOML), typed and validated when it is read.

One pydantic model per section of the file; `Config` holds them. Every section forbids keys it
does not know (a misspelled key is an error, never a silent default), scalar values are strict
(`threshold = "vijf"` is refused, not converted) and ranges are declared beside the field.
Checks that span sections (a municipality named in [[buig]] must be configured, periods must
not overlap) are a section's `check(config)`, which yields (key, problem) pairs.

Adding to the configuration: declare a model (subclass `Section`), add it as a field of
`Config` (with a default when the section is optional), give it a `check` if it refers to
other sections. Errors name the file, the key and what was expected; `load_config` raises one
ConfigError with all of them, and the command turns it into one message and exit 2.

This module does not import pandas: the batch reads its configuration before its workers fork.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    Strict,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from rsdlib import domain as domain_
from rsdlib import kpidefs
from rsdlib import municipalities as reorg
from rsdlib.paths import DEFAULT_CONFIG


class ConfigError(ValueError):
    """The configuration file is missing or inconsistent."""


# Strict scalars: TOML already has types, so "5" for a number is a mistake to report.
Int = Annotated[int, Strict()]
Number = Annotated[float, Strict()]        # strict floats still take integers (18000)
Text = Annotated[str, Strict(), Field(min_length=1)]
Bool = Annotated[bool, Strict()]
# TOML table keys are text ([inhabitants.2023]); a year key may be written as one.
Year = Annotated[int, Field(ge=1900, le=2100)]
Share = Annotated[float, Strict(), Field(ge=0, le=1)]
NAME_MAX = 80          # scope names become folder and file names (with prefixes and suffixes)

# The KPIs a configuration may name: the registry's (rsdlib.kpidefs, no pandas).
if TYPE_CHECKING:
    KpiId = str
else:
    KpiId = Literal[kpidefs.IDS]


class Section(BaseModel):
    """A table of the configuration file: unknown keys are errors; read-only once read."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        """Problems that need the other sections: (key, what is wrong). None by default."""
        return iter(())


def _folder_name_problem(name: str) -> str | None:
    """Why `name` cannot be a scope (a folder and file name), or None."""
    if not name.strip():
        return "kan geen mapnaam zijn: leeg"
    if len(name) > NAME_MAX:
        return f"kan geen mapnaam zijn: te lang ({len(name)} tekens, ten hoogste {NAME_MAX})"
    if any(ch in name for ch in '/\\:') or name.startswith(".") or not name.isprintable():
        return ("kan geen mapnaam zijn (geen /, \\, :, stuurtekens, en niet beginnen met "
                "een punt)")
    return None


class Service(Section):
    """[service]: the service's name, its short name (the service scope), its municipalities."""

    name: Text
    short: Text
    municipalities: list[Text] = Field(min_length=1)

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        for i, name in enumerate(self.municipalities):
            if (problem := _folder_name_problem(name)) is not None:
                yield f"service.municipalities[{i + 1}]", f"gemeentenaam {problem}"
        if (problem := _folder_name_problem(self.short)) is not None:
            yield "service.short", f"korte naam {problem}"
        seen: set[str] = set()
        for name in self.municipalities:
            if name.casefold() in seen:
                yield "service.municipalities", f"gemeente {name!r} staat er twee keer in"
            seen.add(name.casefold())
        if self.short.casefold() in seen:
            yield "service.short", "de korte naam mag geen gemeentenaam zijn"


class Prognosis(Section):
    """[prognosis]: the national caseload prognosis, % change against the year before."""

    source: Annotated[str, Strict()] = ""
    base_year: Year | None = None
    base_dossiers: Annotated[int, Strict(), Field(ge=0)] | None = None
    change_pct: dict[Year, Number] = Field(default_factory=dict)

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        if self.change_pct and self.base_year is None:
            yield "prognosis.base_year", "ontbreekt (nodig bij change_pct)"
        for year in self.change_pct:
            if self.base_year is not None and year <= self.base_year:
                yield f"prognosis.change_pct.{year}", (
                    f"verwacht een jaar na base_year ({self.base_year})")


class Publication(Section):
    """[publication]: the default mode and the small-cell rule of the public version."""

    mode: Literal["intern", "publiek"] = "intern"
    # counts 1..threshold-1 are hidden; 1 would hide none: no public version without suppression
    threshold: Annotated[int, Strict(), Field(ge=2)] = 5
    zeros_disclosive: Bool = False
    pdf: Bool = True          # bijlagen.pdf beside the HTML (about 1 CPU-second per page)


class Batch(Section):
    """[batch]: how `rsd report` runs its notebooks. `fork_kernels = false` starts every kernel
    the ordinary way instead of forking it from a zygote (as RSD_FORK_KERNELS=0 does);
    `zygote_timeout`: seconds a worker waits for its zygote before it gives it up and starts
    kernels the ordinary way."""

    fork_kernels: Bool = True
    zygote_timeout: Annotated[float, Strict(), Field(gt=0, le=3600)] = 60.0


class Kpi(Section):
    """One result agreement of an assignment period: a KPI of the registry (rsdlib.kpidefs:
    its unit, default direction and options), its label and target, and its options."""

    # the file's keys only (unit, from), not the names the code gives them (given_unit, ...)
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)

    id: KpiId
    label: Text
    target: Annotated[float, Strict(), Field(ge=0)]
    # The KPI's unit is the registry's: the file may say it (and must then say the same).
    given_unit: Literal["aantal", "%"] | None = Field(default=None, alias="unit")
    # max: the realisation must stay at or below; left out: the registry's
    given_direction: Literal["min", "max"] | None = Field(default=None, alias="direction")
    years: list[Year] | None = Field(default=None, min_length=1)  # only these years of the period
    # the options; which KPI takes which is the registry's (KpiSpec.options)
    months: Annotated[int, Strict(), Field(ge=1, le=120)] | None = None
    steps: list[Text] | None = Field(default=None, min_length=1)
    definition: Literal["doelgroepregister", "arbeidsbeperking"] | None = None
    from_steps: list[Text] | None = Field(default=None, min_length=1, alias="from")
    to_steps: list[Text] | None = Field(default=None, min_length=1, alias="to")

    @property
    def spec(self) -> kpidefs.KpiSpec:
        """The registry's declaration of this KPI."""
        return kpidefs.SPECS[self.id]

    @property
    def unit(self) -> kpidefs.Unit:
        return self.spec.unit

    @property
    def direction(self) -> kpidefs.Direction:
        return self.given_direction or self.spec.direction

    def problems(self) -> Iterator[tuple[str, str]]:
        """Options that this KPI does not take or needs, a unit that is not its own, a
        percentage target above 100 (keys as the file writes them)."""
        spec, given = self.spec, self.model_dump(by_alias=True, exclude_none=True)
        if missing := [o for o in spec.required if o not in given]:
            yield missing[0], f"KPI {self.id} heeft {' en '.join(spec.required)} nodig"
        for option in KPI_OPTIONS:
            if option in given and option not in spec.options:
                allowed = ", ".join(spec.options) or "geen"
                yield option, f"KPI {self.id} kent deze optie niet (opties: {allowed})"
        if self.given_unit not in (None, spec.unit):
            yield "unit", f"KPI {self.id} heeft eenheid {spec.unit!r}, gevonden {self.given_unit!r}"
        if self.unit == "%" and self.target > 100:
            yield "target", "verwacht een percentage van 0 tot en met 100"


# The options of a KPI, as the file writes them: Kpi's keys beyond what every KPI has.
KPI_OPTIONS = tuple(f.alias or name for name, f in Kpi.model_fields.items()
                    if name not in ("id", "label", "target", "given_unit", "given_direction",
                                    "years"))


Amount = Annotated[float, Strict(), Field(ge=0)]
PerYear = dict[Year, Amount]


def _iso_date(value: Any) -> Any:
    """A date written as text in the file ("2023-01-01") as a date; a TOML date as it is."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date", "verwacht een datum JJJJ-MM-DD") from None
    return value


MARK_UNIT = "cijfer"    # the unit of a result measured as a mark (7,5): shown with one decimal


class Entered(Section):
    """A result the case system cannot give, entered by hand for one year of the period
    (shown as "opgegeven, niet berekend"). With a numeric value and target and no status,
    the status is computed from them."""

    year: Year
    id: Text
    label: Text
    target: Number | None = None
    value: Number | None = None
    unit: Annotated[str, Strict()] = ""
    direction: Literal["min", "max"] = "min"
    status: Literal["behaald", "niet behaald", "geen gegevens"] | None = None
    note: Annotated[str, Strict()] = ""


class Stream(Section):
    """A stream of the business-case model: a share of the benefit saved per placement."""

    id: Text
    label: Text
    share: Share
    target_group: Bool = False     # placements of clients in the target-group register


class Investment(Section):
    """One line of the business case's extra investment, per year."""

    label: Text
    amounts: PerYear


class Participation(Section):
    """People participating thanks to the assignment and the social saving per person a year."""

    people: Amount
    amount: Amount


class PeriodFinance(Section):
    """[kpi_period.finance]: the savings model of an assignment period.

    `uitstroom` (001): placements above the baseline x average benefit x first-year factor x
    share leaving fully in the year of placement, x durable share x share leaving fully
    later. `businesscase` (000): extra placements per stream x its share of the benefit,
    cohorts keeping `retention` of their people at work, plus `sroi_share` of the investment.
    A model without its baseline is refused: it would count every placement as extra."""

    model: Literal["uitstroom", "businesscase"]
    source: Annotated[str, Strict()] = ""
    baseline: Amount | PerYear            # placements per year without the assignment
    counts_from: dt.date | None = None    # the assignment started later than 1 January
    # uitstroom
    planned_extra: PerYear = Field(default_factory=dict)       # the forecast of the assignment
    reported_extra: PerYear = Field(default_factory=dict)      # the realisation as reported
    average_benefit_cost: Annotated[float, Strict(), Field(gt=0)] | None = None
    first_year_factor: Share | None = None
    fully_leaving_share: Share | None = None
    durable_share: Share | None = None
    social_return_per_placement: Amount | None = None
    participation: Participation | None = None
    buig_own_risk_pct: Annotated[float, Strict(), Field(ge=0, le=100)] | None = None
    # businesscase
    benefit_cost: Annotated[float, Strict(), Field(gt=0)] | None = None
    retention: list[Share] = Field(default_factory=list)
    sroi_share: Share = 0.0
    streams: list[Stream] = Field(default_factory=list)
    forecast: dict[str, PerYear] = Field(default_factory=dict)
    investment: list[Investment] = Field(default_factory=list)

    @field_validator("counts_from", mode="before")
    @classmethod
    def _from(cls, value: Any) -> Any:
        return _iso_date(value)

    def per_year(self, years: list[int]) -> dict[int, float]:
        """The baseline as {year: placements} over `years`."""
        if isinstance(self.baseline, dict):
            return {y: float(v) for y, v in self.baseline.items()}
        return {y: float(self.baseline) for y in years}

    def problems(self, years: list[int]) -> Iterator[tuple[str, str]]:
        if isinstance(self.baseline, dict) and sorted(self.baseline) != years:
            yield "baseline", (f"verwacht elk jaar {years[0]}-{years[-1]}, gevonden "
                               f"{sorted(self.baseline)}")
        need = (("average_benefit_cost", "first_year_factor", "fully_leaving_share",
                 "durable_share") if self.model == "uitstroom"
                else ("benefit_cost", "retention", "streams", "investment"))
        for name in need:
            if getattr(self, name) in (None, []):
                yield name, f"ontbreekt (nodig bij model {self.model})"
        if self.counts_from is not None and self.counts_from.year != years[0]:
            yield "counts_from", f"verwacht een datum in het eerste jaar ({years[0]})"
        for name in ("planned_extra", "reported_extra"):
            for y in sorted(set(getattr(self, name)) - set(years)):
                yield f"{name}.{y}", "verwacht een jaar van de periode"
        ids = {s.id for s in self.streams}
        for name in sorted(set(self.forecast) - ids):
            yield f"forecast.{name}", f"verwacht een stroom ({', '.join(sorted(ids))})"


class CostSplit(Section):
    """[kpi_period.cost_split]: the assignment's yearly cost per municipality, half by
    inhabitants and half by dossiers on the reference date; as adopted, and recomputed."""

    total: Annotated[int, Strict(), Field(ge=0)]
    reference_date: dt.date                     # TOML: "2023-01-01" or 2023-01-01
    inhabitants: dict[str, Annotated[int, Strict(), Field(gt=0)]]
    dossiers: dict[str, Annotated[int, Strict(), Field(gt=0)]] = Field(default_factory=dict)
    adopted: dict[str, Amount] = Field(default_factory=dict)

    @field_validator("reference_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _iso_date(value)

    def problems(self, municipalities: tuple[str, ...]) -> Iterator[tuple[str, str]]:
        for name in ("inhabitants", "dossiers", "adopted"):
            given = getattr(self, name)
            if given and set(given) != set(municipalities):
                yield name, f"verwacht precies de gemeenten ({', '.join(municipalities)})"


class KpiPeriod(Section):
    """[[kpi_period]]: an assignment period (first and last year) and what belongs to it: its
    result agreements, results entered by hand, its savings model and its cost split."""

    name: Text
    key: Text | None = None          # the folder of the period's appendix; default "2024-2026"
    years: tuple[Year, Year]
    kpis: list[Kpi] = Field(default_factory=list)
    entered: list[Entered] = Field(default_factory=list)
    finance: PeriodFinance | None = None
    cost_split: CostSplit | None = None

    @field_validator("years", mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise PydanticCustomError("years", "verwacht [eerste jaar, laatste jaar]")
        return tuple(value)

    @property
    def first(self) -> int:
        return self.years[0]

    @property
    def last(self) -> int:
        return self.years[1]

    @property
    def label(self) -> str:
        """The period's key: given, or its years ("2024-2026")."""
        return self.key or (f"{self.first}-{self.last}" if self.first != self.last
                            else str(self.first))

    @property
    def all_years(self) -> list[int]:
        return list(range(self.first, self.last + 1))

    def contains(self, year: int) -> bool:
        return self.first <= year <= self.last

    def kpis_of(self, year: int) -> list[Kpi]:
        """The agreements that apply in `year` (a KPI may name the years it applies to)."""
        return [k for k in self.kpis if year in (k.years or self.all_years)]

    def entered_of(self, year: int) -> list[Entered]:
        """The results entered by hand for `year`."""
        return [e for e in self.entered if e.year == year]

    def baseline(self) -> dict[int, float]:
        """The savings model's baseline per year of the period."""
        return self.finance.per_year(self.all_years) if self.finance else {}


class Buig(Section):
    """[[buig]]: one municipality's BUIG budget and spending in a year."""

    municipality: Text
    year: Annotated[int, Strict(), Field(ge=1900, le=2100)]
    budget: Annotated[float, Strict(), Field(gt=0)]
    spending: Annotated[float, Strict(), Field(ge=0)]
    schadelast: Annotated[float, Strict(), Field(ge=0)] | None = None     # schadelast BC


# ---------------------------------------------------------------------------- the domain
# The service's ladder, units, bands, outflow reasons and page texts: the models here are the
# domain's one schema (their defaults and checks), rsdlib.domain.Domain the views on them. A
# configuration that leaves one of these sections out takes it from the default file.


def _filled(data: Any, key: str, source: str, *rest: str) -> Any:
    """A section's `key` left out: `source`'s value (then `rest`), a default that depends on
    another key (a step's Bijlage 1 lines on its label, a unit's short name on its label)."""
    if isinstance(data, dict) and key not in data:
        value = data.get(source)
        first = value if isinstance(value, str) and value else "-"    # its own error follows
        return {**data, key: (first, *rest) if rest else first}
    return data


class LadderStep(Section):
    """[[ladder.step]]: a step's export code, its Bijlage 2.1 row and its Bijlage 1 lines
    (label, description, explanation; left out: the row label and two empty lines)."""

    code: Text
    label: Text
    bijlage_1: tuple[Text, Annotated[str, Strict()], Annotated[str, Strict()]]

    @model_validator(mode="before")
    @classmethod
    def _lines(cls, data: Any) -> Any:
        return _filled(data, "bijlage_1", "label", "", "")


class Ladder(Section):
    """[ladder]: the participation ladder."""

    name: Text = "Participatieladder"
    order: list[Text] | None = None           # low to high; default: the steps' order
    no_step: list[Text] = Field(default_factory=list)
    empty_label: Text = "Overige"
    active_steps: list[Text] | None = None    # default: every step
    step: list[LadderStep] = Field(min_length=1)

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        codes = [s.code for s in self.step]
        for i, code in enumerate(codes):
            if code != code.lower() or code != code.strip():
                yield f"ladder.step[{i + 1}].code", (
                    f"verwacht een trede-code in kleine letters zonder spaties, gevonden {code!r}")
        for code in sorted({c for c in codes if codes.count(c) > 1}):
            yield "ladder.step", f"trede-code {code!r} staat er meer dan eens in"
        if self.order is not None and sorted(self.order) != sorted(codes):
            yield "ladder.order", (f"moet precies de treden ({', '.join(codes)}) noemen, elk "
                                   f"één keer; gevonden {', '.join(self.order)}")
        if both := sorted(set(self.no_step) & set(codes)):
            yield "ladder.no_step", (f"{', '.join(both)}: een code is een trede of geen trede, "
                                     "niet beide")
        if unknown := _unknown_steps(self.active_steps or (), codes):
            yield "ladder.active_steps", unknown


def _unknown_steps(named: Iterable[str], known: Iterable[str]) -> str | None:
    """What is wrong with steps named by another key (a unit, a KPI), or None."""
    known = list(known)
    if unknown := [c for c in named if c not in known]:
        return f"onbekende trede {', '.join(unknown)} (de ladder kent {', '.join(known)})"
    return None


class UnitSection(Section):
    """[[unit]]: a unit of Bijlage 2.5 and the intake steps that belong to it; `short` (the
    service row: "<short name> <short>") left out is the label."""

    code: Text
    label: Text
    short: Text
    steps: list[Text] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _short(cls, data: Any) -> Any:
        return _filled(data, "short", "label")


class UnitRows(Section):
    """[units]: [label, short] of the fixed unit rows."""

    nug: tuple[Text, Text] = ("Niet-Uitkeringsgerechtigden", "Niet-uitkeringsgerechtigden")
    none: tuple[Text, Text] = ("Geen Trede", "Geen trede")


class Band(Section):
    """One band of [bands]: [label, from, to inclusive]."""

    label: Text
    low: Annotated[int, Strict(), Field(ge=0)]
    high: Annotated[int, Strict(), Field(ge=0)]

    @model_validator(mode="before")
    @classmethod
    def _row(cls, data: Any) -> Any:
        if isinstance(data, list | tuple) and len(data) == 3:
            return dict(zip(("label", "low", "high"), data, strict=True))
        if isinstance(data, Band):
            return data
        raise PydanticCustomError("band", "verwacht [label, van, tot en met]")


class Bands(Section):
    """[bands]: age (whole years) and benefit duration (whole months) bands, each contiguous
    from 0."""

    age: list[Band] = Field(min_length=1)
    duration: list[Band] = Field(min_length=1)
    duration_none: Text = "Geen uitkering"

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        for name in ("age", "duration"):
            bands: list[Band] = getattr(self, name)
            expect = 0
            for band in bands:
                if band.low != expect or band.high < band.low:
                    yield f"bands.{name}", (
                        f"band {band.label!r} begint bij {band.low}, verwacht {expect} (banden "
                        "sluiten aan, vanaf 0, zonder overlap)")
                    break
                expect = band.high + 1
            labels = [b.label for b in bands]
            for label in sorted({b for b in labels if labels.count(b) > 1}):
                yield f"bands.{name}", f"label {label!r} staat er meer dan eens in"


class OutflowReason(Section):
    """[outflow_reasons] CODE = { label, class }."""

    label: Text
    class_: Literal["plaatsing", "indirect"] = Field(alias="class")


class Texts(Section):
    """[texts]: the service's own page texts."""

    title: Text = "Bijlagen"
    notes: dict[str, Text] = Field(default_factory=dict)


class Reorganisation(Section):
    """[[reorganisation]]: municipalities that end on `date` (a 1 January), where their
    clients went, and municipalities that begin then (rsdlib.municipalities)."""

    date: dt.date
    ended: list[Text] = Field(min_length=1)
    to: list[Text] = Field(min_length=1)
    new: list[Text] = Field(default_factory=list)


DOMAIN_SECTIONS = ("ladder", "unit", "units", "bands", "outflow_reasons", "texts")


class MappingSection(Section):
    """[mapping]: another system's export onto the export format (docs/mapping.md)."""

    system: Text = "eigen systeem"
    date_format: Text | None = None
    files: dict[Text, Text] = Field(default_factory=dict)
    columns: dict[Text, dict[Text, Text]] = Field(default_factory=dict)
    values: dict[Text, dict[Text, Text]] = Field(default_factory=dict)
    flags: dict[Literal["J", "N"], list[Text]] = Field(default_factory=dict)

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        from rsdlib import schema  # no pandas: the export format's names and codes

        files = schema.FILES
        for name in self.files:
            if name not in files:
                yield f"mapping.files.{name}", f"verwacht een bestand van de exportindeling " \
                                               f"({', '.join(files)})"
        for name, cols in self.columns.items():
            known = [c.name for c in files.get(name, ())] + list(schema.DROPPED_COLUMNS)
            if name not in files:
                yield f"mapping.columns.{name}", "verwacht een bestand van de exportindeling"
                continue
            for col in cols:
                if col not in known:
                    yield f"mapping.columns.{name}.{col}", (
                        f"verwacht een kolom van {name} ({', '.join(known)})")
        if self.date_format is not None:
            probe = dt.date(2019, 12, 31)
            try:
                ok = dt.datetime.strptime(probe.strftime(self.date_format),
                                          self.date_format).date() == probe
            except ValueError:
                ok = False
            if not ok:
                yield "mapping.date_format", (
                    f"geen bruikbaar datumformaat {self.date_format!r} (bijvoorbeeld %Y-%m-%d)")
        for key, values in self.values.items():
            targets = _mapping_targets(key, config)
            if targets is None:
                yield f"mapping.values.{key}", ("verwacht een gecodeerde kolom (trede, reden, "
                                                "geslacht, ... of bestand.kolom)")
                continue
            for src, code in values.items():
                if code not in targets:
                    yield f"mapping.values.{key}.{src}", (
                        f"onbekende code {code!r} (verwacht {', '.join(targets)})")


def _mapping_targets(key: str, config: Config) -> tuple[str, ...] | None:
    """The export codes a mapped column may take: "trede", "column" or "file.column"."""
    from rsdlib import schema

    file, _, col = key.rpartition(".")
    columns = [c for name, cs in schema.FILES.items() if not file or name == file for c in cs
               if c.name == col or (col == "trede" and c.kind == "trede")]
    if not columns:
        return None
    dom = config.domain
    kinds = {c.kind for c in columns}
    if kinds == {"trede"}:
        return (*dom.order, *dom.no_step)
    if kinds == {"uitstroomreden"}:
        return dom.reason_codes
    if kinds == {"code"}:
        return tuple(dict.fromkeys(code for c in columns for code in c.codes))
    if kinds == {"gemeente"}:
        return config.every_municipality
    return None


class Config(Section):
    """A service: its name, municipalities in display order, and its parameters."""

    service: Service
    inhabitants: dict[Year, dict[str, Annotated[int, Strict(), Field(gt=0)]]] = Field(
        default_factory=dict)
    prognosis: Prognosis = Field(default_factory=Prognosis)
    publication: Publication = Field(default_factory=Publication)
    batch: Batch = Field(default_factory=Batch)
    kpi_periods: list[KpiPeriod] = Field(default_factory=list, alias="kpi_period")
    buig: list[Buig] = Field(default_factory=list)
    # the domain (rsdlib.domain): parse_config takes what a file leaves out from the default
    ladder: Ladder
    unit: list[UnitSection]
    units: UnitRows = Field(default_factory=UnitRows)
    bands: Bands
    outflow_reasons: dict[Text, OutflowReason]
    texts: Texts = Field(default_factory=Texts)
    reorganisation: list[Reorganisation] = Field(default_factory=list)
    groups: dict[Text, list[Text]] = Field(default_factory=dict)   # e.g. cooperation models
    examples: list[Text] = Field(default_factory=list)   # sections holding example values
    mapping: MappingSection | None = None
    _path: Path | None = PrivateAttr(default=None)
    _domain: domain_.Domain | None = PrivateAttr(default=None)
    _every: tuple[str, ...] | None = PrivateAttr(default=None)   # with ended municipalities
    _changes: tuple[reorg.Change, ...] | None = PrivateAttr(default=None)
    _from_default: tuple[str, ...] = PrivateAttr(default=())   # domain sections taken over

    def describe(self) -> list[str]:
        """What the configuration defines, in a few lines (`rsd config check`)."""
        dom = self.domain
        changes = self.changes
        munis = []
        for m in self.every_municipality:
            start, end = reorg.valid_from(changes, m), reorg.valid_until(changes, m)
            span = " ".join(([f"vanaf {start:%d-%m-%Y}"] if start else [])
                            + ([f"tot en met {end:%d-%m-%Y}"] if end else []))
            munis.append(f"{m} ({span})" if span else m)
        default = f" (uit {DEFAULT_CONFIG.name})"
        placement = len(dom.placement_reasons)
        lines = [
            f"dienst: {self.name} ({self.short}), {len(self.every_municipality)} gemeenten",
            f"gemeenten: {', '.join(munis)}",
            *(f"herindeling: {c.describe()}" for c in changes),
            *(["groepen: " + "; ".join(f"{g}: {', '.join(m)}" for g, m in self.groups.items())]
              if self.groups else []),
            f"ladder: {dom.summary()}" + (default if "ladder" in self._from_default else ""),
            "units: " + "; ".join(f"{u.short} ({', '.join(dom.above(u.steps))})"
                                  for u in dom.units)
            + (default if "unit" in self._from_default else ""),
            f"uitstroomredenen: {placement} plaatsing, {len(dom.outflow_reasons) - placement} "
            "indirect" + (default if "outflow_reasons" in self._from_default else ""),
            *(f"periode {p.name} ({p.label}): " + (", ".join(k.id for k in p.kpis) or "geen KPI's")
              + (f"; besparing ({p.finance.model}), basis "
                 f"{', '.join(f'{v:g}' for v in dict.fromkeys(p.baseline().values()))}"
                 if p.finance else "") for p in self.kpi_periods),
        ]
        mapping = self.mapping
        lines.append(f"koppeling: {mapping.system}: {len(mapping.files)} bestanden, "
                     f"{sum(map(len, mapping.columns.values()))} kolommen, "
                     f"{len(mapping.values)} codelijsten, datums {mapping.date_format or 'dd-mm-jjjj'}"
                     if mapping else "koppeling: geen (de exportindeling zelf)")
        if self.examples:
            lines.append(f"voorbeeldwaarden (niet uit de bron): {', '.join(self.examples)}")
        return lines

    @property
    def domain(self) -> domain_.Domain:
        """The service's ladder, units, bands, reasons and texts: its validated sections with
        their views (rsdlib.domain)."""
        if self._domain is None:
            self._domain = domain_.Domain.of(self)
        return self._domain

    @property
    def changes(self) -> tuple[reorg.Change, ...]:
        """The reorganisations (checked when the configuration was read)."""
        if self._changes is None:
            self._changes = reorg.parse([r.model_dump() for r in self.reorganisation],
                                        self.every_municipality)
        return self._changes

    @property
    def import_mapping(self):
        """The [mapping] as rsdlib.io.mapping takes it, or None (the export format itself)."""
        if self.mapping is None:
            return None
        from rsdlib.io.mapping import Mapping

        m = self.mapping
        return Mapping(m.system, m.date_format, dict(m.files),
                       {f: dict(c) for f, c in m.columns.items()},
                       {k: dict(v) for k, v in m.values.items()},
                       {k: tuple(v) for k, v in m.flags.items()})

    @property
    def every_municipality(self) -> tuple[str, ...]:
        """All configured municipalities, ended ones too (the export may name them)."""
        return self._every or self.municipalities

    def for_year(self, year: int) -> Config:
        """The service as it is in `year`: the municipalities that exist then (reorganisations
        take effect on 1 January). The export is read with the full configuration."""
        every = self.every_municipality
        munis = reorg.active(self.changes, every, year)
        if munis == self.municipalities:
            return self
        out = self.model_copy(update={"service": self.service.model_copy(
            update={"municipalities": list(munis)})})
        out._every = every
        return out

    def group_of(self, name: str) -> str | None:
        """The group (e.g. the cooperation model) a municipality belongs to, if any."""
        return next((g for g, members in self.groups.items() if name in members), None)

    @property
    def path(self) -> Path | None:
        """The file this configuration was read from (absolute), if any."""
        return self._path

    @property
    def name(self) -> str:
        return self.service.name

    @property
    def short(self) -> str:
        return self.service.short

    @property
    def municipalities(self) -> tuple[str, ...]:
        return tuple(self.service.municipalities)

    @property
    def scopes(self) -> tuple[str, ...]:
        """Every scope a batch with `--scope all` runs: the municipalities, then the service."""
        return (*self.municipalities, self.short)

    def municipality(self, name: str) -> str | None:
        """The configured spelling of a municipality name (case and spaces ignored)."""
        return _lookup(self.municipalities, name)

    def scope(self, name: str) -> str:
        """The configured spelling of a scope, or a ConfigError naming the valid ones."""
        found = _lookup(self.scopes, name)
        if found is None:
            raise ConfigError(f"onbekende scope {name!r}; kies uit {', '.join(self.scopes)} of all")
        return found

    def check(self, config: Config) -> Iterator[tuple[str, str]]:
        munis = set(self.municipalities)
        try:
            changes = reorg.parse([r.model_dump() for r in self.reorganisation],
                                  self.municipalities)
        except reorg.ReorganisationError as exc:
            yield "reorganisation", str(exc)
            changes = ()
        for year, counts in self.inhabitants.items():
            for name in sorted(set(counts) - munis):
                yield f"inhabitants.{year}.{name}", "verwacht een geconfigureerde gemeente"
            for name in [m for m in reorg.active(changes, self.municipalities, year)
                         if m not in counts]:
                yield f"inhabitants.{year}", f"aantal inwoners van {name} ontbreekt"
            for name in [m for m in counts if m in munis and not reorg.exists_in(
                    changes, m, year)]:
                yield f"inhabitants.{year}.{name}", f"{name} bestaat niet in {year}"
        for group, members in self.groups.items():
            for name in sorted(set(members) - munis):
                yield f"groups.{group}", f"{name} is geen geconfigureerde gemeente"
        fields = set(type(self).model_fields) | {"kpi_period"}
        for name in self.examples:
            if name.split(".")[0] not in fields:
                yield "examples", f"{name!r} is geen sectie van de configuratie"
        for i, period in enumerate(self.kpi_periods):
            key = f"kpi_period[{i + 1}]"
            first, last = period.years
            if first > last:
                yield f"{key}.years", f"verwacht [eerste, laatste] jaar op volgorde, niet {first} > {last}"
            for j, other in enumerate(self.kpi_periods[:i]):
                if first <= other.years[1] and other.years[0] <= last:
                    yield f"{key}.years", f"overlapt met kpi_period[{j + 1}] ({other.name})"
            ids = [k.id for k in period.kpis]
            for kid in sorted({k for k in ids if ids.count(k) > 1}):
                yield f"{key}.kpis", f"KPI {kid} staat er meer dan eens in"
            for j, k in enumerate(period.kpis):
                for option, problem in k.problems():
                    yield f"{key}.kpis[{j + 1}].{option}", problem
                for y in k.years or ():
                    if not period.contains(y):
                        yield (f"{key}.kpis[{j + 1}].years",
                               f"verwacht jaren van de periode, gevonden {y}")
            for j, e in enumerate(period.entered):
                if not period.contains(e.year):
                    yield (f"{key}.entered[{j + 1}].year",
                           f"verwacht een jaar van de periode, gevonden {e.year}")
            if period.finance is not None:
                for option, problem in period.finance.problems(period.all_years):
                    yield f"{key}.finance.{option}", problem
            if period.cost_split is not None:
                here = reorg.active(changes, self.municipalities, period.first)
                for option, problem in period.cost_split.problems(here):
                    yield f"{key}.cost_split.{option}", problem
            for j, other in enumerate(self.kpi_periods[:i]):
                if period.label.casefold() == other.label.casefold():
                    yield f"{key}.key", f"sleutel {period.label!r} ook bij kpi_period[{j + 1}]"
        yield from self._domain_problems()
        for i, row in enumerate(self.buig):
            if row.municipality not in munis:
                yield f"buig[{i + 1}].municipality", (
                    f"verwacht een geconfigureerde gemeente ({', '.join(self.municipalities)})")
        for name in type(self).model_fields:
            value = getattr(self, name)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, Section):
                    yield from item.check(self)


    def _domain_problems(self) -> Iterator[tuple[str, str]]:
        """What spans the domain's sections (the ladder's own checks are Ladder.check): a
        unit's code and steps, the reasons' codes and classes, the steps a KPI names."""
        dom = self.domain
        seen: set[str] = set()
        for i, unit in enumerate(self.unit):
            key = f"unit[{i + 1}]"
            if unit.code in (domain_.NUG_UNIT, domain_.NO_UNIT) or unit.code in [
                    u.code for u in self.unit[:i]]:
                yield f"{key}.code", (f"code {unit.code!r} is al in gebruik (NUG en GEEN zijn "
                                      "vast)")
            if unknown := _unknown_steps(unit.steps, dom.codes):
                yield f"{key}.steps", unknown
            if twice := sorted(seen & set(unit.steps)):
                yield f"{key}.steps", f"trede {', '.join(twice)} hoort al bij een andere unit"
            seen |= set(unit.steps)
        for code in self.outflow_reasons:
            if code != code.upper():
                yield f"outflow_reasons.{code}", "verwacht een code in hoofdletters"
        if not dom.placement_reasons:
            yield "outflow_reasons", 'verwacht ten minste één reden met class = "plaatsing"'
        for i, period in enumerate(self.kpi_periods):
            for j, k in enumerate(period.kpis):
                for option, codes in (("steps", k.steps), ("from", k.from_steps),
                                      ("to", k.to_steps)):
                    if unknown := _unknown_steps(codes or (), dom.order):
                        yield f"kpi_period[{i + 1}].kpis[{j + 1}].{option}", unknown


def _lookup(names: tuple[str, ...], name: str) -> str | None:
    """The name in `names` that `name` is, case and spacing ignored."""
    return _by_key(names).get(" ".join(str(name).split()).casefold())


@functools.cache
def _by_key(names: tuple[str, ...]) -> dict[str, str]:
    """`names` by their lookup key: a national export asks for 342 names 342 times a file."""
    return {n.casefold(): n for n in reversed(names)}


# What was expected, in the user's words, per pydantic error type.
_EXPECTED = {
    "missing": "ontbreekt",
    "extra_forbidden": "onbekende sleutel (verkeerd gespeld?)",
    "int_type": "verwacht een geheel getal",
    "int_parsing": "verwacht een geheel getal",
    "int_from_float": "verwacht een geheel getal",
    "float_type": "verwacht een getal",
    "float_parsing": "verwacht een getal",
    "string_type": "verwacht tekst tussen aanhalingstekens",
    "string_too_short": "mag niet leeg zijn",
    "bool_type": "verwacht true of false",
    "list_type": "verwacht een lijst [...]",
    "tuple_type": "verwacht een lijst [...]",
    "dict_type": "verwacht een tabel",
    "model_type": "verwacht een tabel",
    "model_attributes_type": "verwacht een tabel",
    "too_short": "verwacht ten minste {min_length} element(en)",
    "too_long": "verwacht ten hoogste {max_length} element(en)",
    "greater_than": "verwacht een getal groter dan {gt}",
    "greater_than_equal": "verwacht een getal van ten minste {ge}",
    "less_than": "verwacht een getal kleiner dan {lt}",
    "less_than_equal": "verwacht een getal van ten hoogste {le}",
    "literal_error": "verwacht een van {expected}",
    "date_from_datetime_inexact": "verwacht een datum JJJJ-MM-DD",
    "date_type": "verwacht een datum JJJJ-MM-DD",
}


def _key(loc: tuple) -> str:
    """A pydantic location as the file's key: kpi_period[2].kpis[1].id (counted from 1)."""
    out = ""
    for part in loc:
        if isinstance(part, int) and out and not out.endswith("."):
            out += f"[{part + 1}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(bestand)"


def _number(value: Any) -> Any:
    """A bound or choice from pydantic's context as the user wrote it (0, not 0.0; of, not or)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return " of ".join(value.split(" or ")) if isinstance(value, str) else value


def _shown(value: Any) -> str:
    """A refused value, short and with control characters escaped."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if p not in ("function-after", "function-before"))
        loc = tuple(p for p in loc if not (isinstance(p, str) and "[" in p))  # union branches
        kind = err["type"]
        if kind == "extra_forbidden" and loc == ("finance",):
            text = ("hoort bij een opdrachtperiode: zet het besparingsmodel in "
                    "[kpi_period.finance] van de periode waarvoor het geldt")
        elif kind == "extra_forbidden" and len(loc) == 1:
            text = "onbekende sectie (verkeerd gespeld?)"
        elif kind in _EXPECTED:
            ctx = {k: _number(v) for k, v in (err.get("ctx") or {}).items()}
            text = _EXPECTED[kind].format(**ctx)
        else:
            text = err["msg"]
        if kind not in ("missing", "extra_forbidden"):
            text += f", gevonden {_shown(err['input'])}"
        out.append(f"{_key(loc)}: {text}")
    return list(dict.fromkeys(out))


def parse_config(raw: dict, path: Path | None = None) -> Config:
    """A Config from the TOML's dict, or one ConfigError listing every problem. The domain
    sections it leaves out are taken from the default file."""
    where = path if path is not None else "configuratie"
    taken: tuple[str, ...] = ()
    if path is None or Path(path).resolve() != DEFAULT_CONFIG.resolve():
        default = _default_raw()
        taken = tuple(k for k in DOMAIN_SECTIONS if k not in raw and k in default)
        raw = raw | {k: default[k] for k in taken}

    def said(message: str) -> str:
        """A problem's line; in a section the file left out, where that section came from."""
        section = message.split(":", 1)[0].split(".", 1)[0].split("[", 1)[0]
        return f"{where}: {message}" + (f" (sectie {section} uit {DEFAULT_CONFIG.name})"
                                        if section in taken else "")

    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError("\n".join(said(m) for m in _messages(exc))) from None
    problems = list(dict.fromkeys(said(f"{k}: {p}") for k, p in config.check(config)))
    if problems:
        raise ConfigError("\n".join(problems))
    config._path = path
    config._from_default = taken
    return config


@functools.cache
def _default_raw() -> dict:
    """The default file's TOML: the domain sections a configuration leaves out."""
    return tomllib.loads(DEFAULT_CONFIG.read_text(encoding="utf-8"))


@functools.cache
def default_domain() -> domain_.Domain:
    """The domain of the default file (RSD de Liemers)."""
    return load_config(DEFAULT_CONFIG).domain


def load_config(path: str | Path | None = None) -> Config:
    """Read and validate a service configuration; the default is RSD de Liemers.

    A relative path is taken from the current folder, as the user typed it, and kept
    absolute, so that notebooks running elsewhere find the same file."""
    path = Path(path).expanduser().absolute() if path else DEFAULT_CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuratiebestand niet gevonden") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is een map, geen configuratiebestand") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: geen UTF-8-tekst") from None
    except OSError as exc:
        raise ConfigError(f"{path}: kan niet gelezen worden ({exc.strerror})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: geen geldige TOML ({exc})") from None
    return parse_config(raw, path)
