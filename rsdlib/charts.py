"""Charts of the appendices: matplotlib figures with Dutch number format and alt text."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from rsdlib.config import Config
from rsdlib.publish import fmt_count

DPI = 200           # twice the display size (CSS_DPI): sharp on a projector and in print
CSS_DPI = 100       # the page shows a figure of w x h inches as w*100 x h*100 CSS pixels
# charts use fixed margins, not tight_layout: one layout pass less each
PNG_LEVEL = 3       # zlib level of the PNG files: level 6 takes 1,6 x as long for ~6 % less
MAX_STACKED = 8     # more municipalities than this are not stacked in one bar

# Every colour at least 3:1 against the white background (WCAG 1.4.11): navy, and from the
# Okabe-Ito set for colour-blind readers vermillion and bluish green, then dark grey and
# purple. Series next to each other also differ in hatching, so they stay apart in grey print.
PALETTE = ("#1f3b73", "#c75300", "#00806a", "#4d4d4d", "#8a3b8f", "#6b6b00")
HATCHES = ("", "//", "..", "xx", "\\\\", "--")
BACKGROUND = "#ffffff"


@dataclass
class Chart:
    """A figure with its file name and the alt text a screen reader gets."""

    name: str
    figure: Figure
    alt: str
    _png: bytes | None = None

    @property
    def title(self) -> str:
        return self.figure.axes[0].get_title() if self.figure.axes else self.name

    def png(self) -> bytes:
        """The figure as PNG, rendered once (the file and the page share these bytes).

        Written as RGB at zlib level 3 rather than savefig's RGBA at level 6: the charts are
        opaque, and this halves the encoding, which was the largest single cost of a chart
        (~17 ms of ~100), for files a few percent smaller."""
        if self._png is None:
            import io

            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from PIL import Image

            canvas = FigureCanvasAgg(self.figure)
            canvas.draw()
            rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(),
                                    "raw", "RGBA", 0, 1)
            buf = io.BytesIO()
            rgba.convert("RGB").save(buf, format="png", compress_level=PNG_LEVEL,
                                     dpi=(self.figure.dpi, self.figure.dpi))
            self._png = buf.getvalue()
        return self._png


def _figure(width: float, height: float):
    """A figure and its axes, without pyplot: no global figure registry to fill or close."""
    fig = Figure(figsize=(width, height), dpi=DPI)
    return fig, fig.subplots()


def _dutch_axis(ax, axis: str = "y") -> None:
    """A count axis: ticks at whole numbers only (a tick at 2,5 would be labelled "2" by the
    count format), labelled in Dutch (1.608)."""
    which = ax.yaxis if axis == "y" else ax.xaxis
    which.set_major_locator(MaxNLocator(integer=True))
    which.set_major_formatter(FuncFormatter(lambda v, _: fmt_count(v)))


def _bar_alt(title: str, table: pd.Series) -> str:
    parts = ", ".join(f"{k}: {fmt_count(v)}" for k, v in table.items())
    return f"{title}. {parts}."


def stacked_by_municipality(name: str, table: pd.DataFrame, config: Config, title: str,
                            xlabel: str) -> Chart:
    """Horizontal bars per row label, stacked by municipality (the table without Totaal)."""
    munis = [m for m in config.municipalities if m in table.columns]
    data = table.drop(index="Totaal", errors="ignore")[munis]
    fig, ax = _figure(8, 0.45 * len(data) + 1.6)
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
    fig.subplots_adjust(left=0.43, right=0.97, top=0.9, bottom=0.14)
    totals = data.sum(axis=1)
    return Chart(name, fig, _bar_alt(title + " (totaal per categorie)", totals))


def bars(name: str, series: pd.Series, title: str, xlabel: str, ylabel: str) -> Chart:
    """Vertical bars of one series, in row order; horizontal when the labels are long (the
    trede names), so that they never overlap."""
    labels = [str(i) for i in series.index]
    if max((len(t) for t in labels), default=0) > 14:
        fig, ax = _figure(8, 0.4 * len(labels) + 1.4)
        ax.barh(labels, series.to_numpy(), color=PALETTE[0])
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)           # the counts run along x here
        ax.set_ylabel(xlabel)
        _dutch_axis(ax, "x")
        fig.subplots_adjust(left=0.4, right=0.97, top=0.88, bottom=0.16)
    else:
        fig, ax = _figure(8, 3.8)
        ax.bar(labels, series.to_numpy(), color=PALETTE[0])
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        _dutch_axis(ax)
        ax.tick_params(axis="x", labelrotation=20)
        fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.3)
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    return Chart(name, fig, _bar_alt(title, series))


def appendix_charts(tables: dict[str, pd.DataFrame], config: Config, scope: str,
                    year: int) -> list[Chart]:
    """The appendix charts: trede by municipality, age and duration of the scope's clients."""
    out = []
    trede = tables["bijlage_2_1_trede"]
    if scope == config.short and len(config.municipalities) <= MAX_STACKED:
        out.append(stacked_by_municipality(
            "treden", trede, config, f"Klanten per trede, 31-12-{year}", "Aantal klanten"))
    else:                   # one municipality, or too many to stack legibly
        out.append(bars("treden", trede[scope].drop(index="Totaal"),
                        f"Klanten per trede, {scope}, 31-12-{year}", "", "Aantal klanten"))
    for tid, name, what in (("bijlage_2_1_leeftijd", "leeftijd", "Leeftijd"),
                            ("bijlage_2_2_uitkeringsduur", "uitkeringsduur", "Uitkeringsduur")):
        series = tables[tid][scope].drop(index="Totaal")
        out.append(bars(name, series, f"{what} klanten, {scope}, 31-12-{year}", what,
                        "Aantal klanten"))
    return out


def _pct_axis(ax, axis: str = "y") -> None:
    from rsdlib.publish import fmt_pct

    fmt = FuncFormatter(lambda v, _: fmt_pct(v, 0))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")


def _month_ticks(ax, labels: list[str]) -> None:
    """Every month a tick; January, April, July and October named, the year under January."""
    ticks, names = [], []
    for i, m in enumerate(map(str, labels)):
        if not (len(m) == 7 and m[4] == "-" and m[5:].isdigit()):
            continue                    # not a month (a year's row, say): no tick of its own
        year, month = m[:4], int(m[5:7])
        if month in (1, 4, 7, 10):
            ticks.append(i)
            names.append(f"{MONTHS[month - 1]}\n{year}" if month == 1 else MONTHS[month - 1])
    ax.set_xticks(ticks, names, fontsize=8)
    ax.set_xticks(range(len(labels)), minor=True)
    ax.set_xlim(-0.7, len(labels) - 0.3)


def flows(name: str, table: pd.DataFrame, title: str) -> Chart:
    """Inflow and outflow per month, side by side from zero on one axis (the 12-month totals
    are in the table and the alt text: a second axis would compare unlike scales)."""
    fig, ax = _figure(9, 3.8)
    x = range(len(table))
    ax.bar([i - 0.2 for i in x], table["Instroom"], width=0.4, color=PALETTE[0],
           label="Instroom")
    ax.bar([i + 0.2 for i in x], table["Uitstroom"], width=0.4, color=PALETTE[1],
           hatch="//", edgecolor="white", linewidth=0, label="Uitstroom")
    ax.set_title(title)
    ax.set_ylabel("Aantal per maand")
    ax.set_ylim(bottom=0)
    _dutch_axis(ax)
    _month_ticks(ax, list(table.index))
    ax.legend(frameon=False, fontsize=8, loc="upper left", ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.08, right=0.98, top=0.9, bottom=0.17)
    if table.empty:
        return Chart(name, fig, f"{title}. Geen maandcijfers in de export.")
    last = table.iloc[-1]
    alt = (f"{title}. In de laatste maand ({table.index[-1]}) {fmt_count(last['Instroom'])} "
           f"instroom en {fmt_count(last['Uitstroom'])} uitstroom; over 12 maanden "
           f"{fmt_count(last['Instroom 12 mnd'])} instroom en "
           f"{fmt_count(last['Uitstroom 12 mnd'])} uitstroom.")
    return Chart(name, fig, alt)


def dossiers(name: str, table: pd.DataFrame, title: str) -> Chart:
    """Benefit dossiers per month from zero, with the national prognosis at year ends where
    the configuration has one for the months shown (the title names it only then)."""
    prog = table["Prognose"].dropna() if "Prognose" in table else pd.Series(dtype=float)
    if len(prog):
        title = title.replace(" per maand", " per maand en landelijke prognose", 1)
    fig, ax = _figure(9, 3.8)
    x = list(range(len(table)))
    ax.plot(x, table["Dossiers"], color=PALETTE[0], linewidth=2,
            label="Dossiers (stand per maand)")
    if len(prog):
        pos = [table.index.get_loc(i) for i in prog.index]
        ax.plot(pos, prog, color=PALETTE[1], linestyle="--", marker="o",
                label="Landelijke prognose (septembercirculaire)")
        ax.legend(frameon=False, fontsize=8, loc="lower left")
    ax.set_title(title)
    ax.set_ylabel("Aantal dossiers")
    ax.set_ylim(bottom=0)
    _dutch_axis(ax)
    _month_ticks(ax, list(table.index))
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.17)
    if table.empty:
        return Chart(name, fig, f"{title}. Geen maandstanden in de export.")
    alt = (f"{title}. Van {fmt_count(table['Dossiers'].iloc[0])} in {table.index[0]} naar "
           f"{fmt_count(table['Dossiers'].iloc[-1])} in {table.index[-1]}"
           + (f"; prognose {fmt_count(prog.iloc[-1])} in {prog.index[-1]}." if len(prog) else "."))
    return Chart(name, fig, alt)


def pyramid(name: str, counts: pd.DataFrame, title: str) -> Chart:
    """Age by gender: men to the left, women to the right."""
    fig, ax = _figure(8, 3.8)
    ax.barh(counts.index, -counts["Man"], color=PALETTE[0], label="Man")
    ax.barh(counts.index, counts["Vrouw"], color=PALETTE[1], hatch="//", edgecolor="white",
            label="Vrouw")
    ax.set_title(title)
    ax.set_xlabel("Aantal klanten (mannen links, vrouwen rechts)")
    ax.set_ylabel("Leeftijd")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: fmt_count(abs(v))))
    ax.legend(frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.18, right=0.98, top=0.9, bottom=0.14)
    parts = ", ".join(f"{a}: {fmt_count(r['Man'])} mannen en {fmt_count(r['Vrouw'])} vrouwen"
                      for a, r in counts.iterrows())
    return Chart(name, fig, f"{title}. {parts}.")


def stacked_columns(name: str, table: pd.DataFrame, title: str, ylabel: str) -> Chart:
    """Columns per row label, stacked by the table's columns."""
    fig, ax = _figure(8, 3.8)
    bottom = pd.Series(0.0, index=table.index)
    for i, col in enumerate(table.columns):
        ax.bar(table.index, table[col], bottom=bottom, color=PALETTE[i % len(PALETTE)],
               hatch=HATCHES[i % len(HATCHES)], edgecolor="white", label=col)
        bottom += table[col]
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    _dutch_axis(ax)
    ax.legend(frameon=False, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.12)
    parts = "; ".join(f"{r}: " + ", ".join(f"{c} {fmt_count(v)}" for c, v in row.items())
                      for r, row in table.iterrows())
    return Chart(name, fig, f"{title}. {parts}.")


def kpi_chart(name: str, card: pd.DataFrame, title: str) -> Chart:
    """Each KPI's realisation as a share of its target, with the target at 100%."""
    from rsdlib.publish import fmt_pct

    card = card[card["Realisatie"].notna()]
    share = 100 * card["Realisatie"] / card["Doel"]
    fig, ax = _figure(10, 0.5 * max(len(card), 1) + 1.8)
    colors = [PALETTE[0] if s == "behaald" else PALETTE[1] for s in card["Status"]]
    hatches = ["" if s == "behaald" else "//" for s in card["Status"]]
    ax.barh(card["KPI"], share, color=colors, hatch=hatches, edgecolor="white")
    ax.axvline(100, color="black", linewidth=1)
    ax.invert_yaxis()
    ax.set_title(title, fontsize=10, loc="right")
    ax.set_xlabel("Realisatie in % van het doel (lijn: doel; effen: behaald, gearceerd: "
                  "niet behaald)", fontsize=9)
    _pct_axis(ax, "x")
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.48, right=0.98, top=0.9, bottom=0.16)
    parts = "; ".join(f"{k}: {fmt_pct(s, 0)} van het doel ({st})"
                      for k, s, st in zip(card["KPI"], share, card["Status"], strict=True))
    return Chart(name, fig, f"{title}. {parts}." if parts else f"{title}. Geen gegevens.")


def survival(name: str, table: pd.DataFrame, title: str) -> Chart:
    """Share of each inflow cohort still on the caseload after 0-36 months."""
    fig, ax = _figure(8, 3.8)
    cols = [c for c in table.columns if c.startswith("% na")]
    x = [0] + [int(c.split()[2]) for c in cols]
    styles = ["-", "--", ":", "-.", (0, (5, 1, 1, 1))]
    colors = [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3], PALETTE[4]]
    table = table.iloc[-5:]          # the five most recent cohorts stay readable
    for i, (cohort, row) in enumerate(table.iterrows()):
        ax.plot(x, [100, *row[cols].tolist()], marker="os^Dv"[i], color=colors[i],
                linestyle=styles[i], label=str(cohort))
    ax.set_title(title)
    ax.set_xlabel("Maanden na instroom")
    ax.set_ylabel("Nog in het bestand")
    ax.set_xticks(x)
    ax.set_ylim(0, 105)
    _pct_axis(ax)
    if len(table):
        ax.legend(frameon=False, fontsize=8, title="Instroomjaar", ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.subplots_adjust(left=0.1, right=0.98, top=0.9, bottom=0.14)
    if table.empty:
        return Chart(name, fig, f"{title}. Geen instroom in de export.")
    last = table.iloc[-1]
    alt = f"{title}. " + "; ".join(
        f"cohort {c}: na 12 maanden {'' if pd.isna(r.get('% na 12 mnd')) else round(r['% na 12 mnd'])}"
        "% nog in het bestand" for c, r in table.iterrows()) + f" (laatste cohort {last.name})."
    return Chart(name, fig, alt)


def public_charts(tables: dict[str, pd.DataFrame], metas: dict, config: Config, scope: str,
                  year: int) -> list[Chart]:
    """Charts for publiek mode: the scope's column of the peildatum tables without its total,
    hidden cells left out, and the alt text says which, with one reason for all of them:
    which of them are small is never said (a category called small would lie in
    1..threshold-1, one called protecting outside it; both narrow what is hidden)."""
    from rsdlib.tabledefs import layout

    out = []
    for tid, name, what in (("bijlage_2_1_trede", "treden", "Trede"),
                            ("bijlage_2_1_leeftijd", "leeftijd", "Leeftijd"),
                            ("bijlage_2_2_uitkeringsduur", "uitkeringsduur", "Uitkeringsduur")):
        table, meta = tables[tid], metas[tid]
        lay = layout(tid, table, config, scope)
        rows = [pos for pos in range(len(table)) if not lay.is_total(pos)]
        shown = [pos for pos in rows if (pos, scope) not in meta.suppressed]
        hidden = [str(table.index[p]) for p in rows if (p, scope) in meta.suppressed]
        chart = bars(name, table[scope].iloc[shown], f"{what} klanten, {scope}, 31-12-{year}",
                     what, "Aantal klanten")
        if hidden:
            chart.alt += (" Niet getoond (afgeschermd): " + ", ".join(hidden) + " (kleine "
                          "aantallen en aantallen die nodig zijn om kleine aantallen te "
                          "beschermen).")
        out.append(chart)
    return out
