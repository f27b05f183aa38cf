"""Scale: one validated load per batch, projections, the cache, and the national generator."""

import pandas as pd
import pytest
from helpers import edited
from pandas.testing import assert_frame_equal

import rsdlib.io
from rsdlib import batch, kpi, report, tables, trends
from rsdlib.config import load_config
from rsdlib.io import read_export
from rsdlib.national import snapshot_dates, write_national
from rsdlib.prepared import prepare


@pytest.mark.parametrize("year", [2019, 2025])
def test_municipality_tables_are_projections_of_the_service_tables(demo, config, year):
    full = tables.all_tables(demo, year, config.short, config)
    for scope in config.municipalities:
        direct = tables.all_tables(demo, year, scope, config)
        for tid in tables.TABLES:
            assert_frame_equal(tables.project(tid, full, scope, config, year), direct[tid],
                               check_exact=False, rtol=1e-12, obj=f"{tid} {scope}")


def test_prepared_slices_give_what_direct_computation_gives(demo, config):
    prep = prepare(demo, 2019, config)
    for scope in config.scopes:
        computed, metas, chartdata = report.for_scope(prep.slice(scope, config), scope, config)
        direct = tables.all_tables(demo, 2019, scope, config)
        direct |= trends.trend_tables(demo, 2019, scope, config)
        for tid, table in direct.items():
            assert_frame_equal(computed[tid], table, check_exact=False, rtol=1e-12,
                               obj=f"{tid} {scope}")
        assert_frame_equal(chartdata["age_gender"],
                           tables.age_by_gender(demo, 2019, scope, config), check_names=False)
        assert ("kpi_scorecard" in computed) == (scope == config.short)
    assert_frame_equal(prep.scorecard, kpi.kpi_scorecard(demo, 2019, config))


def test_cached_copy_gives_byte_identical_tables(tmp_path, demo, demo_dir, config):
    """A scope's tables from the batch's cache (the prepared parts a notebook reads) are
    written byte for byte as the tables prepared from the parsed export, by the writer
    report.build uses (without its charts and workbook, which read the same tables)."""
    from rsdlib.prepared import load_prepared
    from rsdlib.publish import write_csv

    data, cache = batch.load_validated(demo_dir, tmp_path / "out", config)
    batch.write_prepared(data, cache, [2019], ["Zevenaar", "RSD"], config, "intern")
    cfg = config.for_year(2019)
    fresh_year = prepare(demo, 2019, config, "intern")
    for scope in ("Zevenaar", "RSD"):
        cached_year = load_prepared(cache, 2019, scope, "intern")
        assert cached_year is not None, scope
        written = {}
        for name, prep in (("fresh", fresh_year), ("cached", cached_year)):
            tables, metas, _ = report.for_scope(prep, scope, cfg)
            folder = tmp_path / name / scope
            folder.mkdir(parents=True)
            for tid, table in tables.items():
                write_csv(table, folder / f"{tid}.csv", metas[tid], cfg)
            written[name] = {p.name: p.read_bytes() for p in folder.iterdir()}
        assert set(written["cached"]) == set(written["fresh"])
        assert len(written["fresh"]) > 15 and ("kpi_scorecard.csv" in written["fresh"]) == (
            scope == "RSD")
        for name, data_ in written["fresh"].items():
            assert written["cached"][name] == data_, (scope, name)


@pytest.mark.slow
def test_the_cache_is_reused_and_a_changed_input_invalidates_it(tmp_path, demo_dir, config,
                                                                  monkeypatch):
    export = tmp_path / "export"
    export.mkdir()
    for p in demo_dir.glob("*.csv"):
        (export / p.name).write_bytes(p.read_bytes())
    out = tmp_path / "out"
    first, cache1 = batch.load_validated(export, out, config)

    def no_parse(*args, **kwargs):
        raise AssertionError("parsed again although nothing changed")

    monkeypatch.setattr(rsdlib.io, "read_export", no_parse)
    again, cache2 = batch.load_validated(export, out, config)
    assert cache2 == cache1
    assert_frame_equal(again["klanten"], first["klanten"], check_exact=True)   # fast on categories
    monkeypatch.undo()
    with (export / "uitstroom.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("K999999;Duiven;01-06-2019;ARBEID;N;N;N;N\r\n")
    changed, cache3 = batch.load_validated(export, out, config)
    assert cache3 != cache1
    assert len(changed["uitstroom"]) == len(first["uitstroom"]) + 1


@pytest.mark.slow
def test_the_cache_is_complete_only_with_its_report(tmp_path, demo_dir, config, monkeypatch):
    """The Parquet copy is written in a thread beside the preparation; report.json goes last.
    A cache folder without it (a batch stopped halfway) is parsed and written again."""
    out = tmp_path / "out"
    data, cache, writing = batch.open_validated(demo_dir, out, config)
    batch.write_prepared(data, cache, [2019], ["RSD"], config, "intern")
    writing.result()
    names = {p.name for p in cache.iterdir()}
    files = {"report.json", *(f"{n}.parquet" for n in data.frames)}
    assert names == {"runs", *files, *(f"{n}.sha256" for n in files)}   # each with its digest
    assert not [p for p in cache.parent.iterdir() if p.name.startswith(".")]   # no staging
    (cache / "report.json").unlink()
    parsed = []
    monkeypatch.setattr(rsdlib.io, "read_export", lambda *a: parsed.append(1) or data)
    again, cache2, writing2 = batch.open_validated(demo_dir, out, config)
    assert parsed and cache2 == cache and writing2 is not None
    writing2.result()
    assert (cache / "report.json").is_file()
    reused = batch.open_validated(demo_dir, out, config)
    assert reused[2] is None and len(parsed) == 1


@pytest.mark.parametrize(("modules", "absent"), [
    ("rsdlib.cli, rsdlib.batch", ("pandas", "pyarrow", "matplotlib")),   # before the fork
    ("rsdlib.prepared", ("matplotlib",)),                                 # before the notebooks
])
def test_the_batch_process_imports_only_what_it_needs(modules, absent):
    """The batch's workers fork before pandas is imported, and the batch's own process
    validates and prepares without matplotlib (~0,6 s it would only wait for)."""
    import subprocess
    import sys

    code = f"import sys; import {modules}; print(sorted(set({absent!r}) & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_national_generator_at_small_scale(tmp_path):
    paths = write_national(tmp_path, n_munis=12, clients=3000, seed=7)
    assert paths[-1].name == "nationaal.toml"
    cfg = load_config(paths[-1])
    assert len(cfg.municipalities) == 12 and cfg.short == "NL"
    export = read_export(tmp_path, cfg)
    assert export.report.refusals == []
    days = export.peildata
    assert days == snapshot_dates()
    sizes = export["klanten"].groupby("peildatum").size()
    assert sizes.between(1500, 4500).all()
    assert set(export["klanten"]["gemeente"].unique()) <= set(cfg.municipalities)
    for kind in ("instroom", "uitstroom", "trede_mutaties"):
        years = export[kind].iloc[:, 2].dt.year
        assert years.between(2018, 2025).all() and years.nunique() == 8
    prep = prepare(export, 2025, cfg)
    computed, _, _ = report.for_scope(prep.slice(cfg.municipalities[0], cfg),
                                      cfg.municipalities[0], cfg)
    assert computed["bijlage_2_1_trede"].loc["Totaal", "NL"] == sizes[pd.Timestamp(2025, 12, 31)]


def test_the_cache_key_changes_with_the_input_and_with_the_code(tmp_path, config, monkeypatch):
    """cache_key itself (not only code_hash): an export file changed, the configuration
    changed, or one line of rsdlib's source changed (in a subpackage's module or a top-level
    one) gives another cache folder; nothing changed gives the same one."""
    import shutil
    from pathlib import Path

    export = tmp_path / "export"
    export.mkdir()
    (export / "klanten.csv").write_text("peildatum;klantnummer\n31-12-2019;K1\n")
    key = batch.cache_key(batch.input_hashes(export), config)
    assert batch.cache_key(batch.input_hashes(export), config) == key
    (export / "klanten.csv").write_text("peildatum;klantnummer\n31-12-2019;K12\n")
    changed_input = batch.cache_key(batch.input_hashes(export), config)
    assert changed_input != key
    source = tmp_path / "rsdlib"
    shutil.copytree(Path(batch.__file__).parent, source,
                    ignore=shutil.ignore_patterns("__pycache__"))
    code_hash = getattr(batch.code_hash, "__wrapped__", batch.code_hash)   # uncached
    monkeypatch.setattr(batch, "code_hash", lambda: code_hash(source))
    assert batch.cache_key(batch.input_hashes(export), config) == changed_input   # same code
    validate = source / "io" / "validate.py"
    validate.write_text(validate.read_text() + "\n# one more line\n")
    changed_io = batch.cache_key(batch.input_hashes(export), config)
    assert changed_io != changed_input
    tables_py = source / "tables.py"
    tables_py.write_text(tables_py.read_text().replace("\n", "\n\n", 1))
    changed_tables = batch.cache_key(batch.input_hashes(export), config)
    assert changed_tables not in (changed_input, changed_io)
    other = load_config(edited(tmp_path, "target = 250", "target = 251"))
    assert batch.cache_key(batch.input_hashes(export), other) not in (
        changed_input, changed_io, changed_tables)


def test_the_cache_key_changes_with_a_setting_taken_from_the_default_file(tmp_path, monkeypatch):
    """achterhoek.toml leaves its ladder, units, bands, reasons and texts to the default file:
    a change there (other age bands) changes the tables, so it changes the cache key, though
    achterhoek.toml itself is the same file."""
    from rsdlib import config as config_module
    from rsdlib.paths import CONFIG_DIR

    path = CONFIG_DIR / "achterhoek.toml"
    before = config_module.load_config(path)
    assert "bands" in before._from_default
    key = batch.cache_key(["klanten.csv:ab"], before)
    assert batch.cache_key(["klanten.csv:ab"], config_module.load_config(path)) == key
    default = tmp_path / "liemers.toml"
    text = config_module.DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert '["18-27", 18, 27], ["28-35", 28, 35]' in text
    default.write_text(text.replace('["18-27", 18, 27], ["28-35", 28, 35]',
                                    '["18-29", 18, 29], ["30-35", 30, 35]'), encoding="utf-8")
    monkeypatch.setattr(config_module, "DEFAULT_CONFIG", default)
    config_module._default_raw.cache_clear()
    try:
        after = config_module.load_config(path)
        assert [b.label for b in after.domain.age_bands][1:3] == ["18-29", "30-35"]
        assert batch.cache_key(["klanten.csv:ab"], after) != key
    finally:
        monkeypatch.undo()
        config_module._default_raw.cache_clear()

