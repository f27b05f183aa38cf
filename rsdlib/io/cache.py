"""The batch's columnar copy of a validated export (Parquet frames plus the report as JSON,
each with its SHA-256 beside it, checked before it is read), and `load`, which takes an export
folder or such a copy.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from rsdlib import schema
from rsdlib.config import Config
from rsdlib.digest import read_checked, write_checked
from rsdlib.errors import CacheError
from rsdlib.io.model import Export, FileReport, Refusal, ValidationReport
from rsdlib.io.validate import _empty, read_export

REPORT = "report.json"     # written last: a cache folder without it is incomplete


def report_payload(report: ValidationReport) -> dict:
    """The validation report as JSON-able data (report_from_payload reads it back)."""
    return {"folder": report.folder, "files": {
        n: {**{k: v for k, v in vars(f).items() if k != "refusals"},
            "refusals": [vars(r) for r in f.refusals]}
        for n, f in report.files.items()}}


def report_from_payload(payload: dict) -> ValidationReport:
    """The validation report that report_payload wrote."""
    report = ValidationReport(folder=payload["folder"])
    for name, f in payload["files"].items():
        f = dict(f)
        refusals = [Refusal(**r) for r in f.pop("refusals")]
        report.files[name] = FileReport(**f, refusals=refusals)
    return report


def save_cache(export: Export, folder: Path) -> None:
    """Write validated frames as Parquet plus the report as JSON, each with its digest."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in export.frames.items():
        buf = io.BytesIO()
        frame.to_parquet(buf, index=False)
        write_checked(folder / f"{name}.parquet", buf.getvalue())
    write_checked(folder / REPORT, json.dumps(report_payload(export.report),
                                              ensure_ascii=False).encode("utf-8"))


def load_cache(folder: Path, config: Config) -> Export:
    """Read validated frames written by save_cache, with the categories the schema defines.

    Every file is checked against its recorded digest before it is parsed; a cache that
    fails (missing, truncated, edited) raises CacheError and is never used."""
    try:
        payload = json.loads(read_checked(folder / REPORT).decode("utf-8"))
        report = report_from_payload(payload)
        frames = {}
        for name in (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES):
            frame = pd.read_parquet(io.BytesIO(read_checked(folder / f"{name}.parquet")))
            template = _empty(name, config)
            if list(frame.columns) != list(template.columns):
                raise CacheError(f"{name}.parquet: andere kolommen dan het schema")
            for col in template.columns:
                dtype = template[col].dtype
                if isinstance(dtype, pd.CategoricalDtype):   # Parquet keeps them: checked, not
                    frame[col] = frame[col].astype(dtype)    # rebuilt through Python objects
            frames[name] = frame
    except CacheError:
        raise
    except Exception as exc:      # intact but unreadable (another pyarrow?): still a cache
        raise CacheError(f"onleesbaar ({type(exc).__name__}: {str(exc)[:200]})") from exc
    return Export(frames, report)


def load(path: str | Path, config: Config) -> Export:
    """Load an export folder, or a batch's validated cache (a folder with report.json)."""
    path = Path(path)
    if (path / REPORT).is_file():
        return load_cache(path, config)
    return read_export(path, config)
