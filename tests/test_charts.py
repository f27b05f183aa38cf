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
