"""Privacy: no identifier of the export a run used reaches its outputs or its messages.

The identifiers are read from the export itself (tests/privacy.py), whatever their format;
the scan is shown to find identifiers of other formats in every kind of output it reads.
A `bsn` never reaches any file or message (not the validation report, not the cache);
client and dossier numbers never reach a council output (HTML, PDF, Excel, the tables'
CSV, figures, the executed notebook) nor a message; they appear only in the analyst's
validation report and the batch's cache (docs/export-format.md, "Safety").
"""

import json
import re
import zlib
from pathlib import Path

import pytest
from privacy import ID_COLUMNS, Scanner, identifiers, other_format

COUNCIL_KINDS = {".html", ".xlsx", ".csv", ".png", ".ipynb"}


def analyst_only(out: Path, path: Path) -> bool:
    """The validation report and the cache: the analyst's files, which may name clients."""
    return ".cache" in path.relative_to(out).parts or path.name == "validatie.html"


def assert_no_identifier(batch, export: Path, kinds: set[str]) -> None:
    ids = identifiers(export)
    assert min(len(v) for v in ids.values()) > 1000          # the scan looks for something
    scanner = Scanner(ids)
    files = sorted(p for p in batch.out.rglob("*") if p.is_file())
    council = [p for p in files if not analyst_only(batch.out, p)]
    private = [p for p in files if analyst_only(batch.out, p)]
    assert kinds <= {p.suffix for p in council}
    found = scanner.scan(council, messages={"stdout": batch.stdout, "stderr": batch.stderr})
    assert found.leaks == [], found.leaks[:20]
    assert found.files == len(council)
    cache = [p for p in private if p.suffix == ".parquet"]
    assert cache and any(p.name == "validatie.html" for p in private)
    found_bsn = scanner.scan(private, columns=["bsn"])
    assert found_bsn.leaks == [], found_bsn.leaks[:20]
    # the cache keeps the client numbers by design: the scan sees them in Parquet
    assert scanner.scan(cache, columns=["klantnummer"]).leaks
    assert found.unread == [] == found_bsn.unread, found.unread


@pytest.mark.slow
def test_no_identifier_reaches_an_intern_output_or_message(intern_batch, demo_dir):
    assert intern_batch.code == 0, intern_batch.stderr
    assert_no_identifier(intern_batch, demo_dir, COUNCIL_KINDS | {".pdf"})


@pytest.mark.slow
def test_no_identifier_reaches_a_public_output_or_message(public_batch, demo_dir):
    assert public_batch.code == 0, public_batch.stderr
    assert_no_identifier(public_batch, demo_dir, COUNCIL_KINDS)


# --------------------------------------------------------------------------- the scan itself

# identifiers in formats other than the demo's K000123 (numbers only, with separators, mixed)
OTHER = {"klantnummer": {"60417733", "CL/2019/00017", "a7f3-22"},
         "dossiernummer": {"Z-780000", "2019.0042"},
         "bsn": {"100000999", "123456782"}}


def minimal_pdf(text: str) -> bytes:
    """A one-page PDF with `text` in Helvetica, as small as a valid file can be."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
               b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    pdf, offsets = b"%PDF-1.4\n", []
    for n, body in enumerate(objects, 1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return pdf + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)


def png_with_text(key: str, text: str) -> bytes:
    """A 1x1 PNG with one compressed text chunk (zTXt)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (len(body).to_bytes(4, "big") + kind + body
                + zlib.crc32(kind + body).to_bytes(4, "big"))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 0, 0, 0, 0]))
            + chunk(b"zTXt", key.encode() + b"\0\0" + zlib.compress(text.encode()))
            + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b""))


def plant(kind: str, folder: Path, value: str) -> Path:
    """An output of `kind` with `value` inside it as such an output would carry it."""
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        path = folder / "bijlagen.html"
        path.write_text(f"<table><tr><td>Trede 1</td><td>{value}&nbsp;</td></tr></table>",
                        encoding="utf-8")
    elif kind == "csv":
        path = folder / "tabel.csv"
        path.write_text(f"rij,Duiven\nTotaal,12\n{value},1\n", encoding="utf-8")
    elif kind == "ipynb":                  # JSON: the value escaped inside a cell's output
        path = folder / "notebook.ipynb"
        path.write_text(json.dumps({"cells": [{"outputs": [{"text": [f"klant\t{value}\n"]}]}]},
                                   ensure_ascii=True), encoding="utf-8")
    elif kind == "xlsx":                   # a cell of a real workbook (shared strings)
        from openpyxl import Workbook

        wb = Workbook()
        wb.active["B4"] = f"{value} & meer"
        path = folder / "bijlagen.xlsx"
        wb.save(path)
    elif kind == "pdf":
        path = folder / "bijlagen.pdf"
        path.write_bytes(minimal_pdf(f"Trede 1  {value}  12"))
    elif kind == "png":
        path = folder / "treden.png"
        path.write_bytes(png_with_text("Description", f"klant {value}"))
    elif kind == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = folder / "klanten.parquet"
        pq.write_table(pa.table({"gemeente": ["Duiven", "Zevenaar"], "x": ["n", value]}), path)
    elif kind == "name":                   # in a file's name, not its content
        path = folder / f"2019-{value.replace('/', '_')}.log"
        path.write_text("", encoding="utf-8")
    else:
        raise ValueError(kind)
    return path


KINDS = ["html", "csv", "ipynb", "xlsx", "pdf", "png", "parquet"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_scan_finds_an_identifier_of_any_format_in_every_kind_of_output(tmp_path, kind):
    """A planted identifier is found, in whatever format, in every kind of output; the same
    output without it is clean (so the scan of the batches can fail)."""
    scanner = Scanner(OTHER)
    clean = plant(kind, tmp_path / "clean", "Zevenaar 2019")
    assert scanner.scan([clean]).leaks == []
    for column, values in OTHER.items():
        for n, value in enumerate(sorted(values)):
            leaked = plant(kind, tmp_path / f"{column}{n}", value)
            found = scanner.scan([leaked.parent])
            assert found.unread == [] and found.files == 1
            assert found.leaks == [(str(leaked), column, value)], (column, value)


def test_the_scan_reads_names_and_messages_and_tells_a_number_from_a_longer_one(tmp_path):
    scanner = Scanner(OTHER)
    plant("name", tmp_path, "CL/2019/00017")
    assert not scanner.scan([tmp_path]).leaks       # "/" became "_": another name
    plant("name", tmp_path, "60417733")             # 2019-60417733.log
    assert [c for _, c, _ in scanner.scan([tmp_path]).leaks] == ["klantnummer"]
    said = scanner.scan([], messages={"stderr": "regel 12: bsn 123456782 onbekend"})
    assert said.leaks == [("stderr", "bsn", "123456782")]
    # inside a longer number, an amount or a hash it is another number
    assert scanner.find("€ 1604177331; 1123456782; 60417733a; 2019.00420; € 1.604.177,33; "
                        "31-12-2019") == set()
    # digits in groups, as a table formats a number or people write a bsn
    for written in ("123.456.782", "123 456 782", "12-34-56-782", "1234.56.782",
                    "123\u00a0456\u00a0782"):
        assert scanner.find(f"<td>{written}</td>") == {("bsn", "123456782")}, written
    assert scanner.find("Totaal 12 60.417.733 5") == {("klantnummer", "60417733")}
    assert scanner.find("(a7f3-22)") == {("klantnummer", "a7f3-22")}


def test_identifiers_are_read_from_the_export_whatever_their_format(demo_dir, other_ids_dir,
                                                                    tmp_path):
    """The id columns of every file of an export whose numbers are not the demo's (the demo
    rewritten one to one: 8-digit client numbers, dossiers Z-780000, other bsn), and found
    by the scan in that format."""
    demo, other = identifiers(demo_dir), identifiers(other_ids_dir)
    for column in ID_COLUMNS:
        assert other[column] == {other_format(v, column) for v in demo[column]}, column
    assert not [v for vs in other.values() for v in vs if re.fullmatch(r"[KJD]\d{6}", v)]
    page = tmp_path / "out" / "bijlagen.html"
    page.parent.mkdir()
    page.write_text(f"<td>{sorted(other['dossiernummer'])[3]}</td>", encoding="utf-8")
    assert [c for _, c, _ in Scanner(other).scan([page.parent]).leaks] == ["dossiernummer"]
    assert Scanner(demo).scan([page.parent]).leaks == []      # the demo's ids: not these
