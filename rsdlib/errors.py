"""The errors that make an export unusable (exit code 2), and a cache that must be rebuilt.

Kept apart from rsdlib.io so that the command and the batch can catch it without importing
pandas: the batch's workers fork before that import.
"""


class ExportError(Exception):
    """The export cannot be used: a missing file or column, or an unreadable file."""


class CacheError(Exception):
    """A file of the batch's cache is missing, damaged or not what was written: the batch
    rebuilds it from the export (it is a cache, never a source of truth)."""
