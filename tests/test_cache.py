"""The cache is a cache: data only (no pickle), every file checked against the digest
recorded when it was written, rebuilt from the export when it fails (issue 14, case 2)."""

import io
import pickle
import subprocess
import sys
import zipfile

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import rsdlib.io
from rsdlib import batch, prepared, report, trends
from rsdlib.digest import sidecar, write_checked
from rsdlib.errors import CacheError


def assert_same(a, b, where=""):
    """Prepared fields equal, frames exactly (dtypes, index, attrs)."""
    if isinstance(a, pd.DataFrame):
        assert_frame_equal(a, b, check_exact=True, obj=where)
        assert a.attrs == b.attrs, where
    elif isinstance(a, trends.TrendBase):
        for name in ("flows", "dossiers", "active", "cohorts"):
            assert_same(getattr(a, name), getattr(b, name), f"{where}.{name}")
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for k in a:
            assert_same(a[k], b[k], f"{where}[{k}]")
    else:
        assert a == b, where


@pytest.mark.parametrize("mode", ["intern", "publiek"])
def test_prepared_parts_come_back_exactly_without_pickle(demo, config, mode):
    prep = prepared.prepare(demo, 2019, config, mode)
    for fields in (prep.common().fields(), prep.scope_part("Duiven", config),
                   prep.scope_part(config.short, config)):
        data = prepared.encode_part(fields)
        with zipfile.ZipFile(io.BytesIO(data)) as z:     # JSON and Arrow IPC, nothing else
            assert {n.rsplit(".", 1)[1] for n in z.namelist()} <= {"json", "arrow"}
        back = prepared.decode_part(data)
        for name in fields:
            assert_same(fields[name], back[name], name)


def test_months_come_back_as_months_in_a_process_that_only_reads(demo, config, tmp_path):
    """A kernel reads the cache before it has converted any period itself: the monthly
    index must still come back as months (it came back as ordinals, 576 for 2018-01)."""
    prep = prepared.prepare(demo, 2019, config, "intern")
    written = prep.scope_part(config.short, config)
    path = tmp_path / "gedeeld.zip"
    path.write_bytes(prepared.encode_part(written))
    probe = ("import sys\nfrom rsdlib import prepared\n"
             "p = prepared.decode_part(open(sys.argv[1], 'rb').read())\n"
             "i = p['trend'].flows.index\nprint(i.dtype, i[0], i[-1])")
    done = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True,
                          text=True, check=True)
    months = written["trend"].flows.index
    assert done.stdout.split() == [str(months.dtype), str(months[0]), str(months[-1])]
    assert str(months[0]) == "2018-01"


class Planted:
    """What a crafted pickle would do when loaded: leave a file behind."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


@pytest.fixture
def batch_cache(tmp_path, demo_dir, config):
    """A batch's cache of the demo export with the 2019 parts of Duiven and the service."""
    out = tmp_path / "out"
    data, cache = batch.load_validated(demo_dir, out, config)
    batch.write_prepared(data, cache, [2019], ["Duiven", "RSD"], config, "intern")
    return out, cache, data


def test_a_changed_value_in_the_cache_is_not_used_but_rebuilt(batch_cache, demo_dir, config,
                                                               capsys, monkeypatch):
    out, cache, data = batch_cache
    path = cache / "klanten.parquet"
    frame = pd.read_parquet(path)
    frame.loc[frame["gemeente"] == "Duiven", "trede"] = "1"     # as an editor would
    frame.to_parquet(path, index=False)
    with pytest.raises(CacheError, match="klanten.parquet: inhoud klopt niet"):
        rsdlib.io.load_cache(cache, config)
    parsed = []
    real = rsdlib.io.read_export
    monkeypatch.setattr(rsdlib.io, "read_export", lambda *a: parsed.append(1) or real(*a))
    again, cache2 = batch.load_validated(demo_dir, out, config)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "opnieuw opgebouwd uit de export" in err
    assert parsed and cache2 == cache
    assert again["klanten"].equals(data["klanten"])      # as parsed from the export
    assert rsdlib.io.load_cache(cache, config)["klanten"].equals(data["klanten"])


@pytest.mark.parametrize("damage", ["truncate", "delete", "digest"])
def test_a_damaged_cache_file_is_never_fatal(batch_cache, demo_dir, config, capsys, damage):
    out, cache, data = batch_cache
    path = cache / "uitstroom.parquet"
    if damage == "truncate":
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "delete":
        path.unlink()
    else:
        sidecar(path).write_text("0" * 64)
    again, _ = batch.load_validated(demo_dir, out, config)
    assert "opnieuw opgebouwd" in capsys.readouterr().err
    assert_frame_equal(again["uitstroom"], data["uitstroom"])


def test_a_crafted_prepared_part_is_never_unpickled(batch_cache, config, tmp_path, capsys):
    out, cache, data = batch_cache
    marker = tmp_path / "ran"
    evil = pickle.dumps(Planted(marker))
    part = prepared.precomputed(cache, 2019, "Duiven", "intern")
    for path in (part, part.with_suffix(".pkl")):    # the new name and the old one
        path.write_bytes(evil)
    assert prepared.load_prepared(cache, 2019, "Duiven", "intern") is None   # fails its check
    write_checked(part, evil)                         # even with a digest that matches
    assert prepared.load_prepared(cache, 2019, "Duiven", "intern") is None
    r = report.build(cache, 2019, "Duiven", tmp_path / "run")   # prepared from the copy
    assert not marker.exists()
    assert r.tables["bijlage_2_1_trede"].loc["Totaal", "Duiven"] > 0
    part.write_bytes(b"garbage")
    batch.write_prepared(data, cache, [2019], ["Duiven", "RSD"], config, "intern")
    err = capsys.readouterr().err
    assert "Duiven.intern.zip klopt niet met zijn SHA-256; 2019 wordt opnieuw voorbereid" in err
    assert prepared.load_prepared(cache, 2019, "Duiven", "intern") is not None
    assert not marker.exists()
