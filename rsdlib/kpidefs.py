"""The KPI registry: every KPI a configuration may name, declared once.

A declaration (`KpiSpec`) says what a KPI is: its id (what a [[kpi_period]]'s `kpis` name),
the options it takes beside id, label, target, unit, direction and years (and which of them
it needs), its unit and its default direction, its name for people (the exploration
notebook), its definition (the scorecards' column "Definitie"), and how a period adds its
years up (the period table's "Periode berekend als"). What it counts, from which frames, is
its computation in `rsdlib.kpi` (`kpi.KPIS`: one entry per declaration, made from it).

The configuration reads this module to check a file (`rsdlib.config`), the scorecards, the
period table and the exploration helpers read it through `rsdlib.kpi`: it imports no pandas,
so that reading a configuration stays cheap.

A new KPI: declare it in SPECS below, give it its computation in `rsdlib.kpi.KPIS`, and say
what it counts in docs/definitions.md#kpis (tests/test_kpi.py and tests/test_docs.py hold
the three together); a configuration may then name it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rsdlib.config import Kpi as KpiSetting
    from rsdlib.domain import Domain

Unit = Literal["aantal", "%"]
Direction = Literal["min", "max"]          # max: the realisation must stay at or below
# How a period adds its years up, each year giving (numerator, denominator):
#   som         the years' values added up (counts; the period's target is the yearly x years)
#   aandeel     sum of numerators / sum of denominators x 100 (shares, pooled)
#   gemiddelde  sum of numerators / sum of denominators (the numerators are percentages)
#   groei       the geometric mean of the yearly growth numerator / denominator, in %
PeriodSum = Literal["som", "aandeel", "gemiddelde", "groei"]


def words(codes: Sequence[object], last: str) -> str:
    """["2b", "3", "4"] -> "2b, 3 of 4" (`last` the word before the last one)."""
    texts = [str(c) for c in codes]
    return texts[0] if len(texts) == 1 else f"{', '.join(texts[:-1])} {last} {texts[-1]}"


def span(steps: Sequence[str]) -> str:
    """Steps low to high as a range: "2a t/m 5" (one step: itself)."""
    return steps[0] if len(steps) == 1 else f"{steps[0]} t/m {steps[-1]}"


@dataclass(frozen=True)
class KpiSpec:
    """One KPI as the registry declares it (see the module's docstring)."""

    id: str
    name: str                   # for people; "{steps}": the ladder's active steps (a range)
    unit: Unit
    definition: str | Callable[[KpiSetting], str]   # the text, or the text for its options
    period: PeriodSum
    period_rule: str            # how the period adds up, in words
    options: tuple[str, ...] = ()       # keys of the configuration, beside the common ones
    required: tuple[str, ...] = ()      # options it cannot do without
    direction: Direction = "min"        # the default; an agreement may say otherwise

    def describe(self, k: KpiSetting) -> str:
        """The definition of one agreement of this KPI (with its options)."""
        return self.definition(k) if callable(self.definition) else self.definition

    def display_name(self, dom: Domain) -> str:
        """The name people read, on the service's own ladder; "(%)" for a percentage."""
        return self.name.format(steps=span(dom.active_steps)) + (
            " (%)" if self.unit == "%" else "")


def _werkfit(k: KpiSetting) -> str:
    return (f"Klanten van wie de trede in het jaar ging van {words(k.from_steps or ['-'], 'of')} "
            f"naar {words(k.to_steps or ['-'], 'of')} (één keer).")


def _actief(k: KpiSetting) -> str:
    return (f"Aandeel klanten op trede {words(k.steps or ['-'], 'en')} met actief_traject = J, "
            "gemiddeld over de maandstanden van het jaar (zonder maandstanden: de stand op "
            "31-12).")


PLAATSINGEN = KpiSpec(
    "plaatsingen", "Plaatsingen (werk, scholing, bedrijf)", "aantal",
    "Klanten met uitstroom naar werk, scholing of bedrijf in het jaar (de uitstroomredenen "
    "van de klasse plaatsing); een klant telt één keer.",
    "som", "som van de jaren")
PLAATSINGEN_DOELGROEP = KpiSpec(
    "plaatsingen_doelgroep", "waarvan met een arbeidsbeperking", "aantal",
    "Geplaatste klanten in het doelgroepregister; vanaf 2024 met een arbeidsbeperking: "
    "doelgroepregister = J of loonkostensubsidie = J.",
    "som", "som van de jaren", options=("definition",))
WERKFIT = KpiSpec(
    "werkfit", "Werkfit gemaakt", "aantal", _werkfit, "som", "som van de jaren",
    options=("from", "to"), required=("from", "to"))
STAP_VOORWAARTS = KpiSpec(
    "stap_voorwaarts", "Stap voorwaarts op de trede", "aantal",
    "Klanten met ten minste één stap naar een hogere trede in het jaar; een wijziging van "
    "of naar een lege trede is geen stap.",
    "som", "som van de jaren")
DUURZAAM = KpiSpec(
    "duurzaam", "Duurzame plaatsing", "%",
    "Aandeel geplaatste klanten zonder nieuwe instroom binnen de termijn na de plaatsing; "
    "geen gegevens zolang de termijn niet voor elke plaatsing verstreken is (exportdatum = "
    "laatste peildatum).",
    "aandeel", "aandeel over alle plaatsingen van de jaren samen", options=("months",))
ACTIEF = KpiSpec(
    "actief", "Actief traject trede {steps}", "%", _actief,
    "gemiddelde", "gemiddelde over alle maandstanden van de jaren", options=("steps",))
LKS_GROEI = KpiSpec(
    "lks_groei", "Groei werkenden met loonkostensubsidie", "%",
    "Groei van het aantal klanten met loonkostensubsidie op 31-12 ten opzichte van een "
    "jaar eerder.",
    "groei", "gemiddelde jaarlijkse groei (meetkundig) over de jaren")
JONGEREN_UITKERING = KpiSpec(
    "jongeren_uitkering", "Jongerengesprekken met doorstroom naar uitkering", "%",
    "Aandeel preventieve gesprekken met jongeren in het jaar waarna binnen 3 maanden een "
    "uitkering volgde.",
    "aandeel", "aandeel over alle gesprekken van de jaren samen", direction="max")
JONGEREN_ACTIEF = KpiSpec(
    "jongeren_actief", "Jongeren zonder ontheffing actief", "%",
    "Aandeel klanten jonger dan 27 op 31-12 zonder ontheffing met een actief traject.",
    "aandeel", "aandeel over de jongeren op 31-12 van de jaren samen")

SPECS: dict[str, KpiSpec] = {s.id: s for s in (
    PLAATSINGEN, PLAATSINGEN_DOELGROEP, WERKFIT, STAP_VOORWAARTS, DUURZAAM, ACTIEF, LKS_GROEI,
    JONGEREN_UITKERING, JONGEREN_ACTIEF)}
IDS = tuple(SPECS)          # the KPIs a configuration may name, in this order
