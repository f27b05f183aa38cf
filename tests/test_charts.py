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
