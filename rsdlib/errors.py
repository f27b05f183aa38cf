"""The error that makes an export unusable (exit code 2).

Kept apart from rsdlib.io so that the command and the batch can catch it without importing
pandas: the batch's workers fork before that import.
"""


class ExportError(Exception):
    """The export cannot be used: a missing file or column, or an unreadable file."""
