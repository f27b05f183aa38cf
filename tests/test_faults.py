"""Bad input and a bad environment: one clear message naming file and problem, exit 2,
nothing half-written, no identifier quoted, a traceback only for a bug (issue 14, cases 4-9)."""

import errno
import re
import shutil
import zipfile

import pytest
from test_io import FILES, KLANTEN, write_export, write_xlsx

import rsdlib.io
import rsdlib.io.read as rio
from rsdlib import batch, prepared, report
from rsdlib.cli import main
from rsdlib.io import read_export
from rsdlib.publish import write_validation_html


def with_klanten(*rows: str, header: str = KLANTEN[0]) -> dict[str, list[str]]:
    return {**FILES, "klanten": [header, *KLANTEN[1:], *rows]}


@pytest.mark.parametrize("reader", ["fast", "exact"])
def test_line_numbers_are_the_editors_after_a_quoted_line_break(tmp_path, config, monkeypatch,
                                                                 reader):
    if reader == "exact":
        monkeypatch.setattr(rio, "read_csv_fast", lambda path, columns=None: None)
    rows = with_klanten(
        "31-12-2019;K5;;Duiven;01-01-1990;M;2a;N;N;N;01-01-2019;\"D5\nvervolg\";N;N;N",
        "31-12-2019;K6;;Duiven;01-01-1990;M;9z;N;N;N;01-01-2019;D6;N;N;N")
    folder = write_export(tmp_path / "x", rows)
    refusals = read_export(folder, config).report.refusals
    # K6 is the export's 6th row, on the 8th line: the quoted field spans two lines
    assert [(r.line, r.column) for r in refusals] == [(8, "trede")]


def unusable(capsys, argv: list[str]) -> str:
    """Run `rsd`; it must exit 2 with no traceback, the reason on the last line. The reason
    (`rsd validate` says nothing else; `rsd report` may have said how far it got)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err, err
    if argv[0] == "validate":
        assert len(err.strip().splitlines()) == 1, err
    return err.strip().splitlines()[-1]


def test_a_field_over_the_csv_limit_is_one_message(tmp_path, capsys):
    rows = with_klanten('31-12-2019;K5;;"' + "x" * 200_000 + '";extra')
    err = unusable(capsys, ["validate", str(write_export(tmp_path / "x", rows))])
    assert "klanten.csv:6: een veld is langer dan 128 KiB" in err


def test_a_corrupt_sheet_in_a_workbook_is_one_message(tmp_path, capsys):
    folder = write_xlsx(tmp_path / "x")
    path = folder / "export.xlsx"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"][:300]   # cut off
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    err = unusable(capsys, ["validate", str(folder)])
    assert "export.xlsx[klanten]: onleesbaar werkblad" in err


def test_a_nul_byte_beyond_the_first_64_kib_is_refused(tmp_path, capsys):
    rows = [f"31-12-2019;K{i};;Duiven;01-01-1990;M;2a;N;N;N;01-01-2019;D{i};N;N;N"
            for i in range(10, 2000)]
    folder = write_export(tmp_path / "x", with_klanten(*rows))
    data = (folder / "klanten.csv").read_bytes()
    at = data.index(b";K1500;")
    (folder / "klanten.csv").write_bytes(data[:at + 3] + b"\0" + data[at + 3:])
    assert at > 1 << 16
    err = unusable(capsys, ["validate", str(folder)])
    assert "klanten.csv: onleesbaar bestand (binaire inhoud: NUL-byte" in err


def validated_with_unknown_column(tmp_path, capsys, rows: dict[str, list[str]]):
    """`rsd validate` on an export whose first four client rows carry a 16th, unknown
    column (its header the last name of `rows`' header): the folder and what it printed."""
    rows["klanten"][1:5] = [r + ";x" for r in rows["klanten"][1:5]]
    folder = write_export(tmp_path / "x", rows)
    assert main(["validate", str(folder), "--out", str(tmp_path / "out")]) == 0
    return folder, capsys.readouterr().out


def test_a_refused_identifier_is_never_quoted(tmp_path, config, capsys):
    rows = with_klanten(
        "31-12-2019;K5;;123456782;01-01-1990;M;2a;N;N;N;01-01-2019;D5;N;N;N;x",   # a BSN
        "31-12-2019;K6;;\x1b[2JDuiven;01-01-1990;M;2a;N;N;N;01-01-2019;D6;N;N;N;x",
        "31-12-2019;K7;;Duiven;01-01-1990;M;2a;N;N;N;01-01-2019;D7;N;N;N;x",
        "31-12-2019;K8;;Duiven;31-02-1990;M;2a;N;N;N;01-01-2019;D8;N;N;N;x",
        header=KLANTEN[0] + ";999999990")                                   # a BSN as header
    folder, printed = validated_with_unknown_column(tmp_path, capsys, rows)
    assert "klanten.csv:6: gemeente: gemeente staat niet in de configuratie (waarde niet " \
           "getoond)" in printed
    assert "klanten.csv:7: gemeente: gemeente '\\x1b[2JDuiven' staat niet" in printed
    assert "klanten.csv:9: geboortedatum: ongeldige datum '31-02-1990'" in printed
    assert "onbekende kolommen genegeerd: kolom 16 (naam niet getoond)" in printed
    export = read_export(folder, config)
    rsdlib.io.save_cache(export, tmp_path / "cache")
    html = write_validation_html(export.report, tmp_path / "html", config).read_text("utf-8")
    for text in (printed, html, (tmp_path / "cache" / "report.json").read_text("utf-8")):
        assert "123456782" not in text and "999999990" not in text and "\x1b" not in text


@pytest.mark.parametrize("bsn", ["1234.56.782", "123 456 782", "12-34-56-782", "1234 56 782",
                                 "12.34.56.782"])
def test_a_bsn_written_with_separators_is_never_quoted(tmp_path, config, capsys, bsn):
    # a BSN in its official notation (dots) or spaced, shifted into a date, a flag, a code
    # and the municipality column, and as the name of an unknown column: never repeated
    rows = with_klanten(
        f"31-12-2019;K5;;Duiven;{bsn};M;2a;N;N;N;01-01-2019;D5;N;N;N;x",
        f"31-12-2019;K6;;Duiven;01-01-1990;M;2a;{bsn};N;N;01-01-2019;D6;N;N;N;x",
        f"31-12-2019;K7;;Duiven;01-01-1990;{bsn};2a;N;N;N;01-01-2019;D7;N;N;N;x",
        f"31-12-2019;K8;;{bsn};01-01-1990;M;2a;N;N;N;01-01-2019;D8;N;N;N;x",
        "31-12-2019;K9;;Duiven;31-02-1990;M;2a;N;N;N;01-01-2019;D9;N;N;N;x",
        header=KLANTEN[0] + f";{bsn}")
    folder, printed = validated_with_unknown_column(tmp_path, capsys, rows)
    assert "klanten.csv:6: geboortedatum: ongeldige datum (verwacht dd-mm-jjjj) (waarde niet " \
           "getoond)" in printed
    assert "klanten.csv:9: gemeente: gemeente staat niet in de configuratie (waarde niet " \
           "getoond)" in printed
    assert "klanten.csv:10: geboortedatum: ongeldige datum '31-02-1990'" in printed   # a date
    assert "onbekende kolommen genegeerd: kolom 16 (naam niet getoond)" in printed
    html = (tmp_path / "out" / "validatie.html").read_text("utf-8")
    export = read_export(folder, config)
    shown = "\n".join(f"{r.line} {r.column} {r.reason}" for r in export.report.refusals)
    digits = "".join(ch for ch in bsn if ch.isdigit())
    for text in (printed, html, shown):
        assert bsn not in text and digits not in re.sub(r"[\s.\-/]", "", text)


def test_when_every_client_row_is_refused_the_reasons_are_given(tmp_path, capsys):
    rows = {**FILES, "klanten": [KLANTEN[0], *(r.replace(";Duiven;", ";Arnhem;").replace(
        ";Zevenaar;", ";Arnhem;").replace(";Westervoort;", ";Arnhem;") for r in KLANTEN[1:])]}
    err = unusable(capsys, ["validate", str(write_export(tmp_path / "x", rows))])
    assert "geen bruikbare regels (4 geweigerd; meest voorkomend: gemeente: gemeente " \
           "'Arnhem' staat niet in de configuratie (4x))" in err


@pytest.mark.parametrize("name", ["instroom", "uitstroom"])
def test_an_event_file_with_only_its_header_is_a_year_without_events(tmp_path, demo_dir,
                                                                      config, name):
    folder = tmp_path / "export"
    shutil.copytree(demo_dir, folder)
    path = folder / f"{name}.csv"
    path.write_bytes(path.read_bytes().split(b"\n", 1)[0] + b"\n")
    export = read_export(folder, config)
    prep = prepared.prepare(export, 2019, config)
    for scope in ("Duiven", config.short):
        computed, _, _ = report.for_scope(prep.slice(scope, config), scope, config)
        flows = computed["trend_stromen"]
        assert (flows[name.capitalize()] == 0).all() and (flows.drop(
            columns=[c for c in flows.columns if name.capitalize() in c]).sum().sum() > 0)


def test_a_full_disk_while_the_cache_is_written_is_one_message(tmp_path, demo_dir, capsys,
                                                                monkeypatch):
    def full(data, folder):
        (folder / "klanten.parquet").write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / "klanten.parquet"))

    monkeypatch.setattr(rsdlib.io, "save_cache", full)
    out = tmp_path / "out"
    err = unusable(capsys, ["report", "--export", str(demo_dir), "--year", "2019",
                            "--out", str(out), "--jobs", "1"])
    assert "klanten.parquet: de schijf is vol" in err and not out.exists()


def test_an_output_path_the_system_refuses_is_one_message(tmp_path, demo_dir, capsys):
    (tmp_path / "bestand").write_text("geen map")
    for out in (tmp_path / "bestand" / "out", tmp_path / ("x" * 300)):
        err = unusable(capsys, ["report", "--export", str(demo_dir), "--year", "2019",
                                "--out", str(out), "--jobs", "1"])
        assert str(out) in err and ("geen map" in err or "naam te lang" in err)


def test_a_bug_says_it_is_one_and_where_its_log_is(tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise KeyError(("Instroom", "Duiven"))

    monkeypatch.setattr(rsdlib.io, "read_export", broken)
    assert main(["validate", str(write_export(tmp_path / "x"))]) == 1
    err = capsys.readouterr().err
    assert "interne fout in rsd (een bug, niet uw invoer): KeyError" in err
    assert "Traceback" not in err
    log = err.split("de details staan in ")[1].rstrip().rstrip(".")
    assert "Traceback" in open(log, encoding="utf-8").read()


def test_a_placed_symlink_for_failed_notebooks_is_not_followed(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elders"
    elsewhere.mkdir()
    out.mkdir()
    (out / batch.FAILED_DIR).symlink_to(elsewhere)
    r = batch.run_one(tmp_path / "ontbreekt.ipynb", tmp_path, 2019, "Duiven", out, "intern",
                      None)
    assert not r.ok and list(elsewhere.iterdir()) == []
    assert (out / batch.FAILED_DIR).is_dir() and not (out / batch.FAILED_DIR).is_symlink()
