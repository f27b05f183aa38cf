"""Charts of the appendices: matplotlib figures with Dutch number format and alt text."""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from rsdlib.config import Config  # noqa: E402
from rsdlib.publish import fmt_count  # noqa: E402

# Dark to light, so that stacked series stay apart in grey print; hatches help further.
PALETTE = ("#1f3b73", "#7f9cc9", "#c9d6ea", "#4d4d4d", "#a6a6a6", "#e0e0e0")
HATCHES = ("", "//", "..", "xx", "\\\\", "")


@dataclass
class Chart:
    """A figure with its file name and the alt text a screen reader gets."""

    name: str
    figure: Figure
    alt: str


def _dutch_axis(ax, axis: str = "y") -> None:
    fmt = FuncFormatter(lambda v, _: fmt_count(v))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _bar_alt(title: str, table: pd.Series) -> str:
    parts = ", ".join(f"{k}: {fmt_count(v)}" for k, v in table.items())
    return f"{title}. {parts}."


def stacked_by_municipality(name: str, table: pd.DataFrame, config: Config, title: str,
                            xlabel: str) -> Chart:
    """Horizontal bars per row label, stacked by municipality (the table without Totaal)."""
    munis = [m for m in config.municipalities if m in table.columns]
    data = table.drop(index="Totaal", errors="ignore")[munis]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(data) + 1.6), dpi=110)
    left = pd.Series(0.0, index=data.index)
    for i, muni in enumerate(munis):
        ax.barh(data.index, data[muni], left=left, color=PALETTE[i % len(PALETTE)],
                hatch=HATCHES[i % len(HATCHES)], edgecolor="white", label=muni)
        left += data[muni]
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    _dutch_axis(ax, "x")
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    totals = data.sum(axis=1)
    return Chart(name, fig, _bar_alt(title + " (totaal per categorie)", totals))


def bars(name: str, series: pd.Series, title: str, xlabel: str, ylabel: str) -> Chart:
    """Vertical bars of one series, in row order."""
    fig, ax = plt.subplots(figsize=(8, 3.8), dpi=110)
    ax.bar([str(i) for i in series.index], series.to_numpy(), color=PALETTE[0])
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    ax.tick_params(axis="x", labelrotation=20)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return Chart(name, fig, _bar_alt(title, series))


def appendix_charts(tables: dict[str, pd.DataFrame], config: Config, scope: str,
                    year: int) -> list[Chart]:
    """The appendix charts: trede by municipality, age and duration of the scope's clients."""
    out = []
    trede = tables["bijlage_2_1_trede"]
    if scope == config.short:
        out.append(stacked_by_municipality(
            "treden", trede, config, f"Klanten per trede, 31-12-{year}", "Aantal klanten"))
    else:
        out.append(bars("treden", trede[scope].drop(index="Totaal"),
                        f"Klanten per trede, {scope}, 31-12-{year}", "", "Aantal klanten"))
    for tid, name, what in (("bijlage_2_1_leeftijd", "leeftijd", "Leeftijd"),
                            ("bijlage_2_2_uitkeringsduur", "uitkeringsduur", "Uitkeringsduur")):
        series = tables[tid][scope].drop(index="Totaal")
        out.append(bars(name, series, f"{what} klanten, {scope}, 31-12-{year}", what,
                        "Aantal klanten"))
    return out
