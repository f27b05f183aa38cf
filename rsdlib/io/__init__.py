"""Read an export folder (CSV in the field's dialects, or one xlsx) into validated frames.

Every input row is either used or refused with file, line, column and reason; a file that
cannot be read at all raises one ExportError naming the file and the problem.

One job per module, each importing only those above it:

    model     the data types the rest of rsdlib imports (Export, ValidationReport, ...)
    arrow     text columns as pyarrow hands them over (dictionary blocks, byte spans)
    read      files -> text cells (CSV fast and exact, xlsx) and their SHA-256
    validate  text cells -> typed frames and refusals; read_export
    cache     the batch's Parquet copy of a validated export; load
"""

from rsdlib.errors import ExportError
from rsdlib.io.cache import load, load_cache, save_cache
from rsdlib.io.model import (
    FORMULA_START,
    Export,
    FileReport,
    Refusal,
    ReportYear,
    ValidationReport,
    checked_year,
    report_years,
    require_year,
)
from rsdlib.io.read import file_sha256, read_csv_fast, read_csv_raw, read_xlsx_raw
from rsdlib.io.validate import read_export, validate_table

__all__ = [
    "FORMULA_START", "Export", "ExportError", "FileReport", "Refusal", "ReportYear",
    "ValidationReport", "checked_year", "file_sha256", "load", "load_cache", "read_csv_fast",
    "read_csv_raw", "read_export", "read_xlsx_raw", "report_years", "require_year",
    "save_cache", "validate_table",
]
