"""Bytes -> notebook dict, fast and forgiving, with one kind of failure.

Notebooks compared here are written by many tools over many years, and some are
broken on purpose. Reading must be fast (hundreds of runs are compared at once),
so a notebook is parsed with :mod:`orjson` and only checked for the structure the
extractor relies on; full nbformat schema validation is far too slow and would
refuse files that are perfectly readable (a ``tags`` string, a ``heading`` cell).

Anything that goes wrong becomes a :class:`NotebookReadError` with a short
``code`` (the per-notebook ``error.code`` of the REST contract) and a message a
person can act on. Nothing else ever escapes :func:`parse_notebook`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

__all__ = ["NotebookReadError", "parse_notebook", "valid_json", "valid_text"]


#: A surrogate code point: in a Python string always a lone one, which UTF-8
#: (and so orjson) cannot carry.
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD (see :func:`valid_json`)."""
    return _SURROGATE.sub("\ufffd", text)


def valid_json(value: Any) -> tuple[Any, int | None]:
    """``value`` with each lone surrogate in its strings and keys replaced by U+FFFD,
    and the length of its JSON text (``None``: orjson cannot write it at all).

    Why: Python's json module and literal escapes (``'\\udcff'``, what
    ``os.fsdecode`` makes of a stray byte) give strings that no UTF-8 text can
    hold, so serialising an answer that carries one fails. A record is written
    once with orjson and rebuilt only when it holds such a string; the length
    of that one writing is what the server's cache sizes the record by.
    """
    try:
        return value, len(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    except orjson.JSONEncodeError:
        value = _scrubbed(value, 0)
    try:
        return value, len(orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS))
    except orjson.JSONEncodeError:  # not for its text (too deep, say): as it is
        return value, None


def _scrubbed(value: Any, depth: int) -> Any:
    if isinstance(value, str):
        return valid_text(value)
    if depth > 300:  # deeper than orjson writes (255): left as it is, never a RecursionError
        return value
    if isinstance(value, dict):
        return {
            valid_text(key) if isinstance(key, str) else key: _scrubbed(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrubbed(item, depth + 1) for item in value]
    return value


class NotebookReadError(Exception):
    """A notebook that cannot be read; ``code`` is the contract's error code.

    Codes: ``invalid_json`` (not JSON at all), ``invalid_notebook`` (JSON, but not
    a notebook), ``too_large`` (over the configured size), ``not_found`` (missing
    or not a file), ``unreadable`` (the storage refused to read it). Callers turn
    the error into ``{"code": ..., "message": ...}`` with :meth:`as_dict`.
    """

    def __init__(self, code: str, message: str) -> None:
        message = valid_text(message)  # it may quote the notebook
        super().__init__(message)
        self.code = code
        self.message = message

    def as_dict(self) -> dict[str, str]:
        """The per-notebook ``error`` object of the REST contract."""
        return {"code": self.code, "message": self.message}


def _loads(raw: bytes | str) -> Any:
    """Parse JSON with orjson, falling back to :mod:`json` for what orjson refuses.

    orjson rejects the bare ``NaN``/``Infinity`` literals that Python's json
    module writes (and some notebook tools do too), and a UTF-8 byte-order mark;
    the standard parser accepts both, so it is the (slower) second chance.
    """
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as first:
        if isinstance(raw, str) and raw.startswith("\ufeff"):
            raw = raw[1:]  # json.loads skips a BOM in bytes, not in text
        try:
            return json.loads(raw)
        except RecursionError:
            raise NotebookReadError(
                "invalid_json", "The notebook's JSON is nested too deeply to read."
            ) from None
        except (ValueError, TypeError):
            raise NotebookReadError(
                "invalid_json", f"The file is not valid JSON: {first}."
            ) from None


def _upgrade_old(nb: dict) -> dict:
    """Upgrade an nbformat 1-3 notebook (``worksheets``) to the 4.x layout.

    nbformat's own converters do the work; they are only imported for these rare
    old files. The missing keys they trip over (``metadata``, ``cells`` of an
    empty worksheet, ``worksheets`` itself) are filled in first.
    """
    from nbformat import versions
    from nbformat.converter import convert

    major = nb.get("nbformat")
    if major not in versions:
        raise NotebookReadError(
            "invalid_notebook",
            f"Unsupported nbformat version {major!r} (this reader knows nbformat 1 to 4).",
        )
    nb = dict(nb)
    if not isinstance(nb.get("metadata"), dict):
        nb["metadata"] = {}
    worksheets = nb.get("worksheets")
    if worksheets is None:
        worksheets = []
    if not isinstance(worksheets, list) or not all(isinstance(w, dict) for w in worksheets):
        raise NotebookReadError("invalid_notebook", "The notebook's 'worksheets' is not a list.")
    nb["worksheets"] = [dict(w, cells=w.get("cells") or []) for w in worksheets]
    try:
        node = versions[major].to_notebook_json(nb)
        upgraded = convert(node, 4)
    except Exception as error:  # nbformat raises many kinds on broken old files
        raise NotebookReadError(
            "invalid_notebook", f"The nbformat {major} notebook could not be upgraded: {error}"
        ) from None
    return upgraded


def parse_notebook(raw: bytes | str) -> dict:
    """Parse a notebook file's content into a plain nbformat-4-shaped dict.

    Checks only what the extractor relies on: a JSON object with a ``cells`` list
    of objects (or an old ``worksheets`` notebook, which is upgraded). The result
    is not copied or normalised further: the extractor reads it leniently (lists
    of strings or strings, missing keys) so that real-world files all work.

    Raises :class:`NotebookReadError` and nothing else.
    """
    try:
        if isinstance(raw, (bytes, bytearray, memoryview)):
            raw = bytes(raw)
        elif not isinstance(raw, str):
            raise NotebookReadError("invalid_notebook", "The notebook content is not text.")
        if not raw.strip():
            raise NotebookReadError("invalid_json", "The file is empty.")
        nb = _loads(raw)
        if not isinstance(nb, dict):
            raise NotebookReadError(
                "invalid_notebook",
                f"The file is JSON but not a notebook: its top level is a "
                f"{type(nb).__name__}, not an object.",
            )
        major = nb.get("nbformat")
        if "cells" not in nb:
            if major is None and "worksheets" in nb:
                nb = _upgrade_old(dict(nb, nbformat=3))
            elif isinstance(major, int) and not isinstance(major, bool) and major < 4:
                nb = _upgrade_old(nb)
        cells = nb.get("cells")
        if not isinstance(cells, list):
            raise NotebookReadError(
                "invalid_notebook", "The file is JSON but not a notebook: it has no 'cells' list."
            )
        for position, cell in enumerate(cells):
            if not isinstance(cell, dict):
                raise NotebookReadError(
                    "invalid_notebook", f"Cell {position} of the notebook is not an object."
                )
        if not isinstance(nb.get("metadata"), dict):
            nb["metadata"] = {}
        return nb
    except NotebookReadError:
        raise
    except RecursionError:
        raise NotebookReadError(
            "invalid_json", "The notebook is nested too deeply to read."
        ) from None
    except Exception as error:  # the contract: a broken file is never a crash
        raise NotebookReadError(
            "invalid_notebook", f"The notebook could not be read: {type(error).__name__}: {error}"
        ) from None
