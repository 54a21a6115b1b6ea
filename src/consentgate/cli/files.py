"""Files the CLI writes: new private files for what is sensitive, plain files for the rest.

Sensitive output (opened evidence, child-safety reports) goes to a new file only
its owner may read, never through a link or over an existing file. Other output
(transparency reports) refuses an existing file unless ``--force`` says
otherwise, and appears under its name only once it is complete.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO

from consentgate.errors import BadInput


def create_private(output: Path, *, what: str = "it") -> IO[bytes]:
    """A new file only its owner may read; an existing file or any link there is refused."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(output, flags, 0o600)
    except FileExistsError:
        raise BadInput(
            f"{output} exists (or is a link): {what} is never written over a file", field="output"
        ) from None
    except OSError as exc:
        raise BadInput(f"cannot create {output}: {exc.strerror}", field="output") from None
    return os.fdopen(fd, "wb")


def write_synced(handle: IO[bytes], data: bytes, *, what: str = "the file") -> None:
    try:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    except OSError as exc:
        raise BadInput(f"cannot write {what}: {exc.strerror}", field="output") from None


def write_whole(output: Path, data: bytes, *, force: bool) -> None:
    """Write ``data`` to ``output`` through a temporary file renamed into place (a crash
    leaves the old file or the new one, never half of it); an existing file needs ``force``."""
    if output.is_dir():
        raise BadInput(f"{output} is a directory", field="output")
    if (output.exists() or output.is_symlink()) and not force:
        raise BadInput(f"{output} exists: pass --force to write over it", field="output")
    parent = output.parent if str(output.parent) else Path(".")
    try:
        fd, temporary = tempfile.mkstemp(dir=parent, prefix=f".{output.name}.", suffix=".part")
    except OSError as exc:
        raise BadInput(f"cannot write in {parent}: {exc.strerror}", field="output") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write_synced(handle, data, what=str(output))
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
