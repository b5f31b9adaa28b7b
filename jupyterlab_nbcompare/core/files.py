"""The core on plain filesystem paths, for the command line and the Python API.

The server reads notebooks through Jupyter's ContentsManager; outside a server
there is only the filesystem. This module gives those faces the same entries,
the same per-notebook errors and the same response as the REST endpoint, so a
``compare`` from a terminal and from JupyterLab agree.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from .compare import compare
from .extract import load_record
from .reader import NotebookReadError

__all__ = ["compare_paths", "iso_utc", "load_entry"]


def iso_utc(timestamp: float | datetime | None) -> str | None:
    """A modification time as the contract writes it: ISO 8601, UTC, ``Z``, microseconds.

    Takes a POSIX timestamp or a ``datetime`` (what a ContentsManager gives;
    a naive one is taken as UTC). Always with microseconds: ``isoformat``
    drops the fraction on a whole second, and the CLI's JSON and the
    server's two read paths must give byte-identical strings.
    """
    if timestamp is None:
        return None
    if isinstance(timestamp, datetime):
        moment = timestamp.astimezone(timezone.utc) if timestamp.tzinfo else timestamp
    else:
        moment = datetime.fromtimestamp(timestamp, timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Size of each further read when a file turns out longer than its stat said
#: (small, so that the allocation for the final empty read stays cheap).
_MORE = 64 * 1024

#: Open without following the promise that the path is a regular file: a FIFO
#: or a device opened for reading could block forever, so open non-blocking
#: and check what was opened before reading it.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def open_regular(path: str | os.PathLike) -> tuple[Any, os.stat_result]:
    """``(unbuffered binary file, its stat)`` for a regular file; never blocks.

    Raises ``IsADirectoryError`` for anything that is not a regular file
    (directory, FIFO, device, socket), and the usual ``OSError`` otherwise.
    The stat is the opened file's own, so it describes the bytes then read.
    """
    fd = os.open(path, _OPEN_FLAGS | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", os.fspath(path))
        handle = os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise
    return handle, info


def read_sized(handle: Any, size: int, limit: int) -> bytes:
    """The bytes of an unbuffered binary file, at most ``limit + 1`` of them.

    ``size`` is the file's size from its stat. One read of ``size + 1``
    bytes, then reads until the end of the file, so a file that grew since
    the stat (papermill rewrites a notebook after every cell) is still read
    whole, or shows as longer than ``limit``. Why not ``read(limit + 1)``:
    that allocates the whole limit (50 MB by default) for every file, which
    cost more than parsing 200 notebooks.
    """
    chunks = [handle.read(size + 1)]
    total = len(chunks[0])
    step = _MORE  # grows with what was read: few reads, each allocation cheap
    while total <= limit:
        more = handle.read(min(step, limit + 1 - total))
        if not more:
            break
        chunks.append(more)
        total += len(more)
        step = max(step, total)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_limited(
    path: str | os.PathLike, limit: int | None
) -> tuple[bytes | None, int, os.stat_result]:
    """``(bytes, size, stat)`` of a regular file of at most ``limit`` bytes.

    ``bytes`` is ``None`` when the file is larger than ``limit`` (``size``
    then says how large: its stat's size, or ``limit + 1`` for a file that
    grew past the limit after its stat); ``limit`` ``None`` reads any size.
    The stat is the opened file's own (see :func:`open_regular`), so it
    describes the bytes read. Raises ``OSError``/``ValueError`` as
    :func:`open_regular` does. The one reading rule of the server's loader
    and of the command line and Python API.
    """
    handle, info = open_regular(path)
    with handle:
        if limit is None:
            raw = handle.read()
            return raw, len(raw), info
        if info.st_size > limit:
            return None, info.st_size, info
        raw = read_sized(handle, info.st_size, limit)
    if len(raw) > limit:  # it grew after the stat
        return None, len(raw), info
    return raw, len(raw), info


def load_entry(
    path: str | os.PathLike, max_bytes: int | None = None, key: str | None = None
) -> dict:
    """Read one notebook file into a comparison entry; never raises for a bad file.

    The entry is ``{"path", "last_modified", "record", "error"}``: ``path`` is
    ``key`` (default: ``path`` as given, so the caller's spelling is kept),
    ``record`` the extracted record, or ``None`` with ``error`` ``{"code",
    "message"}``: ``not_found`` (missing, a directory), ``forbidden`` (no
    permission), ``too_large`` (over ``max_bytes``), ``unreadable`` (another
    OS error) or the reader's ``invalid_json``/``invalid_notebook``.
    """
    shown = key if key is not None else os.fspath(path)
    entry: dict = {"path": shown, "last_modified": None, "record": None, "error": None}
    try:
        raw, size, info = read_limited(path, max_bytes)
        entry["last_modified"] = iso_utc(info.st_mtime)
        if raw is None:
            # exact from the stat, or (a file that grew while read) only "more"
            amount = f"{size} bytes, more" if size == info.st_size else "more"
            raise NotebookReadError(
                "too_large", f"{shown} is {amount} than the limit of {max_bytes} bytes."
            )
        entry["record"] = load_record(raw)
    except NotebookReadError as error:
        entry["error"] = error.as_dict()
    except FileNotFoundError:
        entry["error"] = {"code": "not_found", "message": f"No such notebook: {shown}."}
    except (IsADirectoryError, NotADirectoryError):
        entry["error"] = {"code": "not_found", "message": f"{shown} is not a file."}
    except PermissionError:
        entry["error"] = {"code": "forbidden", "message": f"No permission to read {shown}."}
    except (OSError, ValueError) as error:  # ValueError: e.g. a NUL byte in the path
        entry["error"] = {"code": "unreadable", "message": f"Cannot read {shown}: {error}"}
    return entry


def compare_paths(
    paths: Sequence[str | os.PathLike],
    baseline: str | os.PathLike | None = None,
    names: Iterable[str] | None = None,
    directions: Mapping[str, str | None] | None = None,
    max_bytes: int | None = None,
    group_by: Sequence[str] | None = None,
) -> dict:
    """Compare notebook files: the ``compare`` response for these paths.

    ``paths`` as given (strings or ``Path``; their ``str`` form) are the keys of
    ``notebooks[].path`` and ``cells``; ``baseline`` must be one of them.
    ``group_by`` adds ``groups`` and ``baseline_group`` (see :mod:`.groups`).
    Raises ``ValueError`` for the same mistakes as :func:`compare.compare`.
    """
    keys = [os.fspath(path) for path in paths]
    entries = [load_entry(path, max_bytes, key) for path, key in zip(paths, keys)]
    return compare(
        entries,
        baseline=None if baseline is None else os.fspath(baseline),
        names=names,
        directions=directions,
        group_by=group_by,
    )
