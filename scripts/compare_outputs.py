"""Make a full batch and compare two of them: what a restructuring must keep.

    python scripts/compare_outputs.py make DIR [--export data/demo]
        DIR/intern and DIR/publiek: years 2019, 2024, 2025 and the period 2024-2026, all
        scopes (two `rsd report` runs)
    python scripts/compare_outputs.py diff BEFORE AFTER
        every tables/*.csv byte for byte; every workbook's cells (sheet by sheet, value by
        value); every PDF's text (pdftotext, where poppler-utils is installed). Prints each
        difference; exit 1 when there is one, 0 when the two are the same.

A difference made on purpose is named in the commit that makes it; this script only says
where the outputs differ.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
YEARS = ("2019", "2024", "2025")
PERIODS = ("2024-2026",)
MODES = ("intern", "publiek")


def make(out: Path, export: Path) -> int:
    rsd = Path(sys.executable).with_name("rsd")
    for mode in MODES:
        target = out / mode
        if target.exists():
            shutil.rmtree(target)
        cmd = [str(rsd), "report", "--export", str(export), "--year", *YEARS,
               "--period", *PERIODS, "--scope", "all", "--mode", mode, "--out", str(target)]
        run = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if run.returncode != 0:
            print(f"{' '.join(cmd)}: exit {run.returncode}\n{run.stderr}", file=sys.stderr)
            return run.returncode
    print(f"volledige batch in {out}/intern en {out}/publiek")
    return 0


def _files(root: Path, pattern: str) -> set[Path]:
    return {p.relative_to(root) for p in root.rglob(pattern)
            if not any(part.startswith((".", "_")) for part in p.relative_to(root).parts)}


def _xlsx_cells(path: Path) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)]
                for ws in wb.worksheets}
    finally:
        wb.close()


def _pdf_text(path: Path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def diff(before: Path, after: Path) -> int:
    problems: list[str] = []
    counts = {}
    for pattern, same in (("*.csv", lambda a, b: filecmp.cmp(a, b, shallow=False)),
                          ("*.xlsx", lambda a, b: _xlsx_cells(a) == _xlsx_cells(b)),
                          ("*.pdf", lambda a, b: _pdf_text(a) == _pdf_text(b))):
        old, new = _files(before, pattern), _files(after, pattern)
        counts[pattern] = len(old & new)
        problems += [f"alleen in {before}: {p}" for p in sorted(old - new)]
        problems += [f"alleen in {after}: {p}" for p in sorted(new - old)]
        for p in sorted(old & new):
            if not same(before / p, after / p):
                problems.append(f"verschilt: {p}")
    for line in problems:
        print(line)
    print(f"vergeleken: {counts['*.csv']} csv, {counts['*.xlsx']} xlsx, {counts['*.pdf']} pdf"
          + ("" if shutil.which("pdftotext") else " (pdf-tekst niet: pdftotext ontbreekt)")
          + f"; {len(problems)} verschillen")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("dir", type=Path)
    m.add_argument("--export", type=Path, default=ROOT / "data" / "demo")
    d = sub.add_parser("diff")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "make":
        return make(args.dir.resolve(), args.export.resolve())
    return diff(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
