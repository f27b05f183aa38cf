"""Files of the batch's cache, each with its SHA-256 recorded when written and checked when read.

The cache under OUT/.cache is a cache, never a source of truth: a file whose bytes do not match
the digest recorded beside it (`NAME.sha256`, written after the file) is refused with
CacheError, and the batch rebuilds it from the export. Nothing read from the cache is executed:
its files are Parquet, Arrow IPC and JSON, parsed only after the check.

Light on purpose (no pandas): the batch imports it before its workers fork.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rsdlib.atomic import write_bytes_atomic
from rsdlib.errors import CacheError

SUFFIX = ".sha256"


def sidecar(path: Path) -> Path:
    """Where the digest of `path` is recorded."""
    return path.with_name(path.name + SUFFIX)


def write_checked(path: Path, data: bytes) -> None:
    """Write `data` to `path` (atomically), then its digest beside it."""
    write_bytes_atomic(path, data)
    write_bytes_atomic(sidecar(path), hashlib.sha256(data).hexdigest().encode("ascii"))


def read_checked(path: Path) -> bytes:
    """The bytes of `path`, or CacheError when they are missing or not what was written."""
    try:
        expected = sidecar(path).read_bytes().decode("ascii", "replace").strip()
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise CacheError(f"{path.name}: ontbreekt ({Path(exc.filename).name})") from None
    except OSError as exc:
        raise CacheError(f"{path.name}: onleesbaar ({exc.strerror})") from None
    if hashlib.sha256(data).hexdigest() != expected:
        raise CacheError(f"{path.name}: inhoud klopt niet met de vastgelegde SHA-256")
    return data


def is_intact(path: Path) -> bool:
    """Whether `path` is there and matches its recorded digest."""
    try:
        read_checked(path)
    except CacheError:
        return False
    return True
