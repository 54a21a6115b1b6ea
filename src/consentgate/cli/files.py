"""Files the CLI writes: new private files for what is sensitive, plain files for the rest.

Sensitive output (opened evidence, child-safety reports) goes to a new file only
its owner may read, never through a link or over an existing file. Other output
(transparency reports) refuses an existing file unless ``--force`` says
otherwise, and appears under its name only once it is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
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
    write_streamed(output, (data,), force=force)


def write_streamed(output: Path, chunks: Iterable[bytes], *, force: bool) -> None:
    """``write_whole`` for output made as it is written (an export read page by page): an
    error while ``chunks`` are made, such as a statement that fails its check, leaves no
    file, and the one that was there stays as it was."""
    _check_target(output, force)
    temporary = _temporary(output, chunks)
    try:
        os.replace(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_all(directory: Path, files: Iterable[tuple[str, bytes]], *, force: bool) -> int:
    """Named files into ``directory`` (made if need be), all of them or none: each goes to
    a temporary file first, and all are renamed into place once every one is written;
    an existing file needs ``force``. How many were written."""
    if directory.exists() and not directory.is_dir():
        raise BadInput(f"{directory} is not a directory", field="output")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot create {directory}: {exc.strerror}", field="output") from None
    made: list[tuple[Path, Path]] = []
    try:
        for name, data in files:
            target = directory / name
            _check_target(target, force)
            made.append((_temporary(target, (data,)), target))
        for temporary, target in made:
            os.replace(temporary, target)
    except BaseException:
        for temporary, _ in made:
            temporary.unlink(missing_ok=True)
        raise
    return len(made)


def _check_target(output: Path, force: bool) -> None:
    if output.is_dir():
        raise BadInput(f"{output} is a directory", field="output")
    if (output.exists() or output.is_symlink()) and not force:
        raise BadInput(f"{output} exists: pass --force to write over it", field="output")


def _temporary(output: Path, chunks: Iterable[bytes]) -> Path:
    """A new temporary file beside ``output`` holding ``chunks``, synced to disk (removed
    again if anything fails on the way)."""
    parent = output.parent if str(output.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{output.name}.", suffix=".part")
    except OSError as exc:
        raise BadInput(f"cannot write in {parent}: {exc.strerror}", field="output") from None
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                try:
                    handle.write(chunk)
                except OSError as exc:
                    raise BadInput(
                        f"cannot write {output}: {exc.strerror}", field="output"
                    ) from None
            write_synced(handle, b"", what=str(output))  # flushed and synced once, at the end
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary
