"""Output that appears complete or not at all: files and folders written under a hidden
temporary name beside their place, then renamed into it.

Light on purpose (no pandas): the batch uses it before its workers fork.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

from rsdlib.lifetime import alive

# A temporary name carries the pid of the process that made it: `.NAME.tmp-PID-XXXX` (a file
# being written, a staging folder) or `.NAME.old-PID` (a folder being replaced). What a
# process left that has ended (killed, or its machine stopped) is stale: clean_stale removes it.
_TEMPORARY = re.compile(r"^\..+\.(?:tmp-(\d+)-[^/]*|old-(\d+))$")


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file via a temporary name in the same folder, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.tmp-{os.getpid()}-")
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
    path = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".{final.name}.tmp-{os.getpid()}-"))
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
        remove(old)


def remove(path: Path) -> None:
    """Remove a file, a symlink (not what it points to) or a folder; gone already is fine."""
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            shutil.rmtree(path)
    except FileNotFoundError:
        pass


def stale(folder: Path) -> list[Path]:
    """The temporary files and folders in `folder` that processes which have ended left
    behind (a batch killed before it could clean up); those of running processes are not."""
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    return [p for p in entries if (m := _TEMPORARY.match(p.name))
            and not alive(int(m.group(1) or m.group(2)))]


def clean_stale(folder: Path) -> list[Path]:
    """Remove `stale(folder)`; what could not be removed (still being written into by a
    process on its way out) is returned."""
    left = []
    for path in stale(folder):
        try:
            remove(path)
        except OSError:
            left.append(path)
    return left
