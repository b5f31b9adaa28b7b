"""What reading one notebook gives: a :class:`Loaded`, or a refusal that is one too.

Both read paths answer these, so the service, the caches and the core see
one shape whichever path read the file.
"""

from __future__ import annotations

from collections.abc import Hashable
from concurrent.futures import Future
from typing import Any, NamedTuple


class Loaded(NamedTuple):
    """One requested notebook as the service read it.

    ``token`` identifies the state the answer was computed from (the cache
    key, or the refusal), so that a whole compare answer can be cached too.
    ``cells``: the record's response cells when they were made with it for
    the compare being answered (see ``load``'s ``compare_with``), else ``None``.
    """

    path: str
    last_modified: str | None
    record: dict | None
    error: dict | None
    token: Hashable
    cells: list | None = None

    def entry(self) -> dict[str, Any]:
        """The entry shape the core's ``compare`` and ``index_summary`` take."""
        return {
            "path": self.path,
            "last_modified": self.last_modified,
            "record": self.record,
            "error": self.error,
            "cells": self.cells,
        }


#: The one message for a path Jupyter refuses: it neither confirms nor denies
#: that a hidden or outside file exists.
NOT_FOUND_MESSAGE = "No readable notebook at this path."
FORBIDDEN_MESSAGE = "The server may not read this notebook (permission denied)."
WORKER_STOPPED_MESSAGE = "Reading this notebook stopped the worker process that parsed it."


class Waiting:
    """A notebook another request is reading now: wait for its ``Loaded`` (single flight).

    ``future`` answers that request's ``Loaded`` for the file, or ``None``
    when it gave up (then this request reads the file itself).
    """

    __slots__ = ("future", "os_path", "path")

    def __init__(self, path: str, os_path: str, future: Future) -> None:
        self.path, self.os_path, self.future = path, os_path, future


def refused(path: str, code: str, last_modified: str | None = None, **extra: Any) -> Loaded:
    """A notebook that was not read, with a per-notebook error of api.md."""
    message = {"not_found": NOT_FOUND_MESSAGE, "forbidden": FORBIDDEN_MESSAGE}.get(code, "")
    message = extra.pop("message", message)
    token = ("refused", code, last_modified, tuple(sorted(extra.items())))
    return Loaded(path, last_modified, None, {"code": code, "message": message}, token)


def too_large(path: str, size: int, limit: int, last_modified: str | None) -> Loaded:
    """The per-notebook ``too_large`` error, decided from the size alone."""
    message = (
        f"The notebook is {size} bytes, more than this server reads "
        f"({limit} bytes, NbCompare.max_notebook_bytes)."
    )
    return refused(path, "too_large", last_modified, size=size, message=message)
