"""Charts: the PNG bytes the files and the page share."""

import io

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from rsdlib import charts


@pytest.mark.parametrize("labels", [["18-27", "28-35", "36-45"],
                                    ["Trede 1 Geen aanbod", "Trede 2a Basisvaardigheden"]])
def test_png_is_the_figure_as_matplotlib_draws_it(labels):
    chart = charts.bars("proef", pd.Series(range(3, 3 + len(labels)), index=labels),
                        "Klanten", "Groep", "Aantal")
    png = chart.png()
    ours = Image.open(io.BytesIO(png))
    buf = io.BytesIO()
    chart.figure.savefig(buf, format="png")         # matplotlib's own PNG writer, as RGBA
    theirs = Image.open(buf)
    assert ours.format == "PNG" and ours.mode == "RGB"
    assert ours.size == theirs.size == (8 * charts.DPI, ours.size[1])
    assert round(ours.info["dpi"][0]) == charts.DPI
    rgba = np.asarray(theirs)
    assert (rgba[..., 3] == 255).all()                # opaque: nothing lost without alpha
    assert np.array_equal(np.asarray(ours), rgba[..., :3])
    assert chart.png() is png                          # rendered once


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_series_colours_stand_out_and_stay_apart_in_grey():
    """WCAG 1.4.11: graphics at least 3:1 against the white background; series next to each
    other differ in hatching or clearly in grey."""
    white = _luminance("#ffffff")
    for colour in charts.PALETTE:
        assert (white + 0.05) / (_luminance(colour) + 0.05) >= 3, colour
    for i in range(len(charts.PALETTE) - 1):
        apart_in_grey = abs(_luminance(charts.PALETTE[i]) - _luminance(charts.PALETTE[i + 1])) > 0.1
        assert apart_in_grey or charts.HATCHES[i] != charts.HATCHES[i + 1], i


def test_flows_have_one_axis_from_zero_and_named_months():
    months = [f"{y}-{m:02d}" for y in (2018, 2019) for m in range(1, 13)]
    table = pd.DataFrame({"Instroom": range(40, 64), "Uitstroom": range(60, 36, -1),
                          "Instroom 12 mnd": np.nan, "Uitstroom 12 mnd": np.nan}, index=months)
    chart = charts.flows("stromen", table, "Instroom en uitstroom per maand")
    assert len(chart.figure.axes) == 1
    ax = chart.figure.axes[0]
    assert ax.get_ylim()[0] == 0
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels[:4] == ["jan\n2018", "apr", "jul", "okt"] and "jan\n2019" in labels


def test_dossiers_start_at_zero_and_name_a_prognosis_only_when_drawn():
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    table = pd.DataFrame({"Dossiers": range(1700, 1640, -5), "Prognose": np.nan}, index=months)
    chart = charts.dossiers("dossiers", table, "Uitkeringsdossiers per maand, RSD")
    assert "prognose" not in chart.title.lower() and len(chart.figure.axes[0].lines) == 1
    assert chart.figure.axes[0].get_ylim()[0] == 0
    table.loc["2019-12", "Prognose"] = 1600.0
    drawn = charts.dossiers("dossiers", table, "Uitkeringsdossiers per maand, RSD")
    assert "landelijke prognose" in drawn.title and len(drawn.figure.axes[0].lines) == 2


# --------------------------------------------------------------------------- what the charts show
# The demo's 2019 charts, as the appendix draws them (report.for_scope and the chart
# functions report.build calls), read back from the figures: titles, axis labels, the
# series' values against the tables the page prints, and the alt text's figures.


@pytest.fixture(scope="module")
def drawn(demo, config):
    from types import SimpleNamespace

    from rsdlib import report
    from rsdlib.prepared import prepare

    cfg = config.for_year(2019)
    prep = prepare(demo, 2019, config)
    out = {}
    for scope in ("RSD", "Duiven"):
        tables, _, chartdata = report.for_scope(prep, scope, cfg)
        label = cfg.name if scope == cfg.short else scope
        shown = charts.appendix_charts(tables, cfg, scope, 2019) + report._more_charts(
            SimpleNamespace(year=2019, tables=tables), label, chartdata)
        out[scope] = tables, {c.name: c for c in shown}
    return out


def _axes(chart):
    (ax,) = chart.figure.axes
    return ax


def _ticks(labels) -> list[str]:
    return [t.get_text() for t in labels]


def _title(ax) -> str:
    """The axes' title, wherever it is placed (centre, left or right)."""
    return next((t for t in (ax.get_title(loc=w) for w in ("center", "left", "right")) if t), "")


def test_every_chart_has_a_title_axis_labels_and_alt_text_in_dutch(drawn):
    names = {"treden", "leeftijd", "uitkeringsduur", "piramide", "instroomredenen", "stromen",
             "dossiers", "cohorten"}
    assert set(drawn["RSD"][1]) == names | {"kpi"} and set(drawn["Duiven"][1]) == names
    for _, shown in drawn.values():
        for chart in shown.values():
            ax = _axes(chart)
            assert _title(ax) and chart.alt.startswith(_title(ax)), chart.name
            assert ax.get_xlabel() or ax.get_ylabel(), chart.name
            assert "_" not in chart.alt and "_" not in _title(ax), chart.name    # no ids
            assert len(chart.alt) > len(_title(ax)) + 20, chart.name              # figures
    rsd = drawn["RSD"][1]
    assert _axes(rsd["treden"]).get_title() == "Klanten per trede, 31-12-2019"
    assert _axes(rsd["stromen"]).get_title() == "Instroom en uitstroom per maand, RSD de Liemers"
    assert _axes(drawn["Duiven"][1]["leeftijd"]).get_title() == "Leeftijd klanten, Duiven, 31-12-2019"
    assert _axes(rsd["piramide"]).get_xlabel() == "Aantal klanten (mannen links, vrouwen rechts)"
    assert _axes(rsd["dossiers"]).get_ylabel() == "Aantal dossiers"


def test_the_trede_chart_stacks_the_municipalities_to_the_service_total(drawn, config):
    tables, shown = drawn["RSD"]
    trede = tables["bijlage_2_1_trede"].drop(index="Totaal")
    ax = _axes(shown["treden"])
    assert _ticks(ax.get_yticklabels()) == list(trede.index)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(config.municipalities)
    assert ax.get_xlabel() == "Aantal klanten"
    left = np.zeros(len(trede))
    for muni, bars in zip(config.municipalities, ax.containers, strict=True):
        assert [b.get_width() for b in bars] == trede[muni].tolist(), muni
        assert [b.get_x() for b in bars] == left.tolist(), muni
        left += trede[muni].to_numpy()
    assert left.tolist() == trede["RSD"].tolist()          # the stack is the service's count
    assert "Trede 1 Geen aanbod: 538" in shown["treden"].alt
    for label, n in trede["RSD"].items():
        assert f"{label}: {n:,.0f}".replace(",", ".") in shown["treden"].alt


@pytest.mark.parametrize("scope", ["RSD", "Duiven"])
def test_bars_show_the_scopes_column_of_their_table(drawn, scope):
    tables, shown = drawn[scope]
    cases = [("leeftijd", "bijlage_2_1_leeftijd", "Leeftijd"),
             ("uitkeringsduur", "bijlage_2_2_uitkeringsduur", "Uitkeringsduur")]
    if scope == "Duiven":
        cases.append(("treden", "bijlage_2_1_trede", ""))
    for name, tid, what in cases:
        column = tables[tid][scope].drop(index="Totaal")
        ax = _axes(shown[name])
        (bars,) = ax.containers
        horizontal = _ticks(ax.get_yticklabels()) == list(column.index)   # long labels
        values = [b.get_width() if horizontal else b.get_height() for b in bars]
        assert values == column.tolist(), name
        ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
        assert _ticks(ticks) == list(column.index), name
        assert (ax.get_ylabel(), ax.get_xlabel())[::-1 if horizontal else 1] == (
            "Aantal klanten", what), name
        for label, n in column.items():
            assert f"{label}: {n:,.0f}".replace(",", ".") in shown[name].alt, (name, label)


def test_the_pyramid_and_inflow_reasons_add_up_to_the_tables(drawn, config):
    tables, shown = drawn["RSD"]
    ax = _axes(shown["piramide"])
    men, women = ax.containers
    ages = tables["bijlage_2_1_leeftijd"]["RSD"].drop(index="Totaal")
    assert _ticks(ax.get_yticklabels()) == list(ages.index)
    assert all(b.get_width() <= 0 for b in men) and all(b.get_width() >= 0 for b in women)
    # men to the left, women to the right; together the age table's clients (none unknown)
    assert [-m.get_width() + w.get_width() for m, w in zip(men, women, strict=True)] == ages.tolist()
    assert "56 en ouder: 366 mannen en 261 vrouwen" in shown["piramide"].alt
    reasons = tables["bijlage_2_4_instroom_reden"]
    ax = _axes(shown["instroomredenen"])
    assert _ticks(ax.get_xticklabels()) == list(config.municipalities)
    direct, indirect, nug = ax.containers
    rows = list(reasons.index)
    for i, muni in enumerate(config.municipalities):
        block = reasons.iloc[rows.index(muni) + 1:rows.index(muni) + 5]["Eindtotaal"]
        assert direct[i].get_height() == block.filter(like="Direct").item(), muni
        assert indirect[i].get_height() == block.filter(like="Indirect").item(), muni
        assert nug[i].get_height() == block.filter(like="Niet-Uitkering").item(), muni
        total = direct[i].get_height() + indirect[i].get_height() + nug[i].get_height()
        assert total == reasons.loc[muni, "Eindtotaal"], muni
    assert "Duiven: Direct 56, Indirect 44, Niet-uitkeringsgerechtigd 8" in shown[
        "instroomredenen"].alt


def test_the_trend_charts_draw_the_monthly_tables(drawn):
    tables, shown = drawn["RSD"]
    flows = tables["trend_stromen"]
    inflow, outflow = _axes(shown["stromen"]).containers
    assert [b.get_height() for b in inflow] == flows["Instroom"].tolist()
    assert [b.get_height() for b in outflow] == flows["Uitstroom"].tolist()
    last = flows.iloc[-1]
    assert (f"In de laatste maand ({flows.index[-1]}) {last['Instroom']:.0f} instroom en "
            f"{last['Uitstroom']:.0f} uitstroom") in shown["stromen"].alt
    months = tables["trend_dossiers"]
    (line,) = _axes(shown["dossiers"]).lines
    assert list(line.get_ydata()) == months["Dossiers"].tolist()
    year_end = tables["bijlage_2_6_dossiers"].loc["RSD de Liemers", "31 december 2019"]
    assert months.loc["2019-12", "Dossiers"] == year_end == 1608
    assert shown["dossiers"].alt.endswith("naar 1.608 in 2019-12.")
    cohorts = tables["cohort_uitstroom"].iloc[-5:]
    lines = _axes(shown["cohorten"]).lines
    assert [ln.get_label() for ln in lines] == [str(c) for c in cohorts.index]
    for ln, (_, row) in zip(lines, cohorts.iterrows(), strict=True):
        assert list(ln.get_ydata()) == [100, *row.filter(like="% na").tolist()]
    last = cohorts.iloc[-1]
    assert f"cohort {last.name}: na 12 maanden {round(last['% na 12 mnd'])}%" in shown[
        "cohorten"].alt


def test_the_kpi_chart_shows_each_realisation_against_its_target(drawn):
    tables, shown = drawn["RSD"]
    card = tables["kpi_scorecard"]
    card = card[card["Realisatie"].notna()]
    ax = _axes(shown["kpi"])
    assert _ticks(ax.get_yticklabels()) == card["KPI"].tolist()     # labels, not ids
    (bars,) = ax.containers
    assert [b.get_width() for b in bars] == pytest.approx(
        (100 * card["Realisatie"] / card["Doel"]).tolist())
    assert [ln.get_xdata()[0] for ln in ax.lines] == [100]          # the target line
    hatched = [bool(b.get_hatch()) for b in bars]
    assert hatched == (card["Status"] != "behaald").tolist() and any(hatched) and not all(hatched)
    for label, status in zip(card["KPI"], card["Status"], strict=True):
        assert label in shown["kpi"].alt and f"({status})" in shown["kpi"].alt


@pytest.mark.parametrize("peak", [3, 15, 1700])
def test_a_count_axis_says_the_value_at_each_tick(peak):
    """A small monthly series (a municipality's flows) must not get ticks at 2,5 / 7,5 that the
    count format rounds: every tick label reads its tick's value."""
    months = [f"2019-{m:02d}" for m in range(1, 13)]
    values = np.linspace(0, peak, 12).round()
    table = pd.DataFrame({"Instroom": values, "Uitstroom": values[::-1],
                          "Instroom 12 mnd": np.nan, "Uitstroom 12 mnd": np.nan}, index=months)
    ax = charts.flows("stromen", table, "Instroom en uitstroom per maand").figure.axes[0]
    ax.figure.canvas.draw()
    ticks = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) >= 2
    for value, text in ticks:
        assert float(text.replace(".", "")) == value, (value, text)
