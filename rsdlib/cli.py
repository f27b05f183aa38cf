"""The `rsd` command: demo-data, validate, report, config check."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rsdlib.config import ConfigError, load_config
from rsdlib.errors import ExportError, describe

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


def _demo(args: argparse.Namespace) -> int:
    from rsdlib.demo import write_export

    if args.national:
        from rsdlib.national import write_national

        paths = write_national(Path(args.dir), seed=args.seed, n_munis=args.municipalities,
                               clients=args.clients)
        print(f"landelijke demo-export geschreven naar {Path(args.dir).resolve()}; "
              f"configuratie: {paths[-1]}")
        return EXIT_OK
    config = load_config(args.config)
    paths = write_export(config, Path(args.dir), seed=args.seed, xlsx=args.xlsx)
    print(f"demo-export voor {config.name} geschreven naar {Path(args.dir).resolve()}:")
    for p in paths:
        print(f"  {p.name}")
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    from rsdlib.io import read_export

    config = load_config(args.config)
    try:
        export = read_export(args.dir, config)
    except ExportError as exc:
        print(f"onbruikbare export: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    for line in export.report.summary_lines():
        print(line)
    if args.out:
        from rsdlib.publish import write_validation_html

        path = write_validation_html(export.report, Path(args.out), config)
        print(f"validatierapport: {path}")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    from rsdlib.batch import run_batch

    if not args.year and not args.period:
        print("fout: geef --year en/of --period", file=sys.stderr)
        return EXIT_UNUSABLE
    return run_batch(
        export=Path(args.export), years=args.year or [], scopes=args.scope or ["all"],
        out=Path(args.out), jobs=args.jobs, config_path=args.config, mode=args.mode,
        periods=args.period or [],
        pdf=False if args.zonder_pdf else None,
    )


def _config_check(args: argparse.Namespace) -> int:
    config = load_config(args.file)        # a ConfigError: one message per problem, exit 2
    print(f"{config.path}: in orde")
    for line in config.describe():
        print(f"  {line}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rsd` (exposed for tests and --help)."""
    p = argparse.ArgumentParser(prog="rsd", description=__doc__)
    p.add_argument("--config", help="configuratie (TOML); standaard config/liemers.toml")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("config", help="configuratie controleren")
    csub = c.add_subparsers(dest="action", required=True)
    check = csub.add_parser("check", help="valideer een configuratie en toon wat ze vastlegt")
    check.add_argument("file")
    check.set_defaults(func=_config_check)

    d = sub.add_parser("demo-data", help="schrijf een synthetische export (2018-2025)")
    d.add_argument("dir")
    d.add_argument("--seed", type=int, default=2019)
    d.add_argument("--xlsx", action="store_true", help="één .xlsx met een werkblad per bestand")
    d.add_argument("--national", action="store_true",
                   help="landelijke schaal (eigen configuratie nationaal.toml in DIR)")
    d.add_argument("--municipalities", type=int, default=342, help="met --national")
    d.add_argument("--clients", type=int, default=400_000, help="met --national")
    d.set_defaults(func=_demo)

    v = sub.add_parser("validate", help="controleer een export en toon geweigerde regels")
    v.add_argument("dir")
    v.add_argument("--out", help="schrijf ook validatie.html in deze map")
    v.set_defaults(func=_validate)

    r = sub.add_parser("report", help="bijlagen per gemeente en jaar of opdrachtperiode "
                                      "(papermill, parallel)")
    r.add_argument("--export", required=True)
    r.add_argument("--year", type=int, nargs="+", help="verslagjaren")
    r.add_argument("--period", nargs="+",
                   help="opdrachtperioden uit de configuratie: sleutel (2024-2026) of naam")
    r.add_argument("--scope", nargs="+", help="gemeenten en/of de dienst, of all (standaard)")
    r.add_argument("--out", default="outputs")
    r.add_argument("--jobs", type=int, default=None, help="parallelle notebooks (standaard: cores)")
    r.add_argument("--mode", choices=["intern", "publiek"], default=None)
    r.add_argument("--zonder-pdf", action="store_true",
                   help="geen bijlagen.pdf (standaard: zoals [publication] pdf in de configuratie)")
    r.set_defaults(func=_report)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of `rsd`; returns the exit code (0 ok, 1 a notebook failed, 2 bad input)."""
    args = build_parser().parse_args(argv)
    # Paths are taken where the user typed them, once: the notebooks run in another folder.
    for name in ("config", "export", "out", "dir"):
        if getattr(args, name, None):
            setattr(args, name, os.path.abspath(os.path.expanduser(getattr(args, name))))
    try:
        return args.func(args)
    except (ConfigError, ExportError) as exc:
        print(f"fout: {exc}", file=sys.stderr)
        return EXIT_UNUSABLE
    except OSError as exc:              # the machine: no rights, a full disk, a long name
        print(f"fout: {describe(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except Exception as exc:            # a bug: say so, keep the details in a log
        return _bug(exc)


def _bug(exc: Exception) -> int:
    """Report an unexpected error as a bug in one message; the traceback goes to a log file
    (not to the screen: it may hold values from the data)."""
    import tempfile
    import time
    import traceback

    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" in {Path(frame.filename).name}:{frame.lineno}" if frame else ""
    try:
        fd, log = tempfile.mkstemp(prefix=f"rsd-fout-{time.strftime('%Y%m%d-%H%M%S')}-",
                                   suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            traceback.print_exception(exc, file=fh)
        told = f"; de details staan in {log}"
    except OSError:
        told = ""
    print(f"interne fout in rsd (een bug, niet uw invoer): {type(exc).__name__}{where}. "
          f"Meld dit aan de beheerder van rsdlib{told}.", file=sys.stderr)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
