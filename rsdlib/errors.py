"""The errors that make an export unusable (exit code 2), and a cache that must be rebuilt.

Kept apart from rsdlib.io so that the command and the batch can catch it without importing
pandas: the batch's workers fork before that import.
"""


import errno


class ExportError(Exception):
    """The export cannot be used: a missing file or column, or an unreadable file."""


class CacheError(Exception):
    """A file of the batch's cache is missing, damaged or not what was written: the batch
    rebuilds it from the export (it is a cache, never a source of truth)."""


_OS_REASONS = {
    errno.ENOSPC: "de schijf is vol",
    errno.EDQUOT: "de schijfruimte (quota) is op",
    errno.EACCES: "geen toegang (rechten)",
    errno.EPERM: "niet toegestaan (rechten)",
    errno.EROFS: "alleen-lezen bestandssysteem",
    errno.ENAMETOOLONG: "naam te lang voor het bestandssysteem",
    errno.ENOENT: "bestaat niet",
    errno.ENOTDIR: "een deel van het pad is geen map",
    errno.EISDIR: "is een map",
    errno.ELOOP: "te veel symbolische links",
    errno.EIO: "invoer/uitvoerfout van het apparaat",
}


def describe(exc: OSError, name: bool = True) -> str:
    """What went wrong with a file or folder, in the user's words, naming it (`name`)."""
    default = exc.strerror or type(exc).__name__
    reason = _OS_REASONS.get(exc.errno, default) if exc.errno is not None else default
    return f"{exc.filename}: {reason}" if exc.filename and name else reason
