"""Local input: files, folders walked in a stable order (links followed, loops reported), and stdin."""

from __future__ import annotations

import errno
import fnmatch
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from narrascope.document import Document
from narrascope.ingest.ids import id_for_file
from narrascope.ingest.options import SUPPORTED_SUFFIXES, IngestError, IngestOptions
from narrascope.ingest.parse import parse_bytes


def read_local(item: str | Path, options: IngestOptions) -> Iterator[Document | IngestError]:
    """Documents of one file, folder or ``-`` (stdin)."""
    if str(item) == "-":
        yield from parse_bytes(f"<stdin>{options.stdin_format}", sys.stdin.buffer.read(), options)
        return
    path = Path(item)
    if path.is_dir():
        for file in find_files(path, options):
            if isinstance(file, IngestError):
                yield file
            else:
                yield from read_file(file, options, file_id=id_for_file(file, path, options))
    elif path.exists():
        yield from read_file(path, options)
    else:
        yield missing(path)


def find_files(folder: Path, options: IngestOptions) -> Iterator[Path | IngestError]:
    """Supported files under ``folder`` in a stable order, honouring the glob pattern and recursion options.

    Symbolic links are followed; a folder that cannot be listed, a broken link and a link loop are each yielded as
    an :class:`IngestError` naming it, never skipped silently.
    """
    yield from _walk(folder, options, {_identity(folder)})


def _walk(folder: Path, options: IngestOptions, ancestors: set[tuple[int, int]]) -> Iterator[Path | IngestError]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        yield IngestError(str(folder), f"cannot read folder: {exc.strerror or exc}")
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            is_dir, is_file = path.is_dir(), path.is_file()
            if entry.is_symlink() and not (is_dir or is_file):
                path.stat()  # raises for broken links and loops, to say which
        except OSError as exc:
            yield missing(path, exc)
            continue
        if is_dir:
            if not options.recursive:
                continue
            identity = _identity(path)
            if identity in ancestors:
                yield IngestError(str(path), "symbolic link loop: it leads back to a folder being read; not followed")
                continue
            yield from _walk(path, options, ancestors | {identity})
        elif is_file and path.suffix.lower() in SUPPORTED_SUFFIXES:
            if not options.pattern or fnmatch.fnmatch(path.name, options.pattern):
                yield path


def _identity(folder: Path) -> tuple[int, int]:
    try:
        info = folder.stat()
    except OSError:
        return (0, 0)
    return info.st_dev, info.st_ino


def missing(path: Path, exc: OSError | None = None) -> IngestError:
    """The error for a path that names nothing readable: a broken or looping link, or nothing at all."""
    if exc is None:
        try:
            path.stat()
        except OSError as error:
            exc = error
    if exc is not None and exc.errno == errno.ELOOP:
        return IngestError(str(path), "symbolic link loop")
    if path.is_symlink():
        return IngestError(str(path), f"broken symbolic link (points to {os.readlink(path)}, which does not exist)")
    if exc is not None and exc.errno not in (errno.ENOENT, None):
        return IngestError(str(path), f"cannot read: {exc.strerror or exc}")
    return IngestError(str(path), "no such file or directory")


def read_file(path: Path, options: IngestOptions, file_id: str | None = None) -> Iterator[Document | IngestError]:
    """Documents of one file; ``file_id`` overrides the id of a .txt/.html document (default: the file name)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield IngestError(str(path), f"cannot read file: {exc.strerror or exc}")
        return
    yield from parse_bytes(str(path), data, options, file_id=file_id)
