"""Output that appears complete or not at all: files and folders written under a hidden
temporary name beside their place, then renamed into it.

Light on purpose (no pandas): the batch uses it before its workers fork.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file via a temporary name in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)    # mkstemp makes it private; the file in place is a normal one
    os.replace(tmp, path)


def write_text_atomic(path: Path, text: str) -> None:
    """`write_bytes_atomic` of UTF-8 text."""
    write_bytes_atomic(path, text.encode("utf-8"))


def staging_dir(final: Path) -> Path:
    """A fresh temporary folder beside `final`, hidden by its leading dot."""
    final.parent.mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-"))
    path.chmod(0o755)   # mkdtemp makes it private; the promoted folder is a normal one
    return path


def promote(staging: Path, final: Path) -> None:
    """Move a complete staging folder into place, replacing an older `final`."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
