"""The batch's columnar copy of a validated export (Parquet frames plus the report as JSON),
and `load`, which takes an export folder or such a copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rsdlib import schema
from rsdlib.config import Config
from rsdlib.io.model import Export, FileReport, Refusal, ValidationReport
from rsdlib.io.validate import _empty, read_export


def save_cache(export: Export, folder: Path) -> None:
    """Write validated frames as Parquet plus the report, for notebooks of one batch."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in export.frames.items():
        frame.to_parquet(folder / f"{name}.parquet", index=False)
    payload = {"folder": export.report.folder, "files": {
        n: {**{k: v for k, v in vars(f).items() if k != "refusals"},
            "refusals": [vars(r) for r in f.refusals]}
        for n, f in export.report.files.items()}}
    (folder / "report.json").write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


def load_cache(folder: Path, config: Config) -> Export:
    """Read validated frames written by save_cache, with the categories the schema defines."""
    payload = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report = ValidationReport(folder=payload["folder"])
    for name, f in payload["files"].items():
        refusals = [Refusal(**r) for r in f.pop("refusals")]
        report.files[name] = FileReport(**f, refusals=refusals)
    frames = {}
    for name in (*schema.REQUIRED_FILES, *schema.OPTIONAL_FILES):
        frame = pd.read_parquet(folder / f"{name}.parquet")
        template = _empty(name, config)
        for col in template.columns:
            dtype = template[col].dtype
            if isinstance(dtype, pd.CategoricalDtype):   # Parquet keeps them: checked, not
                frame[col] = frame[col].astype(dtype)    # rebuilt through Python objects
        frames[name] = frame
    return Export(frames, report)


def load(path: str | Path, config: Config) -> Export:
    """Load an export folder, or a batch's validated cache (a folder with report.json)."""
    path = Path(path)
    if (path / "report.json").is_file():
        return load_cache(path, config)
    return read_export(path, config)
