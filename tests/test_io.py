"""The export loader: dialects, refused rows with their reasons, unusable files."""

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from rsdlib.cli import main
from rsdlib.io import ExportError, Refusal, load, read_export, require_year, save_cache

KLANTEN = [
    "peildatum;klantnummer;bsn;gemeente;geboortedatum;geslacht;trede;migratieachtergrond;"
    "statushouder;doelgroepregister;uitkering_sinds;dossiernummer;loonkostensubsidie;"
    "actief_traject;ontheffing",
    "31-12-2018;K1;999000001;Duiven;15-03-1980;M;2a;N;N;N;01-02-2015;D1;N;J;N",
    "31-12-2019;K1;999000001;Duiven;15-03-1980;M;2b;N;N;N;01-02-2015;D1;N;J;N",
    "31-12-2019;Kö2;999000002;Zevenaar;31-12-2001;V;;J;J;N;;;N;N;N",
    "31-12-2019;K3;;Westervoort;01-01-1990;X;6g;J;N;J;01-07-2019;D3;J;J;N",
]
INSTROOM = [
    "klantnummer;gemeente;instroomdatum;regeling;reden;trede;migratieachtergrond;statushouder;"
    "doelgroepregister",
    "K3;Westervoort;01-07-2019;PW;DIRECT;5;J;N;J",
    "Kö2;Zevenaar;01-03-2019;BBZ;NUG;;J;J;N",
]
UITSTROOM = [
    "klantnummer;gemeente;uitstroomdatum;reden;migratieachtergrond;statushouder;"
    "doelgroepregister;loonkostensubsidie",
    "K4;Duiven;15-05-2019;ARBEID;N;N;N;N",
]
MUTATIES = ["klantnummer;gemeente;datum;trede_oud;trede_nieuw", "K1;Duiven;10-06-2019;2a;2b"]
GESPREKKEN = ["klantnummer;gemeente;datum;uitkomst", "J1;Duiven;01-04-2019;WERK"]
FILES = {"klanten": KLANTEN, "instroom": INSTROOM, "uitstroom": UITSTROOM,
         "trede_mutaties": MUTATIES, "jongeren_gesprekken": GESPREKKEN}
DATE_COLUMNS = {"peildatum", "geboortedatum", "uitkering_sinds", "instroomdatum",
                "uitstroomdatum", "datum"}


def write_export(folder: Path, files: dict[str, list[str]] = FILES, encoding: str = "utf-8",
                 header=lambda h: h, extra: bool = False) -> Path:
    """Write a small export as CSV in one dialect variant."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, lines in files.items():
        lines = [header(lines[0]), *lines[1:]]
        if extra:
            lines = [lines[0] + ";opmerking", *(ln + ";vrije tekst" for ln in lines[1:])]
        (folder / f"{name}.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return folder


def write_xlsx(folder: Path, files: dict[str, list[str]] = FILES) -> Path:
    """The same export as one workbook, with real date cells as Excel holds them."""
    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    for name, lines in files.items():
        ws = wb.create_sheet(name)
        header = lines[0].split(";")
        ws.append(header)
        for line in lines[1:]:
            row = []
            for col, value in zip(header, line.split(";"), strict=True):
                if col in DATE_COLUMNS and value:
                    row.append(dt.datetime.strptime(value, "%d-%m-%Y"))
                else:
                    row.append(value or None)
            ws.append(row)
    wb.save(folder / "export.xlsx")
    return folder


@pytest.fixture
def baseline(tmp_path, config):
    return read_export(write_export(tmp_path / "base"), config)


@pytest.mark.parametrize("variant", ["bom", "cp1252", "header_spaces", "extra_column", "xlsx"])
def test_dialects_load_to_identical_frames(tmp_path, config, baseline, variant):
    folder = tmp_path / variant
    if variant == "bom":
        write_export(folder, encoding="utf-8-sig")
    elif variant == "cp1252":
        write_export(folder, encoding="cp1252")
    elif variant == "header_spaces":
        write_export(folder, header=lambda h: ";".join(f"  {c.upper()} " for c in h.split(";")))
    elif variant == "extra_column":
        write_export(folder, extra=True)
    else:
        write_xlsx(folder)
    export = read_export(folder, config)
    for name, frame in baseline.frames.items():
        assert_frame_equal(export[name], frame, check_exact=True)
    assert export.report.refusals == []
    if variant == "extra_column":
        assert export.report.files["klanten"].extra_columns == ["opmerking"]


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_report_gives_each_files_sha256(tmp_path, config, monkeypatch, reader):
    import hashlib

    import rsdlib.io.read as rio

    if reader == "exact":
        monkeypatch.setattr(rio, "read_csv_fast", lambda path, columns=None: None)
    folder = write_export(tmp_path / "x")
    report = read_export(folder, config).report
    for name, f in report.files.items():
        assert f.sha256 == hashlib.sha256((folder / f"{name}.csv").read_bytes()).hexdigest()


def test_a_changed_file_is_hashed_again(tmp_path):
    import hashlib
    import os

    from rsdlib.io import file_sha256

    path = tmp_path / "klanten.csv"
    path.write_bytes(b"peildatum;klantnummer\n31-12-2019;K1\n")
    first = file_sha256(path)
    stat = path.stat()
    path.write_bytes(b"peildatum;klantnummer\n31-12-2019;K2\n")       # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000))
    assert first != file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_frames_are_typed_and_bsn_is_dropped(baseline):
    k = baseline["klanten"]
    assert "bsn" not in k.columns
    assert not any("999000001" in str(v) for v in k.astype(str).to_numpy().ravel())
    assert k["peildatum"].dtype.kind == "M"
    assert k["actief_traject"].dtype == bool
    assert k["trede"].cat.ordered and list(k["trede"].cat.categories)[:3] == ["1", "2a", "2b"]
    assert k.loc[k["klantnummer"] == "Kö2", "trede"].isna().all()
    assert baseline.report.files["klanten"].dropped_columns == ["bsn"]


def _edit(name: str, line: int, column: str | None = None, value: str | None = None,
          raw: str | None = None) -> dict[str, list[str]]:
    """The small export with one cell (or one whole line) of one file changed."""
    files = {k: list(v) for k, v in FILES.items()}
    lines = files[name]
    if raw is not None:
        lines.insert(line - 1, raw) if column == "insert" else lines.__setitem__(line - 1, raw)
        return files
    header = lines[0].split(";")
    cells = lines[line - 1].split(";")
    cells[header.index(column)] = value
    lines[line - 1] = ";".join(cells)
    return files


BAD_ROWS = [
    ("unknown trede", _edit("klanten", 3, "trede", "7"),
     [("klanten.csv", 3, "trede", "onbekende trede '7'")]),
    ("unknown outflow reason", _edit("uitstroom", 2, "reden", "ONTSLAG"),
     [("uitstroom.csv", 2, "reden", "onbekende code 'ONTSLAG' (verwacht STUDIE, ARBEID, "
       "PARTTIME, SCHOLING_NUG, WERK_NUG, ZELFSTANDIG, VERHUIZING, PARTNER, PENSIOEN, "
       "ANDERE_UITKERING, DETENTIE, OVERLIJDEN, OVERIG)")]),
    ("impossible date", _edit("instroom", 2, "instroomdatum", "31-02-2019"),
     [("instroom.csv", 2, "instroomdatum", "ongeldige datum '31-02-2019' (verwacht dd-mm-jjjj)")]),
    ("birth after peildatum", _edit("klanten", 3, "geboortedatum", "01-01-2020"),
     [("klanten.csv", 3, "geboortedatum", "geboortedatum na peildatum")]),
    ("duplicate klantnummer", _edit("klanten", 6, "insert", raw=KLANTEN[4]),
     [("klanten.csv", 5, "klantnummer", "komt meer dan eens voor op deze peildatum (regels 5, 6)"),
      ("klanten.csv", 6, "klantnummer", "komt meer dan eens voor op deze peildatum (regels 5, 6)")]),
    ("statushouder without migration", _edit("klanten", 3, "statushouder", "J"),
     [("klanten.csv", 3, "statushouder", "statushouder = J maar migratieachtergrond = N")]),
    ("municipality not configured", _edit("klanten", 2, "gemeente", "Arnhem"),
     [("klanten.csv", 2, "gemeente", "gemeente 'Arnhem' staat niet in de configuratie")]),
    ("bad flag", _edit("uitstroom", 2, "loonkostensubsidie", "Ja"),
     [("uitstroom.csv", 2, "loonkostensubsidie", "ongeldige waarde 'Ja' (verwacht J of N)")]),
    ("too few fields", _edit("klanten", 4, raw=KLANTEN[3].rsplit(";", 1)[0]),
     [("klanten.csv", 4, "-", "14 velden, verwacht 15")]),
    ("blank line", _edit("instroom", 2, "insert", raw=""),
     [("instroom.csv", 2, "-", "lege regel")]),
    ("line of only separators", _edit("klanten", 3, "insert", raw=";" * 14),
     [("klanten.csv", 3, "-", "lege regel")]),
    ("line of separators and spaces", _edit("uitstroom", 2, "insert", raw=" ; " * 9),
     [("uitstroom.csv", 2, "-", "lege regel")]),
    ("benefit starts after peildatum", _edit("klanten", 5, "uitkering_sinds", "01-01-2020"),
     [("klanten.csv", 5, "uitkering_sinds", "uitkering_sinds na peildatum")]),
    ("dossier without benefit", _edit("klanten", 4, "dossiernummer", "D9"),
     [("klanten.csv", 4, "uitkering_sinds", "leeg terwijl dossiernummer gevuld is")]),
    ("empty klantnummer", _edit("trede_mutaties", 2, "klantnummer", ""),
     [("trede_mutaties.csv", 2, "klantnummer", "verplicht veld is leeg")]),
    ("unknown talk outcome", _edit("jongeren_gesprekken", 2, "uitkomst", "=1+1"),
     [("jongeren_gesprekken.csv", 2, "uitkomst",
       "onbekende code '=1+1' (verwacht UITKERING, WERK, SCHOOL, ANDERS)")]),
]


@pytest.mark.parametrize("files,expected", [c[1:] for c in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_bad_row_is_refused_with_its_reason(tmp_path, config, files, expected):
    export = read_export(write_export(tmp_path / "x", files), config)
    assert export.report.refusals == [Refusal(*e) for e in expected]
    for f in export.report.files.values():
        assert f.rows_used + f.rows_refused == f.rows_read
        assert len(export[f.name]) == f.rows_used


BAD_FILES = [
    ("missing file", lambda d: (d / "uitstroom.csv").unlink(), "verplicht bestand 'uitstroom'"),
    ("missing column", lambda d: (d / "klanten.csv").write_text(
        "\n".join(ln.replace(";geslacht", "") for ln in KLANTEN[:1]) + "\n", encoding="utf-8"),
     "klanten.csv: verplichte kolom 'geslacht' ontbreekt"),
    ("wrong separator", lambda d: (d / "instroom.csv").write_text(
        "\n".join(ln.replace(";", ",") for ln in INSTROOM), encoding="utf-8"),
     "instroom.csv: verkeerd scheidingsteken"),
    ("empty file", lambda d: (d / "uitstroom.csv").write_bytes(b""), "uitstroom.csv: leeg bestand"),
    ("unreadable encoding", lambda d: (d / "klanten.csv").write_bytes(b"peildatum\x81\x8d\xff"),
     "klanten.csv: onleesbare codering"),
    ("duplicate header", lambda d: (d / "uitstroom.csv").write_text(
        UITSTROOM[0] + ";reden\n", encoding="utf-8"), "kolom 'reden' staat meer dan eens"),
    ("no usable client rows", lambda d: (d / "klanten.csv").write_text(
        "\n".join([KLANTEN[0], KLANTEN[1].replace("Duiven", "Arnhem")]), encoding="utf-8"),
     "klanten.csv: geen bruikbare regels"),
]


@pytest.mark.parametrize("breakit,message", [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES])
def test_unusable_file_raises_one_clear_error(tmp_path, config, breakit, message):
    folder = write_export(tmp_path / "x")
    breakit(folder)
    with pytest.raises(ExportError, match=message.replace("(", r"\(")):
        read_export(folder, config)


def test_report_year_needs_start_and_end_snapshot(baseline):
    year = require_year(baseline, 2019)
    assert (year, year.start, year.end) == (2019, pd.Timestamp(2018, 12, 31),
                                            pd.Timestamp(2019, 12, 31))
    with pytest.raises(ExportError, match="geen peildatum 31-12-2017"):
        require_year(baseline, 2018)


@pytest.mark.parametrize("entry", ["require_year", "prepare", "all_tables", "one_table"])
def test_a_year_without_data_is_refused_where_the_run_starts(baseline, config, entry):
    """Each place a run can start checks the year (once; what it hands on is not checked
    again) and names the year, the snapshots it lacks and the years the export does cover
    (this export: 31-12-2018 and 31-12-2019, so 2019 only)."""
    from rsdlib import tables
    from rsdlib.prepared import prepare

    start = {"require_year": lambda y: require_year(baseline, y),
             "prepare": lambda y: prepare(baseline, y, config),
             "all_tables": lambda y: tables.all_tables(baseline, y, config.short, config),
             "one_table": lambda y: tables.bijlage_2_3_uitstroom(baseline, y, config.short,
                                                                 config)}[entry]
    with pytest.raises(ExportError, match=r"geen peildatum 31-12-2020 voor "
                       r"verslagjaar 2020 \(.*\); de export dekt verslagjaar 2019$"):
        start(2020)
    assert start(2019) is not None


def test_a_checked_year_is_an_int_and_survives_a_process_boundary(baseline):
    import pickle

    year = require_year(baseline, 2019)
    again = pickle.loads(pickle.dumps(year))
    assert (again, again.start, again.end, str(again), again - 1) == (
        2019, year.start, year.end, "2019", 2018)
    assert type(again - 1) is int      # the year before is not a checked one


def test_cache_roundtrip_gives_identical_frames(tmp_path, config, baseline):
    save_cache(baseline, tmp_path / "cache")
    cached = load(tmp_path / "cache", config)
    for name, frame in baseline.frames.items():
        assert_frame_equal(cached[name], frame, check_exact=True)
    assert cached.report.files["klanten"].sha256 == baseline.report.files["klanten"].sha256


def test_cli_validate_lists_refused_rows_and_exit_codes(tmp_path, capsys):
    folder = write_export(tmp_path / "x", _edit("klanten", 3, "trede", "9z"))
    assert main(["validate", str(folder), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "klanten.csv:3: trede: onbekende trede '9z'" in out
    assert "klanten.csv                          4         3          1" in out
    assert (tmp_path / "out" / "validatie.html").read_text(encoding="utf-8").count("9z") == 1
    (folder / "instroom.csv").unlink()
    assert main(["validate", str(folder)]) == 2
    assert "verplicht bestand 'instroom' ontbreekt" in capsys.readouterr().err


# --------------------------------------------------------------------------- property


CORRUPTIONS = {
    "trede": ("trede", "8"), "datum": ("peildatum", "31-13-2019"), "vlag": ("ontheffing", "ja"),
    "gemeente": ("gemeente", "Utrecht"), "status": ("statushouder", "J"),
    "geboorte": ("geboortedatum", "01-01-2030"), "leeg": ("klantnummer", ""),
    "velden": (None, None),
}


def _client_row(i: int) -> list[str]:
    muni = ("Duiven", "Westervoort", "Zevenaar")[i % 3]
    return ["31-12-2019", f"K{i}", "", muni, "01-06-1985", "MVX"[i % 3], "2b", "N", "N", "N",
            "01-01-2018", f"D{i}", "N", "J", "N"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 30), data=st.data())
def test_every_row_is_used_or_refused(config, n, data):
    bad = data.draw(st.dictionaries(st.integers(0, n - 1), st.sampled_from(sorted(CORRUPTIONS)),
                                    max_size=n))
    header = KLANTEN[0].split(";")
    lines = [KLANTEN[0]]
    for i in range(n):
        row = _client_row(i)
        if i in bad:
            column, value = CORRUPTIONS[bad[i]]
            if column is None:
                row = row[:-2]
            else:
                row[header.index(column)] = value
        lines.append(";".join(row))
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_export(Path(tmp), {**FILES, "klanten": lines})
        try:
            export = read_export(folder, config)
        except ExportError as exc:      # every row refused: the export is unusable
            assert len(bad) == n and "geen bruikbare regels" in str(exc)
            return
    report = export.report.files["klanten"]
    assert report.rows_read == n
    assert report.rows_used + report.rows_refused == n
    assert {r.line for r in report.refusals} == {i + 2 for i in bad}
    assert set(export["klanten"]["klantnummer"]) == {f"K{i}" for i in range(n) if i not in bad}


@pytest.mark.parametrize("reader", ["exact", "fast, types guessed"])
def test_fast_and_exact_readers_give_identical_frames(demo_dir, config, demo, monkeypatch, reader):
    import rsdlib.io.read as rio

    fast = rio.read_csv_fast
    monkeypatch.setattr(rio, "read_csv_fast", {
        "exact": lambda path, columns=None: None,
        "fast, types guessed": lambda path, columns=None: fast(path)}[reader])
    exact = read_export(demo_dir, config)
    for name, frame in demo.frames.items():
        assert_frame_equal(exact[name], frame, check_exact=True)
    assert [f.rows_used for f in exact.report.files.values()] == [
        f.rows_used for f in demo.report.files.values()]


@settings(max_examples=60, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 6)), max_size=40),
       in_day_order=st.booleans())
def test_repeated_pairs_are_those_pandas_calls_duplicated(pairs, in_day_order):
    from rsdlib.io.validate import _repeated

    frame = pd.DataFrame(pairs, columns=["day", "key"], dtype=np.int64)
    if in_day_order:
        frame = frame.sort_values("day", kind="stable", ignore_index=True)
    found = _repeated(frame["day"].to_numpy(), frame["key"].to_numpy())
    assert found.tolist() == frame.duplicated(keep=False).tolist()


def _arrow_text(chunks: list[list[str | None]], large: bool = False) -> pd.Series:
    """Arrow text in chunks as the reader makes them; the later chunks are slices (an offset
    into their buffers), as after a filter."""
    import pyarrow as pa

    kind = pa.large_string() if large else pa.string()
    arrays = [pa.array(c, type=kind) if i == 0 else pa.array(["pad", *c], type=kind).slice(1)
              for i, c in enumerate(chunks)]
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(arrays, type=kind)))


KEY_TEXTS = {
    "8 bytes each, two chunks": [["K0000001", "K0000002", "K0000001"], ["K0000002", "K0000003"]],
    "up to 7 bytes": [["1", "12", "123", "1", "12", "123456", "\u00e9\u00e9"], ["12", "é", "é"]],
    "prefix of another": [["A", "AA", "A\x01", "AA"]],
    "8 bytes and shorter": [["K0000001", "K1", "K0000001", "K1"]],
    "longer than 8": [["KLANT-000001", "KLANT-000002", "KLANT-000001"]],
    "with missing cells": [["K1", None, "K2", None, "K1"]],
}


@pytest.mark.parametrize("large", [False, True], ids=["string", "large_string"])
@pytest.mark.parametrize("chunks", KEY_TEXTS.values(), ids=KEY_TEXTS.keys())
def test_text_keys_are_equal_exactly_when_the_texts_are(chunks, large):
    from rsdlib.io.arrow import _text_keys

    text = _arrow_text(chunks, large)
    keys = _text_keys(text)
    cells = [c for chunk in chunks for c in chunk]
    assert len(keys) == len(cells)
    for i, a in enumerate(cells):
        for j, b in enumerate(cells):
            if a is not None and b is not None:
                assert (keys[i] == keys[j]) == (a == b), (a, b)


CLEAN_TEXTS = {
    "nothing to strip": ["K1", "K2", "K30"],
    "spaces and tabs": [" K1", "K2\t", "K3", "  "],
    "no-break space": ["K1\u00a0", "\u00a0K2", "K3"],
    "empty cells": ["K1", "", "K3"],
    "non-ASCII inside": ["Jos\u00e9", "\u00c9mile", "K3"],
}


@pytest.mark.parametrize("cells", CLEAN_TEXTS.values(), ids=CLEAN_TEXTS.keys())
def test_text_is_stripped_like_python_strips_and_empty_becomes_missing(cells):
    from rsdlib.io.arrow import _clean_text

    text, empty = _clean_text(_arrow_text([cells[:2], cells[2:]]))
    expected = [c.strip() or None for c in cells]
    assert [None if pd.isna(v) else v for v in text] == expected
    if any(v is None for v in expected):
        assert empty.tolist() == [v is None for v in expected]
    else:
        assert empty is None


def test_a_malformed_row_falls_back_to_exact_line_numbers(tmp_path, config):
    files = _edit("klanten", 4, raw=KLANTEN[3] + ";extra")
    folder = write_export(tmp_path / "x", files)
    from rsdlib.io import read_csv_fast

    assert read_csv_fast(folder / "klanten.csv") is None
    assert read_csv_fast(folder / "instroom.csv") is not None
    export = read_export(folder, config)
    assert export.report.refusals == [Refusal("klanten.csv", 4, "-", "16 velden, verwacht 15")]
