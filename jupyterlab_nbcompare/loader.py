"""Read one notebook file and extract its record: the unit of work of the fast path.

Kept apart from :mod:`.service` and :mod:`.reading` on purpose: it imports
only the core and the standard library, so it is cheap to import in a worker *process*
(``NbCompare.parse_processes``), and the same functions run in the server's
worker threads otherwise. Every function returns plain picklable tuples and
never raises for a file: one bad notebook spoils nothing else.

The path given here has already been resolved and checked by the server's
ContentsManager (root containment, hidden files); this module only reads.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

from .cache import estimate_bytes
from .core import compare, extract, reader
from .core.files import read_limited

log = logging.getLogger(__name__)

#: ``(st_mtime_ns, st_size, st_mtime, st_ino, st_dev)`` of the file that was
#: read, or ``None``: the first two key the in-memory cache, all but
#: ``st_mtime`` the persistent store (a file replaced by another of the same
#: size and time is still a new key there).
Stamp = tuple[int, int, float, int, int]


def parse_extract(raw: bytes | str) -> tuple[dict | None, dict | None, int]:
    """Bytes of one notebook -> ``(record, None, nbytes)`` or ``(None, per-notebook
    error, nbytes)``, ``nbytes`` being the cache's size estimate of either.

    The core's ``load_record`` is the parse + extract the CLI and the Python
    API use too, so every face gives the same per-notebook errors. Anything
    unexpected becomes ``invalid_notebook`` (and is logged) instead of a 500.
    """
    try:
        record, json_length = extract.load_sized_record(raw)
    except reader.NotebookReadError as error:
        failed = error.as_dict()
    except Exception as error:
        log.warning("nbcompare: reading a notebook failed unexpectedly", exc_info=True)
        message = f"The notebook could not be read: {type(error).__name__}"
        failed = {"code": "invalid_notebook", "message": message}
    else:
        return record, None, estimate_bytes(record, json_length)
    return None, failed, estimate_bytes(failed)


def read_bytes(os_path: str, limit: int) -> tuple[str, Any, Stamp | None]:
    """Read a file of at most ``limit`` bytes, with the stat of the very file read.

    Answers ``("bytes", raw, stamp)``, ``("too_large", size, stamp)``,
    ``("forbidden", None, None)`` or ``("not_found", None, None)``. The stat
    is taken on the open descriptor before reading, so a later change of the
    file always shows as a newer stamp.
    """
    try:
        # Never blocks on a FIFO swapped in after the manager's check.
        raw, size, info = read_limited(os_path, limit)
    except PermissionError:  # EACCES and EPERM
        return "forbidden", None, None
    except OSError:
        return "not_found", None, None
    except ValueError:  # an embedded NUL byte
        return "not_found", None, None
    stamp = (info.st_mtime_ns, info.st_size, info.st_mtime, info.st_ino, info.st_dev)
    if raw is None:
        return "too_large", size, stamp
    return "bytes", raw, stamp


def load_file(os_path: str, limit: int) -> tuple[str, Any, Stamp | None, int]:
    """Read, parse and extract one file.

    Answers ``("record", record, stamp, nbytes)``, ``("error", {"code",
    "message"}, stamp, nbytes)`` for a file that is not a readable notebook,
    or one of the refusals of :func:`read_bytes` (``nbytes`` 0). ``nbytes`` is
    the cache's size estimate of the payload, computed here so that a worker
    process, not the server, pays for it.
    """
    kind, payload, stamp = read_bytes(os_path, limit)
    if kind != "bytes":
        return kind, payload, stamp, 0
    record, error, nbytes = parse_extract(payload)
    if error is not None:
        return "error", error, stamp, nbytes
    return "record", record, stamp, nbytes


def load_files(os_paths: Sequence[str], limit: int) -> list[tuple[str, Any, Stamp | None, int]]:
    """:func:`load_file` for a batch (one worker-thread or worker-process call)."""
    return [load_file(os_path, limit) for os_path in os_paths]


def load_compare_files(
    os_paths: Sequence[str], paths: Sequence[str], limit: int, against: tuple
) -> tuple[list[tuple[str, Any, Stamp | None, int]], list[list | None]]:
    """:func:`load_files`, and each record's response cells for one compare request.

    ``paths`` are the request's paths of the same files (image URLs name
    them); ``against`` is ``(baseline record, baseline path, names,
    directions)``, the arguments of :class:`.core.compare.Against`. Making
    the cells where the record is made spreads that work over the worker
    processes and threads, instead of leaving it all for the end.
    """
    outcomes = load_files(os_paths, limit)
    maker = compare.Against(*against)
    cells = [
        maker.cells(outcome[1], path) if outcome[0] == "record" else None
        for outcome, path in zip(outcomes, paths)
    ]
    return outcomes, cells


#: A 1x1 PNG, for :func:`warm_up`.
_PIXEL = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def warm_up() -> None:
    """Parse, extract and compare a small notebook once, with every kind of output.

    Run when the server starts (in a worker thread, and in each worker
    process): first calls (regular expressions, codecs, lazy imports, the
    thread itself) then happen before anyone waits, not in the first compare.
    """

    def cell(tags: list[str], source: str, outputs: list[dict]) -> dict:
        return {
            "cell_type": "code",
            "metadata": {"tags": tags},
            "source": source,
            "outputs": outputs,
        }

    def result(data: dict) -> dict:
        return {"output_type": "execute_result", "data": data, "metadata": {}}

    table = (
        '<table border="1" class="dataframe"><thead><tr><th></th><th>a</th></tr></thead>'
        "<tbody><tr><th>0</th><td>1.5</td></tr></tbody></table>"
    )
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"papermill": {"parameters": {"alpha": 1.0}, "duration": 1.0}},
        "cells": [
            cell(["parameters"], "alpha = 0.5", []),
            cell(["metrics"], "m", [result({"text/plain": "{'mse': np.float64(0.25)}"})]),
            cell(["table"], "t", [result({"text/html": table, "text/plain": "a"})]),
            cell(["plot"], "p", [{"output_type": "display_data", "data": {"image/png": _PIXEL}}]),
            cell(["log"], "print(1)", [{"output_type": "stream", "name": "stdout", "text": "1\n"}]),
        ],
    }
    record, _, _ = parse_extract(json.dumps(notebook).encode())
    entries = [{"path": path, "last_modified": None, "record": record} for path in "ab"]
    compare_json(entries, None, None, None)


def compare_json(
    entries: Sequence[dict],
    baseline: str | None,
    names: list[str] | None,
    directions: dict[str, str] | None,
    group_by: Sequence[str] | None = None,
) -> bytes:
    """The serialised ``compare`` answer (raises ``ValueError`` for a bad request).

    Serialised where it is built (a worker thread), so the event loop only
    writes bytes; row by row (:func:`.core.compare.compare_json`), so the
    whole answer never sits in memory as objects.
    """
    return compare.compare_json(
        entries, baseline=baseline, names=names, directions=directions, group_by=group_by
    )
