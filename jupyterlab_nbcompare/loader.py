"""Read one notebook file and extract its record: the unit of work of the fast path.

Kept apart from :mod:`.service` on purpose: it imports only the core and the
standard library, so it is cheap to import in a worker *process*
(``NbCompare.parse_processes``), and the same functions run in the server's
worker threads otherwise. Every function returns plain picklable tuples and
never raises for a file: one bad notebook spoils nothing else.

The path given here has already been resolved and checked by the server's
ContentsManager (root containment, hidden files); this module only reads.
"""

from __future__ import annotations

import errno
import logging
import os
from collections.abc import Sequence
from typing import Any

from .core import compare, extract, reader

log = logging.getLogger(__name__)

#: ``(st_mtime_ns, st_size, st_mtime)`` of the file that was read, or ``None``.
Stamp = tuple[int, int, float]


def parse_extract(raw: bytes | str) -> tuple[dict | None, dict | None]:
    """Bytes of one notebook -> ``(record, None)`` or ``(None, per-notebook error)``.

    The core's ``load_record`` is the parse + extract the CLI and the Python
    API use too, so every face gives the same per-notebook errors. Anything
    unexpected becomes ``invalid_notebook`` (and is logged) instead of a 500.
    """
    try:
        return extract.load_record(raw), None
    except reader.NotebookReadError as error:
        return None, {"code": error.code, "message": error.message}
    except Exception as error:
        log.warning("nbcompare: reading a notebook failed unexpectedly", exc_info=True)
        message = f"The notebook could not be read: {type(error).__name__}"
        return None, {"code": "invalid_notebook", "message": message}


def read_bytes(os_path: str, limit: int) -> tuple[str, Any, Stamp | None]:
    """Read a file of at most ``limit`` bytes, with the stat of the very file read.

    Answers ``("bytes", raw, stamp)``, ``("too_large", size, stamp)``,
    ``("forbidden", None, None)`` or ``("not_found", None, None)``. The stat
    is taken on the open descriptor before reading, so a later change of the
    file always shows as a newer stamp.
    """
    try:
        with open(os_path, "rb") as handle:
            info = os.fstat(handle.fileno())
            stamp = (info.st_mtime_ns, info.st_size, info.st_mtime)
            if info.st_size > limit:
                return "too_large", info.st_size, stamp
            raw = handle.read(limit + 1)
    except PermissionError:
        return "forbidden", None, None
    except OSError as error:
        if error.errno in (errno.EACCES, errno.EPERM):
            return "forbidden", None, None
        return "not_found", None, None
    except ValueError:  # an embedded NUL byte
        return "not_found", None, None
    if len(raw) > limit:  # it grew after the stat
        return "too_large", len(raw), stamp
    return "bytes", raw, stamp


def load_file(os_path: str, limit: int) -> tuple[str, Any, Stamp | None]:
    """Read, parse and extract one file.

    Answers ``("record", record, stamp)``, ``("error", {"code", "message"},
    stamp)`` for a file that is not a readable notebook, or one of the
    refusals of :func:`read_bytes`.
    """
    kind, payload, stamp = read_bytes(os_path, limit)
    if kind != "bytes":
        return kind, payload, stamp
    record, error = parse_extract(payload)
    if error is not None:
        return "error", error, stamp
    return "record", record, stamp


def load_files(os_paths: Sequence[str], limit: int) -> list[tuple[str, Any, Stamp | None]]:
    """:func:`load_file` for a batch (one worker-thread or worker-process call)."""
    return [load_file(os_path, limit) for os_path in os_paths]


def compare_json(
    entries: Sequence[dict],
    baseline: str | None,
    names: list[str] | None,
    directions: dict[str, str] | None,
) -> bytes:
    """The serialised ``compare`` answer (raises ``ValueError`` for a bad request).

    Serialised where it is built (a worker thread), so the event loop only
    writes bytes; row by row (:func:`.core.compare.compare_json`), so the
    whole answer never sits in memory as objects.
    """
    return compare.compare_json(entries, baseline=baseline, names=names, directions=directions)
